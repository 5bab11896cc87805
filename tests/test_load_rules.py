"""Loading: the rules every record is checked by, however a file is written, and the load
cache, which gives back exactly the records it was given and is never trusted when changed."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nato_russia import cache, loader
from nato_russia.errors import DataError
from nato_russia.loader import DataSelection
from nato_russia.model import Dataset
from tests.conftest import FIXTURE_DATA
from tests.test_userdata import invoke


@pytest.fixture(autouse=True)
def _fixture_as_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "bundled_data_dir", lambda: FIXTURE_DATA)


def checked(selection: DataSelection) -> Dataset:
    return loader.load(DataSelection(selection.paths, selection.bundled, use_cache=False))


def as_lists(dataset: Dataset) -> dict[str, list[Any]]:
    return {name: list(by_id.items()) for name, by_id in dataset.records.items()}


def assert_cached_alike(selection: DataSelection) -> None:
    """Cold (built, then written) and warm (read back from the cache), a load gives the records
    of a load without the cache, in the same order; or the same problems."""
    try:
        expected = as_lists(checked(selection))
    except DataError as exc:
        with pytest.raises(DataError) as info:
            loader.load(selection)
        assert info.value.problems == exc.problems
        return
    for _ in ("cold", "warm"):
        assert as_lists(loader.load(selection)) == expected


def encode(records: list[dict[str, Any]], fmt: str, ascii_only: bool, indent: int | None) -> str:
    if fmt == "json":
        return json.dumps(records, ensure_ascii=ascii_only, indent=indent)
    return "".join(json.dumps(r, ensure_ascii=ascii_only) + "\n" for r in records)


def valid_event(number: int) -> dict[str, Any]:
    return {
        "id": f"bulk-{number}",
        "title": f"Event {number}",
        "date": f"{1990 + number * 7 % 20}-{1 + number * 5 % 12:02d}",
        "summary": "Generated: a test of many records.",
        "period": "early",
        "topics": ["partnership"],
        "sources": ["test-source"],
    }


def many_events(count: int) -> list[dict[str, Any]]:
    return [valid_event(i) for i in range(count)]


def write_dataset(tmp_path: Path, events: list[dict[str, Any]], fmt: str = "json") -> Path:
    directory = tmp_path / "many"
    directory.mkdir(exist_ok=True)
    (directory / f"events.{fmt}").write_text(encode(events, fmt, True, None))
    return directory


def test_the_bundled_data_comes_back_from_the_cache_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.undo()  # the real bundled data, not the fixture
    assert_cached_alike(DataSelection())


def test_a_date_filter_picks_from_the_cache_what_it_picks_from_the_files(tmp_path: Path) -> None:
    # The cache finds a span's records by bisecting their date order: years, months, days and
    # intervals, bounds inside and between them, open at either end, give the records the
    # files give, in the files' order.
    shapes = ["{y}", "{y}-{m:02d}", "{y}-{m:02d}-{d:02d}", "{y}-{m:02d}/{z}", "{y}/{z}-{m:02d}"]
    events = many_events(200)
    for number, event in enumerate(events):
        y, m, d = 1990 + number * 7 % 20, 1 + number * 5 % 12, 1 + number * 3 % 28
        event["date"] = shapes[number % len(shapes)].format(y=y, m=m, d=d, z=y + number % 3 + 1)
    selection = DataSelection(paths=(write_dataset(tmp_path, events),))
    files = checked(selection)
    loader.load(selection)  # cold: writes the entry
    cached = loader.load(selection)
    assert isinstance(cached.records["event"], cache.StoredRecords)
    days = [
        None,
        *(
            dt.date(year, month, day)
            for year in (1989, 1995, 2003, 2012)
            for month, day in ((1, 1), (6, 15), (12, 31))
        ),
    ]
    for earliest in days:
        for latest in days:
            picked = list(cached.overlapping("event", earliest, latest))
            assert picked == list(files.overlapping("event", earliest, latest)), (earliest, latest)


def test_many_records_come_back_from_the_cache_as_they_were(tmp_path: Path) -> None:
    selection = DataSelection(paths=(write_dataset(tmp_path, many_events(300)),))
    assert_cached_alike(selection)
    ids = [i for i in loader.load(selection).records["event"] if i.startswith("bulk-")]
    assert ids == [f"bulk-{n}" for n in range(300)]  # in the order of the file


# --- varied valid data, and faults the quick way must not let through --------------------------

TEXT = (
    st.text(st.characters(codec="ascii", categories=["L", "N", "P", "Zs"]), min_size=1)
    | st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)
) | st.sampled_from(['a "quoted": x', "C:\\path", "{braces}", "\\u003a", "tab\there", "x\u2028y"])
SOURCE_IDS = ["test-source", "test-official"]


@st.composite
def event(draw: st.DrawFn, number: int) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"e-{number}",
        "title": draw(TEXT),
        "date": draw(st.sampled_from(["1994", "1994-06", "1997-05-27", "1990/1994", "2000-02-29"])),
        "summary": draw(TEXT),
        "period": draw(st.sampled_from(["early", "later"])),
        "sources": draw(st.lists(st.sampled_from(SOURCE_IDS), min_size=1, unique=True)),
    }
    optional: dict[str, st.SearchStrategy[Any]] = {
        "place": TEXT | st.none(),
        "note": TEXT | st.none(),
        "actors": st.lists(st.sampled_from(["alice", "council"]), unique=True) | st.none(),
        "meeting_of": st.sampled_from(["alice", "council"]) | st.none(),
        "topics": st.lists(st.sampled_from(["partnership", "missile-defence"]), unique=True),
        "aliases": st.lists(st.sampled_from(["one-name", "other"]), unique=True),
        "corrections": st.lists(
            st.fixed_dictionaries(
                {"says": TEXT, "finding": TEXT, "sources": st.just(["test-official"])}
            ),
            max_size=1,
        ),
    }
    for name in draw(st.lists(st.sampled_from(sorted(optional)), unique=True)):
        record[name] = draw(optional[name])
    return record


def with_repeated_key(text: str, value: str) -> str:
    """The first record's first key given twice: once more, before the original."""
    return text.replace("{", "{" + f'"title": {json.dumps(value)}, ', 1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 4).flatmap(lambda n: st.tuples(*(event(i) for i in range(n)))),
    st.sampled_from(["json", "jsonl"]),
    st.booleans(),
)
def test_varied_valid_data_comes_back_from_the_cache_as_it_was(
    records: tuple[dict[str, Any], ...], fmt: str, ascii_only: bool
) -> None:
    text = encode(list(records), fmt, ascii_only, None)
    with tempfile.TemporaryDirectory() as temporary, pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", temporary)
        path = Path(temporary) / f"events.{fmt}"
        path.write_text(text, encoding="utf-8")
        assert_cached_alike(DataSelection(paths=(path,)))


