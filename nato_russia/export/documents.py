"""Whole-dataset exports as text: JSON, JSON Lines, Markdown, and CSV files in a zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nato_russia import __version__
from nato_russia.model import PLURALS, RECORD_TYPES, Correction, Dataset, Record
from nato_russia.query import sorted_records
from nato_russia.render import delimited, flat, json_out, markdown

# Bumped when a field is renamed or removed, or its meaning changes; new fields do not bump it.
SCHEMA_VERSION = 1
CHRONOLOGY_TITLE = "NATO\u2013Russia relations: a chronology"
CORRECTION_COLUMNS = ("record_type", "record_id", "position", "says", "finding", "sources")
# Zip members get a fixed time, so the same data always gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def ordered(dataset: Dataset) -> Iterator[tuple[str, list[Record]]]:
    """Each record type (in RECORD_TYPES order) with its records in their natural order."""
    for type_name in RECORD_TYPES:
        yield type_name, sorted_records(dataset, type_name)


def json_text(dataset: Dataset) -> str:
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "generator": f"nrr {__version__}"}
    for type_name, records in ordered(dataset):
        document[PLURALS[type_name]] = [json_out.record_to_dict(r) for r in records]
    return json_out.json_text(document)


def jsonl_text(dataset: Dataset) -> str:
    out = io.StringIO()
    for type_name, records in ordered(dataset):
        for record in records:
            json_out.write_json_line({"type": type_name, **json_out.record_to_dict(record)}, out)
    return out.getvalue()


def markdown_text(dataset: Dataset) -> str:
    return markdown.chronology(dataset, CHRONOLOGY_TITLE)


def corrections(dataset: Dataset) -> Iterator[tuple[str, Record, int, Correction]]:
    """Each correction of the backgrounder, with its record and its place among the record's."""
    for type_name, records in ordered(dataset):
        for record in records:
            for position, correction in enumerate(getattr(record, "corrections", ()), 1):
                yield type_name, record, position, correction


def write_csv_zip(dataset: Dataset, path: Path) -> None:
    """One CSV file per record type, and one of the corrections, whose parts a single cell
    cannot keep apart."""
    tables = [
        (f"{PLURALS[t]}.csv", flat.record_columns(t), [flat.record_row(r) for r in records])
        for t, records in ordered(dataset)
    ]
    fixes = [
        (t, record.id, str(n), c.says, c.finding, flat.LIST_SEPARATOR.join(c.sources))
        for t, record, n, c in corrections(dataset)
    ]
    by_column = [dict(zip(CORRECTION_COLUMNS, fix, strict=True)) for fix in fixes]
    tables.append(("corrections.csv", CORRECTION_COLUMNS, by_column))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, columns, rows in tables:
            out = io.StringIO()
            delimited.write_csv(columns, rows, out)
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, out.getvalue().encode("utf-8"), zipfile.ZIP_DEFLATED)
