"""Hostile and broken data files (issue 10): every fault is one FILE:LINE problem, listed by
`nrr validate` and summarised in one line by every other command; never a traceback, and never
a silently wrong record."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nato_russia import datafiles, loader, readers
from nato_russia.cli.app import app
from nato_russia.errors import DataError
from nato_russia.loader import DataSelection
from tests.conftest import FIXTURE_DATA

# One event valid against the fixture data; each fault below is one change to it.
EVENT_YAML = """\
- id: fault
  title: T
  date: "1995"
  summary: S
  period: early
  sources: [test-source]
"""
EVENT = {
    "id": "fault",
    "title": "T",
    "date": "1995",
    "summary": "S",
    "period": "early",
    "sources": ["test-source"],
}
EVENT_JSONL = json.dumps(EVENT) + "\n"
LONG_DIGITS = "1" * 5000
AFTER = "; run nrr validate for all of them\n"


@pytest.fixture(autouse=True)
def _fixture_as_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "bundled_data_dir", lambda: FIXTURE_DATA)


@pytest.fixture(params=["libyaml", "pyyaml"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both YAML parsers nrr may meet: libyaml's where PyYAML was built with it, PyYAML's own
    where it was not. Their syntax messages differ; nrr's own checks must not."""
    import yaml

    if request.param == "pyyaml":
        monkeypatch.delattr(yaml, "CSafeLoader")
    readers._yaml_loader.cache_clear()
    readers._yaml_lines.cache_clear()
    yield request.param
    monkeypatch.undo()
    readers._yaml_loader.cache_clear()
    readers._yaml_lines.cache_clear()


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def data_dir(tmp_path: Path, name: str, content: str | bytes) -> tuple[Path, Path]:
    directory = tmp_path / "data"
    directory.mkdir()
    path = directory / name
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    path.write_bytes(content)
    return directory, path


def assert_one_problem(directory: Path, problem: str) -> None:
    """`nrr validate` lists exactly this problem; `nrr timeline` shows it as its one line."""
    assert run("validate", str(directory)) == (1, problem + "\n", "1 problem found\n")
    assert run("timeline", "--data", str(directory)) == (1, "", f"Error: {problem}{AFTER}")


def with_field(line: str) -> str:
    return EVENT_YAML + line + "\n"  # the new field is on line 7


# --- 1. YAML values PyYAML cannot construct, and 2. repeated keys ---------------------------

YAML_FAULTS = {
    # name: (content, line, message)
    "date-that-does-not-exist": (
        EVENT_YAML.replace('date: "1995"', "date: 2014-02-30"),
        3,
        "record fault: date: '2014-02-30': day 30 does not exist in that month",
    ),
    "int-tag": (with_field("  note: !!int abc"), 7, "not valid YAML: 'abc' is not a valid !!int"),
    "float-tag": (
        with_field("  note: !!float abc"),
        7,
        "not valid YAML: 'abc' is not a valid !!float",
    ),
    "bool-tag": (
        with_field("  note: !!bool maybe"),
        7,
        "not valid YAML: 'maybe' is not a valid !!bool",
    ),
    "timestamp-tag": (
        with_field("  note: !!timestamp abc"),
        7,
        "not valid YAML: 'abc' is not a !!timestamp",
    ),
    "binary-junk": (
        with_field("  note: !!binary abc"),
        7,
        "not valid YAML: failed to decode base64 data: Incorrect padding",
    ),
    "long-integer": (
        with_field(f"  note: {LONG_DIGITS}"),
        7,
        "not valid YAML: a number of 5000 digits (at most 4300)",
    ),
    "repeated-id": (
        with_field("  id: other"),
        7,
        "not valid YAML: duplicate key 'id' (first on line 1)",
    ),
    "repeated-key-in-a-nested-mapping": (
        with_field("  corrections: [{says: a, says: b, finding: c, sources: [test-source]}]"),
        7,
        "not valid YAML: duplicate key 'says' (first on line 7)",
    ),
    "object-tag": (
        "- !!python/object/apply:os.system ['echo pwned']\n",
        1,
        "not valid YAML: the tag !!python/object/apply:os.system is not allowed in data files",
    ),
    "long-tag-is-quoted-short": (
        with_field("  note: !" + "x" * 500 + " y"),
        7,
        "not valid YAML: the tag !" + "x" * 78 + "… is not allowed in data files",
    ),
    "alias": (
        with_field("  note: &a x\n  place: *a"),
        7,
        "YAML anchors and aliases are not allowed in data files",
    ),
    # PyYAML counts U+2028 as a line break; the line is the one an editor shows.
    "line-after-a-line-separator": (
        EVENT_YAML.replace("title: T", "title: 'T\u2028U'") + "  id: again\n",
        7,
        "not valid YAML: duplicate key 'id' (first on line 1)",
    ),
}


