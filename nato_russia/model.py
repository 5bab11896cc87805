"""The records of the dataset, as frozen dataclasses. No I/O here.

Each field carries a small ``schema`` entry in its metadata (what kind of value it holds, what
it may refer to, whether the loader derives it). The loader validates files against that, so
the dataclasses below are the one description of the data format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from nato_russia.dates import EdtfDate, parse_date


@dataclass(frozen=True, slots=True)
class FieldSchema:
    kind: str  # id | text | slug | enum | int | date | ref | refs | tags | corrections
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


def optional_enum(*choices: str) -> Any:
    return field(default=None, metadata=_meta(FieldSchema("enum", optional=True, choices=choices)))


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


def tags_field(*, optional: bool = True) -> Any:
    return field(default=(), metadata=_meta(FieldSchema("tags", optional=optional)))


def aliases_field() -> Any:
    """Other names a record goes by in its sources (annexed-crimea, enlargement), searched with
    a title's weight. They are tags, so that validation needs no new kind: words in lower case
    joined by '-', which search splits into words again."""
    return tags_field()


def corrections_field() -> Any:
    return field(default=(), metadata=_meta(FieldSchema("corrections", optional=True)))


def derived_refs(*targets: str) -> Any:
    return field(default=(), metadata=_meta(FieldSchema("refs", targets=targets, derived=True)))


def derived_date() -> Any:
    """A date worked out from linked records (a topic's span), never set in a file."""
    return field(default=None, metadata=_meta(FieldSchema("date", optional=True, derived=True)))


def derived_count() -> Any:
    """A number worked out from linked records (how many link to a topic)."""
    return field(default=0, metadata=_meta(FieldSchema("int", derived=True)))


def topics_field() -> Any:
    """The topics (data/topics.yaml) a record belongs to, so that `nrr topic ID` finds it."""
    return refs_field("topic", optional=True)


def schema_of(f: dataclasses.Field[Any]) -> FieldSchema:
    schema = f.metadata.get("schema")
    if not isinstance(schema, FieldSchema):  # pragma: no cover - a programming error
        raise TypeError(f"field {f.name} has no schema")
    return schema


def slug_field() -> Any:
    return field(metadata=_meta(FieldSchema("slug")))


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """Where the backgrounder is wrong or loose: its words, and what the official texts show."""

    says: str
    finding: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListColumn:
    """A column of a type's list table: its header, the field it shows, and how."""

    header: str
    field: str
    kind: Literal["key", "date", "prose"] = "prose"  # keys and dates never wrap
    count: bool = False  # for a list of links: how many, rather than their titles


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


class RecordType:
    """What the code knows about a record type besides its fields: one place per type.

    The plural names the data file (data/events.yaml), the list command and the SQL table;
    the commands are the names with '-' for '_' (nrr state-change, nrr state-changes).
    """

    # Records compare, hash and print by their fields, as dataclasses do, through the three
    # methods below: written once here rather than compiled by the dataclass decorator for each
    # of the types (eq=False, repr=False), which on Python 3.11 made importing this module a
    # third of the cost of importing Typer, on every run of every command.
    __slots__ = ()
    type_name: ClassVar[str]
    plural: ClassVar[str]
    noun: ClassVar[str]  # how help text names one record
    nouns: ClassVar[str]  # and many
    list_title: ClassVar[str]
    list_columns: ClassVar[tuple[ListColumn, ...]]
    label_field: ClassVar[str] = "title"
    ordered_by: ClassVar[str | None] = "date"  # the date field records of the type sort by
    # Fields that only order the records (a channel's place in nrr status): kept in the data
    # and in JSON, never shown to a person reading the record.
    internal_fields: ClassVar[frozenset[str]] = frozenset()

    @property
    def label(self) -> str:
        value: str = getattr(self, self.label_field)
        return value

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in _field_names(type(self)))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = (f"{name}={getattr(self, name)!r}" for name in _field_names(type(self)))
        return f"{type(self).__name__}({', '.join(shown)})"

    @classmethod
    def command(cls) -> str:
        return cls.type_name.replace("_", "-")

    @classmethod
    def list_command(cls) -> str:
        return cls.plural.replace("_", "-")


