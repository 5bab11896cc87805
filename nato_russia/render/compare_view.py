"""What `nrr compare DATE1 DATE2` shows: for each channel that changed, its state on each day
and the changes in between with the events they belong to. As a table, rows and JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from nato_russia.model import Channel, StateChange, in_date_order
from nato_russia.render.json_out import date_fields
from nato_russia.render.views import Cell, Column, TableView, day_text, state_label
from nato_russia.status import ChannelState, Difference


def _state(state: ChannelState | None) -> str:
    if state is None:
        return "no recorded state"
    return state_label(state.change) + ("" if state.settled else " (change under way)")


def compare_tables(
    differences: list[Difference], first: dt.date, second: dt.date
) -> tuple[TableView, TableView]:
    """Each channel's state on the two days, then every change in between, a row each."""
    states = TableView(
        f"What changed between {day_text(first)} and {day_text(second)}",
        (Column("Channel"), Column(f"On {day_text(first)}"), Column(f"On {day_text(second)}")),
        tuple(
            (Cell(d.channel.title), Cell(_state(d.before)), Cell(_state(d.after)))
            for d in differences
        ),
    )
    changes = TableView(
        "The changes in between",
        (
            Column("Date", "date"),
            Column("Channel"),
            Column("Change"),
            Column("State", "key"),
            Column("Event", "key"),
        ),
        tuple(
            (
                Cell(c.date.display()),
                Cell(channel.title),
                Cell(c.title),
                Cell(state_label(c)),
                Cell(c.event or ""),
            )
            for channel, c in _in_date_order(differences)
        ),
    )
    return states, changes


def _in_date_order(differences: list[Difference]) -> list[tuple[Channel, StateChange]]:
    """Every change in between, across the channels, in date order (by id on one day): the
    story of what happened, rather than one channel's after another's."""
    found = [(d.channel, c) for d in differences for c in d.changes]
    ordered = in_date_order(c for _, c in found)
    place = {c.id: n for n, c in enumerate(ordered)}
    return sorted(found, key=lambda pair: place[pair[1].id])


def _brief(state: ChannelState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {
        "state": state.change.state,
        **date_fields("since", state.change.date),
        "settled": state.settled,
        "record": state.change.id,
    }


def compare_to_dict(
    differences: list[Difference], first: dt.date, second: dt.date
) -> dict[str, Any]:
    return {
        "from": first.isoformat(),
        "to": second.isoformat(),
        "channels": [
            {
                "channel": d.channel.id,
                "title": d.channel.title,
                "before": _brief(d.before),
                "after": _brief(d.after),
                "changes": [
                    {
                        "id": c.id,
                        **date_fields("date", c.date),
                        "state": c.state,
                        "title": c.title,
                        "event": c.event,
                    }
                    for c in d.changes
                ],
            }
            for d in differences
        ],
    }


ROW_COLUMNS = ("channel", "before", "after", "change", "date", "state", "title", "event")


def compare_rows(differences: list[Difference]) -> list[dict[str, str]]:
    """One row per change, with its channel's state on each day, for spreadsheets."""
    return [
        {
            "channel": d.channel.id,
            "before": d.before.change.state if d.before else "",
            "after": d.after.change.state if d.after else "",
            "change": c.id,
            "date": str(c.date),
            "state": c.state,
            "title": c.title,
            "event": c.event or "",
        }
        for d in differences
        for c in d.changes
    ]
