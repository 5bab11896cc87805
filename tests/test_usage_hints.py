"""Hints for an unknown option (issue 19, item 5): what was meant, or nothing; never a wrong one.

Run through the entry point's own error handling (app._run), in process, as `nrr` runs it."""

from __future__ import annotations

import pytest

from nato_russia.cli import app


def usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], line: str
) -> str:
    monkeypatch.setattr("sys.argv", ["nrr", *line.split()])
    assert app._run() == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    return err.rstrip("\n")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "timeline --year 2014",
            "Error: No such option: --year; use --from/--to, as in "
            "nrr timeline --from 2014 --to 2014 (see nrr timeline --help)",
        ),
        (
            "timeline --year=2014",
            "Error: No such option: --year; use --from/--to, as in "
            "nrr timeline --from 2014 --to 2014 (see nrr timeline --help)",
        ),
        (
            "timeline --since 1997",
            "Error: No such option: --since; use --from, as in nrr timeline --from 1997 "
            "(see nrr timeline --help)",
        ),
        (
            "status --date 2014",
            "Error: No such option: --date; status takes the date as an argument: "
            "nrr status 2014 (see nrr status --help)",
        ),
        # Close enough to be meant: offered as before.
        (
            "search x --limt 3",
            "Error: No such option: --limt (Possible options: --limit) (see nrr search --help)",
        ),
        # Not close to anything: no hint beats Click's "--actor".
        ("timeline --colour always", "Error: No such option: --colour (see nrr timeline --help)"),
        ("timeline --bogus", "Error: No such option: --bogus (see nrr timeline --help)"),
    ],
)
def test_an_unknown_option_gets_the_hint_it_needs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    assert usage_error(monkeypatch, capsys, line) == message


def test_a_wrong_suggestion_is_never_made(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "--actor" not in usage_error(monkeypatch, capsys, "timeline --year 2014")
    assert "--data" not in usage_error(monkeypatch, capsys, "status --date 2014")


def test_other_usage_errors_are_unchanged(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert usage_error(monkeypatch, capsys, "timeline 2022") == (
        "Error: Got unexpected extra argument(s) (2022) (see nrr timeline --help)"
    )
