"""User datasets (--data, NRR_DATA, --no-bundled), nrr validate, safe loading and the cache."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from nato_russia import cache, loader, readers
from nato_russia.cli.app import app
from nato_russia.loader import DataSelection
from tests.conftest import FIXTURE_DATA, StrictRunner

USER_EVENTS_JSON = [
    {
        "id": "user-json-event",
        "title": "A researcher's own event about missile talks",
        "date": "1995-03",
        "summary": "Added from a JSON file.",
        "period": "early",
        "actors": ["alice"],
        "sources": ["user-notes"],
    }
]
USER_SOURCES_JSONL = (
    '{"id": "user-notes", "title": "My notes", "publisher": "Me", "kind": "news",'
    ' "tier": "other"}\n'
)
USER_EVENTS_YAML = """\
- id: user-yaml-event
  title: An event from a YAML file
  date: "1996"
  summary: Added from YAML; it cites the bundled source.
  period: later
  sources: [test-source]
"""


@pytest.fixture(autouse=True)
def _fixture_as_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The small fixture stands in for the bundled data, so these tests do not depend on it."""
    monkeypatch.setattr(loader, "bundled_data_dir", lambda: FIXTURE_DATA)


@pytest.fixture
def json_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "json-data"
    directory.mkdir()
    (directory / "events.json").write_text(json.dumps(USER_EVENTS_JSON, indent=2))
    (directory / "sources.jsonl").write_text(USER_SOURCES_JSONL)
    return directory


@pytest.fixture
def yaml_file(tmp_path: Path) -> Path:
    directory = tmp_path / "yaml-data"
    directory.mkdir()
    path = directory / "events.yaml"
    path.write_text(USER_EVENTS_YAML)
    return path


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = StrictRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def timeline_ids(*args: str, env: dict[str, str] | None = None) -> list[str]:
    code, out, err = invoke("timeline", "--json", *args, env=env)
    assert code == 0, err
    return [event["id"] for event in json.loads(out)]


def test_user_json_and_yaml_join_the_bundled_records(json_dir: Path, yaml_file: Path) -> None:
    ids = timeline_ids("--data", str(json_dir), "--data", str(yaml_file))
    assert ids == [
        "summit-1990",
        "year-only-1994",
        "joins-1994",
        "user-json-event",
        "user-yaml-event",
        "act-signed",
    ]
    code, out, _ = invoke("search", "missile", "--json", "--data", str(json_dir))
    assert code == 0
    assert "user-json-event" in [hit["id"] for hit in json.loads(out)]
    code, out, _ = invoke("event", "user-yaml-event", "--data", str(yaml_file))
    assert code == 0
    assert "  test-source \u2014 Test source [bold]not markup[/]" in out
    # A bundled record now shows the user's event among its links.
    code, out, _ = invoke("actor", "alice", "--json", "--data", str(json_dir))
    assert "user-json-event" in [event["id"] for event in json.loads(out)["events"]]


def test_nrr_data_environment_variable(json_dir: Path, yaml_file: Path) -> None:
    env = {"NRR_DATA": os.pathsep.join([str(json_dir), str(yaml_file)])}
    assert {"user-json-event", "user-yaml-event"} <= set(timeline_ids(env=env))


def test_no_bundled_uses_the_user_data_alone(tmp_path: Path) -> None:
    own = tmp_path / "own"
    shutil.copytree(FIXTURE_DATA, own)
    for path in own.glob("*.yaml"):
        path.rename(path.with_name(path.name.replace(".yaml", ".yml")))
    assert len(timeline_ids("--no-bundled", "--data", str(own))) == 4
    code, _, err = invoke("timeline", "--no-bundled")
    assert code == 1
    assert err == "Error: (no data): no record files to read; run nrr validate for all of them\n"


def test_colliding_ids_name_both_files(tmp_path: Path) -> None:
    clash = tmp_path / "clash"
    clash.mkdir()
    shutil.copy(FIXTURE_DATA / "periods.yaml", clash / "periods.yaml")
    code, _, err = invoke("timeline", "--data", str(clash))
    assert code == 1
    first = str(FIXTURE_DATA / "periods.yaml")
    assert re.fullmatch(
        rf"Error: {re.escape(str(clash))}/periods.yaml:\d+: record early: id: duplicate period id "
        rf"\(first in {re.escape(first)}\) \(and 1 more\); run nrr validate for all of them\n",
        err,
    )