_DATE = ListColumn("Date", "date", "date")
# The types whose records cite sources, in RECORD_TYPES order (every type but source itself).
CITING_TYPES = (
    "dataset",
    "period",
    "actor",
    "term",
    "topic",
    "agreement",
    "principle",
    "area",
    "event",
    "channel",
    "state_change",
    "quotation",
)
_ID = ListColumn("ID", "id", "key")


# The kinds of publisher, most authoritative first. A fact rests on at least one source of the
# first six (CARRYING_TIERS); state media carry only their own state's statements, attributed.
SOURCE_TIERS = (
    "official",
    "international-organisation",
    "news-agency",
    "newspaper",
    "archive",
    "research-institute",
    "state-media",
    "other",
)
CARRYING_TIERS = frozenset(SOURCE_TIERS[:6])


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Source(RecordType):
    type_name = "source"
    plural = "sources"
    noun, nouns = "source", "sources"
    list_title = "Sources"
    list_columns = (
        _DATE,
        _ID,
        ListColumn("Title", "title"),
        ListColumn("Kind", "kind", "key"),
        ListColumn("Tier", "tier", "key"),
        ListColumn("Publisher", "publisher"),
        ListColumn("Cited by", "cited_by", "key", count=True),
        ListColumn("URL", "url"),
    )
    id: str = id_field()
    title: str = text_field()
    publisher: str = text_field()
    kind: str = enum_field(
        "backgrounder", "official-text", "official-page", "government-page", "reprint", "news"
    )
    # What kind of publisher made it, so that a reader can weigh a claim (SOURCE_TIERS).
    tier: str = enum_field(*SOURCE_TIERS)
    # For state media: the state whose media it is ("Russia"); they carry only its statements.
    state: str | None = optional_text()
    date: EdtfDate | None = optional_date()
    url: str | None = optional_text()
    note: str | None = optional_text()
    # Every record whose `sources` or corrections name this one, by type (in CITING_TYPES
    # order) and within a type in date order: what rests on the source. Filled by validation,
    # not BACKLINKS, since a correction's sources sit inside the correction.
    cited_by: tuple[str, ...] = field(
        default=(),
        metadata=_meta(FieldSchema("refs", targets=CITING_TYPES, derived=True)),
    )


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class DatasetInfo(RecordType):
    """What a dataset covers and when it was last checked (data/datasets.yaml)."""

    type_name = "dataset"
    plural = "datasets"
    ordered_by = "covers"
    noun, nouns = "dataset", "datasets loaded, with what each covers"
    list_title = "Datasets"
    list_columns = (
        _ID,
        ListColumn("Title", "title"),
        ListColumn("Covers", "covers", "date"),
        ListColumn("Checked", "checked", "date"),
    )
    id: str = id_field()
    title: str = text_field()
    covers: EdtfDate = date_field()
    checked: EdtfDate = date_field()
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Period(RecordType):
    type_name = "period"
    plural = "periods"
    noun, nouns = "period", "periods (the backgrounder's sections and the dataset's own)"
    list_title = "Periods"
    list_columns = (
        ListColumn("Dates", "date", "date"),
        _ID,
        ListColumn("Title", "title"),
        ListColumn("From", "origin", "key"),
        ListColumn("Events", "events", "key", count=True),
    )
    id: str = id_field()
    title: str = text_field()
    date: EdtfDate = date_field()
    internal_fields = frozenset({"order"})
    order: int = int_field()
    # A section of NATO's 2015 backgrounder, or the dataset's own (the default).
    origin: str | None = optional_enum("backgrounder", "dataset")
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    events: tuple[str, ...] = derived_refs("event")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Actor(RecordType):
    type_name = "actor"
    ordered_by = None
    plural = "actors"
    noun, nouns = "person, body or state", "people, bodies and states"
    list_title = "Actors"
    list_columns = (
        _ID,
        ListColumn("Name", "name"),
        ListColumn("Kind", "kind", "key"),
        ListColumn("Role", "role"),
        ListColumn("Terms", "terms"),
    )
    label_field = "name"
    id: str = id_field()
    name: str = text_field()
    name_ru: str | None = optional_text()  # the Russian name in Cyrillic, where a source gives it
    kind: str = enum_field("person", "body", "state", "alliance")
    role: str = text_field()
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    terms: tuple[str, ...] = derived_refs("term")
    events: tuple[str, ...] = derived_refs("event")
    meetings: tuple[str, ...] = derived_refs("event")
    agreements: tuple[str, ...] = derived_refs("agreement")
    issued: tuple[str, ...] = derived_refs("agreement")
    created_by: tuple[str, ...] = derived_refs("agreement")
    decisions: tuple[str, ...] = derived_refs("state_change")
    quotations: tuple[str, ...] = derived_refs("quotation")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Term(RecordType):
    """A person's time in an office: from `start` to `end`, or still in office without `end`."""

    type_name = "term"
    plural = "terms"
    ordered_by = "start"
    noun, nouns = "term of office", "terms of office"
    list_title = "Terms of office"
    list_columns = (
        ListColumn("From", "start", "date"),
        ListColumn("To", "end", "date"),
        _ID,
        ListColumn("Person", "actor"),
        ListColumn("Office", "office"),
    )
    id: str = id_field()
    actor: str = ref_field("actor")
    office: str = text_field()
    start: EdtfDate = date_field()
    end: EdtfDate | None = optional_date()
    note: str | None = optional_text()
    sources: tuple[str, ...] = refs_field("source")

    @property
    def label(self) -> str:
        until = self.end.display() if self.end is not None else "today"
        return f"{self.office}, {self.start.display()} \u2013 {until}"


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Agreement(RecordType):
    type_name = "agreement"
    plural = "agreements"
    noun = "agreement, declaration or statement"
    nouns = "agreements, declarations and statements"
    list_title = "Agreements"
    list_columns = (
        _DATE,
        _ID,
        ListColumn("Title", "short_title"),
        ListColumn("Kind", "kind", "key"),
        ListColumn("Place", "place"),
    )
    label_field = "short_title"
    id: str = id_field()
    title: str = text_field()
    short_title: str = text_field()
    aliases: tuple[str, ...] = aliases_field()
    kind: str = enum_field(
        "declaration",
        "act",
        "statement",
        "framework",
        "joint-statement",
        "communique",
        "treaty",
        "concept",
    )
    date: EdtfDate = date_field()
    place: str | None = optional_text()
    summary: str = text_field()
    issued_by: tuple[str, ...] = refs_field("actor", optional=True)  # declarations are issued
    signatories: tuple[str, ...] = refs_field("actor", optional=True)  # treaties are signed
    creates: tuple[str, ...] = refs_field("actor", optional=True)
    topics: tuple[str, ...] = topics_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    events: tuple[str, ...] = derived_refs("event")
    principles: tuple[str, ...] = derived_refs("principle")
    areas: tuple[str, ...] = derived_refs("area")
    quotations: tuple[str, ...] = derived_refs("quotation")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Principle(RecordType):
    type_name = "principle"
    ordered_by = None
    plural = "principles"
    noun, nouns = "principle", "principles"
    list_title = "Principles"
    list_columns = (_ID, ListColumn("Title", "title"), ListColumn("Stated in", "agreements"))
    id: str = id_field()
    title: str = text_field()
    summary: str = text_field()
    agreements: tuple[str, ...] = refs_field("agreement")
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    quotations: tuple[str, ...] = derived_refs("quotation")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Area(RecordType):
    type_name = "area"
    ordered_by = None
    plural = "areas"
    noun, nouns = "area of cooperation", "areas of cooperation"
    list_title = "Areas"
    list_columns = (_ID, ListColumn("Title", "title"), ListColumn("Stated in", "agreements"))
    id: str = id_field()
    title: str = text_field()
    summary: str = text_field()
    agreements: tuple[str, ...] = refs_field("agreement")
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Event(RecordType):
    type_name = "event"
    plural = "events"
    noun, nouns = "event", "events (nrr timeline filters them)"
    list_title = "NATO-Russia timeline"
    list_columns = (_DATE, _ID, ListColumn("Event", "title"), ListColumn("Place", "place"))
    id: str = id_field()
    title: str = text_field()
    aliases: tuple[str, ...] = aliases_field()
    date: EdtfDate = date_field()
    date_display: str | None = optional_text()
    place: str | None = optional_text()
    summary: str = text_field()
    note: str | None = optional_text()  # where sources disagree, or a detail is unconfirmed
    period: str = ref_field("period")
    actors: tuple[str, ...] = refs_field("actor", optional=True)
    meeting_of: str | None = optional_ref("actor")  # the council that met (PJC, NRC)
    agreements: tuple[str, ...] = refs_field("agreement", optional=True)
    topics: tuple[str, ...] = topics_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    quotations: tuple[str, ...] = derived_refs("quotation")
    state_changes: tuple[str, ...] = derived_refs("state_change")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Channel(RecordType):
    """One channel of the relationship (a council, a mission, a treaty, ...) whose state
    `nrr status` tells; `states` are the states its changes may set."""

    type_name = "channel"
    ordered_by = None
    plural = "channels"
    noun, nouns = "channel of the relationship", "channels of the relationship"
    list_title = "Channels"
    list_columns = (
        _ID,
        ListColumn("Channel", "title"),
        ListColumn("States", "states"),
        ListColumn("Changes", "changes", "key", count=True),
    )
    id: str = id_field()
    title: str = text_field()
    internal_fields = frozenset({"order"})
    order: int = int_field()
    summary: str = text_field()
    body: str | None = optional_ref("actor")  # the council whose meetings status lists
    states: tuple[str, ...] = tags_field(optional=False)
    # States that stand until a new act undoes them (a treaty ended, an office closed): status
    # never marks them unconfirmed, however old their date.
    final_states: tuple[str, ...] = tags_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()
    changes: tuple[str, ...] = derived_refs("state_change")


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class StateChange(RecordType):
    """A dated change of one channel: its state from `date` on, until the channel's next change."""

    type_name = "state_change"
    plural = "state_changes"
    noun, nouns = "state change", "state changes of the channels (nrr status reads them)"
    list_title = "State changes"
    list_columns = (
        _DATE,
        _ID,
        ListColumn("Channel", "channel"),
        ListColumn("State", "state", "key"),
        ListColumn("Change", "title"),
    )
    id: str = id_field()
    channel: str = ref_field("channel")
    date: EdtfDate = date_field()
    state: str = slug_field()
    title: str = text_field()
    summary: str = text_field()
    by: tuple[str, ...] = refs_field("actor", optional=True)
    event: str | None = optional_ref("event")
    attribution: str | None = optional_text()  # who alone says so, where only one party does
    # The latest day one of its sources shows the state still holding (the change's own date
    # where none later does): status marks a state whose confirmation is old.
    confirmed: EdtfDate | None = optional_date()
    note: str | None = optional_text()
    topics: tuple[str, ...] = topics_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Quotation(RecordType):
    type_name = "quotation"
    plural = "quotations"
    noun, nouns = "quotation", "quotations"
    list_title = "Quotations"
    list_columns = (
        _DATE,
        _ID,
        ListColumn("Quotation", "text"),
        ListColumn("Document", "document"),
    )
    label_field = "text"
    id: str = id_field()
    text: str = text_field()
    document: str = ref_field("agreement", "source")
    speaker: str | None = optional_ref("actor")
    date: EdtfDate = date_field()
    event: str | None = optional_ref("event")
    principles: tuple[str, ...] = refs_field("principle", optional=True)
    checked: str = enum_field("official-text", "reprint", "news", "backgrounder-only")
    context: str = text_field()
    topics: tuple[str, ...] = topics_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = corrections_field()


