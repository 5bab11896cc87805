"""Loading at the speed of parsing (issue 13): the quick way gives the records the checks record
by record give, and refuses what they refuse; the cache's id table is persisted, read only
where needed, and never trusted when damaged."""

from __future__ import annotations

import json
import marshal
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nato_russia import cache, loader, rows, validation
from nato_russia.dates import DateFormatError, parse_date
from nato_russia.errors import DataError
from nato_russia.loader import DataSelection
from nato_russia.model import Dataset, in_date_order
from tests.conftest import FIXTURE_DATA
from tests.test_hostile_files import hostile_file
from tests.test_userdata import invoke


@pytest.fixture(autouse=True)
def _fixture_as_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "bundled_data_dir", lambda: FIXTURE_DATA)


def checked_way(selection: DataSelection) -> Dataset:
    """The definition: every file read strictly, every record checked on its own."""
    return loader._checked(selection.files())


def quick_way(selection: DataSelection) -> Dataset:
    built = loader._build(selection.files(), {})
    return built if isinstance(built, Dataset) else rows.eager(built)


def as_lists(dataset: Dataset) -> dict[str, list[Any]]:
    return {name: list(by_id.items()) for name, by_id in dataset.records.items()}


def assert_same_outcome(selection: DataSelection) -> None:
    """Both ways give the same records in the same order, or the same problems."""
    try:
        expected = checked_way(selection)
    except DataError as exc:
        with pytest.raises(DataError) as info:
            quick_way(selection)
        assert info.value.problems == exc.problems
        return
    assert as_lists(quick_way(selection)) == as_lists(expected)


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


def test_the_bundled_data_is_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real bundled data, not the fixture
    assert_same_outcome(DataSelection(use_cache=False))


def test_the_fixture_is_the_same_either_way() -> None:
    assert_same_outcome(DataSelection(use_cache=False))


@pytest.mark.parametrize("split_at_once", [rows._SPLIT_AT_ONCE, 0])
def test_the_cached_records_are_the_same_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, split_at_once: int
) -> None:
    # 0: every list of ids split only as its record is built, as long derived lists are.
    monkeypatch.setattr(rows, "_SPLIT_AT_ONCE", split_at_once)
    selection = DataSelection(paths=(write_dataset(tmp_path, many_events(300)),))
    expected = as_lists(checked_way(selection))
    for _ in ("cold", "warm"):
        assert as_lists(loader.load(selection)) == expected
        # Record by record by id, and in date order where a command asks by date.
        cached = loader.load(selection).records["event"]
        assert [cached[i] for i, _ in expected["event"]] == [r for _, r in expected["event"]]
        in_dates = in_date_order(r for _, r in expected["event"])
        assert list(loader.load(selection).overlapping("event", None, None)) == in_dates


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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 4).flatmap(lambda n: st.tuples(*(event(i) for i in range(n)))),
    st.sampled_from(["json", "jsonl"]),
    st.booleans(),
    st.sampled_from([None, 1]),
    st.sampled_from([None, "plain", "a: colon", "with \\ backslash", "\\u003a"]),
)
def test_varied_valid_data_is_the_same_either_way(
    records: tuple[dict[str, Any], ...],
    fmt: str,
    ascii_only: bool,
    indent: int | None,
    repeated: str | None,
) -> None:
    text = encode(list(records), fmt, ascii_only, indent)
    if repeated is not None:
        text = with_repeated_key(text, repeated)
    with tempfile.TemporaryDirectory() as temporary:
        path = Path(temporary) / f"events.{fmt}"
        path.write_text(text, encoding="utf-8")
        assert_same_outcome(DataSelection(paths=(path,), use_cache=False))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_file())
def test_hostile_files_give_the_same_outcome_either_way(named_content: tuple[str, bytes]) -> None:
    name, content = named_content
    with tempfile.TemporaryDirectory() as temporary:
        path = Path(temporary) / name
        path.write_bytes(content)
        assert_same_outcome(DataSelection(paths=(path,), use_cache=False))