def test_missing_paths_and_unknown_file_names_are_errors(tmp_path: Path) -> None:
    code, _, err = invoke("timeline", "--data", str(tmp_path / "nowhere"))
    assert (
        code,
        err.endswith("nowhere: no such file or directory; run nrr validate for all of them\n"),
    ) == (1, True)
    odd = tmp_path / "stuff.json"
    odd.write_text("[]")
    code, _, err = invoke("timeline", "--data", str(odd))
    assert code == 1
    assert "the file name must say the record type" in err


TEN_FAULTS = {
    # file name -> content; each line marked with the fault it carries
    "events.yaml": """\
- id: fault-unknown-field
  title: One
  date: "1995"
  summary: x
  period: early
  sources: [test-source]
  colour: red
- id: fault-bad-date
  title: Two
  date: "1995-02-30"
  summary: x
  period: early
  sources: [test-source]
- id: fault-missing-summary
  title: Three
  date: "1995"
  period: early
  sources: [test-source]
- id: fault-dangling-period
  title: Four
  date: "1995"
  summary: x
  period: nowhere
  sources: [test-source]
- id: summit-1990
  title: Five, a duplicate of a bundled id
  date: "1995"
  summary: x
  period: early
  sources: [test-source]
""",
    "actors.json": json.dumps(
        [
            {
                "id": "fault-kind",
                "name": "Six",
                "kind": "robot",
                "role": "r",
                "summary": "s",
                "sources": ["test-source"],
            },
            {
                "id": "Fault Id",
                "name": "Seven",
                "kind": "person",
                "role": "r",
                "summary": "s",
                "sources": ["test-source"],
            },
            {
                "id": "fault-no-sources",
                "name": "Eight",
                "kind": "person",
                "role": "r",
                "summary": "s",
                "sources": [],
            },
        ],
        indent=2,
    ),
    "quotations.jsonl": '{"id": "fault-quote", "text": "t", "document": "example-act", '
    '"date": "1997", "checked": "maybe", "context": "c", "sources": ["test-source"]}\n',
    "principles.yaml": "- id: fault-yaml\n  title: [unclosed\n",
}


def test_validate_reports_ten_faults_with_file_and_line(tmp_path: Path) -> None:
    faulty = tmp_path / "faulty"
    faulty.mkdir()
    for name, content in TEN_FAULTS.items():
        (faulty / name).write_text(content)
    code, out, err = invoke("validate", str(faulty))
    assert code == 1
    lines = out.splitlines()
    expected = [
        r"principles\.yaml:3: not valid YAML",
        r"events\.yaml:7: record fault-unknown-field: colour: unknown field",
        r"events\.yaml:10: record fault-bad-date: date: '1995-02-30': day 30 does not exist",
        r"events\.yaml:14: record fault-missing-summary: summary: required field is missing",
        r"events\.yaml:23: record fault-dangling-period: period: no period with id 'nowhere'",
        r"events\.yaml:25: record summit-1990: id: duplicate event id \(first in .*events\.yaml\)",
        r"actors\.json:\d+: record fault-kind: kind: 'robot' is not one of",
        r"actors\.json:\d+: record Fault Id: id: 'Fault Id' is not an id",
        r"actors\.json:\d+: record fault-no-sources: sources: must list at least one id",
        r"quotations\.jsonl:1: record fault-quote: checked: 'maybe' is not one of",
    ]
    assert len(lines) == len(expected), out
    for pattern in expected:
        assert any(re.search(pattern, line) for line in lines), pattern
    assert all(line.startswith(str(faulty)) for line in lines)
    assert err == "10 problems found\n"


def test_validate_success_prints_a_summary(json_dir: Path) -> None:
    code, out, _ = invoke("validate", str(json_dir))
    assert code == 0
    assert out == (
        "ok: 3 sources, 2 periods, 2 actors, 2 topics, 1 agreements, 1 principles, 1 areas, "
        "5 events, 1 quotations\n"
    )


def test_other_commands_show_the_first_problem(tmp_path: Path) -> None:
    faulty = tmp_path / "faulty"
    faulty.mkdir()
    (faulty / "events.yaml").write_text(TEN_FAULTS["events.yaml"])
    code, out, err = invoke("agreements", "--data", str(faulty))
    assert (code, out) == (1, "")
    assert re.fullmatch(
        r"Error: \S+events\.yaml:7: record fault-unknown-field: colour: unknown field"
        r" \(allowed: [^)]*\) \(and 4 more\); run nrr validate for all of them\n",
        err,
    )


# --- safe loading ---------------------------------------------------------------------------

