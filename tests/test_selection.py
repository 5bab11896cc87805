"""One filter type (selection.Selection) and one meaning of each filter, whichever command
applies it: the timeline, export and chart (--actor, --period, --topic, --from, --to) and a
search (actor:, period:, topic:, type:, id:, year:, date:)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from nato_russia import query, search
from nato_russia.cli.app import app
from nato_russia.cli.common import filters
from nato_russia.model import Dataset, Event
from nato_russia.querylang import Query
from nato_russia.selection import Selection


def _with_event(dataset: Dataset, event: Event) -> Dataset:
    records = {name: dict(by_id) for name, by_id in dataset.records.items()}
    records["event"][event.id] = event
    return Dataset(records)


@pytest.fixture
def council_meeting(mini: Dataset) -> Dataset:
    """The mini data with one event that names the council only as the body that met."""
    event = mini.get("event", "summit-1990")
    assert isinstance(event, Event)
    return _with_event(mini, dataclasses.replace(event, actors=(), meeting_of="council"))


def test_an_actor_is_found_as_the_council_that_met(council_meeting: Dataset) -> None:
    found = [e.id for e in query.timeline(council_meeting, Selection(actor="council"))]
    assert "summit-1990" in found
    assert "summit-1990" not in [
        e.id for e in query.timeline(council_meeting, Selection(actor="alice"))
    ]


def test_nrr_timeline_and_export_mean_the_same_by_actor(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, council_meeting: Dataset
) -> None:
    from nato_russia.cli import common

    monkeypatch.setattr(common, "load_dataset", lambda *args, **kwargs: council_meeting)
    shown = runner.invoke(app, ["timeline", "--actor", "council", "--format", "jsonl"])
    assert shown.exit_code == 0, shown.output
    timeline_ids = [json.loads(line)["id"] for line in shown.stdout.splitlines()]
    exported = runner.invoke(app, ["export", "json", "--actor", "council"])
    assert exported.exit_code == 0, exported.output
    export_ids = [event["id"] for event in json.loads(exported.stdout)["events"]]
    assert "summit-1990" in timeline_ids
    assert sorted(timeline_ids) == sorted(export_ids)


def _selections(dataset: Dataset) -> list[Selection]:
    chosen: list[Selection] = [Selection()]
    chosen += [Selection(actor=a) for a in dataset.of_type("actor")]
    chosen += [Selection(period=p) for p in dataset.of_type("period")]
    chosen += [Selection(topic=t) for t in query.topics(dataset)]
    chosen += [Selection(types=(t,)) for t in dataset.records]
    chosen += [
        Selection(earliest=dt.date(year, 1, 1), latest=dt.date(year + 4, 12, 31))
        for year in range(1990, 2026, 5)
    ]
    chosen += [Selection(actor="putin", earliest=dt.date(2000, 1, 1), topic="ukraine")]
    return chosen


def test_search_lets_through_what_the_selection_does(bundled: Dataset) -> None:
    # A query of filters alone finds exactly the records Selection.matches lets through.
    for selection in _selections(bundled)[1:]:  # the first, empty one is no query
        as_query = Query(
            **{f.name: getattr(selection, f.name) for f in dataclasses.fields(selection)},
            filters=("as typed",),  # a query of filters alone is not empty
        )
        found = {(h.record.type_name, h.record.id) for h in search.search(bundled, as_query).hits}
        wanted = {(r.type_name, r.id) for r in bundled.all_records() if selection.matches(r)}
        assert found == wanted, selection


def test_the_timeline_is_the_events_a_search_would_let_through(bundled: Dataset) -> None:
    for selection in _selections(bundled):
        if selection.types:
            continue
        events = [e.id for e in bundled.events() if selection.matches(e)]
        assert sorted(e.id for e in query.timeline(bundled, selection)) == sorted(events)


def test_ids_are_forgiven_before_filtering(bundled: Dataset) -> None:
    for typed, exact in (
        (Selection(actor="Putin"), Selection(actor="putin")),
        (Selection(topic="Missile Defence"), Selection(topic="missile-defence")),
        (Selection(period="Georgia 2008"), Selection(period="georgia-2008")),
    ):
        found = query.timeline(bundled, exact)
        assert query.timeline(bundled, typed) == found and found, exact


def test_the_command_line_checks_dates_before_any_data() -> None:
    chosen = filters("1994", "1995-06")
    assert (chosen.earliest, chosen.latest) == (dt.date(1994, 1, 1), dt.date(1995, 6, 30))
    assert filters(None, None).is_everything
    assert not filters(None, None, topic="").is_everything  # '' is a filter, and an error