@pytest.mark.parametrize("fault", sorted(YAML_FAULTS))
def test_yaml_faults_are_one_problem_each(tmp_path: Path, yaml_parser: str, fault: str) -> None:
    content, line, message = YAML_FAULTS[fault]
    directory, path = data_dir(tmp_path, "events.yaml", content)
    assert_one_problem(directory, f"{path}:{line}: {message}")


def test_a_lone_surrogate_in_yaml_is_refused(tmp_path: Path, yaml_parser: str) -> None:
    directory, path = data_dir(tmp_path, "events.yaml", with_field('  note: "a\\ud800"'))
    message = {
        "libyaml": "not valid YAML: found invalid Unicode character escape code",
        "pyyaml": "not valid YAML: 'a\\ud800' holds a lone surrogate, which is not text",
    }[yaml_parser]
    assert_one_problem(directory, f"{path}:7: {message}")


def test_control_characters_in_yaml_are_reported_with_their_line(
    tmp_path: Path, yaml_parser: str
) -> None:
    # Characters of several bytes before it: libyaml counts its place in bytes, PyYAML in
    # characters.
    content = with_field("  note: a\x01b").replace("title: T", "title: Tété \u2028")
    directory, path = data_dir(tmp_path, "events.yaml", content)
    kind = {"libyaml": "control", "pyyaml": "special"}[yaml_parser]
    assert_one_problem(directory, f"{path}:7: not valid YAML: {kind} characters are not allowed")


def test_validation_lines_count_newlines_only(tmp_path: Path, yaml_parser: str) -> None:
    content = EVENT_YAML.replace("title: T", "title: 'T\u2028U'")
    directory, path = data_dir(
        tmp_path, "events.yaml", content.replace("period: early", "period: x")
    )
    assert_one_problem(directory, f"{path}:5: record fault: period: no period with id 'x'")


def test_deep_nesting_in_yaml_is_one_problem(tmp_path: Path, yaml_parser: str) -> None:
    directory, path = data_dir(tmp_path, "events.yaml", "- " * 5000 + "x\n")
    problem = {
        "libyaml": f"{path}:1: not valid YAML: exceeded maximum nesting depth",
        # PyYAML's parser recurses; where it ran out of stack is no line worth showing.
        "pyyaml": f"{path}: not valid YAML: nested too deeply",
    }[yaml_parser]
    assert_one_problem(directory, problem)


def test_unquoted_dates_that_exist_still_load(tmp_path: Path, yaml_parser: str) -> None:
    content = EVENT_YAML.replace('date: "1995"', "date: 1995-02-28")
    directory, _ = data_dir(tmp_path, "events.yaml", content)
    code, out, _ = run("timeline", "--json", "--data", str(directory))
    assert code == 0
    assert {"id": "fault", "date": "1995-02-28"}.items() <= next(
        e for e in json.loads(out) if e["id"] == "fault"
    ).items()


# --- 2. repeated keys, 5. long integers, 6. lone surrogates in JSON and JSON Lines -----------

