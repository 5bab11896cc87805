"""The terminal paths: colour, the pager, help and the man page (issue 11).

The terminal is one object (render.terminal.Terminal); tests fill common.TERMINAL_OVERRIDES to
stand at a terminal of a given size, as httpie's tests use a MockEnvironment, so that the
paths a pipe never takes are tested too.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nato_russia.cli import app as cli
from nato_russia.cli import common
from nato_russia.render.terminal import DEFAULT_PAGER, Terminal, page
from tests.conftest import ROOT

ANSI = "\x1b["


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    overrides: dict[str, object] = {"is_tty": True, "width": 100, "height": 1000}
    monkeypatch.setattr(common, "TERMINAL_OVERRIDES", overrides)
    return overrides


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(cli.app, list(args), env=env)
    return result.exit_code, result.stdout


def test_colour_at_a_terminal(runner: CliRunner, at_a_terminal: dict[str, object]) -> None:
    code, out = run(runner, "agreement", "founding-act", env={"NRR_PAGER": ""})
    assert code == 0
    assert ANSI in out


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("agreement", "founding-act"), {"NO_COLOR": "1"}),
        (("--no-color", "agreement", "founding-act"), {}),
        (("--color", "never", "agreement", "founding-act"), {}),
    ],
)
def test_no_colour_when_asked(
    runner: CliRunner,
    at_a_terminal: dict[str, object],
    args: tuple[str, ...],
    env: dict[str, str],
) -> None:
    code, out = run(runner, *args, env={"NRR_PAGER": "", **env})
    assert code == 0
    assert ANSI not in out
    assert "Founding Act" in out


def test_colour_always_even_in_a_pipe(runner: CliRunner) -> None:
    code, out = run(runner, "--color", "always", "agreement", "founding-act", "--format", "table")
    assert code == 0
    assert ANSI in out


def test_force_color(runner: CliRunner) -> None:
    terminal = Terminal.detect(environ={"FORCE_COLOR": "1"}, stdout=sys.stdout)
    assert terminal.color


def test_a_long_view_goes_through_the_pager(
    runner: CliRunner, at_a_terminal: dict[str, object], tmp_path: Path
) -> None:
    at_a_terminal["height"] = 10
    paged = tmp_path / "paged.txt"
    code, out = run(runner, "timeline", env={"NRR_PAGER": f"cat > {paged}"})
    assert (code, out) == (0, "")
    assert "london-summit-1990" in paged.read_text(encoding="utf-8")


def test_a_short_view_is_not_paged(
    runner: CliRunner, at_a_terminal: dict[str, object], tmp_path: Path
) -> None:
    paged = tmp_path / "paged.txt"
    code, out = run(runner, "timeline", "-n", "2", env={"NRR_PAGER": f"cat > {paged}"})
    assert code == 0
    assert "london-summit-1990" in out
    assert not paged.exists()


@pytest.mark.parametrize("how", [("--no-pager",), ()])
def test_no_pager_when_asked(
    runner: CliRunner, at_a_terminal: dict[str, object], tmp_path: Path, how: tuple[str, ...]
) -> None:
    at_a_terminal["height"] = 10
    paged = tmp_path / "paged.txt"
    env = {"NRR_PAGER": f"cat > {paged}"} if how else {"NRR_PAGER": ""}
    code, out = run(runner, *how, "timeline", env=env)
    assert code == 0
    assert "london-summit-1990" in out
    assert not paged.exists()


def test_never_paged_in_a_pipe(tmp_path: Path) -> None:
    paged = tmp_path / "paged.txt"
    result = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m nato_russia timeline | cat"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "NRR_PAGER": f"cat > {paged}"},
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("Date\tID\tEvent\tPlace\n")
    assert not paged.exists()


def test_the_default_pager() -> None:
    terminal = Terminal.detect(environ={}, stdout=sys.stdout)
    assert terminal.pager == DEFAULT_PAGER
    assert Terminal.detect(environ={"PAGER": "more"}).pager == "more"
    assert Terminal.detect(environ={"PAGER": "more", "NRR_PAGER": ""}).pager is None


def test_without_less_the_default_pager_is_not_started(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # less is looked for when output is about to be paged, not on every run: where it is
    # missing, the text is printed as it is, with no shell complaining on stderr.
    monkeypatch.setenv("PATH", str(tmp_path))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("no pager may be started without less")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    assert page("text\n", DEFAULT_PAGER) is False


@pytest.mark.parametrize(
    "environ",
    [
        {"COLUMNS": "123", "LINES": "45"},
        {"COLUMNS": "123"},
        {"LINES": "45"},
        {"COLUMNS": "0", "LINES": "-3"},
        {"COLUMNS": "wide", "LINES": " 50 "},
        {},
    ],
)
def test_the_size_is_found_as_shutil_finds_it(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]
) -> None:
    for name in ("COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    terminal = Terminal.detect(stdout=sys.stdout)
    assert (terminal.width, terminal.height) == tuple(shutil.get_terminal_size())


def test_a_search_at_a_terminal_fills_the_injected_screen(
    runner: CliRunner, at_a_terminal: dict[str, object]
) -> None:
    # The default limit is a screenful of the terminal the run was given, not of whatever
    # terminal the tests happen to run in.
    shown = []
    for height in (20, 30):
        at_a_terminal["height"] = height
        result = runner.invoke(cli.app, ["--no-pager", "search", "nato"])
        assert result.exit_code == 0
        last = result.stderr.strip().splitlines()[-1]  # "showing 12 of 586; --limit 0 ..."
        assert last.startswith("showing "), last
        shown.append(int(last.split()[1]))
    assert shown == [12, 22]  # the height less 8 lines


def test_global_options_may_follow_the_command() -> None:
    assert cli.global_options_first(["timeline", "--no-color", "--color", "never", "-n", "2"]) == [
        "--no-color",
        "--color",
        "never",
        "timeline",
        "-n",
        "2",
    ]
    assert cli.global_options_first(["search", "--", "--no-color"]) == [
        "search",
        "--",
        "--no-color",
    ]


def test_global_options_after_the_command_work_end_to_end() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nato_russia", "timeline", "-n", "1", "--no-color", "--no-pager"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


@pytest.mark.parametrize("args", [(), ("-h",), ("--help",)])
def test_bare_nrr_and_h_print_help_and_exit_0(runner: CliRunner, args: tuple[str, ...]) -> None:
    code, out = run(runner, *args)
    assert code == 0
    assert "nrr status" in out or "status" in out
    if not args:
        assert out.count("\n  nrr ") == 5  # five example commands


def test_help_groups_the_commands(runner: CliRunner) -> None:
    code, out = run(runner, "-h")
    assert code == 0
    for group in ("Where things stand:", "Read one record:", "List records:"):
        assert group in out
    assert "{QUERY}" not in out and "<str>" not in out


@pytest.mark.parametrize("command", [c for _, names in cli.COMMAND_GROUPS for c in names])
def test_every_command_has_help_with_examples(
    runner: CliRunner, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The examples run here: `nrr chart --svg chart.svg` must not leave a file in the
    # repository (the stray chart.svg at its root came from this test).
    monkeypatch.chdir(tmp_path)
    code, out = run(runner, command, "-h")
    assert code == 0
    assert "Examples:" in out or command in ("search", "export")
    assert "Examples:" in out
    for line in out.splitlines():
        if line.startswith("    nrr "):
            example = shlex.split(line.split("|")[0].split(">")[0])[1:]
            if "-o" not in example and "--data" not in " ".join(example):
                assert runner.invoke(cli.app, example).exit_code in (0, 1), example


def test_a_mistyped_command_suggests_only_close_ones() -> None:
    assert cli._no_such_command("No such command 'version'.") == "No such command 'version'."
    assert cli._no_such_command("No such command 'timelin'.") == (
        "No such command 'timelin'. Did you mean: timeline?"
    )


def test_the_man_page_renders(tmp_path: Path, runner: CliRunner) -> None:
    if shutil.which("man") is None:
        pytest.skip("no man on this machine (.ci/run installs it)")
    code, page = run(runner, "--help-man")
    assert code == 0
    path = tmp_path / "nrr.1"
    path.write_text(page, encoding="utf-8")
    shown = subprocess.run(
        ["man", "-l", str(path)],
        capture_output=True,
        text=True,
        env={"MANWIDTH": "80", "PATH": "/usr/bin:/bin", "MAN_KEEP_FORMATTING": ""},
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    for heading in ("NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "ENVIRONMENT"):
        assert heading in shown.stdout
    assert "nrr status" in shown.stdout
    assert "NRR_PAGER" in shown.stdout
