"""The fault catalogue (issue 10): hostile data, terminals, pipes, disks and arguments.

Each test names one way nrr could crash, hang, lie or let a file take over the reader's
terminal, and asserts the exact outcome: the message, the exit code, the files left behind.
Through the real entry point (a subprocess, or cli.main in-process) where the outcome depends
on it, since only there do usage errors and unexpected exceptions take their final form.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nato_russia import cache
from nato_russia.cli import app as cli
from nato_russia.cli import common
from nato_russia.errors import visible
from nato_russia.export import files
from tests.conftest import ROOT

NRR = [sys.executable, "-m", "nato_russia"]
ESCAPE = "\x1b]0;pwned\x07"  # retitles a terminal window
RAW = ("\x1b", "\x07", "\u202e")


def nrr(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    # Keyword arguments are environment variables.
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(env)
    return subprocess.run(
        [*NRR, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )


def assert_no_raw_controls(*texts: str) -> None:
    for text in texts:
        for raw in RAW:
            assert raw not in text, repr(text)


def test_visible_escapes_what_could_take_over_a_terminal() -> None:
    assert visible(f"a{ESCAPE}b \u202eevil\u2066 zero\u200bwidth \ud800 é\t") == (
        "a\\x1b]0;pwned\\x07b \\u202eevil\\u2066 zero\\u200bwidth \\ud800 é\\x09"
    )


EVENT = """- id: {id}
  title: {title}
  date: '1994'
  summary: Something happened.
  period: london-1990
  sources: [backgrounder-2015-12]
