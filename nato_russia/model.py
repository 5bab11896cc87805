"""The records of the dataset, as frozen dataclasses. No I/O here.

Each field carries a small ``schema`` entry in its metadata (what kind of value it holds, what
it may refer to, whether the loader derives it). The loader validates files against that, so
the dataclasses below are the one description of the data format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Literal, NamedTuple

from nato_russia.dates import EdtfDate, parse_date


class FieldSchema(NamedTuple):
    """What a field holds, which the loader validates a file's value against. (A named tuple:
    the dataclass decorator would compile three methods for it.)"""

    kind: str  # id | text | slug | enum | int | date | ref | refs | tags | corrections
    optional: bool = False
    targets: tuple[str, ...] = ()  # record types a ref/refs field may point to
    choices: tuple[str, ...] = ()  # allowed values of an enum field
    derived: bool = False  # computed by the loader from links stored elsewhere
    # For derived refs: the field of the target records that names this one (a period's
    # `events` are the events whose `period` names it). Each link is stored once and shown
    # from both ends; BACKLINKS lists them all.
    via: str | None = None


def _field(kind: str, *targets: str, optional: bool = False, **schema: Any) -> Any:
    """A dataclass field that carries its schema (FieldSchema's fields): an optional one
    defaults to None, a list (refs, tags, corrections) to () and a derived count to 0."""
    if kind in ("refs", "tags", "corrections"):
        default: Any = ()
    elif kind == "int" and schema.get("derived"):
        default = 0
    else:
        default = None if optional else dataclasses.MISSING
    return field(
        default=default, metadata={"schema": FieldSchema(kind, optional, targets, **schema)}
    )


def text_field(*, optional: bool = False) -> Any:
    return _field("text", optional=optional)


def enum_field(*choices: str, optional: bool = False) -> Any:
    return _field("enum", optional=optional, choices=choices)


def date_field(*, optional: bool = False) -> Any:
    return _field("date", optional=optional)


def ref_field(*targets: str, optional: bool = False) -> Any:
    return _field("ref", *targets, optional=optional)


def refs_field(*targets: str, optional: bool = False) -> Any:
    return _field("refs", *targets, optional=optional)


def derived_refs(target: str, via: str) -> Any:
    """The records of type `target` whose field `via` names this one, filled by the loader."""
    return _field("refs", target, derived=True, via=via)


def schema_of(f: dataclasses.Field[Any]) -> FieldSchema:
    schema: FieldSchema = f.metadata["schema"]  # every field is made by _field
    return schema


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """Where the backgrounder is wrong or loose: its words, and what the official texts show."""

    says: str
    finding: str
    sources: tuple[str, ...]


def weights(**by_field: float) -> Mapping[str, float]:
    """A type's search weights (RecordType.search_weights), read-only as a ClassVar must be."""
    return MappingProxyType(by_field)


@dataclass(frozen=True, slots=True)
class ListColumn:
    """A column of a type's list table: its header, the field it shows, and how."""

    header: str
    field: str
    kind: Literal["key", "date", "prose"] = "prose"  # keys and dates never wrap
    count: bool = False  # for a list of links: how many, rather than their titles
    keep: bool = False  # shown in a list at a terminal however narrow, as dates are


# Per class, computed once (hot in loading). Dicts rather than functools.cache, which mypy
# will not pass a class to (not Hashable).
_SCHEMAS: dict[type[Any], dict[str, FieldSchema]] = {}
_STORED: dict[type[Any], dict[str, FieldSchema]] = {}
_DEFAULTS: dict[type[Any], dict[str, Any]] = {}


def field_schemas(cls: type[Any]) -> dict[str, FieldSchema]:
    """Field name -> schema, in declaration order."""
    if cls not in _SCHEMAS:
        _SCHEMAS[cls] = {f.name: schema_of(f) for f in dataclasses.fields(cls)}
    return _SCHEMAS[cls]


def stored_fields(cls: type[Any]) -> dict[str, FieldSchema]:
    """The fields a data file sets (all but the derived ones)."""
    if cls not in _STORED:
        _STORED[cls] = {n: s for n, s in field_schemas(cls).items() if not s.derived}
    return _STORED[cls]


class RecordType:
    """What the code knows about a record type besides its fields: one place per type.

    The plural names the data file (data/events.yaml), the list command and the SQL table;
    the commands are the names with '-' for '_' (nrr state-change, nrr state-changes).
    """

    # Records are made, compare, hash and print by their fields, as dataclasses do, through
    # the methods below: written once here rather than compiled by the dataclass decorator for
    # each of the types (init=False, eq=False, repr=False), which on Python 3.11 made importing
    # this module a third of the cost of importing Typer, on every run of every command.
    __slots__ = ()
    type_name: ClassVar[str]
    plural: ClassVar[str]
    noun: ClassVar[str]  # how help text names one record
    nouns: ClassVar[str]  # and many
    list_title: ClassVar[str]
    list_columns: ClassVar[tuple[ListColumn, ...]]
    label_field: ClassVar[str] = "title"
    ordered_by: ClassVar[str | None] = "date"  # the date field records of the type sort by
    # What the rest of the code asks of a type. Those without a default each type says itself
    # (tests/test_model.py checks), so that a new type cannot be left out silently.
    example_id: ClassVar[str]  # a real id, for the examples in the commands' help
    # What a detail command's JSON says of a record it links to: the label under the key its
    # type uses and every date field, so that a script needs no second call to learn a linked
    # event's date or a quotation's words; then what the view shows besides (a source's
    # publisher and address). References inside these stay ids.
    link_fields: ClassVar[tuple[str, ...]]
    # Which record `nrr cite ID` means when several types use the id (founding-act is an
    # agreement and a channel), lowest first: what people cite facts from first, the source
    # itself before the lists that merely gather records.
    cite_rank: ClassVar[int]
    # Order within one day of a topic's thread (nrr topic): what happened, the text adopted at
    # it, the channel it changed, then what was said. None: never in a thread (no `topics`).
    same_day_rank: ClassVar[int | None] = None
    # Derived links a filtered export follows from a kept record (an event brings its
    # quotations): the records kept with it.
    brought_along: ClassVar[tuple[str, ...]]
    # Fields whose matches weigh more than the rest (1.0) in search ranking. A field name
    # weighs the same in every type that has it (search ranks by field name).
    search_weights: ClassVar[Mapping[str, float]]
    # The place and heading of the type's section in the chronology (`nrr export markdown`),
    # sections in place order; None: no section of its own (the comment says where it shows).
    chronology: ClassVar[tuple[int, str] | None]
    # Fields that only order the records (a channel's place in nrr status): kept in the data
    # and in JSON, never shown to a person reading the record.
    internal_fields: ClassVar[frozenset[str]] = frozenset()
    # Whether the record tells of something that happened, so that its `date` must touch the
    # span its dataset declares it `covers` (a dataset record's own words: "the span of the
    # events it records"); sources, periods and terms may reach outside it.
    happened: ClassVar[bool] = False
    # Whether such a record may come before that span: a state change's state holds from its
    # day on, so one before the span (a treaty in force since 1988) says how the span begins.
    may_precede_coverage: ClassVar[bool] = False

    @property
    def label(self) -> str:
        value: str = getattr(self, self.label_field)
        return value

    def __init__(self, **values: Any) -> None:
        """Every field by keyword; a field without a default must be given."""
        cls: type[Any] = type(self)
        if cls not in _DEFAULTS:
            _DEFAULTS[cls] = {f.name: f.default for f in dataclasses.fields(cls)}
        fields = {**_DEFAULTS[cls], **values}
        if len(fields) != len(_DEFAULTS[cls]) or dataclasses.MISSING in fields.values():
            wrong = [name for name in fields if name not in _DEFAULTS[cls]]
            wrong += [name for name, value in fields.items() if value is dataclasses.MISSING]
            raise TypeError(f"{cls.__name__}() got wrong or missing fields: {', '.join(wrong)}")
        self.__dict__.update(fields)  # a frozen record's __setattr__ refuses, as it should

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in field_schemas(type(self)))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = (f"{name}={getattr(self, name)!r}" for name in field_schemas(type(self)))
        return f"{type(self).__name__}({', '.join(shown)})"

    @classmethod
    def command(cls) -> str:
        return cls.type_name.replace("_", "-")

    @classmethod
    def list_command(cls) -> str:
        return cls.plural.replace("_", "-")


