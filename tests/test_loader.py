"""Broken data files are refused with the file, the record id and the field named."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nato_russia.errors import DataError
from nato_russia.loader import load_directory
from nato_russia.model import BACKLINKS, RECORD_TYPES, schema_of
from nato_russia.readers import RawRecord, read_records
from nato_russia.validation import build_dataset
from tests.conftest import FIXTURE_DATA


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target


def edit(directory: Path, plural: str, record_id: str, **changes: object) -> None:
    path = directory / f"{plural}.yaml"
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    for record in records:
        if record["id"] == record_id:
            for key, value in changes.items():
                if value is None:
                    record.pop(key, None)
                else:
                    record[key] = value
    path.write_text(yaml.safe_dump(records, allow_unicode=True), encoding="utf-8")


def problem_text(directory: Path) -> str:
    with pytest.raises(DataError) as info:
        load_directory(directory)
    return "\n".join(str(p) for p in info.value.problems)


def test_fixture_loads(data_dir: Path) -> None:
    assert load_directory(data_dir).counts()["event"] == 4


@pytest.mark.parametrize(
    ("plural", "record_id", "changes", "expected"),
    [
        (
            "events",
            "act-signed",
            {"colour": "red"},
            "record act-signed: colour: unknown field",
        ),
        (
            "events",
            "act-signed",
            {"summary": None},
            "record act-signed: summary: required field is missing",
        ),
        (
            "events",
            "act-signed",
            {"date": "1997-02-30"},
            "record act-signed: date: '1997-02-30': day 30",
        ),
        (
            "events",
            "act-signed",
            {"date": "May 1997"},
            "record act-signed: date: 'May 1997' is not a date",
        ),
        (
            "events",
            "act-signed",
            {"period": "nowhere"},
            "record act-signed: period: no period with id 'nowhere'",
        ),
        (
            "events",
            "act-signed",
            {"actors": ["alice", "bob"]},
            "record act-signed: actors: no actor with id 'bob'",
        ),
        (
            "events",
            "act-signed",
            {"quotations": ["act-quote"]},
            "record act-signed: quotations: is derived",
        ),
        (
            "events",
            "act-signed",
            {"sources": []},
            "record act-signed: sources: must list at least one id",
        ),
        (
            "events",
            "act-signed",
            {"id": "Act Signed"},
            "record Act Signed: id: 'Act Signed' is not",
        ),
        (
            "events",
            "act-signed",
            {"topics": "missile"},
            "record act-signed: topics: expected a list",
        ),
        (
            "agreements",
            "example-act",
            {"kind": "pact"},
            "record example-act: kind: 'pact' is not one of",
        ),
        ("periods", "early", {"order": "first"}, "record early: order: expected a whole number"),
        (
            "quotations",
            "act-quote",
            {"document": "nothing"},
            "record act-quote: document: no agreement or source with id 'nothing'",
        ),
        (
            "actors",
            "alice",
            {"corrections": [{"says": "x", "finding": "y", "sources": ["missing"]}]},
            "record alice: corrections.sources: no source with id 'missing'",
        ),
        (
            "actors",
            "alice",
            {"corrections": [{"says": "x"}]},
            "record alice: corrections: each correction has",
        ),
    ],
)
def test_each_fault_names_file_record_and_field(
    data_dir: Path, plural: str, record_id: str, changes: dict[str, object], expected: str
) -> None:
    edit(data_dir, plural, record_id, **changes)
    # FILE:LINE: record ID: field: what is wrong
    assert re.search(rf"/{plural}\.yaml:\d+: {re.escape(expected)}", problem_text(data_dir))


def test_duplicate_ids_name_both_files(data_dir: Path) -> None:
    events = yaml.safe_load((data_dir / "events.yaml").read_text())
    events.append(copy.deepcopy(events[0]))
    (data_dir / "events.yaml").write_text(yaml.safe_dump(events))
    text = problem_text(data_dir)
    assert re.search(
        r"events.yaml:\d+: record summit-1990: id: duplicate event id \(first in \S+events.yaml\)",
        text,
    )


def test_all_problems_are_collected(data_dir: Path) -> None:
    edit(data_dir, "events", "act-signed", colour="red", date="1997-13")
    edit(data_dir, "periods", "early", order="x")
    with pytest.raises(DataError) as info:
        load_directory(data_dir)
    assert len(info.value.problems) == 3
    assert info.value.summary().endswith("(and 2 more); run nrr validate for all of them")


def test_yaml_dates_and_years_are_normalised(tmp_path: Path) -> None:
    # Unquoted, PyYAML reads 1997-05-27 as a date and 1990 as an int: both must be accepted.
    path = tmp_path / "sources.yaml"
    path.write_text(
        "- {id: a, title: A, publisher: P, kind: news, tier: other, date: 1997-05-27}\n"
        "- {id: b, title: B, publisher: P, kind: news, tier: other, date: 1990}\n"
        "- {id: c, title: C, publisher: P, kind: news, tier: other, date: '1994-06'}\n"
    )
    raw = read_records(path)
    assert isinstance(raw[0].values["date"], dt.date)
    assert isinstance(raw[1].values["date"], int)
    dataset = build_dataset(raw)
    assert [str(s.date) for s in dataset.of_type("source").values()] == [  # type: ignore[union-attr]
        "1997-05-27",
        "1990",
        "1994-06",
    ]


def test_timestamps_are_not_dates(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "- {id: a, title: A, publisher: P, kind: news, tier: other, date: 1997-05-27 10:00:00}\n"
    )
    with pytest.raises(DataError, match="date: expected a date string"):
        build_dataset(read_records(path))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("- id: [unclosed\n", "not valid YAML"),
        ("id: a\n", "expected a list of records"),
        ("- just text\n", "a record must be a mapping"),
        ("- !!python/object/apply:os.system ['true']\n", "not valid YAML"),
    ],
)
def test_malformed_files_give_one_clear_problem(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(content)
    with pytest.raises(DataError) as info:
        build_dataset(read_records(path))
    message = str(info.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message


def test_unreadable_bytes_are_a_data_error(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(DataError, match="cannot read file"):
        read_records(path)


def test_backlinks_cover_every_derived_field() -> None:
    derived = {
        (type_name, f.name)
        for type_name, cls in RECORD_TYPES.items()
        for f in dataclasses.fields(cls)
        if schema_of(f).derived
    }
    # The fields validation fills itself, not from one link field: who cites a source (any
    # type's sources and corrections), and a topic's span and count.
    computed = {("source", "cited_by"), ("topic", "years"), ("topic", "record_count")}
    assert derived == {(target, field) for target, field, _, _ in BACKLINKS} | computed


def test_backlinks_are_filled_in_date_order(mini_dir: Path = FIXTURE_DATA) -> None:
    dataset = load_directory(mini_dir)
    alice = dataset.get("actor", "alice")
    assert alice is not None
    assert alice.events == ("summit-1990", "joins-1994", "act-signed")  # type: ignore[union-attr]
    assert alice.agreements == ("example-act",)  # type: ignore[union-attr]
    council = dataset.get("actor", "council")
    assert council.created_by == ("example-act",)  # type: ignore[union-attr]


json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.dates()
fuzzed_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(RECORD_TYPES)),
    st.dictionaries(
        st.sampled_from(["id", "title", "date", "sources", "summary", "period", "x"]), fuzzed_values
    ),
)
def test_any_record_either_loads_or_gives_data_errors(
    type_name: str, values: dict[str, object]
) -> None:
    try:
        build_dataset([RawRecord(type_name, "fuzz.yaml", values)])
    except DataError as exc:
        assert exc.problems
        assert all(str(p).startswith("fuzz.yaml") for p in exc.problems)
