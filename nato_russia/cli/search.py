"""`nrr search`: every record and field, in the query language of nato_russia.querylang."""

import functools
from enum import StrEnum
from typing import Annotated

import typer

from nato_russia.cli.common import (
    Commands,
    Data,
    Output,
    WideFlag,
    completion_dataset,
    examples,
    say,
    terminal,
)
from nato_russia.errors import ExitCode
from nato_russia.model import RECORD_TYPES
from nato_russia.render.formats import Format

commands = Commands()

PIPED_LIMIT = 20  # results a search prints into a pipe unless --limit says otherwise


class SortOrder(StrEnum):
    relevance = "relevance"
    date = "date"


def _complete_query(ctx: typer.Context, args: list[str], incomplete: str) -> list[str]:
    from nato_russia import completion, query

    def values_of(field: str) -> list[str]:
        dataset = completion_dataset(ctx)
        if dataset is None:
            return []
        if field == "type":
            return list(RECORD_TYPES)
        return query.topics(dataset) if field == "topic" else list(dataset.of_type(field))

    return completion.search_values(args, incomplete, values_of, bash=False) or []


@commands.command(
    short_help="Search every record and field; a question works too.",
    epilog="Query language: bare words must all occur (any case, any form: missiles finds "
    'missile); "a phrase" in quotes; -word leaves out records with it; filters type:event, '
    "year:2014, date:1997..2002 (open ends: date:2014-03.. or date:..1991), period:ID, "
    "actor:ID, topic:T, id:ID. A bare year (kosovo 1999) ranks that year's records first; "
    "last or first, the newest or oldest. Exits 1 when nothing matches, as grep does.\n\n"
    + examples(
        'nrr search "who signed the founding act"',
        'nrr search "when did the nato-russia council last meet"',
        "nrr search crimea",
        "nrr search 'cooperation -afghanistan type:event'",
        "nrr search missile --format jsonl | jq -r .id",
    ),
)
def search(
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY",
            help="Words, phrases and filters (see below).",
            autocompletion=_complete_query,
        ),
    ],
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            metavar="N",
            min=0,
            help="Show at most N results; 0 for all (default: a screenful at a terminal, "
            f"{PIPED_LIMIT} in a pipe, all with --json or any --format but table).",
        ),
    ] = None,
    sort: Annotated[SortOrder, typer.Option(help="Best match first, or date order.")] = (
        SortOrder.relevance
    ),
    wide: WideFlag = False,
    *,
    fmt: Output,
    data: Data,
) -> None:
    """Search every record type and text field; title matches rank above quotations, which
    rank above summaries. Each hit shows which fields matched."""
    from nato_russia.querylang import QueryError, parse_query
    from nato_russia.render import output, views
    from nato_russia.search import run as run_search

    query_text = " ".join(words)
    try:
        query = parse_query(query_text)  # a malformed query is a usage error, before any data
    except QueryError as exc:
        raise typer.BadParameter(str(exc), param_hint="QUERY") from None
    if query.is_empty:
        raise typer.BadParameter(
            "give at least one word or filter to search for", param_hint="QUERY"
        )
    dataset = data()
    if limit is None and fmt in (None, Format.table):
        screen = terminal()
        limit = max(5, screen.height - 8) if screen.is_tty else PIPED_LIMIT
    outcome = run_search(dataset, query_text, sort=sort.value, limit=limit or None)
    for line in outcome.notices:  # a typo fixed, the any-word fallback: what is shown
        say(line)
    hits = outcome.results
    view = functools.partial(views.search_table, outcome.shown_query, hits)
    output.show_hits(fmt, hits, view, terminal=terminal(wide=wide))
    if outcome.more_notice:  # after the table, where it is read last, as gh does
        say(outcome.more_notice)
    if not hits:
        raise typer.Exit(ExitCode.FAILURE)  # as grep and ripgrep do: nothing matched
