"""The installed command in real processes: pipes, python -m, no ANSI for machines."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nato_russia import __version__

NRR = [sys.executable, "-m", "nato_russia"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "PY_COLORS")}
    env.update(extra)
    return env


def shell(command: str, **env: str) -> subprocess.CompletedProcess[str]:
    nrr = " ".join(NRR)
    return subprocess.run(
        ["bash", "-c", command.replace("nrr", nrr, 1)],
        capture_output=True,
        text=True,
        env=clean_env(**env),
        timeout=60,
        check=False,
    )


def test_python_m_matches_version() -> None:
    result = subprocess.run([*NRR, "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert result.stdout.startswith(f"nrr {__version__}\nbundled data: covers 1990 to ")


def test_head_one_exits_quietly() -> None:
    result = shell('nrr timeline | head -1; echo "status=${PIPESTATUS[0]}"')
    assert result.stdout == "Date\tID\tEvent\tPlace\nstatus=0\n"
    assert result.stderr == ""


def test_reader_gone_before_writing_exits_quietly() -> None:
    # `true` exits without reading, so every write nrr makes hits a closed pipe.
    result = shell('nrr timeline | true; echo "status=${PIPESTATUS[0]}"')
    assert result.stdout == "status=0\n"
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args", [["timeline"], ["agreement", "founding-act"], ["search", "missile"]]
)
def test_piped_output_has_no_ansi_and_no_box_art(args: list[str]) -> None:
    result = subprocess.run(
        [*NRR, *args],
        capture_output=True,
        text=True,
        env=clean_env(TERM="xterm-256color"),
        check=False,
    )
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert not set("\u2500\u2501\u2502\u2503\u256d\u256e\u2570\u256f\u2026") & set(result.stdout)


def test_user_mistakes_never_print_a_traceback() -> None:
    result = subprocess.run(
        [*NRR, "agreement", "founding-axt"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Error: no agreement 'founding-axt'. Did you mean: founding-act? (nrr agreements lists "
        "them all; nrr search founding-axt searches everything)\n"
    )


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("search Wörner --format csv", "Manfred Wörner"),
        ("agreement founding-act --format markdown", "27 May 1997 \u2014 NATO-Russia"),
        ("export jsonl", "Wörner"),
    ],
)
def test_machine_formats_are_utf8_whatever_the_locale(command: str, text: str) -> None:
    result = subprocess.run(
        [*NRR, *command.split()],
        capture_output=True,
        env=clean_env(PYTHONIOENCODING="latin-1"),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert text in result.stdout.decode("utf-8")


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            "timeline --format xml",
            "Error: Invalid value for '--format' / '-f': 'xml' is not one of",
        ),
        ("export sqlite", "Error: Invalid value for --output: sqlite export writes a file"),
        ("timeline --bogus", "Error: No such option: --bogus (see nrr timeline --help)"),
        ("timeline --from 1994-13", "Error: Invalid value for --from: '1994-13'"),
    ],
)
def test_usage_errors_are_one_line(command: str, message: str) -> None:
    result = subprocess.run(
        [*NRR, *command.split()], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


def test_exit_codes_survive_the_entry_point() -> None:
    found = subprocess.run([*NRR, "event", "nope"], capture_output=True, text=True, check=False)
    assert (found.returncode, found.stderr) == (
        1,
        "Error: no event 'nope'. "
        "(nrr events lists them all; nrr search nope searches everything)\n",
    )
    helped = subprocess.run([*NRR, "--help"], capture_output=True, text=True, check=False)
    assert helped.returncode == 0 and "timeline" in helped.stdout
    bare = subprocess.run(NRR, capture_output=True, text=True, check=False)
    assert bare.returncode == 0 and "nrr timeline" in bare.stdout  # a short overview