@dataclass(frozen=True, slots=True, kw_only=True, repr=False, eq=False)
class Topic(RecordType):
    """A thread through the relationship (missile defence, Ukraine, the treaties, ...): the
    records of every dated type that link to it, which `nrr topic ID` tells in date order."""

    type_name = "topic"
    plural = "topics"
    ordered_by = None  # a controlled list, read by title; its span is derived, not its own date
    noun, nouns = "topic", "topics, each a thread through the records (nrr topic ID)"
    list_title = "Topics"
    list_columns = (
        ListColumn("Years", "years", "date"),
        _ID,
        ListColumn("Topic", "title"),
        ListColumn("Records", "record_count", "key"),
    )
    id: str = id_field()
    title: str = text_field()
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")
    # From the first to the last linked record, in years; and how many records link to it.
    years: EdtfDate | None = derived_date()
    record_count: int = derived_count()
    events: tuple[str, ...] = derived_refs("event")
    agreements: tuple[str, ...] = derived_refs("agreement")
    state_changes: tuple[str, ...] = derived_refs("state_change")
    quotations: tuple[str, ...] = derived_refs("quotation")


Record = (
    Source
    | DatasetInfo
    | Period
    | Actor
    | Term
    | Agreement
    | Principle
    | Area
    | Event
    | Channel
    | StateChange
    | Quotation
    | Topic
)

