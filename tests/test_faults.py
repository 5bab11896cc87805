"""The fault catalogue (issue 10): hostile data, terminals, pipes, disks and arguments.

Each test names one way nrr could crash, hang, lie or let a file take over the reader's
terminal, and asserts the exact outcome: the message, the exit code, the files left behind.
Through the real entry point (a subprocess, or cli.main in-process) where the outcome depends
on it, since only there do usage errors and unexpected exceptions take their final form.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from nato_russia import cache
from nato_russia.cli import app as cli
from nato_russia.cli import common
from nato_russia.errors import visible
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
