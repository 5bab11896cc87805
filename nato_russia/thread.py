"""A topic told as a thread: every record linked to it, in date order. No printing.

A topic's derived links (model.Topic: events, agreements, state changes, quotations) are what
the thread is made of; a state change is marked as such, since it is the moment a channel of
the relationship changed state rather than something said or done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nato_russia.dates import EdtfDate
from nato_russia.model import Dataset, Quotation, Record, StateChange, Topic, topic_records

# A quotation's words stand for it in a thread, cut to about this many words.
QUOTE_WORDS = 12


@dataclass(frozen=True, slots=True)
class ThreadItem:
    date: EdtfDate | None
    date_text: str  # as people read it: "27 May 1997", or an event's own wording
    what: str  # what happened, in a few words (the record's title; a quotation's first words)
    full: str  # the same, whole (a quotation's whole text), for outputs that never cut
    type_name: str
    record_id: str
    state_change: bool
    channel: str | None = None  # for a state change: its channel and the state it set
    state: str | None = None


def _item(record: Record) -> ThreadItem:
    date = getattr(record, "date", None)
    date = date if isinstance(date, EdtfDate) else None
    worded = getattr(record, "date_display", None) or (date.display() if date is not None else "")
    full = f"\u201c{record.text}\u201d" if isinstance(record, Quotation) else record.label
    words = full.split()
    what = full
    if isinstance(record, Quotation) and len(words) > QUOTE_WORDS:
        what = " ".join(words[:QUOTE_WORDS]) + " \u2026"
    change = record if isinstance(record, StateChange) else None
    return ThreadItem(
        date,
        str(worded),
        what,
        full,
        record.type_name,
        record.id,
        change is not None,
        change.channel if change else None,
        change.state if change else None,
    )


def thread(
    dataset: Dataset, topic_id: str, earliest: dt.date | None, latest: dt.date | None
) -> list[ThreadItem]:
    """The topic's records whose date overlaps [earliest, latest], in date order (a record
    known only to a year comes before the days inside it); undated ones last. Raises KeyError
    for an unknown topic: resolve what people type with query.lookup first."""
    topic = dataset.of_type("topic")[topic_id]
    assert isinstance(topic, Topic)
    chosen: list[tuple[tuple[dt.date, dt.date, int, str], Record]] = []
    for record in topic_records(dataset, topic):
        date = getattr(record, "date", None)
        rank = record.same_day_rank
        assert rank is not None  # a type a topic links to has one (tests/test_model.py)
        if isinstance(date, EdtfDate) and date.overlaps(earliest, latest):
            chosen.append(((*date.sort_key(), rank, record.id), record))
        elif not isinstance(date, EdtfDate) and earliest is None and latest is None:
            # Undated: last, and only when no date range is asked (it cannot say it holds them).
            chosen.append(((dt.date.max, dt.date.max, rank, record.id), record))
    return [_item(record) for _, record in sorted(chosen, key=lambda pair: pair[0])]