"""


def event(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "id": "fine",
        "title": "Fine",
        "date": "1994",
        "summary": "Something happened.",
        "period": "london-1990",
        "sources": ["backgrounder-2015-12"],
    }
    record.update(changes)
    return record


@pytest.mark.parametrize(
    ("record", "shown"),
    [
        (event(id=f"a{ESCAPE}"), "record a\\x1b]0;pwned\\x07: id: contains the control"),
        (event(title=f"x{ESCAPE}"), "title: contains the control character '\\x1b'"),
        ({**event(), f"col{ESCAPE}r": 1}, "col\\x1b]0;pwned\\x07r: unknown field"),
        (event(title="\x1b[31mred"), "contains the control character '\\x1b'"),
        (event(title="right\u202eto left"), "invisible formatting character '\\u202e'"),
        (event(title="zero\u200bwidth"), "invisible formatting character '\\u200b'"),
        (event(title="isolate\u2066d"), "invisible formatting character '\\u2066'"),
    ],
)
def test_escapes_in_data_are_refused_and_shown_visibly(
    tmp_path: Path, record: dict[str, object], shown: str
) -> None:
    (tmp_path / "events.json").write_text(json.dumps([record]), encoding="utf-8")
    result = nrr("validate", str(tmp_path))
    assert result.returncode == 1
    assert shown in result.stdout
    assert_no_raw_controls(result.stdout, result.stderr)
    result = nrr("timeline", "--data", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert_no_raw_controls(result.stdout, result.stderr)


def test_an_escape_in_a_file_name_is_shown_visibly(tmp_path: Path) -> None:
    directory = tmp_path / f"data{ESCAPE}"
    directory.mkdir()
    (directory / "events.json").write_text("[[1]]", encoding="utf-8")
    result = nrr("validate", str(directory))
    assert result.returncode == 1
    assert "data\\x1b]0;pwned\\x07/events.json" in result.stdout
    assert_no_raw_controls(result.stdout, result.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("search", f"zzz{ESCAPE}"),
        ("search", f"type:{ESCAPE}"),
        ("search", f"date:{ESCAPE}"),
        ("search", f"year:{ESCAPE}"),
        ("timeline", "--from", ESCAPE),
        ("agreement", ESCAPE),
        (f"time{ESCAPE}line",),
        ("export", "json", "-o", f"/nonexistent{ESCAPE}/x.json"),
        ("timeline", "--topic", ESCAPE),
    ],
)
def test_escapes_in_arguments_never_reach_the_terminal(args: tuple[str, ...]) -> None:
    result = nrr(*args)
    assert result.returncode in (0, 1, 2)  # a search finding nothing exits 0 (for now)
    assert result.stderr.count("\n") == 1
    assert "\\x1b" in result.stderr
    assert_no_raw_controls(result.stdout, result.stderr)


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv", "tsv", "markdown"])
def test_markup_prints_literally_in_every_format(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "events.yaml").write_text(
        EVENT.format(id="markup-1994", title='"[bold]hi[/] and [link=x]y[/link]"'),
        encoding="utf-8",
    )
    result = nrr("event", "markup-1994", "--data", str(tmp_path), "--format", fmt)
    assert result.returncode == 0
    assert "[bold]hi[/]" in result.stdout or "\\[bold\\]hi\\[/\\]" in result.stdout
    assert_no_raw_controls(result.stdout)


def test_an_order_beyond_reason_is_refused(tmp_path: Path) -> None:
    periods = (ROOT / "tests/fixtures/mini/periods.yaml").read_text(encoding="utf-8")
    (tmp_path / "periods.yaml").write_text(
        periods.replace("order: 1", "order: " + "9" * 40), encoding="utf-8"
    )
    for name in ("sources.yaml",):
        (tmp_path / name).write_text(
            (ROOT / "tests/fixtures/mini" / name).read_text(encoding="utf-8"), encoding="utf-8"
        )
    result = nrr("validate", "--no-bundled", str(tmp_path))
    assert result.returncode == 1
    assert "order: must be between -1,000,000 and 1,000,000" in result.stdout


def test_a_named_pipe_in_place_of_a_cache_entry_is_never_read(tmp_path: Path) -> None:
    cache_home = tmp_path / "cache"
    assert nrr("timeline", "--to", "1991", XDG_CACHE_HOME=str(cache_home)).returncode == 0
    (entry,) = (cache_home / "nrr").glob("dataset-*.json")
    entry.unlink()
    os.mkfifo(entry)
    digests = cache_home / "nrr" / "digests.json"
    digests.unlink()
    os.mkfifo(digests)
    result = nrr("timeline", "--to", "1991", timeout=30, XDG_CACHE_HOME=str(cache_home))
    assert result.returncode == 0 and result.stdout.startswith("Date\tID")


def test_a_directory_in_place_of_a_cache_entry_is_a_miss(tmp_path: Path) -> None:
    cache_home = tmp_path / "cache"
    assert nrr("timeline", "--to", "1991", XDG_CACHE_HOME=str(cache_home)).returncode == 0
    (entry,) = (cache_home / "nrr").glob("dataset-*.json")
    entry.unlink()
    entry.mkdir()
    result = nrr("timeline", "--to", "1991", XDG_CACHE_HOME=str(cache_home))
    assert (result.returncode, result.stderr) == (0, "")


def test_ctrl_c_during_a_cache_write_leaves_no_temporary_file(
    monkeypatch: pytest.MonkeyPatch, _private_cache: Path
) -> None:
    def interrupted(source: str, target: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        cache._write_atomically(_private_cache / "entry.bin", b"data")
    assert list(_private_cache.iterdir()) == []


def test_stray_temporary_files_are_pruned(_private_cache: Path) -> None:
    _private_cache.mkdir(parents=True, exist_ok=True)
    old, fresh = _private_cache / ".tmp-old", _private_cache / ".tmp-fresh"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    an_hour_and_more = time.time() - cache.STRAY_SECONDS - 60
    os.utime(old, (an_hour_and_more, an_hour_and_more))
    cache._prune(_private_cache)
    assert not old.exists()
    assert fresh.exists()  # it may belong to a write under way


def test_stdout_closed_is_one_line_and_exit_1() -> None:
    result = subprocess.run(
        ["bash", "-c", f"{' '.join(NRR)} timeline >&-"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (result.returncode, result.stderr) == (1, "Error: standard output is closed\n")


def test_a_full_disk_is_one_line_and_exit_1() -> None:
    result = subprocess.run(
        ["bash", "-c", f"{' '.join(NRR)} export json > /dev/full"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == "Error: cannot write the output: No space left on device\n"


def test_help_into_a_closed_pipe_is_quiet() -> None:
    result = subprocess.run(
        ["bash", "-c", f'{" ".join(NRR)} --help | head -c 0; echo "status=${{PIPESTATUS[0]}}"'],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (result.stdout, result.stderr) == ("status=0\n", "")


@pytest.mark.parametrize(("fmt", "encoding"), [("table", "latin-1"), ("", "ascii")])
def test_an_output_encoding_that_cannot_show_the_data(fmt: str, encoding: str) -> None:
    # (Machine formats are UTF-8 whatever the locale; these are the outputs for people.)
    result = subprocess.run(
        [*NRR, "event", "london-summit-1990", *(["--format", fmt] if fmt else [])],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": encoding},
        cwd=ROOT,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, b"")
    out = result.stdout.decode(encoding)
    assert "Manfred W" in out
    if encoding == "ascii":
        assert "W\\xf6rner" in out  # shown as an escape, not a crash


def test_sigterm_during_an_export_leaves_nothing_behind(tmp_path: Path) -> None:
    events = [
        {
            "id": f"event-{i}",
            "title": f"Generated event {i}",
            "date": f"{1990 + i % 30}",
            "summary": "A generated event " * 20,
            "period": "london-1990",
            "sources": ["backgrounder-2015-12"],
        }
        for i in range(5_000)
    ]
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.json").write_text(json.dumps(events), encoding="utf-8")
    target = tmp_path / "out" / "export.db"
    target.parent.mkdir()
    process = subprocess.Popen(
        [*NRR, "export", "sqlite", "-o", str(target), "--data", str(data), "--no-cache"],
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    # The signal comes while the export writes its file. The state to wait for is its
    # temporary file in the output directory; the process is then stopped where it is, so
    # that it cannot finish between the look and the signal, and the look is made again.
    deadline = time.monotonic() + 60
    while not any(target.parent.iterdir()) and process.poll() is None:
        assert time.monotonic() < deadline, "the export never began writing"
        time.sleep(0.001)
    process.send_signal(signal.SIGSTOP)
    finished = target.exists() or process.poll() is not None
    process.send_signal(signal.SIGTERM)
    process.send_signal(signal.SIGCONT)
    _, err = process.communicate(timeout=60)
    if finished:
        pytest.skip("the export finished before the signal came")
    assert (process.returncode, err) == (143, "Terminated.\n")
    assert list(target.parent.iterdir()) == []


class _Terminated(Exception):
    """What the app's SIGTERM handler raises, in a test that installs one of its own."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


