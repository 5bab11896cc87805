"""`nrr validate` and `nrr export`: the datasets checked, or written in one file."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from nato_russia.cli.common import (
    ActorOption,
    Commands,
    Data,
    DataPaths,
    FromOption,
    NoBundled,
    PeriodOption,
    ToOption,
    TopicOption,
    data_selection,
    examples,
    filters,
    note_coverage,
    say,
)
from nato_russia.errors import ExitCode
from nato_russia.model import PLURALS
from nato_russia.render.formats import ExportFormat

commands = Commands()


@commands.command(
    short_help="Check datasets and list every problem.",
    epilog=examples("nrr validate", "nrr validate my-events/", "nrr validate extra/events.json"),
)
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Datasets to check with the bundled data: directories or record files. "
            "Without PATH: the bundled data, NRR_DATA and --data.",
        ),
    ] = None,
    # Not the Data group: a check always reads the files themselves, so there is no --no-cache.
    data: DataPaths = None,
    no_bundled: NoBundled = False,
) -> None:
    """Check datasets and report every problem, one per line (FILE:LINE: record ID: field: ...).

    Exits 1 if there is any problem, 0 with a one-line summary otherwise.
    """
    from nato_russia.loader import check
    from nato_russia.validation import warnings

    dataset, problems = check(data_selection([*(data or []), *(paths or [])], no_bundled, True))
    for problem in problems:
        typer.echo(str(problem))
    if dataset is None:
        count = len(problems)
        say(f"{count} problem{'s' if count != 1 else ''} found")
        raise typer.Exit(ExitCode.FAILURE)
    for warning in warnings(dataset):
        say(f"warning: {warning}")
    counts = ", ".join(f"{n} {PLURALS[t]}" for t, n in dataset.counts().items() if n)
    typer.echo(f"ok: {counts}")


@commands.command(
    short_help="The whole dataset (or a filtered part) in one file.",
    epilog="Formats: json (every record type, with schema_version), jsonl (one record a line), "
    "csv (a zip with one file per record type), markdown (a chronology), timelinejs "
    "(TimelineJS3 JSON), timelinejs-csv (TimelineJS's Google Sheets layout), timelinejs-html "
    "(a page that shows the timeline: open it in a browser), sqlite (tables, link tables, FTS5 "
    "search).\n\n"
    + examples(
        "nrr export sqlite -o nrr.db",
        "nrr export csv -o nrr.zip",
        "nrr export timelinejs --from 2014 -o timeline.json",
        "nrr export timelinejs-html -o timeline.html",
    ),
)
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Argument(metavar="FORMAT", case_sensitive=False, help="What to write (see below)."),
    ],
    output_file: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write FILE (atomically) instead of standard output; needed for csv and sqlite.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    date_from: FromOption = None,
    date_to: ToOption = None,
    period: PeriodOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    *,
    data: Data,
) -> None:
    """The whole dataset in one file; with timeline filters, the events they select and every
    record those refer to."""
    from nato_russia import query
    from nato_russia.export.writer import export as write_export
    from nato_russia.render.output import use_utf8_stdout

    if output_file is not None and output_file.endswith(("/", os.sep)):
        raise typer.BadParameter(
            f"{output_file} names a directory; give a file name", param_hint="--output"
        )
    target = None if output_file is None or output_file == "-" else Path(output_file)
    if target is not None and fmt.file_suffix and target.suffix.lower() != fmt.file_suffix:
        # A CSV export is a zip of files: named x.csv it would fool the next program to open it.
        raise typer.BadParameter(
            f"{fmt} export writes a {fmt.file_suffix} file; name it so (e.g. nrr{fmt.file_suffix})",
            param_hint="--output",
        )
    if target is None and fmt.is_binary:
        raise typer.BadParameter(
            f"{fmt} export writes a file; give one with -o FILE", param_hint="--output"
        )
    chosen = filters(date_from, date_to, period, actor, topic)
    if target is None:
        use_utf8_stdout()
    dataset = data()
    note_coverage(dataset, chosen.earliest, chosen.latest)
    if not chosen.is_everything:
        dataset = query.subset(dataset, query.timeline(dataset, chosen))
    if fmt.startswith(ExportFormat.timelinejs) and not dataset.of_type("event"):
        say("warning: no events; TimelineJS refuses a timeline without one")
    write_export(dataset, fmt, target, force=force, stdout=sys.stdout)
    if target is not None:
        say(f"wrote {target}")