# One valid event as JSON, less its closing brace: each case below adds to it.
VALID = json.dumps(
    {"id": "a", "summary": "S", "date": "1995", "period": "early", "sources": ["test-source"]}
)[:-1]
# Each text json.loads reads without a word: every repeated key must still be caught, however
# the colons, quotes and escapes around it might balance the count.
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
        quick_way(DataSelection(paths=(path,), use_cache=False))


def test_an_escaped_colon_is_text_not_a_key(tmp_path: Path) -> None:
    event = {**valid_event(1), "summary": "a \\u003a b"}  # a backslash, then u003a
    path = tmp_path / "events.json"
    path.write_text(json.dumps([event]))
    dataset = quick_way(DataSelection(paths=(path,), use_cache=False))
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
        quick_way(DataSelection(paths=(path,), use_cache=False))


# A valid event, and one thing changed: what the quick checks pass must be exactly what the
# record-by-record checks pass.
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
def test_one_change_is_judged_the_same_either_way(
    tmp_path: Path, name: str, fmt: str, ascii_only: bool
) -> None:
    changes, valid = ONE_CHANGE[name]
    records = [valid_event(i) for i in range(3)]
    records[1].update(changes)
    records[1] = {k: v for k, v in records[1].items() if v is not None or k != "summary"}
    path = tmp_path / f"events.{fmt}"
    path.write_text(encode(records, fmt, ascii_only, indent=None), encoding="utf-8")
    selection = DataSelection(paths=(path,), use_cache=False)
    assert_same_outcome(selection)
    if valid:
        checked_way(selection)
    else:
        with pytest.raises(DataError):
            quick_way(selection)


def test_json_lines_are_read_in_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nato_russia import readers

    monkeypatch.setattr(readers, "BLOCK_BYTES", 100)  # many blocks, each a few lines
    directory = write_dataset(tmp_path, many_events(50), fmt="jsonl")
    batches = list(readers.read_batches(directory / "events.jsonl"))
    assert len(batches) > 5
    assert sum(len(b.values) for b in batches) == 50
    assert_same_outcome(DataSelection(paths=(directory,), use_cache=False))
    # A fault in a later block still names its line in the whole file.
    path = directory / "events.jsonl"
    text = path.read_text().splitlines()
    text[40] = text[40][:-1]
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(DataError) as info:
        quick_way(DataSelection(paths=(directory,), use_cache=False))
    assert info.value.problems[0].line == 41
    with pytest.raises(DataError) as info:
        list(readers.read_batches(path))  # read a block at a time, from the file
    assert info.value.problems[0].line == 41


@settings(max_examples=500)
@given(
    st.from_regex(
        r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?", fullmatch=True
    )
    | st.text(max_size=12)
)
@example("0000")
@example("2001-02-29")
@example("2000-02-29")
@example("1997-13")
@example("1997-05-27\n")
def test_date_spans_agree_with_parse_date(text: str) -> None:
    try:
        date = parse_date(text)
    except DateFormatError:
        assert validation.date_span(text) is None
    else:
        span = (date.earliest().toordinal(), date.latest().toordinal())
        assert validation.date_span(text) == span


# --- the persisted id table -----------------------------------------------------------------


@pytest.fixture
def big_dir(tmp_path: Path) -> Path:
    """Enough events for several chunks and several parts of the id table."""
    return write_dataset(tmp_path, many_events(3 * rows.ID_CHUNK))


def id_table_parts(entry: Path, type_name: str) -> list[tuple[int, int]]:
    """(offset, length) of each part of a type's id table in a cache entry."""
    blob = entry.read_bytes()
    _, _, index_offset, index_length, _ = cache._HEADER.unpack_from(blob)
    index = marshal.loads(blob[index_offset : index_offset + index_length])
    _, chunks, id_parts, (offset, length, _) = index["types"][type_name]
    parts = chunks + id_parts + rows._EXTRA_PARTS
    directory = memoryview(blob[offset : offset + length])
    offsets = directory[: parts * 8].cast("Q")
    lengths = directory[parts * 8 : parts * 16].cast("Q")
    return list(zip(offsets, lengths, strict=True))[chunks : chunks + id_parts]


