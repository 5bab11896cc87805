"""The records of the dataset, as frozen dataclasses. No I/O here.

Each field carries a small ``schema`` entry in its metadata (what kind of value it holds, what
it may refer to, whether the loader derives it). The loader validates files against that, so
the dataclasses below are the one description of the data format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from nato_russia.dates import EdtfDate


@dataclass(frozen=True, slots=True)
class FieldSchema:
    kind: str  # id | text | enum | int | date | ref | refs | tags | corrections
    optional: bool = False
    targets: tuple[str, ...] = ()  # record types a ref/refs field may point to
    choices: tuple[str, ...] = ()  # allowed values of an enum field
    derived: bool = False  # computed by the loader from links stored elsewhere


def _meta(schema: FieldSchema) -> dict[str, FieldSchema]:
    return {"schema": schema}


def id_field() -> Any:
    return field(metadata=_meta(FieldSchema("id")))


def text_field() -> Any:
    return field(metadata=_meta(FieldSchema("text")))


def optional_text() -> Any:
    return field(default=None, metadata=_meta(FieldSchema("text", optional=True)))


def enum_field(*choices: str) -> Any:
    return field(metadata=_meta(FieldSchema("enum", choices=choices)))


def int_field() -> Any:
    return field(metadata=_meta(FieldSchema("int")))


def date_field() -> Any:
    return field(metadata=_meta(FieldSchema("date")))


def optional_date() -> Any:
    return field(default=None, metadata=_meta(FieldSchema("date", optional=True)))


def ref_field(*targets: str) -> Any:
    return field(metadata=_meta(FieldSchema("ref", targets=targets)))


def optional_ref(*targets: str) -> Any:
    return field(default=None, metadata=_meta(FieldSchema("ref", optional=True, targets=targets)))


def refs_field(*targets: str, optional: bool = False) -> Any:
    return field(
        default=(), metadata=_meta(FieldSchema("refs", optional=optional, targets=targets))
    )


def tags_field() -> Any:
    return field(default=(), metadata=_meta(FieldSchema("tags", optional=True)))


def corrections_field() -> Any:
    return field(default=(), metadata=_meta(FieldSchema("corrections", optional=True)))


def derived_refs(*targets: str) -> Any:
    return field(default=(), metadata=_meta(FieldSchema("refs", targets=targets, derived=True)))


def schema_of(f: dataclasses.Field[Any]) -> FieldSchema:
    schema = f.metadata.get("schema")
    if not isinstance(schema, FieldSchema):  # pragma: no cover - a programming error
        raise TypeError(f"field {f.name} has no schema")
    return schema


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """Where the backgrounder is wrong or loose: its words, and what the official texts show."""

    says: str
    finding: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    type_name: ClassVar[str] = "source"
    id: str = id_field()
    title: str = text_field()
    publisher: str = text_field()
    kind: str = enum_field("backgrounder", "official-text", "official-page", "reprint", "news")
    date: EdtfDate | None = optional_date()
    url: str | None = optional_text()
    note: str | None = optional_text()

    @property
    def label(self) -> str:
        return self.title


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    type_name: ClassVar[str] = "period"
    id: str = id_field()
    title: str = text_field()
    date: EdtfDate = date_field()
    order: int = int_field()
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    events: tuple[str, ...] = derived_refs("event")

    @property
    def label(self) -> str:
        return self.title


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    type_name: ClassVar[str] = "event"
    id: str = id_field()
    title: str = text_field()
    date: EdtfDate = date_field()
    date_display: str | None = optional_text()
    place: str | None = optional_text()
    summary: str = text_field()
    period: str = ref_field("period")
    actors: tuple[str, ...] = refs_field("actor", optional=True)
    agreements: tuple[str, ...] = refs_field("agreement", optional=True)
    topics: tuple[str, ...] = tags_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    quotations: tuple[str, ...] = derived_refs("quotation")

    @property
    def label(self) -> str:
        return self.title


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    type_name: ClassVar[str] = "agreement"
    id: str = id_field()
    title: str = text_field()
    short_title: str = text_field()
    kind: str = enum_field("declaration", "act", "statement", "framework", "joint-statement")
    date: EdtfDate = date_field()
    place: str | None = optional_text()
    summary: str = text_field()
    signatories: tuple[str, ...] = refs_field("actor", optional=True)
    creates: tuple[str, ...] = refs_field("actor", optional=True)
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    events: tuple[str, ...] = derived_refs("event")
    principles: tuple[str, ...] = derived_refs("principle")
    areas: tuple[str, ...] = derived_refs("area")
    quotations: tuple[str, ...] = derived_refs("quotation")

    @property
    def label(self) -> str:
        return self.short_title


@dataclass(frozen=True, slots=True, kw_only=True)
class Principle:
    type_name: ClassVar[str] = "principle"
    id: str = id_field()
    title: str = text_field()
    summary: str = text_field()
    agreements: tuple[str, ...] = refs_field("agreement")
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    quotations: tuple[str, ...] = derived_refs("quotation")

    @property
    def label(self) -> str:
        return self.title


@dataclass(frozen=True, slots=True, kw_only=True)
class Area:
    type_name: ClassVar[str] = "area"
    id: str = id_field()
    title: str = text_field()
    summary: str = text_field()
    agreements: tuple[str, ...] = refs_field("agreement")
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()

    @property
    def label(self) -> str:
        return self.title


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    type_name: ClassVar[str] = "actor"
    id: str = id_field()
    name: str = text_field()
    kind: str = enum_field("person", "body", "state", "alliance")
    role: str = text_field()
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    events: tuple[str, ...] = derived_refs("event")
    agreements: tuple[str, ...] = derived_refs("agreement")
    created_by: tuple[str, ...] = derived_refs("agreement")
    quotations: tuple[str, ...] = derived_refs("quotation")

    @property
    def label(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class Quotation:
    type_name: ClassVar[str] = "quotation"
    id: str = id_field()
    text: str = text_field()
    document: str = ref_field("agreement", "source")
    speaker: str | None = optional_ref("actor")
    date: EdtfDate = date_field()
    event: str | None = optional_ref("event")
    principles: tuple[str, ...] = refs_field("principle", optional=True)
    checked: str = enum_field("official-text", "reprint", "backgrounder-only")
    context: str = text_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()

    @property
    def label(self) -> str:
        return self.text


Record = Source | Period | Event | Agreement | Principle | Area | Actor | Quotation

# Record type name -> class, in the order files are read and shown.
RECORD_TYPES: dict[str, type[Record]] = {
    cls.type_name: cls
    for cls in (Source, Period, Actor, Agreement, Principle, Area, Event, Quotation)
}

# Plural names, used for file names (data/events.yaml) and list commands.
PLURALS: dict[str, str] = {name: name + "s" for name in RECORD_TYPES}


def record_fields(cls: type[Record]) -> tuple[dataclasses.Field[Any], ...]:
    return dataclasses.fields(cls)


_SCHEMAS: dict[type[Any], dict[str, FieldSchema]] = {}
_STORED: dict[type[Any], dict[str, FieldSchema]] = {}


def field_schemas(cls: type[Record]) -> dict[str, FieldSchema]:
    """Field name -> schema, in declaration order; computed once per class (hot in loading)."""
    if cls not in _SCHEMAS:
        _SCHEMAS[cls] = {f.name: schema_of(f) for f in dataclasses.fields(cls)}
    return _SCHEMAS[cls]


def stored_fields(cls: type[Record]) -> dict[str, FieldSchema]:
    """The fields a data file sets (all but the derived ones)."""
    if cls not in _STORED:
        _STORED[cls] = {n: s for n, s in field_schemas(cls).items() if not s.derived}
    return _STORED[cls]


@dataclass(frozen=True, slots=True)
class Dataset:
    """All records, by type and id. Built and validated by the loader.

    Each type's records are a mapping: a dict when freshly loaded, or a mapping that builds
    records from cached rows on demand (see rows.py), which may also offer `overlapping`.
    """

    records: Mapping[str, Mapping[str, Record]]
    key: str | None = None  # the load cache's key, when the dataset came through the cache

    def of_type(self, type_name: str) -> Mapping[str, Record]:
        return self.records[type_name]

    def overlapping(
        self, type_name: str, earliest: dt.date | None, latest: dt.date | None
    ) -> Iterator[Record]:
        """Records of a type whose date overlaps [earliest, latest] (undated ones included)."""
        by_id = self.records[type_name]
        select = getattr(by_id, "overlapping", None)  # cached rows can skip without building
        if select is not None:
            yield from select(earliest, latest)
            return
        for record in by_id.values():
            date = getattr(record, "date", None)
            if date is None or date.overlaps(earliest, latest):
                yield record

    def get(self, type_name: str, record_id: str) -> Record | None:
        return self.records.get(type_name, {}).get(record_id)

    def find(self, record_id: str, targets: tuple[str, ...]) -> Record | None:
        """The record with this id among the given types (first match in order)."""
        for type_name in targets:
            found = self.get(type_name, record_id)
            if found is not None:
                return found
        return None

    def all_records(self) -> Iterator[Record]:
        for by_id in self.records.values():
            yield from by_id.values()

    def events(self) -> list[Event]:
        return [r for r in self.records["event"].values() if isinstance(r, Event)]

    def counts(self) -> dict[str, int]:
        return {name: len(by_id) for name, by_id in self.records.items()}


def in_date_order(records: Iterable[Record]) -> list[Record]:
    """Records by (earliest day, latest day, id); undated ones last, by id.

    Hot for large datasets: each distinct date object's bounds are worked out once (equal dates
    are shared objects), and the sort compares plain tuples."""
    bounds: dict[int, tuple[int, int]] = {}
    undated = (dt.date.max.toordinal() + 1, 0)
    keyed = []
    for record in records:
        date = getattr(record, "date", None)
        if date is None:
            span = undated
        else:
            span = bounds.get(id(date)) or bounds.setdefault(
                id(date), (date.earliest().toordinal(), date.latest().toordinal())
            )
        keyed.append((span[0], span[1], record.id, record))
    keyed.sort(key=lambda item: item[:3])
    return [item[3] for item in keyed]


# Links stored once in the files and shown from both ends: (type, derived field) is filled with
# the ids of the (source type) records whose (source field) names it.
BACKLINKS: tuple[tuple[str, str, str, str], ...] = (
    ("period", "events", "event", "period"),
    ("event", "quotations", "quotation", "event"),
    ("agreement", "events", "event", "agreements"),
    ("agreement", "principles", "principle", "agreements"),
    ("agreement", "areas", "area", "agreements"),
    ("agreement", "quotations", "quotation", "document"),
    ("principle", "quotations", "quotation", "principles"),
    ("actor", "events", "event", "actors"),
    ("actor", "agreements", "agreement", "signatories"),
    ("actor", "created_by", "agreement", "creates"),
    ("actor", "quotations", "quotation", "speaker"),
)
