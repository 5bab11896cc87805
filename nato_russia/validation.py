"""Raw records -> a validated, cross-linked Dataset.

Every problem names the file, the record id and the field. All problems are collected before
validation fails, so that `nrr validate` can list them all at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from nato_russia.dates import DateFormatError, EdtfDate, parse_date
from nato_russia.errors import DataError, Problem
from nato_russia.model import (
    BACKLINKS,
    RECORD_TYPES,
    Correction,
    Dataset,
    FieldSchema,
    Record,
    record_fields,
    schema_of,
)
from nato_russia.readers import RawRecord

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CORRECTION_KEYS = {"says", "finding", "sources"}


def _normalise_date(value: Any) -> Any:
    """PyYAML turns unquoted 1997-05-27 into a date and 1990 into an int; accept both."""
    if isinstance(value, dt.datetime):
        return value  # a timestamp is never a valid date here; reject it below
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:04d}"
    return value


class _RecordChecker:
    """Validates one raw record field by field, collecting problems."""

    def __init__(self, raw: RawRecord, problems: list[Problem]) -> None:
        self.raw = raw
        self.problems = problems
        record_id = raw.values.get("id") if isinstance(raw.values, Mapping) else None
        self.record_id = record_id if isinstance(record_id, str) else None

    def problem(self, field_name: str | None, message: str) -> None:
        self.problems.append(
            Problem(self.raw.file, self.record_id, field_name, message, index=self.raw.index)
        )

    def check(self) -> dict[str, Any] | None:
        if not isinstance(self.raw.values, Mapping):
            self.problem(None, "a record must be a mapping of field: value")
            return None
        cls = RECORD_TYPES[self.raw.type_name]
        fields = {f.name: f for f in record_fields(cls)}
        stored = {name for name, f in fields.items() if not schema_of(f).derived}
        before = len(self.problems)
        for key in self.raw.values:
            if key not in fields:
                allowed = ", ".join(sorted(stored))
                self.problem(str(key), f"unknown field (allowed: {allowed})")
            elif key not in stored:
                self.problem(str(key), "is derived from other records; do not set it")
        values: dict[str, Any] = {}
        for name in stored:
            schema = schema_of(fields[name])
            if name not in self.raw.values or self.raw.values[name] is None:
                if not schema.optional:
                    self.problem(name, "required field is missing")
                continue
            converted = self.convert(name, schema, self.raw.values[name])
            if converted is not None:
                values[name] = converted
        return values if len(self.problems) == before else None

    def convert(self, name: str, schema: FieldSchema, value: Any) -> Any:
        kind = schema.kind
        if kind == "date":
            return self.convert_date(name, value)
        if kind == "int":
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            self.problem(name, f"expected a whole number, got {value!r}")
            return None
        if kind in ("id", "text", "enum", "ref"):
            return self.convert_text(name, schema, value)
        if kind in ("refs", "tags"):
            return self.convert_list(name, schema, value)
        if kind == "corrections":
            return self.convert_corrections(name, value)
        raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover

    def convert_date(self, name: str, value: Any) -> EdtfDate | None:
        value = _normalise_date(value)
        if not isinstance(value, str):
            self.problem(name, f"expected a date string such as '1994-06', got {value!r}")
            return None
        try:
            return parse_date(value)
        except DateFormatError as exc:
            self.problem(name, str(exc))
            return None

    def convert_text(self, name: str, schema: FieldSchema, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(name, f"expected non-empty text, got {value!r}")
            return None
        if schema.kind in ("id", "ref") and not SLUG.fullmatch(value):
            self.problem(name, f"{value!r} is not an id (lower-case words joined by '-')")
            return None
        if schema.kind == "enum" and value not in schema.choices:
            self.problem(name, f"{value!r} is not one of: {', '.join(schema.choices)}")
            return None
        return value

    def convert_list(self, name: str, schema: FieldSchema, value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.problem(name, f"expected a list of ids, got {value!r}")
            return None
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not SLUG.fullmatch(item):
                self.problem(name, f"{item!r} is not an id (lower-case words joined by '-')")
                return None
            if item in items:
                self.problem(name, f"{item!r} is listed twice")
                return None
            items.append(item)
        if not items and not schema.optional:
            self.problem(name, "must list at least one id")
            return None
        return tuple(items)

    def convert_corrections(self, name: str, value: Any) -> tuple[Correction, ...] | None:
        if not isinstance(value, list):
            self.problem(name, "expected a list of {says, finding, sources}")
            return None
        corrections: list[Correction] = []
        for item in value:
            if not isinstance(item, Mapping) or set(item) != CORRECTION_KEYS:
                self.problem(name, "each correction has exactly: says, finding, sources")
                return None
            says, finding, sources = item["says"], item["finding"], item["sources"]
            if not all(isinstance(t, str) and t.strip() for t in (says, finding)):
                self.problem(name, "says and finding must be non-empty text")
                return None
            checked = self.convert_list(f"{name}.sources", FieldSchema("refs"), sources)
            if checked is None:
                return None
            corrections.append(Correction(says=says, finding=finding, sources=checked))
        return tuple(corrections)


def _check_references(
    dataset: Dataset, origin: Mapping[tuple[str, str], RawRecord], broken: set[tuple[str, str]]
) -> list[Problem]:
    """Every link must resolve. Links to records already reported as broken are not repeated."""
    problems: list[Problem] = []
    for record in dataset.all_records():
        raw = origin[(record.type_name, record.id)]
        for f in record_fields(type(record)):
            schema = schema_of(f)
            if schema.kind not in ("ref", "refs", "corrections") or schema.derived:
                continue
            value = getattr(record, f.name)
            if schema.kind == "corrections":
                targets: Iterable[tuple[str, str, tuple[str, ...]]] = [
                    (f"{f.name}.sources", ref, ("source",)) for c in value for ref in c.sources
                ]
            elif schema.kind == "ref":
                targets = [] if value is None else [(f.name, value, schema.targets)]
            else:
                targets = [(f.name, ref, schema.targets) for ref in value]
            for field_name, ref, target_types in targets:
                if dataset.find(ref, target_types) is None and not any(
                    (t, ref) in broken for t in target_types
                ):
                    wanted = " or ".join(target_types)
                    message = f"no {wanted} with id {ref!r}"
                    problems.append(
                        Problem(raw.file, record.id, field_name, message, index=raw.index)
                    )
    return problems


def _sort_key(dataset: Dataset, type_name: str, record_id: str) -> tuple[Any, ...]:
    record = dataset.get(type_name, record_id)
    date = getattr(record, "date", None)
    if isinstance(date, EdtfDate):
        return (0, *date.sort_key(), record_id)
    return (1, dt.date.min, dt.date.min, record_id)


def _with_backlinks(dataset: Dataset) -> Dataset:
    """Fill the derived fields: each link is stored once and shown from both ends."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for target_type, derived_field, source_type, source_field in BACKLINKS:
        for record in dataset.of_type(source_type).values():
            value = getattr(record, source_field)
            refs = (value,) if isinstance(value, str) else (value or ())
            for ref in refs:
                if dataset.get(target_type, ref) is not None:
                    key = (target_type, ref, derived_field)
                    found.setdefault(key, []).append(record.id)
    linked: dict[str, dict[str, Record]] = {}
    for type_name, by_id in dataset.records.items():
        linked[type_name] = {}
        for record_id, record in by_id.items():
            changes: dict[str, tuple[str, ...]] = {}
            for target_type, derived_field, source_type, _ in BACKLINKS:
                if target_type == type_name:
                    ids = found.get((type_name, record_id, derived_field), [])
                    ids.sort(key=lambda i, t=source_type: _sort_key(dataset, t, i))  # type: ignore[misc]
                    changes[derived_field] = tuple(ids)
            linked[type_name][record_id] = dataclasses.replace(record, **changes)  # type: ignore[arg-type]
    return Dataset(linked)