JSON_FAULTS = {
    # name: (file name, content, line, message)
    "repeated-id": (
        "events.json",
        '[\n  {"id": "fault",\n   "title": "T",\n   "id": "other"}\n]\n',
        4,
        "not valid JSON: duplicate key 'id' (first on line 2)",
    ),
    "repeated-key-not-confused-by-a-nested-one": (
        "events.json",
        '[{"id": "fault",\n  "summary": {"title": 1},\n  "title": "T",\n  "title": "U"}]\n',
        4,
        "not valid JSON: duplicate key 'title' (first on line 3)",
    ),
    "repeated-long-key-is-quoted-short": (
        "events.json",
        json.dumps([{"k" * 500: 1}]).replace("}", ', "' + "k" * 500 + '": 2}'),
        1,
        "not valid JSON: duplicate key '" + "k" * 78 + "… (first on line 1)",
    ),
    "long-integer": (
        "events.json",
        '[\n  {"id": "fault",\n   "order": ' + LONG_DIGITS + "}\n]\n",
        3,
        "not valid JSON: a number of 5000 digits (at most 4300)",
    ),
    "lone-surrogate": (
        "events.json",
        '[\n  {"id": "fault",\n   "title": "a\\ud800b"}\n]\n',
        3,
        "not valid JSON: \\ud800 is a lone surrogate, not a character",
    ),
    # "\\ud83d" here is an escaped backslash and five letters: the \ude00 after it is alone.
    "lone-surrogate-after-an-escaped-backslash": (
        "events.json",
        '[{"id": "fault", "title": "\\\\ud83d\\ude00"}]',
        1,
        "not valid JSON: \\ude00 is a lone surrogate, not a character",
    ),
    "jsonl-repeated-id": (
        "events.jsonl",
        EVENT_JSONL + '{"id": "a", "id": "b"}\n',
        2,
        "not valid JSON: duplicate key 'id' (first on line 2)",
    ),
    "jsonl-long-integer": (
        "events.jsonl",
        EVENT_JSONL + '{"order": ' + LONG_DIGITS + "}\n",
        2,
        "not valid JSON: a number of 5000 digits (at most 4300)",
    ),
    "jsonl-lone-surrogate": (
        "events.jsonl",
        EVENT_JSONL + '{"title": "\\udfff"}\n',
        2,
        "not valid JSON: \\udfff is a lone surrogate, not a character",
    ),
    "null-is-not-a-list": ("events.json", "null", 1, "expected a list of records"),
    "jsonl-deep-nesting": (
        "events.jsonl",
        EVENT_JSONL + "[" * 100_000 + "\n",
        2,
        "not valid JSON: nested too deeply",
    ),
    # Only JSON's own white space makes an empty line; U+2028 is not JSON white space.
    "jsonl-line-of-a-line-separator": (
        "events.jsonl",
        EVENT_JSONL + " \u2028 \n",
        2,
        "not valid JSON: Expecting value",
    ),
}


@pytest.mark.parametrize("fault", sorted(JSON_FAULTS))
def test_json_faults_are_one_problem_each(tmp_path: Path, fault: str) -> None:
    name, content, line, message = JSON_FAULTS[fault]
    directory, path = data_dir(tmp_path, name, content)
    assert_one_problem(directory, f"{path}:{line}: {message}")


def test_surrogate_pairs_are_characters(tmp_path: Path) -> None:
    # json.dumps writes characters beyond U+FFFF as escaped pairs: those are fine.
    # A backslash written before "ud800" is text, not an escape.
    event = dict(EVENT, summary="A flag \U0001f1fa\U0001f1e6, a face \U0001f600 and \\ud800")
    directory, _ = data_dir(tmp_path, "events.json", json.dumps([event]))
    code, out, _ = run("timeline", "--json", "--data", str(directory))
    assert code == 0
    assert next(e for e in json.loads(out) if e["id"] == "fault")["summary"] == event["summary"]


# --- 4. line ends, byte-order marks, bytes that are not UTF-8, one problem per broken file ---


def test_json_lines_split_on_newline_only(tmp_path: Path) -> None:
    text = "a\u2028b\u2029c\x85d"
    second = dict(EVENT, id="second", summary=text)
    content = EVENT_JSONL + json.dumps(second, ensure_ascii=False) + "\r\n"
    _, path = data_dir(tmp_path, "events.jsonl", content)
    records = readers.read_records(path)
    assert [(r.position, r.values["id"]) for r in records] == [(1, "fault"), (2, "second")]
    assert records[1].values["summary"] == text


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("events.yaml", EVENT_YAML),
        ("events.json", json.dumps([EVENT])),
        ("events.jsonl", EVENT_JSONL),
    ],
)
def test_a_byte_order_mark_is_accepted_in_every_format(
    tmp_path: Path, name: str, content: str
) -> None:
    directory, _ = data_dir(tmp_path, name, "\ufeff" + content)
    code, out, err = run("timeline", "--json", "--data", str(directory))
    assert (code, err) == (0, "")
    assert "fault" in [e["id"] for e in json.loads(out)]


