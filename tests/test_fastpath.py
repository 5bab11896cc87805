"""The fast path for a piped `nrr TYPE ID` (fastpath.py) says exactly what the Typer app says:
the same stdout, stderr and exit code, for many records and for every way a lookup fails or
a command line is not a plain lookup (those must reach the app untouched)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from nato_russia import fastpath, loader
from nato_russia.cli import app as cli
from nato_russia.errors import DataError
from nato_russia.model import RECORD_TYPES

# Every seventh record of every type that has a detail view: some hundred lookups.
SAMPLED = [
    [cls.command(), record_id]
    for type_name, cls in RECORD_TYPES.items()
    if type_name != "topic"
    for record_id in sorted(loader.load_bundled().of_type(type_name))[::7]
]
# Found, but not by their exact id: by case, spaces or title.
FORGIVEN = [
    ["agreement", "Founding-Act"],
    ["agreement", "founding act"],
    ["agreement", "NATO-Russia Founding Act"],
]
# Not lookups the fast path answers: each must come back untouched, for the app.
HANDED_ON = [
    ["agreement", "no-such-agreement"],  # a miss, with suggestions
    ["agreement", "foundng-act"],  # a near miss
    ["agreement", ""],
    ["agreement", "\x1b[31mred"],  # control characters in a message
    ["event", "founding-act"],  # an id of another type
    ["topic", "ukraine"],  # a thread, not a detail view
    ["nosuch", "founding-act"],
    ["agreements", "founding-act"],
    ["agreement", "founding-act", "--json"],
    ["agreement", "--json"],
    ["agreement", "-h"],
    ["--no-color", "agreement"],
    ["agreement"],
    [],
]


@pytest.fixture(scope="module")
def _one_cache(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("fastpath-cache"))


@pytest.fixture(autouse=True)
def _warm(_one_cache: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # One load cache for the module: each lookup is a warm run, as the fast path is for, and
    # the module builds the dataset from its files once rather than a hundred times.
    monkeypatch.setenv("XDG_CACHE_HOME", _one_cache)


@pytest.fixture(autouse=True)
def _sigterm_restored() -> Iterator[None]:
    # Both paths install their own SIGTERM handler for the run.
    before = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, before)


def _through_app(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["nrr", *args])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def _through_fast_path(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int | None, str, str]:
    code = fastpath.answer(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args", SAMPLED + FORGIVEN, ids=" ".join)
def test_a_lookup_reads_the_same_either_way(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _through_fast_path(args, capsys)
    assert fast[0] is not None, "the fast path left a plain lookup to the app"
    assert fast == _through_app(args, capsys, monkeypatch)


@pytest.mark.parametrize("args", HANDED_ON, ids=repr)
def test_anything_else_is_left_to_the_app_untouched(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _through_fast_path(args, capsys) == (None, "", "")


def test_user_datasets_are_left_to_the_app(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NRR_DATA", str(loader.bundled_data_dir()))
    assert _through_fast_path(["agreement", "founding-act"], capsys) == (None, "", "")


def test_a_terminal_is_left_to_the_app(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert _through_fast_path(["agreement", "founding-act"], capsys) == (None, "", "")


def test_broken_data_is_left_to_the_app(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise DataError([])

    monkeypatch.setattr(loader, "load", broken)
    assert _through_fast_path(["agreement", "founding-act"], capsys) == (None, "", "")


# The console script against the app alone, as whole processes with stdout a pipe.
ENTRY = "from nato_russia.entry import main; main()"
APP = "from nato_russia.cli.app import main; main()"
MODULES_AFTER = """
import json, sys
from nato_russia.entry import main
try:
    main()
finally:
    sys.stderr.write("\\n" + json.dumps(sorted(sys.modules)))
"""


def _run(code: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "args",
    [["agreement", "founding-act"], ["agreement", "nosuch"], ["topic", "ukraine"], ["nosuch", "x"]],
    ids=" ".join,
)
def test_the_console_script_reads_as_the_app(args: list[str]) -> None:
    entry = _run(ENTRY, args)
    app = _run(APP, args)
    assert (entry.returncode, entry.stdout, entry.stderr) == (
        app.returncode,
        app.stdout,
        app.stderr,
    )


@pytest.mark.parametrize(
    ("args", "typer_expected"),
    [
        (["agreement", "founding-act"], False),
        (["agreement", "nosuch"], True),
        (["agreement", "founding-act", "--json"], True),
    ],
    ids=str,
)
def test_only_a_piped_lookup_skips_typer(args: list[str], typer_expected: bool) -> None:
    _run(ENTRY, ["agreement", "founding-act"])  # fills the load cache
    done = _run(MODULES_AFTER, args)
    loaded = set(json.loads(done.stderr.splitlines()[-1]))
    assert ("typer" in loaded) is typer_expected  # click comes inside Typer (vendored)