def build_dataset(raw_records: Iterable[RawRecord]) -> Dataset:
    """Validate raw records and cross-link them. Raises DataError listing every problem."""
    problems: list[Problem] = []
    records: dict[str, dict[str, Record]] = {name: {} for name in RECORD_TYPES}
    origin: dict[tuple[str, str], RawRecord] = {}
    broken: set[tuple[str, str]] = set()
    for raw in raw_records:
        checker = _RecordChecker(raw, problems)
        values = checker.check()
        if values is None:
            if checker.record_id is not None:
                broken.add((raw.type_name, checker.record_id))
            continue
        record_id = values["id"]
        if record_id in records[raw.type_name]:
            first = origin[(raw.type_name, record_id)].file
            message = f"duplicate {raw.type_name} id (first in {first})"
            problems.append(Problem(raw.file, record_id, "id", message, index=raw.index))
            continue
        records[raw.type_name][record_id] = RECORD_TYPES[raw.type_name](**values)
        origin[(raw.type_name, record_id)] = raw
    dataset = Dataset(records)
    problems.extend(_check_references(dataset, origin, broken))
    if problems:
        raise DataError(problems)
    return _with_backlinks(dataset)


def warnings(dataset: Dataset) -> list[str]:
    """Things that are valid but probably unintended: sources nobody cites, actors in no record."""
    cited: set[str] = set()
    for record in dataset.all_records():
        cited.update(getattr(record, "sources", ()))
        for correction in getattr(record, "corrections", ()):
            cited.update(correction.sources)
        document = getattr(record, "document", None)
        if isinstance(document, str):
            cited.add(document)
    found = [
        f"source {source_id!r} is not cited by any record"
        for source_id in dataset.of_type("source")
        if source_id not in cited
    ]
    for actor in dataset.of_type("actor").values():
        if not any(
            getattr(actor, name) for name in ("events", "agreements", "created_by", "quotations")
        ):
            found.append(f"actor {actor.id!r} takes part in no event, agreement or quotation")
    return found
