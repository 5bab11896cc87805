"""Topics as records: validation, the derived span, count and citations, the thread of a
topic, and `nrr topics` / `nrr topic ID`."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from nato_russia import query
from nato_russia.cli.app import app
from nato_russia.completion import bundled_topics
from nato_russia.errors import DataError, NotFound
from nato_russia.model import Dataset, Source, Topic
from nato_russia.readers import RawRecord, read_records
from nato_russia.thread import thread
from nato_russia.validation import build_dataset
from tests.conftest import FIXTURE_DATA


def mini_raw() -> list[RawRecord]:
    return [r for path in sorted(FIXTURE_DATA.glob("*.yaml")) for r in read_records(path)]


def with_record(raw: list[RawRecord], type_name: str, values: dict[str, Any]) -> list[RawRecord]:
    return [*raw, RawRecord(type_name, f"extra/{type_name}s.yaml", values, 0)]


def problems_of(raw: list[RawRecord]) -> list[str]:
    with pytest.raises(DataError) as caught:
        build_dataset(raw)
    return [str(p) for p in caught.value.problems]


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


# Validation


def test_an_unknown_topic_is_refused() -> None:
    raw = [
        RawRecord(r.type_name, r.file, {**r.values, "topics": ["partnershp"]}, r.position)
        if r.values.get("id") == "summit-1990"
        else r
        for r in mini_raw()
    ]
    found = problems_of(raw)
    assert any("summit-1990: topics: no topic with id 'partnershp'" in p for p in found), found


def test_a_topic_nothing_links_to_is_a_problem_not_a_warning() -> None:
    lonely = {"id": "lonely", "title": "Lonely", "summary": "Nobody.", "sources": ["test-source"]}
    found = problems_of(with_record(mini_raw(), "topic", lonely))
    assert found == [
        "extra/topics.yaml: record lonely: "
        "no event, agreement, state change or quotation links to this topic"
    ]


def test_a_topics_span_and_count_are_derived_and_cannot_be_set() -> None:
    topic = {
        "id": "set-by-hand",
        "title": "Set by hand",
        "summary": "Claims its own span.",
        "sources": ["test-source"],
        "years": "1990/2000",
    }
    found = problems_of(with_record(mini_raw(), "topic", topic))
    assert any("years: is derived from other records; do not set it" in p for p in found)


def test_topics_gather_their_records_with_span_and_count(mini: Dataset) -> None:
    defence = mini.of_type("topic")["missile-defence"]
    assert isinstance(defence, Topic)
    assert defence.events == ("act-signed",)
    assert defence.record_count == 1
    assert str(defence.years) == "1997"
    partnership = mini.of_type("topic")["partnership"]
    assert isinstance(partnership, Topic)
    assert str(partnership.years) == "1990/1994"


def test_every_bundled_topic_named_in_the_issue_exists(bundled: Dataset) -> None:
    wanted = {
        "missile-defence",
        "arms-control",
        "counter-terrorism",
        "counter-narcotics",
        "counter-piracy",
        "afghanistan",
        "balkans",
        "georgia",
        "ukraine",
        "syria",
        "enlargement",
        "dialogue",
        "military-contacts",
    }
    assert wanted <= set(bundled.of_type("topic"))


def test_every_bundled_record_type_links_to_topics(bundled: Dataset) -> None:
    for type_name in ("event", "agreement", "state_change", "quotation"):
        records = bundled.of_type(type_name).values()
        assert all(getattr(r, "topics", ()) for r in records), type_name


def test_state_changes_of_the_treaties_are_arms_control(bundled: Dataset) -> None:
    topic = bundled.of_type("topic")["arms-control"]
    assert isinstance(topic, Topic)
    channels = {bundled.of_type("state_change")[i].channel for i in topic.state_changes}  # type: ignore[union-attr]
    assert {"cfe", "inf", "open-skies", "new-start"} <= channels


# What rests on a source


def test_a_source_knows_every_record_that_cites_it(mini: Dataset) -> None:
    official = mini.of_type("source")["test-official"]
    assert isinstance(official, Source)
    # alice cites it only in a correction; the act and the topic in their sources.
    assert "alice" in official.cited_by
    assert {"example-act", "missile-defence"} <= set(official.cited_by)
    # By type, in RECORD_TYPES order: the actor, then the topic, then the agreement.
    assert official.cited_by.index("alice") < official.cited_by.index("missile-defence")
    assert official.cited_by.index("missile-defence") < official.cited_by.index("example-act")
    assert len(official.cited_by) == len(set(official.cited_by))


def test_cited_by_counts_every_citation_in_the_bundled_data(bundled: Dataset) -> None:
    counted: dict[str, int] = {}
    for record in bundled.all_records():
        cited = set(getattr(record, "sources", ()))
        for correction in getattr(record, "corrections", ()):
            cited.update(correction.sources)
        for source_id in cited:
            counted[source_id] = counted.get(source_id, 0) + 1
    for source in bundled.of_type("source").values():
        assert isinstance(source, Source)
        assert len(source.cited_by) == counted.get(source.id, 0), source.id


def test_citing_records_tell_apart_records_of_one_id(bundled: Dataset) -> None:
    # The area and the topic arms-control both cite the backgrounder: an id alone is ambiguous.
    citing = query.citing_records(bundled, "backgrounder-2015-12")
    assert ("area", "arms-control") in {(r.type_name, r.id) for r in citing}
    assert ("topic", "arms-control") in {(r.type_name, r.id) for r in citing}
    source = bundled.of_type("source")["backgrounder-2015-12"]
    assert isinstance(source, Source)
    assert [r.id for r in citing] == list(source.cited_by)


def test_an_export_subset_counts_only_what_it_keeps(mini: Dataset) -> None:
    events = [e for e in mini.events() if e.id == "summit-1990"]
    part = query.subset(mini, events)
    partnership = part.of_type("topic")["partnership"]
    assert isinstance(partnership, Topic)
    assert partnership.events == ("summit-1990",)
    assert (str(partnership.years), partnership.record_count) == ("1990", 1)
    assert "missile-defence" not in part.of_type("topic")


# The thread


def test_the_missile_defence_thread_runs_from_1997_past_2014(bundled: Dataset) -> None:
    items = thread(bundled, "missile-defence", None, None)
    ids = [item.record_id for item in items]
    story = [
        "founding-act-theatre-missile-defence",  # the Founding Act's clause, 1997
        "tmd-exercise-2004",  # the first joint exercise
        "lisbon-nrc-summit-2010",  # the Lisbon offer
        "md-medvedev-ultimatum-2011",  # the stalled talks, 2011-2013
        "md-still-no-agreement-2013",
        "practical-cooperation-suspended-2014",  # the suspension
    ]
    positions = [ids.index(record_id) for record_id in story]
    assert positions == sorted(positions)
    assert items[0].date is not None and items[0].date.earliest().year == 1997
    # No sourced record takes missile-defence cooperation past its suspension in April 2014,
    # so the thread ends there rather than with a record linked to it for the sake of it.
    last = items[-1].date
    assert last is not None and last.earliest().year == 2014
    days = [item.date.earliest() for item in items if item.date is not None]
    assert days == sorted(days)


def test_state_changes_are_marked_and_only_they(bundled: Dataset) -> None:
    items = thread(bundled, "missile-defence", None, None)
    marked = {item.record_id for item in items if item.state_change}
    assert marked == {i.record_id for i in items if i.type_name == "state_change"}
    assert "practical-cooperation-suspended-2014" in marked
    change = next(i for i in items if i.record_id == "practical-cooperation-suspended-2014")
    assert (change.channel, change.state) == ("practical-cooperation", "suspended-by-nato")


def test_a_thread_is_cut_to_the_dates_asked_for(bundled: Dataset) -> None:
    from nato_russia.dates import parse_bound

    items = thread(
        bundled,
        "missile-defence",
        parse_bound("2011", upper=False),
        parse_bound("2013", upper=True),
    )
    assert [i.record_id for i in items] == [
        "nrc-sochi-2011",
        "md-medvedev-ultimatum-2011",
        "md-still-no-agreement-2013",
        "md-no-agreement-yet",
    ]


def test_the_topic_completion_scan_finds_the_loaded_topics(bundled: Dataset) -> None:
    assert bundled_topics() == query.topics(bundled)


def test_an_unknown_topic_suggests_the_nearest(bundled: Dataset) -> None:
    with pytest.raises(NotFound) as caught:
        query.lookup(bundled, "topic", "missle")
    assert caught.value.suggestions[0] == "missile-defence"


# The commands


def test_nrr_topics_lists_every_topic_with_years_and_records(
    runner: CliRunner, bundled: Dataset
) -> None:
    code, out, err = run(runner, "topics")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Years\tID\tTopic\tRecords"
    assert len(lines) == 1 + len(bundled.of_type("topic"))
    row = next(line for line in lines if "\tmissile-defence\t" in line).split("\t")
    topic = bundled.of_type("topic")["missile-defence"]
    assert isinstance(topic, Topic)
    assert row == [
        topic.years.display() if topic.years else "",
        topic.id,
        topic.title,
        str(topic.record_count),
    ]


def test_nrr_topic_tells_the_thread_one_line_each(runner: CliRunner) -> None:
    code, out, err = run(runner, "topic", "missile-defence")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Date\tType\tWhat happened\tID"
    assert lines[1].startswith("27 May 1997\t")
    suspended = next(
        line for line in lines if line.endswith("practical-cooperation-suspended-2014")
    )
    assert suspended.split("\t")[1] == "state change"
    assert "\x1b[" not in out


def test_nrr_topic_takes_a_title_and_dates(runner: CliRunner) -> None:
    code, out, err = run(runner, "topic", "Missile Defence", "--from", "2011", "--to", "2013")
    assert code == 0, err
    assert [line.split("\t")[-1] for line in out.splitlines()[1:]] == [
        "nrc-sochi-2011",
        "md-medvedev-ultimatum-2011",
        "md-still-no-agreement-2013",
        "md-no-agreement-yet",
    ]


def test_nrr_topic_json_is_the_topic_with_its_thread(runner: CliRunner) -> None:
    code, out, err = run(runner, "topic", "missile-defence", "--json")
    assert code == 0, err
    document = json.loads(out)
    assert (document["id"], document["years_start"]) == ("missile-defence", "1997-01-01")
    first = document["thread"][0]
    assert set(first) >= {"type", "id", "date", "date_start", "what", "state_change"}
    assert len(document["thread"]) == document["record_count"]


def test_nrr_topic_csv_has_a_row_per_item(runner: CliRunner) -> None:
    code, out, err = run(runner, "topic", "georgia", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and all(r["state_change"] in ("yes", "no") for r in rows)
    assert any(r["state_change"] == "yes" for r in rows)


def test_nrr_topic_unknown_suggests_the_nearest(runner: CliRunner) -> None:
    code, out, err = run(runner, "topic", "missle")
    assert (code, out) == (1, "")
    assert err.startswith("Error: no topic 'missle'. Did you mean: missile-defence?")
    assert "nrr topics lists them all" in err


def test_nrr_topic_bad_dates_are_usage_errors(runner: CliRunner) -> None:
    code, out, err = run(runner, "topic", "ukraine", "--from", "2016", "--to", "2014")
    assert (code, out) == (2, "")
    assert "nothing lies between" in err
