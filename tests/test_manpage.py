"""nrr --help-man: the EXAMPLES section is made from the commands' own -h examples."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import typer.core
import typer.main
from typer.testing import CliRunner

from nato_russia.cli.app import app
from nato_russia.cli.common import examples
from nato_russia.manpage import examples_in, manpage


def _section(page: str, name: str) -> str:
    return page.split(f".SH {name}\n", 1)[1].split("\n.SH ", 1)[0]


def test_examples_in_reads_what_the_help_writes() -> None:
    epilog = "Some words.\n\n" + examples("nrr status", "nrr cite founding-act --style apa")
    assert examples_in(epilog) == ["nrr status", "nrr cite founding-act --style apa"]
    assert examples_in("No examples here.") == []
    assert examples_in(None) == []


def test_every_commands_examples_are_in_the_man_page() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    page = manpage(group)
    section = _section(page, "EXAMPLES")
    context = group.make_context("nrr", [], resilient_parsing=True)
    wanted = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        wanted += examples_in(command.epilog)
    assert len(wanted) > 40  # every command has some
    shown = [line.replace("\\-", "-") for line in section.splitlines()]
    assert [line for line in shown if line.startswith("nrr ")] == wanted
    # A pasted example must have ASCII hyphens: groff may print a bare '-' as U+2010.
    assert "nrr cite founding\\-act \\-\\-style apa" in section.splitlines()
    assert page.index(".SH COMMANDS") < page.index(".SH EXAMPLES") < page.index(".SH EXIT STATUS")


def test_the_examples_render(tmp_path: Path, runner: CliRunner) -> None:
    if shutil.which("man") is None:
        pytest.skip("no man on this machine (.ci/run installs it)")
    result = runner.invoke(app, ["--help-man"], catch_exceptions=False)
    path = tmp_path / "nrr.1"
    path.write_text(result.stdout, encoding="utf-8")
    shown = subprocess.run(
        ["man", "-l", str(path)],
        capture_output=True,
        text=True,
        env={
            "MANWIDTH": "80",
            "PATH": "/usr/bin:/bin",
            "MAN_KEEP_FORMATTING": "",
            "LANG": "C.UTF-8",
        },
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    examples_part = shown.stdout.split("\nEXAMPLES\n", 1)[1].split("\nEXIT STATUS\n", 1)[0]
    lines = [line.strip() for line in examples_part.splitlines()]
    assert "nrr compare 2014" in lines
    assert "nrr cite founding-act --style apa" in lines