@pytest.mark.parametrize("writer", ["export", "cache"])
def test_a_signal_the_moment_a_temporary_file_exists_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writer: str
) -> None:
    # The race test above can miss the moment between mkstemp and the `try` that removes its
    # file: here the signal comes exactly then, sent by mkstemp itself as it returns.
    made = tempfile.mkstemp

    def mkstemp_then_signal(*args: Any, **kwargs: Any) -> tuple[int, str]:
        handle_and_name = made(*args, **kwargs)
        # To this thread: nrr runs in one, where a signal to the process comes to it; the
        # test runner's worker has others, which would take a signal sent to the process.
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)
        return handle_and_name

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp_then_signal)
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        with pytest.raises(_Terminated):
            if writer == "export":
                files.write_atomically(tmp_path / "out.txt", Path.touch, force=False)
            else:
                cache._write_atomically(tmp_path / "entry.json", b"{}")
        # Released on every path: a mask left behind would hold every later signal back
        # (and be inherited by every process started from here).
        assert not {signal.SIGINT, signal.SIGTERM} & signal.pthread_sigmask(signal.SIG_BLOCK, [])
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
        signal.signal(signal.SIGTERM, previous)
    assert list(tmp_path.iterdir()) == []


def test_signals_are_released_when_no_temporary_file_can_be_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise ValueError("refused")

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    try:
        with pytest.raises(ValueError):
            files.write_atomically(tmp_path / "out.txt", Path.touch, force=False)
        with pytest.raises(ValueError):
            cache._write_atomically(tmp_path / "entry.json", b"{}")
        assert not {signal.SIGINT, signal.SIGTERM} & signal.pthread_sigmask(signal.SIG_BLOCK, [])
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


