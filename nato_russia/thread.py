"""A topic told as a thread: every record linked to it, in date order. No printing.

A topic's derived links (model.Topic: events, agreements, state changes, quotations) are what
the thread is made of; a state change is marked as such, since it is the moment a channel of
the relationship changed state rather than something said or done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from nato_russia.dates import EdtfDate
from nato_russia.model import (
    Dataset,
    Quotation,
    Record,
    StateChange,
    Topic,
    date_text,
    topic_records,
)

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
    full = f"\u201c{record.text}\u201d" if isinstance(record, Quotation) else record.label
    words = full.split()
    cut = isinstance(record, Quotation) and len(words) > QUOTE_WORDS
    what = " ".join(words[:QUOTE_WORDS]) + " \u2026" if cut else full
    change = record if isinstance(record, StateChange) else None
    return ThreadItem(
        getattr(record, "date", None),
        date_text(record),
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
    found = topic_records(dataset, topic)
    if earliest is not None or latest is not None:  # an undated record is not known to be in it
        found = [
            r for r in found if (d := getattr(r, "date", None)) and d.overlaps(earliest, latest)
        ]
    found.sort(key=_in_thread_order)
    return [_item(record) for record in found]


def _in_thread_order(record: Record) -> tuple[Any, ...]:
    """By date, undated last; within a day by the type's rank (a type a topic links to has
    one: tests/test_model.py), then by id."""
    date: EdtfDate | None = getattr(record, "date", None)
    return (date is None, date.sort_key() if date else (), record.same_day_rank, record.id)
