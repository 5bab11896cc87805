"""The relationship as one picture, worked out but not drawn: one lane per channel of
`nrr status` with the spans of its states, the periods as bands, the events counted per year.
No printing; render/chart_text.py and render/chart_svg.py draw it.

A lane follows status.py's reading rule: a change's state holds from its day until the
channel's next change. A change known only to its month or year is drawn from the first day of
that month or year (the earliest it can have happened), and its span says so (`approximate`),
so that a picture never looks more precise than the data behind it. For the same reason a span
says how it is known (`Evidence`): from the day nrr status would call a state unconfirmed (no
source has shown it for years) the rest of it is "not recorded", and a state that one party
alone reports (StateChange.reported_only) is "reported", each drawn apart from a known state.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from nato_russia.dates import EdtfDate, PartialDate
from nato_russia.errors import UsageError
from nato_russia.model import Channel, Dataset, Event, Period, StateChange
from nato_russia.query import sorted_records
from nato_russia.status import (
    STALE_AFTER_YEARS,
    changes_in_order,
    channels_in_order,
    coverage,
    data_begins,
    unconfirmed_from,
)

DENSEST = 3  # how many of the busiest years the legend names


class StateClass(StrEnum):
    """What a lane draws: a channel's many states, read as a few kinds."""

    OPEN = "open"
    LIMITED = "limited"
    SUSPENDED = "suspended"
    ENDED = "ended"
    OTHER = "other"  # a state of user data that none of the words below describe

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    StateClass.OPEN: "active, open or in force",
    StateClass.LIMITED: "limited, restricted or announced to end",
    StateClass.SUSPENDED: "suspended or frozen",
    StateClass.ENDED: "closed, ended or withdrawn, or under review once ended",
    StateClass.OTHER: "other states",
}


class Evidence(StrEnum):
    """How a span of a lane is known."""

    KNOWN = "known"  # a record of the state, within a few years of a source showing it
    REPORTED = "reported"  # one party's word alone, or a report (reported-dissolved)
    # Carried on from the last change, but no source has shown it for STALE_AFTER_YEARS years
    # or more: nrr status calls it unconfirmed.
    NOT_RECORDED = "not-recorded"

    @property
    def description(self) -> str:
        """What the legend says of it (the known states are described by their kinds)."""
        return _EVIDENCE[self]


_EVIDENCE = {
    Evidence.KNOWN: "known",
    Evidence.REPORTED: "reported only (one party's word, or a report; nrr state-change ID "
    "says whose)",
    Evidence.NOT_RECORDED: "not recorded: the last state carried on, but no source shows it "
    f"for {STALE_AFTER_YEARS} years or more (nrr status calls it unconfirmed)",
}
BLANK = "A blank lane has no state recorded yet (before the channel's first change)"


# The bundled states that the words of their slugs (_WORDS) would misread.
_KNOWN = {
    "resumption-decided": StateClass.LIMITED,  # decided March 2009; the Council met again in June
    "breach-found": StateClass.LIMITED,
    "us-withdrawn": StateClass.LIMITED,  # Open Skies still bound Russia and the other Allies
    "reported-not-in-effect": StateClass.ENDED,
    # The Founding Act's, after NATO ended the partnership in 2022: whether it still binds is in
    # question, which must not read as a recovery from "ended".
    "under-review": StateClass.ENDED,
}

# Any other state: the words of the slug, tried in this order. Qualifiers first, so that
# "closure-announced" or "partly-suspended" read as limited, not as closed or suspended.
_WORDS = {
    StateClass.LIMITED: "limited reduced restricted partly partial announced notified review only "
    "strained downgraded",
    StateClass.ENDED: "closed ended withdrawn terminated expired dissolved replaced abolished left "
    "revoked",
    StateClass.SUSPENDED: "suspended frozen halted paused",
    StateClass.OPEN: "active open member present established agreed resumed deployed force signed "
    "restored",
}