_DATE = ListColumn("Date", "date", "date")
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


def is_web_address(text: str) -> bool:
    """An address a citation may give and a terminal may link: http or https, no spaces (no
    javascript:, file: or data: address, which a reader's tools would open as given)."""
    return text.startswith(("https://", "http://")) and not re.search(r"[\s<>\"]", text)


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
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
    example_id = "nrr-bundled"
    link_fields = ("title", "covers", "checked")
    cite_rank = 12
    brought_along = ()
    search_weights = weights(title=5.0, summary=2.0)
    chronology = None  # about the data, not the relationship
    id: str = _field("id")
    title: str = text_field()
    covers: EdtfDate = date_field()
    checked: EdtfDate = date_field()
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
class Period(RecordType):
    """A stretch of the relationship's history: a backgrounder section or the dataset's own."""

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
    example_id = "georgia-2008"
    link_fields = ("title", "date")
    cite_rank = 7
    brought_along = ()
    search_weights = weights(title=5.0, summary=2.0)
    chronology = (1, "Periods")
    internal_fields = frozenset({"order"})
    id: str = _field("id")
    title: str = text_field()
    date: EdtfDate = date_field()
    order: int = _field("int")
    # A section of NATO's 2015 backgrounder, or the dataset's own (the default).
    origin: str | None = enum_field("backgrounder", "dataset", optional=True)
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = _field("corrections", optional=True)
    events: tuple[str, ...] = derived_refs("event", via="period")


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
class Actor(RecordType):
    """A person, body, state or alliance that acts in the records."""

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
    example_id = "putin"
    link_fields = ("name", "kind", "role")
    cite_rank = 9
    brought_along = ("terms",)
    search_weights = weights(name=5.0, name_ru=5.0, role=2.0, summary=2.0)
    chronology = None  # named in the entries that involve them
    id: str = _field("id")
    name: str = text_field()
    # The Russian name in Cyrillic, where a source gives it.
    name_ru: str | None = text_field(optional=True)
    kind: str = enum_field("person", "body", "state", "alliance")
    role: str = text_field()
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = _field("corrections", optional=True)
    terms: tuple[str, ...] = derived_refs("term", via="actor")
    events: tuple[str, ...] = derived_refs("event", via="actors")
    meetings: tuple[str, ...] = derived_refs("event", via="meeting_of")
    agreements: tuple[str, ...] = derived_refs("agreement", via="signatories")
    issued: tuple[str, ...] = derived_refs("agreement", via="issued_by")
    created_by: tuple[str, ...] = derived_refs("agreement", via="creates")
    decisions: tuple[str, ...] = derived_refs("state_change", via="by")
    quotations: tuple[str, ...] = derived_refs("quotation", via="speaker")


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
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
    example_id = "worner-secretary-general-1988"
    link_fields = ("actor", "office", "start", "end")
    cite_rank = 10
    search_weights = weights()
    brought_along = ()
    chronology = None  # a person's offices: not part of the story told
    id: str = _field("id")
    actor: str = ref_field("actor")
    office: str = text_field()
    start: EdtfDate = date_field()
    end: EdtfDate | None = date_field(optional=True)
    note: str | None = text_field(optional=True)
    sources: tuple[str, ...] = refs_field("source")

    @property
    def label(self) -> str:
        until = self.end.display() if self.end is not None else "today"
        return f"{self.office}, {self.start.display()} \u2013 {until}"


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
class Agreement(RecordType):
    """An agreement, declaration or statement, dated when adopted or signed."""

    type_name = "agreement"
    happened = True
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
    example_id = "founding-act"
    link_fields = ("title", "short_title", "kind", "date")
    cite_rank = 0
    same_day_rank = 1
    brought_along = ("principles", "areas")
    search_weights = weights(title=5.0, short_title=5.0, aliases=5.0, summary=2.0)
    chronology = (2, "Agreements")
    id: str = _field("id")
    title: str = text_field()
    short_title: str = text_field()
    # Other names it goes by in its sources (annexed-crimea, enlargement), searched with a
    # title's weight: tags, so that validation needs no new kind (search splits them at '-').
    aliases: tuple[str, ...] = _field("tags", optional=True)
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
    place: str | None = text_field(optional=True)
    summary: str = text_field()
    issued_by: tuple[str, ...] = refs_field("actor", optional=True)  # declarations are issued
    signatories: tuple[str, ...] = refs_field("actor", optional=True)  # treaties are signed
    creates: tuple[str, ...] = refs_field("actor", optional=True)
    topics: tuple[str, ...] = refs_field("topic", optional=True)
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = _field("corrections", optional=True)
    events: tuple[str, ...] = derived_refs("event", via="agreements")
    principles: tuple[str, ...] = derived_refs("principle", via="agreements")
    areas: tuple[str, ...] = derived_refs("area", via="agreements")
    quotations: tuple[str, ...] = derived_refs("quotation", via="document")


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
class Principle(RecordType):
    """A principle the agreements state (non-use of force, ...)."""

    type_name = "principle"
    ordered_by = None
    plural = "principles"
    noun, nouns = "principle", "principles"
    list_title = "Principles"
    list_columns = (_ID, ListColumn("Title", "title"), ListColumn("Stated in", "agreements"))
    example_id = "non-use-of-force"
    link_fields = ("title",)
    cite_rank = 5
    brought_along = ()
    search_weights = weights(title=5.0, summary=2.0)
    chronology = (3, "Principles")
    id: str = _field("id")
    title: str = text_field()
    summary: str = text_field()
    agreements: tuple[str, ...] = refs_field("agreement")
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = _field("corrections", optional=True)
    quotations: tuple[str, ...] = derived_refs("quotation", via="principles")


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
class Area(RecordType):
    """An area of cooperation the agreements name (arms control, ...)."""

    type_name = "area"
    ordered_by = None
    plural = "areas"
    noun, nouns = "area of cooperation", "areas of cooperation"
    list_title = "Areas"
    list_columns = (_ID, ListColumn("Title", "title"), ListColumn("Stated in", "agreements"))
    example_id = "arms-control"
    link_fields = ("title",)
    cite_rank = 6
    brought_along = ()
    search_weights = weights(title=5.0, summary=2.0)
    chronology = None  # named in the agreements that state them
    id: str = _field("id")
    title: str = text_field()
    summary: str = text_field()
    agreements: tuple[str, ...] = refs_field("agreement")
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = _field("corrections", optional=True)


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
class Event(RecordType):
    """Something that happened, dated as precisely as its sources allow."""

    type_name = "event"
    happened = True
    plural = "events"
    noun, nouns = "event", "events (nrr timeline filters them)"
    list_title = "NATO-Russia timeline"
    list_columns = (_DATE, _ID, ListColumn("Event", "title"), ListColumn("Place", "place"))
    example_id = "russia-joins-pfp-1994"
    link_fields = ("title", "date", "date_display", "place")
    cite_rank = 1
    same_day_rank = 0
    brought_along = ("quotations", "state_changes")
    search_weights = weights(title=5.0, aliases=5.0, summary=2.0)
    chronology = None  # under its period, in date order
    id: str = _field("id")
    title: str = text_field()
    aliases: tuple[str, ...] = _field("tags", optional=True)  # as an agreement's
    date: EdtfDate = date_field()
    date_display: str | None = text_field(optional=True)
    place: str | None = text_field(optional=True)
    summary: str = text_field()
    # Where sources disagree, or a detail is unconfirmed.
    note: str | None = text_field(optional=True)
    period: str = ref_field("period")
    actors: tuple[str, ...] = refs_field("actor", optional=True)
    meeting_of: str | None = ref_field("actor", optional=True)  # the council that met (PJC, NRC)
    agreements: tuple[str, ...] = refs_field("agreement", optional=True)
    topics: tuple[str, ...] = refs_field("topic", optional=True)
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = _field("corrections", optional=True)
    quotations: tuple[str, ...] = derived_refs("quotation", via="event")
    state_changes: tuple[str, ...] = derived_refs("state_change", via="event")


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
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
    example_id = "nrc"
    link_fields = ("title",)
    cite_rank = 8
    brought_along = ()
    search_weights = weights(title=5.0, summary=2.0)
    chronology = (4, "Channels of the relationship")
    internal_fields = frozenset({"order"})
    id: str = _field("id")
    title: str = text_field()
    order: int = _field("int")
    summary: str = text_field()
    body: str | None = ref_field("actor", optional=True)  # the council whose meetings status lists
    states: tuple[str, ...] = _field("tags")
    # States that stand until a new act undoes them (a treaty ended, an office closed): status
    # never marks them unconfirmed, however old their date.
    final_states: tuple[str, ...] = _field("tags", optional=True)
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = _field("corrections", optional=True)
    changes: tuple[str, ...] = derived_refs("state_change", via="channel")


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
class StateChange(RecordType):
    """A dated change of one channel: its state from `date` on, until the channel's next change."""

    type_name = "state_change"
    happened = True
    may_precede_coverage = True
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
    example_id = "nrc-reported-dissolved-2025"
    link_fields = ("channel", "date", "state", "title", "confirmed")
    cite_rank = 3
    same_day_rank = 2
    brought_along = ()
    search_weights = weights(title=5.0, summary=2.0)
    chronology = None  # under its channel, in date order
    id: str = _field("id")
    channel: str = ref_field("channel")
    date: EdtfDate = date_field()
    state: str = _field("slug")
    title: str = text_field()
    summary: str = text_field()
    by: tuple[str, ...] = refs_field("actor", optional=True)
    event: str | None = ref_field("event", optional=True)
    # Who alone says so, where only one party does.
    attribution: str | None = text_field(optional=True)
    # The latest day one of its sources shows the state still holding (the change's own date
    # where none later does): status marks a state whose confirmation is old.
    confirmed: EdtfDate | None = date_field(optional=True)
    note: str | None = text_field(optional=True)
    topics: tuple[str, ...] = refs_field("topic", optional=True)
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = _field("corrections", optional=True)

    @property
    def reported_only(self) -> bool:
        """Whether the state rests on a report rather than a record of it: one party alone
        says so (an `attribution`), or the state itself is a report (reported-dissolved)."""
        return self.attribution is not None or self.state.startswith("reported-")


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
class Quotation(RecordType):
    """Words said or written, verbatim, and the document they come from."""

    type_name = "quotation"
    happened = True
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
    example_id = "lisbon-new-stage"
    link_fields = ("text", "speaker", "date", "document")
    cite_rank = 2
    same_day_rank = 3
    search_weights = weights(text=3.0, context=2.0)
    brought_along = ()
    chronology = None  # in the entry of the record it belongs to
    id: str = _field("id")
    text: str = text_field()
    document: str = ref_field("agreement", "source")
    speaker: str | None = ref_field("actor", optional=True)
    date: EdtfDate = date_field()
    event: str | None = ref_field("event", optional=True)
    principles: tuple[str, ...] = refs_field("principle", optional=True)
    checked: str = enum_field("official-text", "reprint", "news", "backgrounder-only")
    context: str = text_field()
    topics: tuple[str, ...] = refs_field("topic", optional=True)
    sources: tuple[str, ...] = refs_field("source")
    corrections: tuple[Correction, ...] = _field("corrections", optional=True)


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
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
    example_id = "missile-defence"
    link_fields = ("title", "years")
    cite_rank = 11
    brought_along = ()
    search_weights = weights(title=5.0, summary=2.0)
    chronology = None  # threads through the records: nrr topic tells them
    id: str = _field("id")
    title: str = text_field()
    summary: str = text_field()
    sources: tuple[str, ...] = refs_field("source")
    # From the first to the last linked record, in years; and how many records link to it.
    years: EdtfDate | None = _field("date", optional=True, derived=True)
    record_count: int = _field("int", derived=True)
    events: tuple[str, ...] = derived_refs("event", via="topics")
    agreements: tuple[str, ...] = derived_refs("agreement", via="topics")
    state_changes: tuple[str, ...] = derived_refs("state_change", via="topics")
    quotations: tuple[str, ...] = derived_refs("quotation", via="topics")


