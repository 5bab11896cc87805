"""`nrr cite ID [ID ...] [--style ...]`: records' sources as references to paste into a paper,
or as BibTeX and CSL-JSON to import into LaTeX and Zotero. The work is in nato_russia.cite."""

from typing import Annotated

import typer

from nato_russia.cli.common import Commands, Data, completion_dataset, examples, say
from nato_russia.render.formats import CitationStyle as Style

commands = Commands()

STYLE_HELP = (
    "chicago (the default), apa or mla: references as text; bibtex: entries for LaTeX; "
    "csl-json: items for Zotero and other reference managers."
)


def _complete_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """Typer's completion of the ID, for what completion.py leaves to it (--data, NRR_DATA):
    the same words from the loaded data. (Click asks it only for the ID, never for the value
    of --style, and hands over the whole word, TYPE: included.)"""
    from nato_russia import completion

    def values_of(command: str | None) -> list[str]:
        dataset = completion_dataset(ctx)
        if dataset is None:
            return []
        if command is None:
            return sorted({i for records in dataset.records.values() for i in records})
        return list(dataset.of_type(command.replace("-", "_")))

    return completion.cite_values([], incomplete, values_of, bash=False) or []


@commands.command(
    short_help="References for a record's sources, to paste or import.",
    epilog="The official text comes first where a record has one, then reprints of such "
    "texts, then its other sources, each with title, publisher, date, address and the day "
    "the address was checked (the dataset's checked date). An id that several record types "
    "use (founding-act is an agreement and a channel) cites the agreement or event; TYPE:ID "
    "picks another. Several ids make one bibliography, each source once: a BibTeX file "
    "has no repeated key.\n\n"
    + examples(
        "nrr cite founding-act",
        "nrr cite founding-act rome-declaration --style bibtex > refs.bib",
        "nrr cite founding-act --style apa",
        "nrr cite channel:founding-act --style mla",
        "nrr cite russia-joins-pfp-1994 --style bibtex >> refs.bib",
        "nrr cite practical-cooperation-suspended-2014 --style csl-json > nrr.json",
    ),
)
def cite(
    record_ids: Annotated[
        list[str],
        typer.Argument(
            metavar="ID",
            help="Any record's id (agreement, event, quotation, source, ...), or TYPE:ID; "
            "several for one bibliography.",
            autocompletion=_complete_id,
        ),
    ],
    style: Annotated[
        Style,
        typer.Option("--style", "-s", case_sensitive=False, help=STYLE_HELP),
    ] = Style.chicago,
    *,
    data: Data,
) -> None:
    """References for every source the records rest on, the official text first."""
    from nato_russia import cite as citing
    from nato_russia.render.output import use_utf8_stdout

    dataset = data()
    found = [citing.find_record(dataset, record_id) for record_id in record_ids]
    refs = citing.references(dataset, *(one.record for one in found))
    for one in found:
        for other in one.also:
            say(
                f"note: {one.record.id} is also a {other.replace('_', ' ')} id; "
                f"nrr cite {other}:{one.record.id} cites that one"
            )
    if any(ref.url for ref in refs) and citing.access_date(dataset) is None:
        say(
            "note: the loaded datasets were checked on different days (or say none), so "
            "no access date is given"
        )
    if style in (Style.bibtex, Style.csl_json):
        use_utf8_stdout()  # files for other programs: UTF-8 whatever the locale says
    typer.echo(citing.render(refs, style), nl=False)