# One valid event as JSON, less its closing brace: each case below adds to it.
VALID = json.dumps(
    {"id": "a", "summary": "S", "date": "1995", "period": "early", "sources": ["test-source"]}
)[:-1]
# Each text json.loads reads without a word: every repeated key must still be caught, whatever
# the colons, quotes and escapes around it.
REPEATED_KEYS = {
    "plain": VALID + ', "title": "x", "title": "y"}',
    "colon makes up for the key": VALID + ', "title": "x", "title": "y:z"}',
    "colon and backslash": VALID + ', "title": "x\\\\", "title": "y:z"}',
    "escaped colon": VALID + ', "title": "x", "title": "\\u003a"}',
    "escaped quote": VALID + ', "title": "\\"", "title": "y"}',
    "quote in the dropped value": VALID + ', "title": "\\"\\"", "title": "y", "note": "z"}',
    "nested object": VALID + ', "title": "T", "corrections": [{"says": "x", "says": "y", '
    '"finding": "f", "sources": ["test-source"]}]}',
}


@pytest.mark.parametrize("name", sorted(REPEATED_KEYS))
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_repeated_keys_are_refused_whatever_balances_them(
    tmp_path: Path, name: str, fmt: str
) -> None:
    text = REPEATED_KEYS[name]
    path = tmp_path / f"events.{fmt}"
    path.write_text(f"[{text}]" if fmt == "json" else text + "\n")
    with pytest.raises(DataError, match="duplicate key"):
        checked(DataSelection(paths=(path,), use_cache=False))


