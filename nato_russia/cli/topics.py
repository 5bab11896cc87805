"""`nrr topics` lists the topics; `nrr topic ID` tells one as a thread, in date order.

These replace the detail and list commands records.py makes for the other record types: a
topic's point is its thread, and its own fields (title, summary, sources) head that thread.
"""

from typing import Annotated

import typer

from nato_russia.cli.common import (
    Commands,
    Data,
    LimitOption,
    Output,
    WideFlag,
    completer,
    examples,
    filters,
    note_coverage,
    terminal,
)
from nato_russia.cli.records import list_records
from nato_russia.model import Topic

commands = Commands()
EXAMPLE = Topic.example_id


@commands.command(
    short_help="Every topic, with the years it spans and its number of records.",
    epilog=examples("nrr topics", "nrr topics --format csv"),
)
def topics(limit: LimitOption = None, wide: WideFlag = False, *, fmt: Output, data: Data) -> None:
    """List the topics: threads through the records (missile defence, Ukraine, the
    treaties, ...), each with the years it spans and how many records link to it. nrr topic
    ID tells one."""
    list_records("topic", fmt, data, limit, wide=wide)


@commands.command(
    short_help="One topic told as a thread, in date order.",
    epilog=examples(
        f"nrr topic {EXAMPLE}",
        "nrr topic ukraine --from 2014 --to 2016",
        f"nrr topic {EXAMPLE} --format json",
    ),
)
def topic(
    record_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="The topic's id or title; case and spaces do not matter (see nrr topics).",
            autocompletion=completer("topic"),
        ),
    ],
    date_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="Only records on or after DATE (1994, 1994-06, June 1994, 22 June 1994).",
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Only records on or before DATE."),
    ] = None,
    wide: WideFlag = False,
    *,
    fmt: Output,
    data: Data,
) -> None:
    """A topic as one story: every event, agreement, state change and quotation linked to
    it, in date order, one line each (date, what happened, type, id). State changes, the
    moments a channel of the relationship changed state, are marked as such."""
    from nato_russia import query
    from nato_russia.render import output
    from nato_russia.thread import thread

    # A malformed date or an empty range is a usage error, found before any data is read.
    chosen = filters(date_from, date_to)
    dataset = data()
    found = query.lookup(dataset, "topic", record_id)
    assert isinstance(found, Topic)
    items = thread(dataset, found.id, chosen.earliest, chosen.latest)
    note_coverage(dataset, chosen.earliest, chosen.latest)
    output.show_thread(fmt, dataset, found, items, terminal(wide=wide))
