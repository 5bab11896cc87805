"""Id completion answered early (no Typer import) agrees with Typer's own completion."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nato_russia.completion import ID_COMMANDS, bundled_ids
from nato_russia.model import RECORD_TYPES, Dataset

# Runs the console script's entry point and reports which heavy modules it imported.
FAST = """
import sys
try:
    from nato_russia.entry import main
    main()
finally:
    print(sorted(m for m in ("typer", "rich", "yaml") if m in sys.modules), file=sys.stderr)
"""
TYPER = "from nato_russia.cli import main; main()"


def complete(code: str, shell: str, line: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NRR_DATA"}
    env["_NRR_COMPLETE"] = f"complete_{shell}"
    if shell == "bash":
        words = line.split(" ")
        env["COMP_WORDS"] = line
        env["COMP_CWORD"] = str(len(words) - 1)
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_the_id_scan_finds_exactly_the_loaded_ids(bundled: Dataset, type_name: str) -> None:
    command = RECORD_TYPES[type_name].command()
    assert sorted(bundled_ids(command)) == sorted(bundled.of_type(type_name))


def test_completion_knows_every_detail_command_and_its_file() -> None:
    # completion.py keeps its own copy so that a TAB press need not import the model.
    assert {cls.command(): cls.plural for cls in RECORD_TYPES.values()} == ID_COMMANDS


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize(
    "line",
    [
        "nrr agreement ",
        "nrr agreement f",
        "nrr agreement --json l",
        "nrr actor ",
        "nrr period ",
        "nrr timeline --period ",
        "nrr timeline --json --actor p",
        "nrr event zzz",
    ],
)
def test_early_answers_match_typer_and_import_nothing_heavy(shell: str, line: str) -> None:
    fast = complete(FAST, shell, line)
    slow = complete(TYPER, shell, line)
    assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
    assert fast.stdout.strip() == slow.stdout.strip()
    assert fast.stderr.strip() == "[]"


def test_agreement_ids_are_offered(bundled: Dataset) -> None:
    out = complete(FAST, "bash", "nrr agreement f").stdout.split()
    assert "founding-act" in out
    assert all(i.startswith("f") for i in out)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("nrr agr", "agreement"),  # command names are Typer's to complete
        ("nrr timeline --to", "--topic"),
    ],
)
def test_other_words_fall_through_to_typer(line: str, expected: str) -> None:
    result = complete(FAST, "bash", line)
    assert expected in result.stdout.split()
    assert "typer" in result.stderr


def test_user_data_falls_through_to_typer(tmp_path: object) -> None:
    result = complete(FAST, "bash", "nrr agreement ", NRR_DATA="/nonexistent")
    assert "typer" in result.stderr


@pytest.mark.parametrize(("line", "status"), [("nrr agreement f", 0), ("nrr agreement zzz", 1)])
def test_fish_is_args(line: str, status: int) -> None:
    result = complete(FAST, "fish", line, _TYPER_COMPLETE_FISH_ACTION="is-args")
    assert result.returncode == status