# Every type but Source, in the order files are read and shown (RECORD_TYPES). Source comes
# after them in this file because its `cited_by` names the types that cite sources.
_CITING = (
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
# The types whose records cite sources (their `sources` field), in RECORD_TYPES order.
CITING_TYPES = tuple(cls.type_name for cls in _CITING if "sources" in field_schemas(cls))


@dataclass(frozen=True, init=False, kw_only=True, repr=False, eq=False)
class Source(RecordType):
    """Where facts come from: a document, page or report, its kind and its publisher's tier."""

    type_name = "source"
    plural = "sources"
    noun, nouns = "source", "sources"
    list_title = "Sources"
    list_columns = (
        _DATE,
        _ID,
        ListColumn("Title", "title"),
        ListColumn("Kind", "kind", "key"),
        # What kind of publisher made it is what a reader weighs a source by: at every width.
        ListColumn("Tier", "tier", "key", keep=True),
        ListColumn("Publisher", "publisher"),
        ListColumn("Cited by", "cited_by", "key", count=True),
        ListColumn("URL", "url"),
    )
    example_id = "nato-nrc-topic-2022"
    link_fields = ("title", "publisher", "kind", "date", "url")
    cite_rank = 4
    search_weights = weights(title=5.0)
    brought_along = ()
    chronology = (5, "Sources")
    id: str = _field("id")
    title: str = text_field()
    publisher: str = text_field()
    kind: str = enum_field(
        "backgrounder", "official-text", "official-page", "government-page", "reprint", "news"
    )
    # What kind of publisher made it, so that a reader can weigh a claim (SOURCE_TIERS).
    tier: str = enum_field(*SOURCE_TIERS)
    # For state media: the state whose media it is ("Russia"); they carry only its statements.
    state: str | None = text_field(optional=True)
    date: EdtfDate | None = date_field(optional=True)
    url: str | None = text_field(optional=True)
    note: str | None = text_field(optional=True)
    # Every record whose `sources` or corrections name this one, by type (in CITING_TYPES
    # order) and within a type in date order: what rests on the source. Filled by validation,
    # not BACKLINKS, since a correction's sources sit inside the correction.
    cited_by: tuple[str, ...] = _field("refs", *CITING_TYPES, derived=True)


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
RECORD_TYPES: dict[str, type[Record]] = {cls.type_name: cls for cls in (Source, *_CITING)}

# Plural names, used for file names (data/events.yaml), list commands and SQL tables.
PLURALS: dict[str, str] = {name: cls.plural for name, cls in RECORD_TYPES.items()}


class DatedRecords(Mapping[str, Record]):
    """Records of a type that can pick those whose `date` overlaps a span without building
    the others (a cache entry's, decoded when asked for): what Dataset.overlapping uses."""

    @abstractmethod
    def overlapping(self, earliest: dt.date | None, latest: dt.date | None) -> list[Record]: ...


@dataclass(frozen=True, slots=True)
class Dataset:
    """All records, by type and id. Built and validated by the loader.

    Each type's records are a mapping of id to record, in the order the files list them.
    """

    records: Mapping[str, Mapping[str, Record]]

    def of_type(self, type_name: str) -> Mapping[str, Record]:
        return self.records[type_name]

    def overlapping(
        self, type_name: str, earliest: dt.date | None, latest: dt.date | None
    ) -> Iterator[Record]:
        """Records of a type whose date overlaps [earliest, latest] (undated ones included)."""
        records = self.records[type_name]
        if isinstance(records, DatedRecords):
            return iter(records.overlapping(earliest, latest))
        return (
            record
            for record in records.values()
            if (date := getattr(record, "date", None)) is None or date.overlaps(earliest, latest)
        )

    def get(self, type_name: str, record_id: str) -> Record | None:
        return self.records.get(type_name, {}).get(record_id)

    def find(self, record_id: str, targets: tuple[str, ...]) -> Record | None:
        """The record with this id among the given types (first match in order)."""
        found = (self.get(type_name, record_id) for type_name in targets)
        return next((record for record in found if record is not None), None)

    def all_records(self) -> Iterator[Record]:
        return (record for by_id in self.records.values() for record in by_id.values())

    def events(self) -> list[Event]:
        return [r for r in self.records["event"].values() if isinstance(r, Event)]

    def counts(self) -> dict[str, int]:
        return {name: len(by_id) for name, by_id in self.records.items()}


def date_order_key(record: Record) -> tuple[Any, ...]:
    """How records sort by date: (earliest day, latest day, id); undated ones last, by id."""
    date = getattr(record, record.ordered_by) if record.ordered_by else None
    return (1, record.id) if date is None else (0, *date.sort_key(), record.id)


def in_date_order(records: Iterable[Record]) -> list[Record]:
    return sorted(records, key=date_order_key)


def date_text(record: Record) -> str:
    """A record's date as people read it: an event's own wording ("spring 1994"), else its
    date's ("27 May 1997"); "" when it has no date."""
    date = getattr(record, "date", None)
    return str(getattr(record, "date_display", None) or (date.display() if date else ""))


# Links stored once in the files and shown from both ends: (type, derived field) is filled with
# the ids of the (source type) records whose (source field) names it. Declared on the derived
# fields (derived_refs(..., via=...)).
BACKLINKS: tuple[tuple[str, str, str, str], ...] = tuple(
    (type_name, name, schema.targets[0], schema.via)
    for type_name, cls in RECORD_TYPES.items()
    for name, schema in field_schemas(cls).items()
    if schema.via is not None
)

# The derived refs of a topic: the records that link to it, one list per type.
TOPIC_LINKS = tuple(name for name, schema in field_schemas(Topic).items() if schema.via)


def topic_records(dataset: Dataset, topic: Topic) -> list[Record]:
    """Every record linked to the topic, of every type, in no particular order."""
    found = (
        dataset.get(field_schemas(Topic)[name].targets[0], record_id)
        for name in TOPIC_LINKS
        for record_id in getattr(topic, name)
    )
    return [record for record in found if record is not None]


def topic_extent(dataset: Dataset, topic: Topic) -> dict[str, Any]:
    """A topic's derived `years` (the first to the last year of the records linked to it) and
    `record_count`, from its derived links as they stand (all of them, or an export's part)."""
    count = sum(len(getattr(topic, name)) for name in TOPIC_LINKS)
    found = (getattr(record, "date", None) for record in topic_records(dataset, topic))
    dates = [date for date in found if isinstance(date, EdtfDate)]
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
    """Every record type's fields, in full: caches made under another schema never match."""
    return ";".join(
        f"{name}({','.join(f'{n}:{s!r}' for n, s in field_schemas(cls).items())})"
        for name, cls in RECORD_TYPES.items()
    )