ALIAS_BOMB = """\
- &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
- &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
- &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
- &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
- &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
- &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
- &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
- &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
- &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("events.yaml", ALIAS_BOMB, "events.yaml:1: YAML anchors and aliases are not allowed"),
        (
            "events.yaml",
            "- !!python/object/apply:os.system ['echo pwned']\n",
            "events.yaml:1: not valid YAML",
        ),
        (
            "events.json",
            "[" * 100_000 + "]" * 100_000,
            "events.json: not valid JSON: nested too deeply",
        ),
        ("events.json", '[{"id": 1,}]', "events.json:1: not valid JSON"),
    ],
)
def test_hostile_files_are_refused_clearly(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    (tmp_path / name).write_text(content)
    code, out, err = invoke("validate", str(tmp_path))
    assert err.endswith(" found\n")
    assert code == 1
    assert message in out


def test_files_over_the_size_limit_are_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 1024)
    (tmp_path / "events.json").write_text("[" + " " * 2000 + "]")
    code, out, _ = invoke("validate", str(tmp_path))
    assert code == 1
    assert "events.json: file is larger than the 0 MiB limit" in out


# --- the load cache ---------------------------------------------------------------------------


def entries(cache_home: Path) -> list[Path]:
    return sorted(cache_home.glob("dataset-*.json")) if cache_home.exists() else []


def test_a_warm_run_reads_the_cache_and_parses_nothing(
    json_dir: Path, _private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = timeline_ids("--data", str(json_dir))
    assert len(entries(_private_cache)) == 1

    def refuse(*args: object) -> None:
        raise AssertionError("a warm run must not parse data files")

    monkeypatch.setattr(readers, "read_records", refuse)
    assert timeline_ids("--data", str(json_dir)) == cold


def test_no_cache_neither_reads_nor_writes(json_dir: Path, _private_cache: Path) -> None:
    timeline_ids("--no-cache", "--data", str(json_dir))
    assert entries(_private_cache) == []


def test_an_edited_file_is_never_answered_from_the_old_cache(json_dir: Path) -> None:
    timeline_ids("--data", str(json_dir))
    events = json.loads((json_dir / "events.json").read_text())
    events[0]["id"] = "renamed-event"
    (json_dir / "events.json").write_text(json.dumps(events))
    assert "renamed-event" in timeline_ids("--data", str(json_dir))


def resealed(blob: bytes, body: bytes) -> bytes:
    """An entry with its key kept and its header's checksum made to match another body."""
    rest = blob.split(b"\n")[1] + b"\n" + body
    return f"{cache.MAGIC} {cache.checksum(rest)}\n".encode() + rest


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[: len(blob) // 2],  # truncated
        lambda blob: b"",  # emptied
        lambda blob: blob[:-10] + bytes(10),  # corrupted payload
        lambda blob: b"garbage" + blob,  # bad header
        lambda blob: blob.replace(cache.MAGIC.encode(), b"nrr-cache 0"),  # another format
        lambda blob: resealed(blob, b"{}"),  # a right digest of the wrong content
    ],
)
def test_damaged_cache_files_are_rebuilt(
    json_dir: Path, _private_cache: Path, damage: object
) -> None:
    # Damage anywhere: the header, the records, or records that no longer fit together.
    commands = [["timeline"], ["quotations"], ["sources"], ["actor", "alice"]]
    expected = [invoke(*c, "--json", "--data", str(json_dir)) for c in commands]
    (entry,) = entries(_private_cache)
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]
    for command, before in zip(commands, expected, strict=True):
        assert invoke(*command, "--json", "--data", str(json_dir)) == before


@pytest.mark.parametrize("removable", [True, False])
def test_a_resealed_entry_whose_record_does_not_decode_is_removed(
    json_dir: Path, _private_cache: Path, monkeypatch: pytest.MonkeyPatch, removable: bool
) -> None:
    # Records are decoded when shown, after the checksum has vouched for the entry: one
    # written by hand with a right checksum fails there, as one line, and the next run
    # rebuilds the entry instead of failing again. In a cache nrr may read but not change,
    # the line says so, rather than promising that another run will do.
    before = invoke("timeline", "--json", "--data", str(json_dir))
    (entry,) = entries(_private_cache)
    lines = entry.read_bytes().split(b"\n")
    at = next(n for n, line in enumerate(lines) if line.startswith(b'["summit-1990",'))
    lines[at] = b"{" + lines[at][1:]  # the same length, so the index still fits
    entry.write_bytes(resealed(entry.read_bytes(), b"\n".join(lines[2:])))
    if not removable:

        def refused(path: Path, missing_ok: bool = False) -> None:
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr(Path, "unlink", refused)
    code, out, err = invoke("timeline", "--json", "--data", str(json_dir))
    assert (code, out) == (1, "")
    assert err.startswith("Error: the cache entry ") and err.count("\n") == 1, err
    then = "is removed; run the command again" if removable else "cannot be removed; delete it"
    assert f"is damaged and {then} (or use --no-cache)" in err
    if removable:
        assert not entry.exists()
        assert invoke("timeline", "--json", "--data", str(json_dir)) == before