def only_entry(cache_home: Path) -> Path:
    (entry,) = cache_home.glob("dataset-*.bin")
    return entry


def test_a_warm_lookup_reads_only_what_it_needs(
    big_dir: Path, _private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loader.load(DataSelection(paths=(big_dir,)))  # cold: writes the entry
    dataset = loader.load(DataSelection(paths=(big_dir,)))
    events = dataset.records["event"]
    assert isinstance(events, rows.LazyRecords)
    read: list[int] = []
    checked = rows.LazyRecords._checked_bytes

    def counting(self: rows.LazyRecords, ref: tuple[int, int, int]) -> memoryview:
        read.append(ref[1])
        return checked(self, ref)

    monkeypatch.setattr(rows.LazyRecords, "_checked_bytes", counting)
    assert events["bulk-2000"].title == "Event 2000"  # type: ignore[union-attr]
    assert "bulk-2001" in events and "bulk-99999" not in events
    # The part directory, the fences, one part of the id table and one chunk (or two):
    # never the whole list of ids, nor the whole table.
    assert len(read) <= 6
    assert sum(read) < entry_size(_private_cache) / 10


def entry_size(cache_home: Path) -> int:
    return only_entry(cache_home).stat().st_size


def test_a_damaged_id_table_is_rebuilt_not_trusted(big_dir: Path, _private_cache: Path) -> None:
    show = ["event", "bulk-2000", "--json", "--data", str(big_dir)]
    expected = invoke(*show)
    assert expected[0] == 0
    entry = only_entry(_private_cache)
    blob = bytearray(entry.read_bytes())
    for offset, length in id_table_parts(entry, "event"):
        blob[offset : offset + length] = bytes(length)
    entry.write_bytes(bytes(blob))
    assert invoke(*show) == expected
    assert invoke("event", "bulk-3", "--json", "--data", str(big_dir))[0] == 0
    assert only_entry(_private_cache).read_bytes() != bytes(blob), "the entry was rebuilt"


def test_an_id_table_that_points_elsewhere_is_not_trusted(
    big_dir: Path, _private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An entry whose checks all pass but whose id table is wrong: each id maps to the next
    # record's position. Only comparing the row found with the id asked for can tell.
    id_table = rows._id_table

    def shifted(table: validation.Table) -> tuple[list[str], list[bytes]]:
        order = table.order[1:] + table.order[:1]
        return id_table(validation.Table(table.type_name, table.columns, order, table.by_id))

    with monkeypatch.context() as patched:
        patched.setattr(rows, "_id_table", shifted)
        loader.load(DataSelection(paths=(big_dir,)))
    dataset = loader.load(DataSelection(paths=(big_dir,)))
    record = dataset.records["event"]["bulk-2000"]
    assert record.title == "Event 2000"  # type: ignore[union-attr]


def test_every_stage_of_a_cold_load_is_timed(big_dir: Path) -> None:
    loader.STAGES.clear()
    loader.load(DataSelection(paths=(big_dir,)))
    assert {"digest", "parse", "validate", "link", "encode", "write"} <= loader.STAGES.keys()
    assert all(seconds >= 0 for seconds in loader.STAGES.values())


def test_an_id_in_two_files_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for directory in (first, second):
        directory.mkdir()
        (directory / "events.json").write_text(json.dumps([valid_event(7)]))
    selection = DataSelection(paths=(first, second), use_cache=False)
    assert_same_outcome(selection)
    with pytest.raises(DataError, match="duplicate event id"):
        quick_way(selection)


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
    assert_same_outcome(selection)
    with pytest.raises(DataError, match=message):
        quick_way(selection)


def test_a_changed_chunk_is_rebuilt_not_trusted(big_dir: Path, _private_cache: Path) -> None:
    show = ["event", "bulk-2000", "--json", "--data", str(big_dir)]
    expected = invoke(*show)
    entry = only_entry(_private_cache)
    blob = entry.read_bytes()
    assert blob.count(b"Event 2000\x00") == 1
    entry.write_bytes(blob.replace(b"Event 2000\x00", b"Evil! 2000\x00"))  # same length
    assert invoke(*show) == expected
