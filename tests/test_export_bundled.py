"""The acceptance checks of the export and format work, on the bundled dataset."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from nato_russia.cli import common
from nato_russia.cli.app import app
from nato_russia.model import PLURALS, RECORD_TYPES, Dataset
from nato_russia.render import delimited, flat


@pytest.fixture(autouse=True)
def _use_bundled(monkeypatch: pytest.MonkeyPatch, bundled: Dataset) -> None:
    monkeypatch.setattr(common, "load_dataset", lambda *args, **kwargs: bundled)


def invoke(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes.decode()


def test_sqlite_lists_agreements_in_date_order_and_finds_missile(
    runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "nrr.db"
    invoke(runner, "export", "sqlite", "-o", str(path))
    db = sqlite3.connect(path)
    try:
        ids = [i for (i,) in db.execute("select id from agreements order by date")]
        assert ids[0] == "london-declaration"
        assert len(ids) == len(set(ids)) > 5
        found = {i for (i,) in db.execute("select id from search where search match 'missile'")}
        assert "founding-act" in found
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        db.close()


def test_timeline_csv_has_one_row_per_event_and_no_formula_cells(
    runner: CliRunner, bundled: Dataset
) -> None:
    text = invoke(runner, "timeline", "--format", "csv")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(flat.record_columns("event"))
    assert len(rows) - 1 == len(bundled.of_type("event"))
    assert all(len(row) == len(rows[0]) for row in rows)
    assert not [c for row in rows for c in row if c.startswith(delimited.FORMULA_STARTS)]


def test_every_bundled_value_round_trips_through_the_csv_export(
    runner: CliRunner, tmp_path: Path, bundled: Dataset
) -> None:
    path = tmp_path / "nrr.zip"
    invoke(runner, "export", "csv", "-o", str(path))
    with zipfile.ZipFile(path) as archive:
        for type_name in RECORD_TYPES:
            text = archive.read(f"{PLURALS[type_name]}.csv").decode("utf-8")
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
            assert len(rows) == len(bundled.of_type(type_name))
            for row in rows:
                record = bundled.get(type_name, row["id"])
                assert record is not None
                restored = {k: delimited.restore_cell(v) for k, v in row.items()}
                assert restored == flat.record_row(record)


def test_timelinejs_starts_with_the_london_summit(runner: CliRunner) -> None:
    document = json.loads(invoke(runner, "export", "timelinejs"))
    first = document["events"][0]
    assert first["unique_id"] == "london-summit-1990"
    assert first["start_date"] == {"year": 1990, "month": 7, "day": 5}
    assert "London Summit" in first["text"]["headline"]
    assert len(document["eras"]) == 12  # the backgrounder's seven periods and the data's five


def test_agreements_markdown_is_a_clean_document(runner: CliRunner, bundled: Dataset) -> None:
    html = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(invoke(runner, "agreements", "--format", "markdown"))
    )
    assert html.startswith("<h1>Agreements</h1>\n<table>")
    assert html.count("<tr>") == len(bundled.of_type("agreement")) + 1
    assert "\\" not in html  # no escape shows through


def test_markdown_chronology_renders(runner: CliRunner, bundled: Dataset) -> None:
    html = MarkdownIt("commonmark").enable("table").render(invoke(runner, "export", "markdown"))
    # The periods, then agreements, principles, channels and sources.
    assert html.count("<h2>") == 12 + 4
    assert html.count("<h3>") == sum(
        len(bundled.of_type(t)) for t in ("event", "agreement", "principle", "channel")
    )
    # Each channel's changes come under it.
    assert html.count("<h4>") >= len(bundled.of_type("state_change"))
    assert '<a href="https://www.nato.int/' in html
