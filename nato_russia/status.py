"""The state of the relationship on a day, worked out from the dated state changes. No printing.

A channel's state on a day is the state its latest change on or before that day set (facts.md
7.4's reading rule). A change known only to the month or the year may fall on either side of a
day inside that month or year; the answer then says so (`settled` is False) and keeps the state
before it at hand, instead of guessing a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nato_russia.dates import EdtfDate
from nato_russia.model import Channel, Dataset, DatasetInfo, Event, StateChange, date_order_key
from nato_russia.query import sorted_records

RECENT_EVENTS = 3
# A state whose last confirmation by a source is this many years or more before the day asked
# is marked as unconfirmed, not presented as settled: channels change without a record of it.
STALE_AFTER_YEARS = 3


@dataclass(frozen=True, slots=True)
class ChannelState:
    channel: Channel
    change: StateChange  # the latest change whose date may be on or before the day
    settled: bool  # False when the day falls inside the change's month or year
    previous: StateChange | None = None  # the channel's last settled change before it
    stale_years: int = 0  # whole years from the last confirmation to the day, when stale

    @property
    def confirmed(self) -> EdtfDate:
        """When a source last showed this state holding: the change's own date at the least."""
        return self.change.confirmed or self.change.date

    @property
    def stale(self) -> bool:
        return self.stale_years >= STALE_AFTER_YEARS


@dataclass(frozen=True, slots=True)
class Meeting:
    channel: Channel
    event: Event
    settled: bool  # False when the meeting is known only to a month or year that holds the day


@dataclass(frozen=True, slots=True)
class Coverage:
    """What the loaded data covers, from its dataset records: earliest to latest day."""

    first: dt.date
    last: dt.date
    last_wording: str  # as the dataset record words it ("February 2026")
    checked: str  # when it was last checked, as worded ("1 December 2026")

    def describe(self) -> str:
        return f"covers {self.first.year} to {self.last_wording} (last checked {self.checked})"


@dataclass(frozen=True, slots=True)
class Status:
    day: dt.date
    channels: tuple[ChannelState, ...]
    meetings: tuple[Meeting, ...]
    recent: tuple[Event, ...]


def coverage(dataset: Dataset) -> Coverage | None:
    """The span the dataset records declare (several datasets: from the earliest start to the
    latest end); None when no loaded dataset declares one."""
    infos = [r for r in dataset.of_type("dataset").values() if isinstance(r, DatasetInfo)]
    if not infos:
        return None
    last = max(infos, key=lambda info: info.covers.latest())
    checked = max(infos, key=lambda info: info.checked.latest()).checked
    end = last.covers.end or last.covers.start
    return Coverage(
        first=min(info.covers.earliest() for info in infos),
        last=last.covers.latest(),
        last_wording=EdtfDate(end).display(),
        checked=checked.display(),
    )


STORY_BEGINS = dt.date(1990, 1, 1)  # the London Declaration's year, where nrr's story begins


def data_begins(dataset: Dataset) -> dt.date:
    """The first day the data tells of: where its dataset records say it begins; without
    them, its earliest state change or event (so that a change dated before 1990 is not
    shown under a note that the data begins in 1990); without those, 1 January 1990."""
    covered = coverage(dataset)
    if covered is not None:
        return covered.first
    days = [
        record.date.earliest()
        for type_name in ("state_change", "event")
        for record in dataset.of_type(type_name).values()
        if isinstance(record, (StateChange, Event))
    ]
    return min(days, default=STORY_BEGINS)


def channels_in_order(dataset: Dataset) -> list[Channel]:
    return [c for c in sorted_records(dataset, "channel") if isinstance(c, Channel)]


def changes_in_order(dataset: Dataset, channel: Channel) -> list[StateChange]:
    found = (dataset.get("state_change", i) for i in channel.changes)
    return sorted((c for c in found if isinstance(c, StateChange)), key=date_order_key)