@pytest.mark.parametrize(
    ("name", "content", "line", "byte"),
    [
        (
            "events.yaml",
            EVENT_YAML.encode() + b"  note: caf\xe9\n",
            7,
            "0xe9: invalid continuation",
        ),
        ("events.json", b'[\n  {"id": "fault",\n   "title": "\xff"}]', 3, "0xff: invalid start"),
        (
            "events.jsonl",
            EVENT_JSONL.encode() * 3 + b'{"a": "\xc3"}\n',
            4,
            "0xc3: invalid continuation",
        ),
        # After a byte-order mark the line is still counted from the start of the file.
        (
            "events.jsonl",
            b"\xef\xbb\xbf" + EVENT_JSONL.encode() + b'"\xff"\n',
            2,
            "0xff: invalid start",
        ),
    ],
)
def test_bytes_that_are_not_utf8_are_reported_with_their_line(
    tmp_path: Path, name: str, content: bytes, line: int, byte: str
) -> None:
    directory, path = data_dir(tmp_path, name, content)
    assert_one_problem(directory, f"{path}:{line}: cannot read file: not UTF-8 (byte {byte} byte)")


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("events.yaml", "- id: [a\n- id: b]\n- {c\n", 2, "not valid YAML: "),
        ("events.json", '[{"id": 1,}, {"id": 2,}]', 1, "not valid JSON: Expecting property name"),
        ("events.jsonl", EVENT_JSONL + "{bad\n" * 3 + "[1,]\n", 2, "not valid JSON: Expecting"),
    ],
)
def test_a_file_that_does_not_parse_is_one_problem(
    tmp_path: Path, name: str, content: str, line: int, message: str
) -> None:
    directory, path = data_dir(tmp_path, name, content)
    code, out, err = run("validate", str(directory))
    assert (code, err) == (1, "1 problem found\n")
    assert out.startswith(f"{path}:{line}: {message}")
    assert out.count("\n") == 1


# --- 3. misnamed record files and directories without any -----------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("event.json", "not read: a file of events must be named events.json"),
        ("Events.yaml", "not read: a file of events must be named events.yaml"),
        ("events.YML", "not read: a file of events must be named events.yml"),
        (
            "state-changes.jsonl",
            "not read: a file of state_changes must be named state_changes.jsonl",
        ),
        (
            "events.txt",
            "not read: a file of events must be named events.yaml, .yml, .json or .jsonl",
        ),
        (
            "Periods",
            "not read: a file of periods must be named periods.yaml, .yml, .json or .jsonl",
        ),
    ],
)
def test_misnamed_record_files_are_reported(tmp_path: Path, name: str, message: str) -> None:
    directory, path = data_dir(tmp_path, name, "[]")
    (directory / "events.yaml").write_text(EVENT_YAML)
    assert_one_problem(directory, f"{path}: {message}")


def test_copies_backups_and_other_files_are_left_alone(tmp_path: Path) -> None:
    directory, _ = data_dir(tmp_path, "events.yaml", EVENT_YAML)
    for other in ("events.yaml.bak", "events.json~", ".events.json.swp", "README.md", "notes.txt"):
        (directory / other).write_text("{not data")
    code, out, _ = run("validate", str(directory))
    assert (code, out.startswith("ok: ")) == (0, True)


def test_a_directory_without_record_files_is_reported(tmp_path: Path) -> None:
    directory, _ = data_dir(tmp_path, "README.md", "my notes")
    (directory / "events").mkdir()
    assert_one_problem(
        directory,
        f"{directory}: no record files in this directory (events.yaml, agreements.json, ...)",
    )


def test_a_misnamed_file_given_alone_says_its_right_name(tmp_path: Path) -> None:
    _, path = data_dir(tmp_path, "event.yaml", EVENT_YAML)
    problem = f"{path}: not read: a file of events must be named events.yaml"
    assert run("timeline", "--data", str(path)) == (1, "", f"Error: {problem}{AFTER}")


# --- what held before still holds -----------------------------------------------------------


