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


def json_document(dataset: Dataset) -> dict[str, Any]:
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "generator": f"nrr {__version__}"}
    for type_name, records in ordered(dataset):
        document[PLURALS[type_name]] = [json_out.record_to_dict(r) for r in records]
    return document


def json_text(dataset: Dataset) -> str:
    return json_out.json_text(json_document(dataset))


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


def _correction_rows(dataset: Dataset) -> list[dict[str, str]]:
    return [
        {
            "record_type": type_name,
            "record_id": record.id,
            "position": str(position),
            "says": c.says,
            "finding": c.finding,
            "sources": flat.LIST_SEPARATOR.join(c.sources),
        }
        for type_name, record, position, c in corrections(dataset)
    ]


def csv_files(dataset: Dataset) -> dict[str, str]:
    """File name -> CSV text: one file per record type, and one of the corrections, whose
    parts a single cell cannot keep apart."""
    files = {}
    for type_name, records in ordered(dataset):
        out = io.StringIO()
        rows = [flat.record_row(r) for r in records]
        delimited.write_csv(flat.record_columns(type_name), rows, out)
        files[f"{PLURALS[type_name]}.csv"] = out.getvalue()
    out = io.StringIO()
    delimited.write_csv(CORRECTION_COLUMNS, _correction_rows(dataset), out)
    files["corrections.csv"] = out.getvalue()
    return files


def write_csv_zip(dataset: Dataset, path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in csv_files(dataset).items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
