"""`nrr status` (where every channel stood on a day) and `nrr compare` (what changed between
two days); the work is in nato_russia.status."""

import datetime as dt
from typing import Annotated

import typer

from nato_russia.cli.common import (
    Commands,
    Data,
    Output,
    WideFlag,
    bound,
    coverage_note,
    examples,
    note_coverage,
    say,
    terminal,
)
from nato_russia.model import Dataset

commands = Commands()


def today() -> dt.date:
    """The day nrr status and compare take for "today" (tests set another)."""
    return dt.date.today()


@commands.command(
    short_help="Where every channel of the relationship stood on a day.",
    epilog=examples("nrr status", "nrr status 1999-06-01", "nrr status 2014-06 --format json"),
)
def status(
    day: Annotated[
        str | None,
        typer.Argument(
            metavar="[DATE]",
            help="The day to tell (1999-06-01); a month or year means its last day. "
            "Default: today.",
        ),
    ] = None,
    wide: WideFlag = False,
    *,
    fmt: Output,
    data: Data,
) -> None:
    """Where NATO and Russia stood on a day: each channel's state (councils, missions, practical
    cooperation, treaties), since when, by whose decision and on which record; the councils'
    last meetings; the latest events. Worked out from the dated state changes."""
    from nato_russia.render import output, views
    from nato_russia.status import coverage, data_begins, status_on

    when = today() if day is None else bound(day, "DATE", upper=True)
    assert when is not None
    dataset = data()
    covered = coverage(dataset)
    begins = data_begins(dataset)
    # At a terminal the notes are the tables' footer, where the pager keeps them in view.
    notes = [f"note: nothing to tell yet: the data begins in {begins.year}"] * (when < begins)
    notes += filter(None, [coverage_note(dataset, when)])
    found = status_on(dataset, when)
    output.show_status(
        fmt,
        found,
        covered,
        lambda: views.status_views(dataset, found),
        screen=lambda: views.status_screen(dataset, found),
        notes=notes,
        terminal=terminal(wide=wide),
    )


@commands.command(
    short_help="What changed between two days: channels, and the events that did it.",
    epilog=examples(
        "nrr compare 2013-01-01 2023-01-01",
        "nrr compare 2014",
        "nrr compare 1999-01 2000-06 --format json",
    ),
)
def compare(
    first: Annotated[str, typer.Argument(metavar="DATE1", help="The earlier day.")],
    second: Annotated[
        str | None,
        typer.Argument(
            metavar="[DATE2]",
            help="The later day. Default: today, or the last day the data covers if that "
            "is earlier (a note on stderr says which).",
        ),
    ] = None,
    *,
    fmt: Output,
    data: Data,
) -> None:
    """The channels of the relationship whose state changed between two days, their state on
    each, and the changes in between with the events they belong to. A year or month means its
    last day."""
    from nato_russia.render import compare_view, output
    from nato_russia.status import compare as compare_days

    earlier = bound(first, "DATE1", upper=True)
    later = bound(second, "DATE2", upper=True)
    assert earlier is not None
    if later is not None and earlier > later:
        raise typer.BadParameter(f"{first} comes after {second}", param_hint="DATE1")
    dataset = data()
    if later is None:
        later, wording = _until(dataset)
        if earlier > later:
            raise typer.BadParameter(f"{first} comes after {wording}", param_hint="DATE1")
        say(f"note: comparing with {wording}")
    note_coverage(dataset, later)
    found = compare_days(dataset, earlier, later)
    output.show_compare(
        fmt,
        lambda: compare_view.compare_tables(found, earlier, later),
        lambda: compare_view.compare_to_dict(found, earlier, later),
        compare_view.ROW_COLUMNS,
        lambda: compare_view.compare_rows(found),
        terminal=terminal(),
    )


def _until(dataset: Dataset) -> tuple[dt.date, str]:
    """The later day when none is given: today, unless the data stops before it, since a
    state "today" past the data's end would be the last one recorded, not today's."""
    from nato_russia.render.views import day_text
    from nato_russia.status import coverage

    now = today()
    covered = coverage(dataset)
    if covered is not None and covered.last < now:
        return covered.last, (
            f"{day_text(covered.last)}, where the data ends (today is {day_text(now)})"
        )
    return now, f"today, {day_text(now)}"
