"""Records and search hits as flat rows of strings, for CSV, TSV and SQL.

One column per field, in the dataclass's order; a date becomes the EDTF string plus its day
bounds, precision and the start's year, month and day, so a spreadsheet can sort and filter
without parsing EDTF; lists are joined with "; " (ids and topics never contain it).
"""

from __future__ import annotations

from typing import Any

from nato_russia.dates import EdtfDate
from nato_russia.model import RECORD_TYPES, Correction, Record, field_schemas
from nato_russia.search import Hit

LIST_SEPARATOR = "; "
DATE_PARTS = ("date_start", "date_end", "precision", "year", "month", "day")
HIT_COLUMNS = (
    "type",
    "id",
    "date",
    *DATE_PARTS,
    "title",
    "score",
    "matched_fields",
    "snippet",
    "matches",
)


def record_columns(type_name: str) -> tuple[str, ...]:
    """The header of a record type's table; fixed by the schema, so an empty result has one."""
    columns: list[str] = []
    for name, schema in field_schemas(RECORD_TYPES[type_name]).items():
        columns.append(name)
        if schema.kind == "date":
            columns.extend(DATE_PARTS)
    return tuple(columns)


def date_parts(value: EdtfDate | None) -> dict[str, str]:
    if value is None:
        return dict.fromkeys(DATE_PARTS, "")
    start = value.start
    return {
        "date_start": value.earliest().isoformat(),
        "date_end": value.latest().isoformat(),
        "precision": value.precision,
        "year": str(start.year),
        "month": "" if start.month is None else str(start.month),
        "day": "" if start.day is None else str(start.day),
    }


def correction_text(correction: Correction) -> str:
    """One correction as a sentence a spreadsheet reader can follow without the JSON."""
    evidence = ", ".join(correction.sources)
    return (
        f"The backgrounder says: \u201c{correction.says}\u201d "
        f"Official record: {correction.finding} (evidence: {evidence})"
    )


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        if value and isinstance(value[0], Correction):
            return "\n".join(correction_text(c) for c in value)
        return LIST_SEPARATOR.join(value)
    return str(value)


def record_row(record: Record) -> dict[str, str]:
    row: dict[str, str] = {}
    for name, schema in field_schemas(type(record)).items():
        value = getattr(record, name)
        row[name] = cell(value)
        if schema.kind == "date":
            row.update(date_parts(value))
    return row


def hit_row(hit: Hit) -> dict[str, str]:
    record = hit.record
    date = getattr(record, "date", None)
    return {
        "type": record.type_name,
        "id": record.id,
        "date": cell(date),
        **date_parts(date),
        "title": record.label,
        "score": str(hit.score),
        "matched_fields": LIST_SEPARATOR.join(hit.matched_fields),
        "snippet": hit.snippet,
        "matches": LIST_SEPARATOR.join(f"{start}-{end}" for start, end in hit.spans),
    }
