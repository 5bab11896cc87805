"""Records and search hits as flat rows of strings, for CSV, TSV and SQL.

One column per field, in the dataclass's order; a date becomes the EDTF string plus its day
bounds, precision and the start's year, month and day, so a spreadsheet can sort and filter
without parsing EDTF; lists are joined with "; " (ids and topics never contain it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from nato_russia.dates import EdtfDate
from nato_russia.model import RECORD_TYPES, Correction, Record, field_schemas
from nato_russia.render.json_out import hit_to_dict, status_to_dict

if TYPE_CHECKING:  # annotations only: the search and status code loads when it runs
    from nato_russia.search import Hit
    from nato_russia.status import Status

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
    schemas = field_schemas(RECORD_TYPES[type_name])
    dated = {name: date_part_names(name) for name, s in schemas.items() if s.kind == "date"}
    return tuple(column for name in schemas for column in (name, *dated.get(name, ())))


def date_part_names(name: str) -> tuple[str, ...]:
    """The columns a date field spreads into: date_start, ... for `date` (the one most types
    have), start_start, ... (prefixed with the field's name) for any other."""
    if name == "date":
        return DATE_PARTS
    return tuple(f"{name}_{part.removeprefix('date_')}" for part in DATE_PARTS)


def date_values(value: EdtfDate) -> tuple[str, str, str, int, int | None, int | None]:
    """What a date's companion columns hold (DATE_PARTS), typed: SQL keeps the numbers."""
    start = value.start
    first, last = value.earliest().isoformat(), value.latest().isoformat()
    return (first, last, value.precision, start.year, start.month, start.day)


def date_parts(value: EdtfDate | None, name: str = "date") -> dict[str, str]:
    names = date_part_names(name)
    if value is None:
        return dict.fromkeys(names, "")
    return {n: "" if v is None else str(v) for n, v in zip(names, date_values(value), strict=True)}


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
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        if value and isinstance(value[0], Correction):
            return "\n".join(correction_text(c) for c in value)
        return LIST_SEPARATOR.join(value)
    return str(value)


def json_row(value: Mapping[str, Any]) -> dict[str, str]:
    """A JSON object (json_out) as cells, where the two say the same."""
    return {key: cell(v) for key, v in value.items()}


def record_row(record: Record) -> dict[str, str]:
    row: dict[str, str] = {}
    for name, schema in field_schemas(type(record)).items():
        value = getattr(record, name)
        row[name] = cell(value)
        if schema.kind == "date":
            row.update(date_parts(value, name))
    return row


def hit_row(hit: Hit) -> dict[str, str]:
    found = hit_to_dict(hit)
    found["matches"] = [f"{start}-{end}" for start, end in hit.spans]
    return {**json_row(found), **date_parts(getattr(hit.record, "date", None))}


STATUS_COLUMNS = (
    "channel",
    "title",
    "state",
    "since",
    "confirmed",
    "stale",
    "settled",
    "previous_state",
    "by",
    "record",
    "event",
    "attribution",
    "note",
)


def status_rows(status: Status) -> list[dict[str, str]]:
    """One row per channel: its state on the day, for spreadsheets."""
    return [json_row(channel) for channel in status_to_dict(status, None)["channels"]]