# Record type name -> class, in the order files are read and shown.
RECORD_TYPES: dict[str, type[Record]] = {
    cls.type_name: cls
    for cls in (
        Source,
        DatasetInfo,
        Period,
        Actor,
        Term,
        Topic,  # before the types that link to it: an SQL export inserts in this order
        Agreement,
        Principle,
        Area,
        Event,
        Channel,
        StateChange,
        Quotation,
    )
}

# Plural names, used for file names (data/events.yaml), list commands and SQL tables.
PLURALS: dict[str, str] = {name: cls.plural for name, cls in RECORD_TYPES.items()}


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
        name = record.ordered_by
        date = getattr(record, name) if name else None
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
    ("actor", "terms", "term", "actor"),
    ("actor", "meetings", "event", "meeting_of"),
    ("actor", "issued", "agreement", "issued_by"),
    ("actor", "decisions", "state_change", "by"),
    ("event", "state_changes", "state_change", "event"),
    ("channel", "changes", "state_change", "channel"),
    ("topic", "events", "event", "topics"),
    ("topic", "agreements", "agreement", "topics"),
    ("topic", "state_changes", "state_change", "topics"),
    ("topic", "quotations", "quotation", "topics"),
)

# The derived refs of a topic: the records that link to it, one list per type.
TOPIC_LINKS = ("events", "agreements", "state_changes", "quotations")