def test_files_over_the_limit_are_still_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = max(p.stat().st_size for p in FIXTURE_DATA.iterdir())
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", limit)
    directory, path = data_dir(tmp_path, "events.yaml", EVENT_YAML + "#" * limit + "\n")
    read_bytes = Path.read_bytes

    def refuse_that_one(self: Path) -> bytes:
        assert self != path, "read a file over the limit"
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refuse_that_one)
    assert_one_problem(directory, f"{path}: file is larger than the 0 MiB limit")


# --- anything at all: it loads, or it is DataError problems ---------------------------------

HOSTILE = [
    "2014-02-30", "!!int abc", "!!float x", "!!bool maybe", "!!timestamp 2001-13-45", "!!binary %",
    "!!binary abc", "!!set {a, b}", "!!omap [a]", "!foo x", "&a x", "*a", "<<: {id: x}", "? [a]",
    "'\\ud800'", '"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', "\\\\ud83d\\ude00",
    LONG_DIGITS, "1e99999", "NaN", "-Infinity", "\ufeff", "\u2028", "\u2029", "\x85", "\t",
    "\x00", "\x1b[31m",
    "{", "}", "[", "]", ":", ",", '"', "'", "- ", "\n", "\r\n", "id: x\nid: y", '"id": 1, "id": 2',
    "~", "null", "[[[[[[[[[[", "=", "|", ">", "%YAML 1.1", "---", "...", "#",
]  # fmt: skip
FIELDS = ["id", "title", "date", "summary", "period", "sources", "order", "corrections", "x"]
NAMES = ["events.yaml", "periods.yml", "events.json", "sources.json", "events.jsonl"]


@st.composite
def near_valid_text(draw: st.DrawFn, fmt: str) -> str:
    """A record file of the format, with hostile snippets and random text spliced in."""
    scalar = (
        st.sampled_from(HOSTILE) | st.text(max_size=6) | st.sampled_from(["x", "1995", "early"])
    )
    records = draw(
        st.lists(st.dictionaries(st.sampled_from(FIELDS), scalar, max_size=5), max_size=3)
    )
    if fmt == "yaml":
        text = "".join(
            "".join(
                f"{'- ' if i == 0 else '  '}{key}: {value}\n"
                for i, (key, value) in enumerate(r.items())
            )
            or "- {}\n"
            for r in records
        )
    elif fmt == "json":
        text = json.dumps(
            records, indent=draw(st.sampled_from([None, 1])), ensure_ascii=draw(st.booleans())
        )
    else:
        text = "".join(json.dumps(r, ensure_ascii=draw(st.booleans())) + "\n" for r in records)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 3))
        splice = draw(st.sampled_from(HOSTILE) | st.text(max_size=4))
        text = text[:at] + splice + text[at + cut :]
    return text


@st.composite
def hostile_file(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(NAMES))
    fmt = datafiles.SUFFIXES[Path(name).suffix]
    if draw(st.integers(0, 4)) == 0:
        return name, draw(st.binary(max_size=200))
    text = draw(near_valid_text(fmt))
    prefix = b"\xef\xbb\xbf" if draw(st.integers(0, 5)) == 0 else b""
    return name, prefix + text.encode("utf-8", "surrogatepass")


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(hostile_file())
def test_any_file_either_loads_or_gives_data_errors(
    yaml_parser: str, named_content: tuple[str, bytes]
) -> None:
    name, content = named_content
    with tempfile.TemporaryDirectory() as temporary:
        path = Path(temporary) / name
        path.write_bytes(content)
        readers._yaml_lines.cache_clear()
        readers._json_spans.cache_clear()
        selection = DataSelection(paths=(path,), bundled=False, use_cache=False)
        dataset, problems = loader.check(selection)
        assert (dataset is None) == bool(problems)
        # YAML (and editors) break lines at a lone \r too: a problem on the second line of
        # b"\r-" is right there, though the file holds no \n.
        lines = len(content.splitlines()) + 1
        for problem in problems:
            assert problem.file == str(path)
            assert problem.line is None or 1 <= problem.line <= lines, problem
            assert "\n" not in str(problem)
        try:
            loader.load(selection)
        except DataError as exc:
            assert exc.problems