def test_ctrl_c_at_start_up_is_quiet() -> None:
    process = subprocess.Popen(
        [*NRR, "timeline"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    time.sleep(0.15)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the command finished before the signal came")
    # A shell reports 130 both for exit(130) and for death by SIGINT (-2 here), which is
    # how Python ends when the interrupt lands in its own start-up or shutdown.
    assert process.returncode in (130, -signal.SIGINT)
    assert err in ("", "Interrupted.\n", "\nInterrupted.\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("timeline", "--data", ""), "Error: Invalid value for --data: give a path"),
        (("timeline", "--from", "2000", "--to", "1990"), "--from 2000 comes after --to 1990"),
        (("export", "json", "--from", "2000", "--to", "1990"), "--from 2000 comes after"),
    ],
)
def test_arguments_that_name_nothing_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    result = nrr(*args)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_a_very_long_data_path_is_one_line() -> None:
    result = nrr("timeline", "--data", "x" * 5000)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: xxx")
    assert "File name too long" in result.stderr
    assert result.stderr.count("\n") == 1 and len(result.stderr) < 400


@pytest.mark.parametrize("cword", ["-5", "0", "99999999999999999999", "x"])
def test_completion_with_a_cursor_out_of_range(cword: str) -> None:
    result = nrr(_NRR_COMPLETE="complete_bash", COMP_WORDS="nrr agreement f", COMP_CWORD=cword)
    assert result.returncode == 0
    assert "Traceback" not in result.stderr


def test_an_unexpected_exception_is_one_line_naming_the_bug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(common, "load_dataset", broken)
    monkeypatch.setattr(sys, "argv", ["nrr", "timeline"])
    monkeypatch.delenv(cli.ENV_DEBUG, raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 1
    assert capsys.readouterr().err == (
        "Error: nrr hit a bug (RuntimeError: something nobody expected); please report it. "
        "NRR_DEBUG=1 shows the traceback.\n"
    )
    monkeypatch.setenv(cli.ENV_DEBUG, "1")
    with pytest.raises(RuntimeError):
        cli.main()


def test_a_narrow_terminal_loses_no_character_of_a_wide_table() -> None:
    import io
    from collections import Counter

    from rich.console import Console

    from nato_russia.loader import load_bundled
    from nato_russia.query import sorted_records
    from nato_russia.render import views
    from nato_russia.render.rich_out import print_table

    dataset = load_bundled()
    tables = [
        views.timeline_table(dataset, dataset.events()),
        views.list_table(dataset, "source", sorted_records(dataset, "source")),
    ]
    for view in tables:
        for width in (40, 60, 80):
            file = io.StringIO()
            console = Console(
                width=width, file=file, force_terminal=True, color_system=None, _environ={}
            )
            print_table(view, console, wide=True)  # --wide: every column, every character
            out = file.getvalue()
            # A line may be wider only where it is one id or address longer than the screen,
            # printed whole so that it stays one word a terminal can select or open.
            for line in out.splitlines():
                assert len(line) <= width or " " not in line.strip().split("] ")[-1], line
            wanted = Counter("".join(c.text for row in view.rows for c in row).replace(" ", ""))
            assert not wanted - Counter(out), (view.title, width)


ARGUMENT = st.one_of(
    st.sampled_from(
        [
            "timeline",
            "search",
            "status",
            "event",
            "agreement",
            "export",
            "json",
            "--from",
            "--to",
            "--format",
            "--limit",
            "--data",
            "--json",
            "-o",
            "1994",
            "2014-02-30",
            "type:event",
            "date:1990..",
            "founding-act",
            "-1",
            "",
            # The second catalogue's (issue 20): the newer commands and the calendar's edges.
            "chart",
            "cite",
            "compare",
            "topic",
            "--style",
            "bibtex",
            "9999-12-31",
            "0001-01-01",
            "1989",
            "x" * 300,
        ]
    ),
    st.text(max_size=12),
)


# A bounded run in CI; NRR_FUZZ_EXAMPLES=2000 uv run pytest tests/test_faults.py for a long one.
FUZZ_EXAMPLES = int(os.environ.get("NRR_FUZZ_EXAMPLES", "60"))


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(args=st.lists(ARGUMENT, max_size=5))
def test_any_argument_list_ends_in_a_documented_way(
    args: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Generated command lines through the real entry point: exit 0, 1 or 2, a one-line
    error, never a bug report, never a raw control character, JSON that parses, and nothing
    written outside the output path."""
    before = set(os.listdir(tmp_path))
    argv = [a.replace("-o", str(tmp_path / "out")) if a == "-o" else a for a in args]
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        with pytest.raises(SystemExit) as exit_:
            sys.argv = ["nrr", *argv]
            cli.main()
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    assert exit_.value.code in (0, 1, 2)
    assert "hit a bug" not in err
    assert_no_raw_controls(out, err)
    if exit_.value.code and err:
        assert err.count("\n") == 1 or err.startswith("Usage:"), err
    if "--json" in argv and exit_.value.code == 0 and out.strip().startswith(("[", "{")):
        json.loads(out)
    assert set(os.listdir(tmp_path)) - before <= {"out"}


def test_the_strict_runner_lets_a_bug_raise(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The guard every CLI test relies on: a bug raises rather than passing as exit 1.
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError

    monkeypatch.setattr(common, "load_dataset", broken)
    with pytest.raises(ZeroDivisionError):
        runner.invoke(cli.app, ["timeline"])


def test_a_query_shown_as_a_table_title_is_made_visible() -> None:
    from nato_russia.render.views import search_table

    assert search_table(f"missile{ESCAPE}", []).title == "Search: missile\\x1b]0;pwned\\x07"


# --- the second catalogue (issue 20): the newer record types, status, chart, cite, the edges


def small_dataset(directory: Path, **files: list[dict[str, object]]) -> Path:
    """The audit's small valid dataset (faults-2026-12.md, `base`), with any record file
    replaced by the records given for it (`state_changes=[...]`)."""
    records: dict[str, list[dict[str, object]]] = {
        "sources": [
            {"id": "s1", "title": "Src", "publisher": "Pub", "kind": "news", "tier": "newspaper"}
        ],
        "periods": [
            {
                "id": "p1",
                "title": "Per",
                "date": "1990/2015",
                "order": 1,
                "summary": "A period.",
                "sources": ["s1"],
            }
        ],
        "events": [
            {
                "id": "e1",
                "title": "Ev one",
                "date": "1994-06-22",
                "summary": "S.",
                "period": "p1",
                "sources": ["s1"],
            }
        ],
        "actors": [
            {
                "id": "a1",
                "name": "Actor One",
                "kind": "person",
                "role": "Role",
                "summary": "Sum.",
                "sources": ["s1"],
            }
        ],
        "channels": [
            {
                "id": "c1",
                "title": "Chan one",
                "order": 1,
                "summary": "C.",
                "states": ["open", "closed"],
                "sources": ["s1"],
            }
        ],
        "state_changes": [state_change("sc1", "1994-06-22", "open")],
    }
    records.update(files)
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in records.items():
        (directory / f"{name}.json").write_text(json.dumps(content), encoding="utf-8")
    return directory


def state_change(id_: str, date: str, state: str) -> dict[str, object]:
    return {
        "id": id_,
        "channel": "c1",
        "date": date,
        "state": state,
        "title": "T",
        "summary": "S.",
        "sources": ["s1"],
    }


def main_with(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """One run through the real entry point in-process: exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["nrr", *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    out, err = capsys.readouterr()
    code = exit_.value.code
    return (code if isinstance(code, int) else 0 if code is None else 1), out, err


@pytest.mark.parametrize(
    "args",
    [
        ("chart", "--from", "9999-12-31", "--width", "60"),
        ("chart", "--from", "9999-12-31", "--svg", "-"),
        ("chart", "--to", "1989", "--width", "60"),
        ("chart", "--to", "1989", "--svg", "-"),
        ("chart", "--from", "2027", "--width", "60"),
        ("chart", "--from", "1950", "--to", "1960", "--svg", "-"),
    ],
)
def test_a_chart_wholly_outside_the_data_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, out, err = main_with(monkeypatch, capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith("Error: nothing to draw from ") and err.count("\n") == 1, err
    assert "the data runs from 1990 to February 2026" in err


@pytest.mark.parametrize(
    "args", [("--to", "9999-12-31", "--svg", "-"), ("--from", "0001-01-01", "--width", "60")]
)
def test_a_chart_to_the_ends_of_the_calendar_is_drawn(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: tuple[str, ...],
) -> None:
    mine = small_dataset(tmp_path / "mine")
    code, out, err = main_with(
        monkeypatch, capsys, "chart", "--no-bundled", "--data", str(mine), *args
    )
    assert code == 0, err
    assert "9999" in out or "1 to 22 June 1994" in out


def test_a_bound_at_the_end_of_the_calendar_is_worded() -> None:
    from nato_russia.chart import day_wording

    assert day_wording(dt.date.max, upper=False) == "31 December 9999"
    assert day_wording(dt.date.max, upper=True) == "9999"
    assert day_wording(dt.date(2024, 2, 29), upper=True) == "February 2024"


def test_a_chart_wider_than_the_terminal_wraps_under_a_note() -> None:
    from nato_russia import chart
    from nato_russia.loader import load_bundled
    from nato_russia.render import chart_text
    from tests.conftest import render_at

    picture = chart.build(load_bundled())
    out = render_at(20, lambda console: chart_text.draw(picture, console))
    assert "The picture is 40" in out
    # Nothing is cut at the terminal's edge: the axis keeps its later years, and the lane
    # that begins in 2008 still shows.
    assert "2010 2015  2020" in out
    lines = out.splitlines()
    practical = lines.index("Practical cooperation")
    assert lines[practical + 1].strip()


# The edges of the calendar and of the bundled data, drawn as often as any other day.
EDGE = st.sampled_from(["9999-12-31", "0001-01-01", "1989", "1990", "2026-02", "2027", "9999"])
DAY = st.one_of(
    EDGE,
    EDGE,
    st.dates().map(dt.date.isoformat),
    st.dates().map(lambda day: f"{day.year:04d}-{day.month:02d}"),
)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    command=st.sampled_from(["chart", "chart-svg", "status", "compare"]),
    first=DAY,
    second=st.none() | DAY,
)
def test_any_date_ends_in_a_documented_way(
    command: str,
    first: str,
    second: str | None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Valid dates anywhere in the calendar, at its edges and outside the data: exit 0, 1 or
    2 with at most one error line, never a bug report."""
    if command.startswith("chart"):
        args = ["chart", "--from", first] + (["--to", second] if second else [])
        args += ["--svg", "-"] if command == "chart-svg" else ["--width", "60"]
    elif command == "status":
        args = ["status", first, "--json"]
    else:
        args = ["compare", first, second or first]
    monkeypatch.delenv(cli.ENV_DEBUG, raising=False)
    code, _, err = main_with(monkeypatch, capsys, *args)
    assert code in (0, 1, 2)
    assert "hit a bug" not in err
    if code:
        assert err.count("Error:") == 1 and err.endswith("\n"), err


@pytest.mark.parametrize(
    "title", ["Just }unbalanced", "Just {unbalanced", "x}}, author = {Mallory"]
)
def test_bibtex_of_an_unbalanced_brace_keeps_every_entry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, title: str
) -> None:
    from tests.test_cite import read_as_bibtex_does, read_bibtex

    source = {"publisher": "Pub", "kind": "official-text", "tier": "official"}
    mine = small_dataset(
        tmp_path / "bib",
        sources=[
            {"id": "s1", "title": title, "date": "1994-06-22", **source},
            {"id": "s2", "title": "Second", "date": "1994", **source},
        ],
        events=[
            {
                "id": "e1",
                "title": "Ev",
                "date": "1994-06-22",
                "summary": "S.",
                "period": "p1",
                "sources": ["s1", "s2"],
            }
        ],
    )
    code, out, err = main_with(
        monkeypatch, capsys, "cite", "e1", "--style", "bibtex", "--no-bundled", "--data", str(mine)
    )
    assert code == 0, err
    entries = read_as_bibtex_does(out)
    assert list(entries) == ["s1", "s2"] and "date" in entries["s1"]
    assert read_bibtex(out)[0]["s1"]["title"] == title


@pytest.mark.parametrize(
    "args",
    [
        ("export", "json", "-o", "/dev/stdout"),
        ("export", "json", "-o", "/dev/fd/1"),
        ("chart", "--svg", "/dev/stdout"),
    ],
)
def test_standard_output_named_as_the_target_writes_into_a_pipe(args: tuple[str, ...]) -> None:
    result = nrr(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(("{", "<?xml"))
    assert result.stderr == f"wrote {args[-1]}\n"


@pytest.mark.parametrize("force", [(), ("--force",)])
def test_standard_output_appending_to_a_file_keeps_what_it_held(
    tmp_path: Path, force: tuple[str, ...]
) -> None:
    log = tmp_path / "log"
    log.write_text("keep\n", encoding="utf-8")
    with open(log, "a", encoding="utf-8") as appending:
        result = subprocess.run(
            [*NRR, "chart", "--svg", "/dev/stdout", *force],
            stdout=appending,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
            cwd=ROOT,
        )
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8").startswith("keep\n<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log"]


@pytest.mark.parametrize("pager", ["/nonexistent/pager", "/dev/null"])  # not found; not runnable
def test_a_pager_that_cannot_start_loses_no_output(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, pager: str
) -> None:
    monkeypatch.setattr(common, "TERMINAL_OVERRIDES", {"is_tty": True, "width": 100, "height": 10})
    result = runner.invoke(cli.app, ["timeline"], env={"NRR_PAGER": pager})
    assert result.exit_code == 0
    assert "london-summit-1990" in result.stdout


def test_completion_without_the_words_offers_nothing() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "COMP_WORDS"}
    environment.update(_NRR_COMPLETE="complete_bash", COMP_CWORD="2")
    result = subprocess.run(
        NRR, capture_output=True, text=True, env=environment, timeout=60, check=False, cwd=ROOT
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_ctrl_c_once_the_entry_module_runs_is_quiet() -> None:
    # The interrupt arrives after nato_russia.entry is imported and before its main() runs:
    # the earliest moment nrr's own code can catch it, and no `try` of main's is open yet.
    script = "import os, signal, nato_russia.entry; os.kill(os.getpid(), signal.SIGINT)"
    result = subprocess.run(
        [sys.executable, "-c", script + "; nato_russia.entry.main()"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert (result.returncode, result.stderr) == (130, "Interrupted.\n")


def test_ctrl_c_at_any_moment_of_start_up_is_quiet() -> None:
    # From the first moment nrr's code runs (the console script's import of the entry module)
    # to the end: Python's own start-up, before any nrr code, may still print a traceback.
    for delay in (0.02, 0.05, 0.08, 0.12, 0.2):
        process = subprocess.Popen(
            [*NRR, "timeline"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
        )
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        if "Traceback" in err:
            # Only before nrr's code can catch it: in Python's start-up, or in the imports of
            # nato_russia/__main__.py and of entry.py that come before its handler.
            lines = err.splitlines()
            ours = [
                (frame, code.strip())
                for frame, code in zip(lines, [*lines[1:], ""], strict=True)
                if frame.lstrip().startswith("File ") and f"{os.sep}nato_russia{os.sep}" in frame
            ]
            for frame, code in ours:
                assert "__main__.py" in frame or code.startswith(("import ", "from ")), err
        else:
            assert process.returncode in (0, 130, -signal.SIGINT), err


LONG = "x" * 5000


@pytest.mark.parametrize(
    "args",
    [
        ("event", LONG),
        ("cite", LONG),
        ("topic", LONG),
        ("status", LONG),
        ("compare", LONG, "2000"),
        ("chart", "--from", LONG),
        ("topic", "arms-control", "--from", LONG),
        ("timeline", "--from", LONG),
        ("timeline", "--limit", LONG),
        ("timeline", "--format", LONG),
        ("export", LONG),
        (LONG,),
    ],
)
def test_a_long_argument_is_shortened_in_the_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, _, err = main_with(monkeypatch, capsys, *args)
    assert code in (1, 2)
    assert err.count("\n") == 1 and len(err) < 300, err[:300]
    assert "x" * 79 + "\u2026" in err


def test_shortened_arguments() -> None:
    from nato_russia.errors import short_arguments, shortened

    assert shortened("y" * 80) == "y" * 80
    assert shortened("y" * 81) == "y" * 79 + "\u2026"
    assert (
        short_arguments(f"bad value '{'a b ' * 30}'.") == f"bad value '{('a b ' * 30)[:79]}\u2026'."
    )
    assert short_arguments(f"No such command {'z' * 100}.") == f"No such command {'z' * 79}\u2026"


def term(id_: str, start: str, end: str | None = None) -> dict[str, object]:
    record: dict[str, object] = {
        "id": id_,
        "actor": "a1",
        "office": "Office",
        "start": start,
        "sources": ["s1"],
    }
    if end is not None:
        record["end"] = end
    return record


def dataset_record(covers: str, checked: str) -> dict[str, object]:
    return {
        "id": "d1",
        "title": "D",
        "covers": covers,
        "checked": checked,
        "summary": "S.",
        "sources": ["s1"],
    }


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        (  # F4: a month and a day in it
            {
                "state_changes": [
                    state_change("a", "1994-06", "open"),
                    state_change("b", "1994-06-22", "closed"),
                ]
            },
            "state_changes.json:1: record b: date: 1994-06-22 overlaps 1994-06, when channel c1 "
            "also changes (a): which comes first is undecided",
        ),
        (  # F4: a year and a day in it, in the other order of the file
            {
                "state_changes": [
                    state_change("b", "1994-06-22", "closed"),
                    state_change("a", "1994", "open"),
                ]
            },
            "record b: date: 1994-06-22 overlaps 1994, when channel c1 also changes (a)",
        ),
        (  # F5
            {"terms": [term("t1", "2000", "1990")]},
            "terms.json:1: record t1: end: 1990 is before the start (2000)",
        ),
        (  # F5: the end before any day the start can mean
            {"terms": [term("t1", "2000-05", "2000-05-01")]},
            "record t1: end: 2000-05-01 is before the start (2000-05)",
        ),
        (  # F6: two terms still running
            {"terms": [term("t1", "1990"), term("t2", "1995")]},
            "record t2: start: 1995 is inside term t1 of the same person and office, which is "
            "still running",
        ),
        (  # F6
            {"terms": [term("t2", "1995-03", "1999"), term("t1", "1990", "1996")]},
            "record t2: start: 1995-03 is inside term t1 of the same person and office, which "
            "ends 1996",
        ),
        (  # F7
            {
                "datasets": [dataset_record("1990/2015", "2016-01-01")],
                "state_changes": [state_change("late", "2030-01-01", "open")],
            },
            "record late: date: 2030-01-01 is outside what its dataset covers (d1: 1990-01-01 "
            "to 2015-12-31)",
        ),
        (  # F7: an event before the span (a state change may come before it)
            {
                "datasets": [dataset_record("1990/2015", "2016-01-01")],
                "events": [
                    {
                        "id": "e1",
                        "title": "Ev one",
                        "date": "1989-11-09",
                        "summary": "S.",
                        "period": "p1",
                        "sources": ["s1"],
                    }
                ],
            },
            "record e1: date: 1989-11-09 is outside what its dataset covers",
        ),
        (  # F8
            {"datasets": [dataset_record("1990/2015", "1980")]},
            "datasets.json:1: record d1: checked: 1980 is before the end of the span it covers "
            "(1990/2015)",
        ),
    ],
)
def test_dates_that_contradict_each_other_are_refused(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    files: dict[str, list[dict[str, object]]],
    problem: str,
) -> None:
    mine = small_dataset(tmp_path / "mine", **files)
    code, out, err = main_with(monkeypatch, capsys, "validate", "--no-bundled", str(mine))
    assert code == 1
    found = [line for line in (out + err).splitlines() if line.startswith(str(mine))]
    assert len(found) == 1 and problem in found[0], out + err


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", "file:///etc/passwd", "https://a b", "ftp://x"]
)
def test_a_source_address_that_is_not_a_web_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    source = {"id": "s1", "title": "Src", "publisher": "Pub", "kind": "news", "tier": "newspaper"}
    mine = small_dataset(tmp_path / "mine", sources=[{**source, "url": url}])
    code, out, err = main_with(monkeypatch, capsys, "validate", "--no-bundled", str(mine))
    assert code == 1
    assert f"sources.json:1: record s1: url: {url!r} is not a web address" in out + err


def test_changes_and_terms_that_follow_each_other_pass(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mine = small_dataset(
        tmp_path / "mine",
        state_changes=[
            state_change("before", "1988-06-01", "closed"),  # the state the coverage begins with
            state_change("a", "1994-06", "open"),
            state_change("b", "1994-07-01", "closed"),
        ],
        terms=[
            term("t1", "1990", "1995-05-07"),
            term("t2", "1995-05-07", "2000"),
            term("t3", "2000"),
        ],
        datasets=[dataset_record("1990/2015", "2015")],
    )
    code, out, err = main_with(monkeypatch, capsys, "validate", "--no-bundled", str(mine))
    assert code == 0, out + err


def test_search_at_40_columns_keeps_each_hits_id_title_and_match(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    from nato_russia.loader import load_bundled
    from nato_russia.querylang import parse_query
    from nato_russia.search import search

    monkeypatch.setattr(common, "TERMINAL_OVERRIDES", {"is_tty": True, "width": 40, "height": 1000})
    result = runner.invoke(
        cli.app, ["--no-color", "search", "founding act", "-n", "3"], env={"NRR_PAGER": ""}
    )
    assert result.exit_code == 0
    out = re.sub(r"\x1b\]8;[^\x1b]*\x1b\\", "", result.stdout)  # terminal links, if any
    assert all(len(line) <= 40 for line in out.splitlines()), out
    flat = " ".join(out.split())
    hits = search(load_bundled(), parse_query("founding act"), limit=3).hits
    assert len(hits) == 3
    for hit in hits:
        # The id and title whole; the match at least as far as its first words.
        assert hit.record.id in flat and hit.record.label in flat, (hit.record.id, flat)
        start = " ".join(hit.snippet.lstrip("\u2026").split()[:4])
        assert start in flat, (start, flat)


def test_a_value_of_the_wrong_type_is_shown_as_the_file_has_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mine = small_dataset(
        tmp_path / "mine",
        sources=[
            {"id": "s1", "title": True, "publisher": "Pub", "kind": "news", "tier": "newspaper"}
        ],
    )
    (mine / "state_changes.json").unlink()
    (mine / "state_changes.yaml").write_text(
        "- id: sc1\n  channel: c1\n  date: 1994-06-22 10:00:00\n  state: yes\n"
        "  title: T\n  summary: S.\n  sources: [s1]\n",
        encoding="utf-8",
    )
    code, out, err = main_with(monkeypatch, capsys, "validate", "--no-bundled", str(mine))
    assert code == 1
    shown = out + err
    assert (
        "state_changes.yaml:3: record sc1: date: expected a date string such as '1994-06', "
        "got 1994-06-22 10:00:00\n" in shown
    )
    assert "state_changes.yaml:4: record sc1: state: expected non-empty text, got yes\n" in shown
    assert "sources.json:1: record s1: title: expected non-empty text, got true\n" in shown
    assert "datetime" not in shown and "True" not in shown


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (os.mkfifo, "a named pipe"),
        (lambda path: os.symlink("/dev/zero", path), "a device"),
        (lambda path: os.symlink(path.parent / "nowhere", path), "a symbolic link to nothing"),
    ],
)
def test_a_record_file_that_is_not_a_regular_file_is_named(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    make: Any,
    kind: str,
) -> None:
    mine = small_dataset(tmp_path / "mine")
    events = mine / "events.json"
    events.unlink()
    make(events)
    for named in (mine, events):
        code, out, err = main_with(monkeypatch, capsys, "validate", "--no-bundled", str(named))
        assert code == 1
        assert f"{events}: not a regular file ({kind})" in out + err, out + err


def test_status_takes_the_start_of_the_data_from_its_records(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # No datasets file: the data begins with its earliest record, not in 1990.
    mine = small_dataset(tmp_path / "mine", state_changes=[state_change("old", "1900", "open")])
    args = ("--no-bundled", "--data", str(mine))
    code, out, err = main_with(monkeypatch, capsys, "status", "1950", *args)
    assert code == 0 and "nothing to tell yet" not in err, err
    assert "1900" in out
    code, _, err = main_with(monkeypatch, capsys, "status", "1899", *args)
    assert code == 0 and "nothing to tell yet: the data begins in 1900" in err, err


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"XDG_CACHE_HOME": "/abs/cache", "HOME": "/home/u"}, "/abs/cache/nrr"),
        ({"XDG_CACHE_HOME": "relcache", "HOME": "{home}"}, "{home}/.cache/nrr"),
        ({"XDG_CACHE_HOME": "", "HOME": "{home}"}, "{home}/.cache/nrr"),
        ({"HOME": "relhome"}, None),
        ({"HOME": ""}, None),
        ({"HOME": "/nonexistent"}, None),
        ({"XDG_CACHE_HOME": "relcache", "HOME": "relhome"}, None),
    ],
)
def test_the_cache_goes_only_where_the_xdg_rule_says(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    environment: dict[str, str],
    expected: str | None,
) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value.replace("{home}", str(tmp_path)))
    found = cache.cache_dir()
    wanted = None if expected is None else Path(expected.replace("{home}", str(tmp_path)))
    assert found == wanted


def test_a_relative_cache_location_writes_nothing_where_nrr_runs(tmp_path: Path) -> None:
    for environment in ({"XDG_CACHE_HOME": "relcache"}, {"XDG_CACHE_HOME": "", "HOME": "relhome"}):
        result = subprocess.run(
            [*NRR, "status", "2014"],
            capture_output=True,
            text=True,
            env={**os.environ, **environment},
            timeout=60,
            check=False,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert list(tmp_path.iterdir()) == []