def topic_extent(dataset: Dataset, topic: Topic) -> dict[str, Any]:
    """A topic's derived `years` (the first to the last year of the records linked to it) and
    `record_count`, from its derived links as they stand (all of them, or an export's part)."""
    dates: list[EdtfDate] = []
    count = 0
    for name in TOPIC_LINKS:
        target = field_schemas(Topic)[name].targets[0]
        for record_id in getattr(topic, name):
            record = dataset.get(target, record_id)
            count += 1
            date = getattr(record, "date", None)
            if isinstance(date, EdtfDate):
                dates.append(date)
    years = None
    if dates:
        first = min(d.earliest().year for d in dates)
        last = max(d.latest().year for d in dates)
        years = parse_date(f"{first:04d}" if first == last else f"{first:04d}/{last:04d}")
    return {"years": years, "record_count": count}


def actor_fields(cls: type[Record]) -> tuple[str, ...]:
    """The stored fields of a type that name people, bodies or states: what an actor filter
    (--actor, actor:ID in a search) looks in."""
    return tuple(n for n, s in stored_fields(cls).items() if "actor" in s.targets)


def schema_fingerprint() -> str:
    """A digest of every record type's fields: caches made under another schema never match."""
    parts = []
    for name, cls in RECORD_TYPES.items():
        fields = ",".join(f"{n}:{s!r}" for n, s in field_schemas(cls).items())
        parts.append(f"{name}({fields})")
    return hashlib.blake2b(";".join(parts).encode(), digest_size=16).hexdigest()