def classify(state: str) -> StateClass:
    words = state.lower().split("-")
    found = (kind for kind, markers in _WORDS.items() if set(markers.split()) & set(words))
    return _KNOWN.get(state) or next(found, StateClass.OTHER)


@dataclass(frozen=True, slots=True)
class Span:
    """One state of a channel, from `start` to `end` (both days included, clipped to the
    chart); `since` is the change's own date, as the data words it."""

    start: dt.date
    end: dt.date
    state: str
    kind: StateClass
    change: str  # the state change's id
    since: EdtfDate
    approximate: bool  # the change is known only to a month or year (or a range of days)
    evidence: Evidence = Evidence.KNOWN


@dataclass(frozen=True, slots=True)
class Lane:
    channel: str  # the channel's id
    title: str
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Band:
    period: str
    key: str  # a letter that the band shows and the legend explains
    title: str
    date: EdtfDate
    start: dt.date  # clipped to the chart
    end: dt.date

    @property
    def short_title(self) -> str:
        """The words after the years ('1998-2001: Kosovo, ...' -> 'Kosovo, ...')."""
        _, sep, rest = self.title.partition(": ")
        return rest.strip('"') if sep and rest else self.title


@dataclass(frozen=True, slots=True)
class Chart:
    start: dt.date
    end: dt.date
    data_end: dt.date | None  # the last day the data covers; lanes stop there
    title: str
    lanes: tuple[Lane, ...]
    bands: tuple[Band, ...]
    per_year: tuple[tuple[int, int], ...]  # (year, events) for every year of the chart
    topic: str | None = None
    topic_lanes: bool = True  # False: no channel links to the topic, so every lane is shown

    @property
    def events(self) -> int:
        return sum(count for _, count in self.per_year)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    def densest(self) -> list[tuple[int, int]]:
        """The busiest years, busiest first (the earlier year first on a tie)."""
        busy = [item for item in self.per_year if item[1]]
        return sorted(busy, key=lambda item: (-item[1], item[0]))[:DENSEST]

    @property
    def _all_spans(self) -> list[Span]:
        return [span for lane in self.lanes for span in lane.spans]

    def kinds(self) -> list[tuple[StateClass, list[str]]]:
        """The kinds of state the lanes show, each with its states in first-seen order."""
        seen = dict.fromkeys((span.kind, span.state) for span in self._all_spans)
        found = {kind: [state for k, state in seen if k is kind] for kind in StateClass}
        return [(kind, states) for kind, states in found.items() if states]

    @property
    def approximate(self) -> bool:
        return any(span.approximate for span in self._all_spans)

    @property
    def blank(self) -> bool:
        """Whether a lane begins after the chart does (or is empty): no state recorded yet."""
        return any(not lane.spans or lane.spans[0].start > self.start for lane in self.lanes)

    def states_by(self, evidence: Evidence) -> list[str]:
        """The states drawn with this evidence, in first-seen order (the legend lists them)."""
        return list(dict.fromkeys(s.state for s in self._all_spans if s.evidence is evidence))


_KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def build(
    dataset: Dataset,
    *,
    earliest: dt.date | None = None,
    latest: dt.date | None = None,
    events: Iterable[Event] | None = None,
    topic: str | None = None,
) -> Chart:
    """The chart of [earliest, latest], by default what the data covers. `events` are the
    events to count (the command's filters chose them; default: all); with `topic`, only
    the channels whose changes link to it have lanes (all of them when none does)."""
    covered = coverage(dataset)
    data_end = covered.last if covered else None
    channels = channels_in_order(dataset)
    changes = {c.id: changes_in_order(dataset, c) for c in channels}
    first = dt.date(data_begins(dataset).year, 1, 1)
    # Never today: the same data must give the same picture on any day (docs/chart.svg).
    days = [c.date.latest() for found in changes.values() for c in found]
    last = max(first, data_end or max(days, default=first))
    start, end = earliest or first, latest or last
    if start > end or start > last or end < first:
        asked = f"{day_wording(start, upper=False)} to {day_wording(end, upper=True)}"
        held = f"{day_wording(first, upper=False)} to {day_wording(last, upper=True)}"
        raise UsageError(f"nothing to draw from {asked}: the data runs from {held}")
    lanes_end = min(end, data_end) if data_end else end
    until = covered.last_wording if covered and end == data_end else day_wording(end, upper=True)
    linked = [c for c in channels if topic is not None and _links(dataset, changes[c.id], topic)]
    picked = dataset.events() if events is None else events
    # An event known only to a month or year, or lasting days, counts in the year it begins.
    counted = Counter(
        max(e.date.earliest(), start).year for e in picked if e.date.overlaps(start, end)
    )
    return Chart(
        start=start,
        end=end,
        data_end=data_end,
        title=f"NATO\u2013Russia relations, {day_wording(start, upper=False)} to {until}",
        lanes=tuple(
            Lane(c.id, c.title, tuple(_spans(c, changes[c.id], start, lanes_end)))
            for c in linked or channels
        ),
        bands=tuple(_bands(dataset, start, end)),
        per_year=tuple((year, counted[year]) for year in range(start.year, end.year + 1)),
        topic=topic,
        topic_lanes=topic is None or bool(linked),
    )


def _links(dataset: Dataset, changes: Sequence[StateChange], topic: str) -> bool:
    """Whether a channel belongs to a topic: one of its changes, or the event it rests on,
    is linked to it (state changes may carry topics of their own)."""
    return any(
        topic in c.topics or topic in getattr(dataset.get("event", c.event or ""), "topics", ())
        for c in changes
    )


def _spans(
    channel: Channel, changes: Sequence[StateChange], start: dt.date, end: dt.date
) -> Iterable[Span]:
    for change, after in zip(changes, [*changes[1:], None], strict=True):
        following = after.date.earliest() if after else None
        if following == dt.date.min:
            continue  # replaced on its own first day, which has no day before it
        ends = end if following is None else min(end, following - dt.timedelta(days=1))
        first = max(change.date.earliest(), start)
        if ends < first:
            continue  # before the chart, after it, or replaced on its own first day
        known = Evidence.REPORTED if change.reported_only else Evidence.KNOWN
        stale = unconfirmed_from(channel, change)
        # The known part first, then what nrr status would call unconfirmed.
        pieces = [(first, ends, known)]
        if stale is not None and stale <= ends:
            pieces = [(first, stale - dt.timedelta(days=1), known)] if first < stale else []
            pieces.append((max(first, stale), ends, Evidence.NOT_RECORDED))
        kind = classify(change.state)
        approx = change.date.is_range or change.date.precision != "day"
        for begin, until, evidence in pieces:
            yield Span(begin, until, change.state, kind, change.id, change.date, approx, evidence)


def _bands(dataset: Dataset, start: dt.date, end: dt.date) -> Iterable[Band]:
    for number, period in enumerate(sorted_records(dataset, "period")):
        assert isinstance(period, Period)
        first, last = max(period.date.earliest(), start), min(period.date.latest(), end)
        if first <= last:
            key = _KEYS[number] if number < len(_KEYS) else "*"
            yield Band(period.id, key, period.title, period.date, first, last)


def day_wording(day: dt.date, *, upper: bool) -> str:
    """A bound as a reader says it: a whole year or month by its name ('2014', 'June 1994'),
    else the day. `upper`: the day ends a span (31 December is the end of a year)."""
    if (day.month, day.day) == ((12, 31) if upper else (1, 1)):
        return str(day.year)
    # The month's length, not the day after: there is no day after date.max.
    whole_month = day.day == (calendar.monthrange(day.year, day.month)[1] if upper else 1)
    return EdtfDate(PartialDate(day.year, day.month, None if whole_month else day.day)).display()


def position(chart: Chart, day: dt.date) -> float:
    """Where a day begins on the chart, from 0 (its first day) to 1 (the day after its last)."""
    return (day - chart.start).days / chart.days
