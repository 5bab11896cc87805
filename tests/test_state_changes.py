"""State changes are validated against their channels, and the load cache follows the schema."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nato_russia import loader, model
from nato_russia.cli.app import app
from nato_russia.model import Dataset, Event, text_field


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


CHANGE = """- id: {id}
  channel: {channel}
  date: '{date}'
  state: {state}
  title: A change
  summary: Something changed.
  sources: [backgrounder-2015-12]
"""


def write_changes(directory: Path, *changes: dict[str, str]) -> Path:
    (directory / "state_changes.yaml").write_text(
        "\n".join(CHANGE.format(**change) for change in changes), encoding="utf-8"
    )
    return directory


def test_a_change_of_a_known_channel_to_one_of_its_states_is_valid(
    runner: CliRunner, tmp_path: Path, bundled: Dataset
) -> None:
    data = write_changes(
        tmp_path, {"id": "mine", "channel": "nrc", "date": "2030-01-01", "state": "active"}
    )
    code, out, _ = run(runner, "validate", str(data))
    assert code == 0
    assert f" {len(bundled.of_type('state_change')) + 1} state_changes," in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "  event: nrc-2022-01-12\n",
            "record late: event: event nrc-2022-01-12 is dated 2022-01-12, after the change",
        ),
        ("  confirmed: '2009'\n", "record late: confirmed: 2009 is before the change itself"),
    ],
)
def test_validation_refuses_a_change_resting_on_what_came_after_or_before_it(
    runner: CliRunner, tmp_path: Path, extra: str, message: str
) -> None:
    change = CHANGE.format(id="late", channel="nrc", date="2010-05", state="active") + extra
    (tmp_path / "state_changes.yaml").write_text(change, encoding="utf-8")
    code, out, _ = run(runner, "validate", str(tmp_path))
    assert code == 1
    assert message in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"id": "mine", "channel": "warsaw-treaty", "date": "2030", "state": "active"},
            "2: record mine: channel: no channel with id 'warsaw-treaty'",
        ),
        (
            {"id": "mine", "channel": "nrc", "date": "2030", "state": "thriving"},
            "4: record mine: state: 'thriving' is not a state of channel nrc (active, "
            "formal-meetings-suspended, resumption-decided, political-dialogue-only, "
            "reported-dissolved)",
        ),
        (
            {"id": "mine", "channel": "nrc", "date": "2014-04-01", "state": "active"},
            "3: record mine: date: channel nrc already changes on 2014-04-01 "
            "(nrc-political-dialogue-only-2014)",
        ),
        (
            {"id": "mine", "channel": "nrc", "date": "2014-13", "state": "active"},
            "3: record mine: date: '2014-13': month 13 does not exist",
        ),
    ],
)
def test_validation_refuses_a_change_that_cannot_be(
    runner: CliRunner, tmp_path: Path, change: dict[str, str], message: str
) -> None:
    data = write_changes(tmp_path, change)
    code, out, err = run(runner, "validate", str(data))
    assert code == 1
    (problem,) = out.splitlines()
    assert problem == f"{data / 'state_changes.yaml'}:{message}"
    assert err == "1 problem found\n"


def test_two_changes_of_one_channel_on_one_day_in_one_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = write_changes(
        tmp_path,
        {"id": "first", "channel": "inf", "date": "2031-05", "state": "terminated"},
        {"id": "second", "channel": "inf", "date": "2031-05", "state": "suspended-by-russia"},
    )
    code, out, _ = run(runner, "validate", str(data))
    assert code == 1
    assert "record second: date: channel inf already changes on 2031-05 (first)" in out


def add_a_field_to_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a developer does when editing model.py: one more optional field on Event."""

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class EventWithMore(Event):
        more: str | None = text_field(optional=True)

    monkeypatch.setitem(model.RECORD_TYPES, "event", EventWithMore)


def test_a_cache_from_before_a_new_field_is_not_replayed(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, _private_cache: Path
) -> None:
    assert run(runner, "timeline", "--to", "1991")[0] == 0  # writes the cache
    (before,) = _private_cache.glob("dataset-*.json")

    add_a_field_to_events(monkeypatch)
    code, out, _ = run(runner, "timeline", "--to", "1991", "--format", "json")
    assert code == 0
    assert '"more": null' in out
    after = set(_private_cache.glob("dataset-*.json"))
    assert len(after) == 2 and before in after  # a new entry under a new key


def test_cached_rows_that_do_not_fit_their_type_are_damage(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Even where the key cannot tell (here it is made blind to the schema), rows of another
    # shape are rebuilt from the files rather than decoded into the wrong fields.
    monkeypatch.setattr(loader, "schema_fingerprint", lambda: "the same")
    assert run(runner, "timeline", "--to", "1991")[0] == 0

    add_a_field_to_events(monkeypatch)
    code, out, _ = run(runner, "timeline", "--to", "1991", "--format", "json")
    assert code == 0
    assert '"more": null' in out