def status_on(dataset: Dataset, day: dt.date) -> Status:
    channels = channels_in_order(dataset)
    states = (_state_of(dataset, channel, day) for channel in channels)
    meetings = (m for channel in channels for m in _last_meetings(dataset, channel, day))
    past = [e for e in dataset.events() if e.date.latest() <= day]
    recent = sorted(past, key=date_order_key)[-RECENT_EVENTS:]
    return Status(day, tuple(s for s in states if s is not None), tuple(meetings), tuple(recent))


def _state_of(dataset: Dataset, channel: Channel, day: dt.date) -> ChannelState | None:
    begun = [c for c in changes_in_order(dataset, channel) if c.date.earliest() <= day]
    if not begun:
        return None
    latest = begun[-1]
    final = latest.state in channel.final_states
    stale_years = 0 if final else _years_between((latest.confirmed or latest.date).latest(), day)
    settled = latest.date.latest() <= day
    before = [] if settled else [c for c in begun if c.date.latest() <= day]
    return ChannelState(channel, latest, settled, before[-1] if before else None, stale_years)


def unconfirmed_from(channel: Channel, change: StateChange) -> dt.date | None:
    """The first day on which nrr status calls the change's state unconfirmed: STALE_AFTER_YEARS
    whole years after the last day a source showed it holding. None for a final state (a
    treaty ended), which stands until a new act undoes it."""
    if change.state in channel.final_states:
        return None
    last = (change.confirmed or change.date).latest()
    year = last.year + STALE_AFTER_YEARS
    if year > dt.MAXYEAR:
        return None
    if (last.month, last.day) == (2, 29):  # its years are whole on 1 March, as _years_between
        return dt.date(year, 3, 1)  # counts them
    return last.replace(year=year)


def _years_between(earlier: dt.date, later: dt.date) -> int:
    """Whole years from one day to a later one (0 when `earlier` is not before `later`)."""
    if earlier >= later:
        return 0
    years = later.year - earlier.year
    return years - ((later.month, later.day) < (earlier.month, earlier.day))


def _last_meetings(dataset: Dataset, channel: Channel, day: dt.date) -> list[Meeting]:
    """The council's last meeting on or before the day; and a later one known only to a month
    or year that holds the day, which may or may not come before it."""
    body = dataset.get("actor", channel.body) if channel.body is not None else None
    held = [dataset.get("event", i) for i in getattr(body, "meetings", ())]
    begun = [e for e in held if isinstance(e, Event) and e.date.earliest() <= day]
    found = []
    for settled in (True, False):
        meetings = [e for e in begun if (e.date.latest() <= day) == settled]
        if meetings:
            found.append(Meeting(channel, max(meetings, key=date_order_key), settled))
    return found


@dataclass(frozen=True, slots=True)
class Difference:
    """How one channel changed between two days: its state on each, and the changes between."""

    channel: Channel
    before: ChannelState | None
    after: ChannelState | None
    changes: tuple[StateChange, ...]  # dated after the first day, up to the second


def compare(dataset: Dataset, first: dt.date, second: dt.date) -> list[Difference]:
    """The channels whose state on `second` differs from their state on `first`, each with the
    changes that did it, in date order. A channel that changed and came back to the same state
    is left out: the question is what is different."""
    before = {s.channel.id: s for s in status_on(dataset, first).channels}
    after = {s.channel.id: s for s in status_on(dataset, second).channels}
    found = []
    for channel in channels_in_order(dataset):
        changes = changes_in_order(dataset, channel)
        between = [c for c in changes if first < c.date.latest() and c.date.earliest() <= second]
        was, now = before.get(channel.id), after.get(channel.id)
        if between and _state_name(was) != _state_name(now):
            found.append(Difference(channel, was, now, tuple(between)))
    return found


def _state_name(state: ChannelState | None) -> str | None:
    """The state a reader is told on a day: a change whose day may fall after it leaves it open."""
    return state.change.state if state is not None and state.settled else None
