"""A topic's thread (thread.py) as a table for people, and as objects and rows for scripts."""

from __future__ import annotations

from typing import Any

from nato_russia.model import Dataset, StateChange, Topic
from nato_russia.render.flat import DATE_PARTS, date_parts, json_row
from nato_russia.render.json_out import date_fields, record_to_dict
from nato_russia.render.views import Cell, Column, TableView, state_label
from nato_russia.thread import ThreadItem

STATE_CHANGE = "state change"  # how a state change is marked in the table's Type column

THREAD_COLUMNS = (
    "date",
    *DATE_PARTS,
    "date_text",
    "type",
    "id",
    "what",
    "state_change",
    "channel",
    "state",
)


def _what(dataset: Dataset, item: ThreadItem) -> tuple[str, str]:
    """What happened (cut, whole); a state change also says which channel took which state."""
    if not item.state_change:
        return item.what, item.full
    change = dataset.get("state_change", item.record_id)
    assert isinstance(change, StateChange)  # thread() found it there
    detail = f" ({change.channel}: {state_label(change)})"
    return item.what + detail, item.full + detail


def thread_table(dataset: Dataset, topic: Topic, items: list[ThreadItem]) -> TableView:
    years = f", {topic.years.display()}" if topic.years is not None else ""
    rows = []
    for item in items:
        what, whole = _what(dataset, item)
        kind = STATE_CHANGE if item.state_change else item.type_name.replace("_", " ")
        rows.append(
            (
                Cell(item.date_text, short=item.date.compact() if item.date else None),
                Cell(kind),
                Cell(what, uncut=whole if whole != what else None),
                Cell(item.record_id),
            )
        )
    return TableView(
        f"{topic.title}{years}",
        (
            Column("Date", "date"),
            Column("Type", "key", keep=True),  # a topic's thread mixes types, as search does
            Column("What happened", "title"),
            Column("ID", "id"),
        ),
        tuple(rows),
    )


def item_to_dict(item: ThreadItem) -> dict[str, Any]:
    return {
        "type": item.type_name,
        "id": item.record_id,
        **date_fields("date", item.date),
        "date_text": item.date_text,
        "what": item.full,
        "state_change": item.state_change,
        "channel": item.channel,
        "state": item.state,
    }


def thread_to_dict(topic: Topic, items: list[ThreadItem]) -> dict[str, Any]:
    """`nrr topic ID --json`: the topic record, and its thread in date order."""
    return {**record_to_dict(topic), "thread": [item_to_dict(item) for item in items]}


def item_row(item: ThreadItem) -> dict[str, str]:
    return {**json_row(item_to_dict(item)), **date_parts(item.date)}