def test_an_escaped_colon_is_text_not_a_key(tmp_path: Path) -> None:
    event = {**valid_event(1), "summary": "a \\u003a b"}  # a backslash, then u003a
    path = tmp_path / "events.json"
    path.write_text(json.dumps([event]))
    dataset = checked(DataSelection(paths=(path,), use_cache=False))
    assert dataset.records["event"]["bulk-1"].summary == "a \\u003a b"  # type: ignore[union-attr]


def valid_line(number: int) -> str:
    return json.dumps(valid_event(number))


@pytest.mark.parametrize(
    "lines",
    [
        # Each line alone is not one value; wrapped and joined, they would parse.
        [
            valid_line(1)[:-1] + ', "aliases": [["x"',
            '"y"]]}',
            valid_line(2) + "], [" + valid_line(3),
        ],
        [valid_line(1) + ", " + valid_line(2)],
        [valid_line(1) + "], [" + valid_line(2)],
        [valid_line(1)[:-1] + ",", '"note": "T"}'],
    ],
)
def test_json_lines_that_only_parse_together_are_refused(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="not valid JSON"):
        checked(DataSelection(paths=(path,), use_cache=False))


# A valid event, and one thing changed: valid (True) or refused.
ONE_CHANGE: dict[str, tuple[dict[str, Any], bool]] = {
    "unknown key": ({"colour": "red"}, False),
    "derived key": ({"quotations": []}, False),
    "required missing": ({"summary": None}, False),
    "optional null": ({"place": None, "actors": None, "corrections": None}, True),
    "empty text": ({"title": ""}, False),
    "blank text": ({"title": " \t "}, False),
    "escape character": ({"title": "\x1b[31m"}, False),
    "C1 control": ({"title": "a\x85b"}, False),
    "zero-width space": ({"title": "a\u200bb"}, False),
    "delete": ({"title": "a\x7fb"}, False),
    "tab and new line": ({"title": "a\tb\nc"}, True),
    "other scripts": ({"title": "Брюссель — «саммит»"}, True),
    "id not a slug": ({"id": "Not-A-Slug"}, False),
    "id with a line break": ({"id": "a\nb"}, False),
    "ref with a line break": ({"period": "early\nlater"}, False),
    "ref a number": ({"period": 5}, False),
    "id listed twice": ({"topics": ["partnership", "partnership"]}, False),
    "empty required list": ({"sources": []}, False),
    "list as text": ({"sources": "test-source"}, False),
    "list of lists": ({"aliases": [["x"]]}, False),
    "list of numbers": ({"aliases": [1]}, False),
    "empty optional list": ({"actors": []}, True),
    "date that does not exist": ({"date": "2001-02-29"}, False),
    "date as a number": ({"date": 1995}, True),  # a year, as YAML reads an unquoted 1995
    "date as words": ({"date": "May 1995"}, False),
    "interval": ({"date": "1994-06/1995"}, True),
    "backwards interval": ({"date": "1995/1994"}, False),
    "a correction": (
        {"corrections": [{"says": "x", "finding": "y", "sources": ["test-official"]}]},
        True,
    ),
    "text as a number": ({"title": 5}, False),
    "text as a list": ({"title": ["x"]}, False),
    "text as an object": ({"title": {"x": 1}}, False),
}


