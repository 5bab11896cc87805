"""`nrr timeline`: events in date order, filtered by date, period, actor or topic."""

import functools

from nato_russia.cli.common import (
    ActorOption,
    Commands,
    Data,
    FromOption,
    LimitOption,
    Output,
    PeriodOption,
    ToOption,
    TopicOption,
    WideFlag,
    examples,
    filters,
    limited,
    note_coverage,
    terminal,
)

commands = Commands()


@commands.command(
    short_help="Events in date order, filtered by date, period, actor or topic.",
    epilog=examples(
        "nrr timeline --from 2014",
        "nrr timeline --from 1998 --to 2001",
        "nrr timeline --actor putin --format json",
        "nrr timeline --period georgia-2008 --format csv > georgia.csv",
    ),
)
def timeline(
    date_from: FromOption = None,
    date_to: ToOption = None,
    period: PeriodOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    limit: LimitOption = None,
    wide: WideFlag = False,
    *,
    fmt: Output,
    data: Data,
) -> None:
    """Events in date order. Partial dates are shown as known ("June 1994")."""
    from nato_russia import query
    from nato_russia.render import output, views

    chosen = filters(date_from, date_to, period, actor, topic)
    dataset = data()
    events = limited(query.timeline(dataset, chosen), limit)
    note_coverage(dataset, chosen.earliest, chosen.latest)
    view = functools.partial(views.timeline_table, dataset, events)
    output.show_records(fmt, "event", events, view, terminal=terminal(wide=wide))