def test_swapped_cache_files_are_not_trusted(
    json_dir: Path, yaml_file: Path, _private_cache: Path
) -> None:
    with_json = timeline_ids("--data", str(json_dir))
    with_yaml = timeline_ids("--data", str(yaml_file))
    first, second = entries(_private_cache)
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)
    assert timeline_ids("--data", str(json_dir)) == with_json
    assert timeline_ids("--data", str(yaml_file)) == with_yaml


def test_an_unwritable_cache_just_means_no_cache(
    json_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert "user-json-event" in timeline_ids("--data", str(json_dir))
    # The cache directory itself taken by a file (permissions would not stop root, who runs CI).
    home = tmp_path / "home"
    home.mkdir()
    (home / "nrr").write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    assert "user-json-event" in timeline_ids("--data", str(json_dir))


def test_cache_key_covers_version_and_content(
    json_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = DataSelection(paths=(json_dir,)).files()
    digests = {p: cache.content_digest(p.read_bytes()) for p in files}
    key = loader._cache_key(files, digests)
    changed = dict(digests)
    changed[files[-1]] = cache.content_digest(files[-1].read_bytes() + b"\n")
    assert loader._cache_key(files, changed) != key
    monkeypatch.setattr(loader, "__version__", "99.0")
    assert loader._cache_key(files, digests) != key


def test_remembered_digests_never_hide_an_edit(
    json_dir: Path, _private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No racy window, so that the digest is remembered at once (the window is tested below).
    monkeypatch.setattr(cache, "RACY_SECONDS", 0)
    events = json_dir / "events.json"
    old = 1_000_000_000
    os.utime(events, (old, old))
    assert "user-json-event" in timeline_ids("--data", str(json_dir))
    memo = json.loads((_private_cache / "digests.json").read_text())
    assert str(events.resolve()) in memo
    time.sleep(0.05)  # past one tick of the file system's clock
    # Same size, same modification time put back: only the change time tells, and it does.
    text = events.read_text()
    events.write_text(text.replace("user-json-event", "user-json-evenx"))
    os.utime(events, (old, old))
    assert "user-json-evenx" in timeline_ids("--data", str(json_dir))


def test_fresh_files_are_hashed_every_time(json_dir: Path, _private_cache: Path) -> None:
    timeline_ids("--data", str(json_dir))
    memo_path = _private_cache / "digests.json"
    memo = json.loads(memo_path.read_text()) if memo_path.exists() else {}
    assert str((json_dir / "events.json").resolve()) not in memo


def test_the_same_files_named_twice_are_read_once(json_dir: Path) -> None:
    env = {"NRR_DATA": str(json_dir)}
    ids = timeline_ids("--data", str(json_dir), "--data", str(FIXTURE_DATA), env=env)
    assert ids.count("user-json-event") == 1
    code, out, _ = invoke("validate", str(FIXTURE_DATA))
    assert code == 0, out


@pytest.mark.parametrize(
    ("bad", "control"),
    [("\x1b[31mred", "\x1b"), ("bell\x07", "\x07"), ("nul\x00", "\x00"), ("next\x85line", "\x85")],
)
def test_control_characters_in_text_are_refused(tmp_path: Path, bad: str, control: str) -> None:
    directory = tmp_path / "controls"
    directory.mkdir()
    event = {**USER_EVENTS_JSON[0], "title": bad}
    (directory / "events.json").write_text(json.dumps([event]))
    (directory / "sources.jsonl").write_text(USER_SOURCES_JSONL)
    code, out, _ = invoke("validate", str(directory))
    assert code == 1
    assert f"title: contains the control character {control!r}" in out
    # Tabs and line breaks are ordinary text.
    event["title"] = "two\tparts\nand a line"
    (directory / "events.json").write_text(json.dumps([event]))
    assert invoke("validate", str(directory))[0] == 0