@pytest.mark.parametrize("name", sorted(ONE_CHANGE))
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("ascii_only", [True, False])
def test_one_change_is_judged(tmp_path: Path, name: str, fmt: str, ascii_only: bool) -> None:
    changes, valid = ONE_CHANGE[name]
    records = [valid_event(i) for i in range(3)]
    records[1].update(changes)
    records[1] = {k: v for k, v in records[1].items() if v is not None or k != "summary"}
    path = tmp_path / f"events.{fmt}"
    path.write_text(encode(records, fmt, ascii_only, indent=None), encoding="utf-8")
    selection = DataSelection(paths=(path,), use_cache=False)
    if valid:
        checked(selection)
    else:
        with pytest.raises(DataError):
            checked(selection)


def test_an_id_in_two_files_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for directory in (first, second):
        directory.mkdir()
        (directory / "events.json").write_text(json.dumps([valid_event(7)]))
    selection = DataSelection(paths=(first, second), use_cache=False)
    with pytest.raises(DataError, match="duplicate event id"):
        checked(selection)


CHANNEL = {
    "id": "council",
    "title": "Council",
    "order": 1,
    "summary": "S",
    "states": ["open", "shut"],
    "sources": ["test-source"],
}


def change(number: int, date: str, state: str) -> dict[str, Any]:
    return {
        "id": f"change-{number}",
        "channel": "council",
        "date": date,
        "state": state,
        "title": "T",
        "summary": "S",
        "sources": ["test-source"],
    }


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"events": [{**valid_event(1), "period": "nowhere"}]}, "no period with id 'nowhere'"),
        ({"events": [{**valid_event(1), "actors": ["bob"]}]}, "no actor with id 'bob'"),
        (
            {"channels": [CHANNEL], "state_changes": [change(1, "1999", "gone")]},
            "'gone' is not a state of channel council",
        ),
        (
            {
                "channels": [CHANNEL],
                "state_changes": [change(1, "1999", "open"), change(2, "1999", "shut")],
            },
            "channel council already changes on 1999",
        ),
        (
            {
                "topics": [
                    {"id": "lonely", "title": "T", "summary": "S", "sources": ["test-source"]}
                ]
            },
            "no event, agreement, state change or quotation links to this topic",
        ),
    ],
)
def test_records_that_do_not_fit_together_are_refused(
    tmp_path: Path, files: dict[str, list[dict[str, Any]]], message: str
) -> None:
    for plural, records in files.items():
        (tmp_path / f"{plural}.json").write_text(json.dumps(records))
    selection = DataSelection(paths=(tmp_path,), use_cache=False)
    with pytest.raises(DataError, match=message):
        checked(selection)


def test_a_changed_record_in_the_cache_is_rebuilt_not_trusted(
    tmp_path: Path, _private_cache: Path
) -> None:
    directory = write_dataset(tmp_path, many_events(50))
    show = ["event", "bulk-20", "--json", "--data", str(directory)]
    expected = invoke(*show)
    (entry,) = _private_cache.glob("dataset-*.json")
    blob = entry.read_bytes()
    assert blob.count(b'"Event 20"') == 1
    entry.write_bytes(blob.replace(b'"Event 20"', b'"Evil! 20"'))  # same length, same JSON
    assert invoke(*show) == expected
    assert b'"Event 20"' in entry.read_bytes(), "the entry was rebuilt"


def test_a_long_first_load_says_so_and_a_warm_one_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = write_dataset(tmp_path, many_events(50))
    monkeypatch.setattr(loader, "NOTE_BYTES", 1000)
    show = ["event", "bulk-20", "--json", "--data", str(directory)]
    code, _, err = invoke(*show)
    assert code == 0
    assert err.startswith("note: reading and checking ") and err.endswith(" MB of data once\n")
    assert invoke(*show)[2] == ""
