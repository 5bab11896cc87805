"""Raw records -> a validated, cross-linked Dataset.

Every problem names the file, the record id and the field. All problems are collected before
validation fails, so that `nrr validate` can list them all at once.

Two ways lead to the same records. `build_dataset` checks record by record and explains every
problem; it is the definition. `QuickBuild` and `link` check whole columns of plain values at a
time with set operations, joins and single scans that run in C, which is what makes loading a
large dataset about as fast as parsing it: they only decide whether everything is valid, and
when it is not (or they cannot tell at once) the record-by-record checks take over, so that
messages always come from `build_dataset`.
"""

from __future__ import annotations

import array
import calendar
import collections
import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any, NamedTuple

from nato_russia.dates import DateFormatError, EdtfDate, parse_date
from nato_russia.errors import DataError, Problem
from nato_russia.model import (
    BACKLINKS,
    RECORD_TYPES,
    Actor,
    Channel,
    Correction,
    Dataset,
    Event,
    FieldSchema,
    Record,
    StateChange,
    Topic,
    field_schemas,
    in_date_order,
    stored_fields,
    topic_extent,
)
from nato_russia.readers import Batch, RawRecord, keys_intact

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_RULE = "lower-case words joined by '-'"
# Control characters other than tab and line ends: in a terminal they can move the cursor or
# recolour the screen, and CSV, JSON Lines and Markdown readers mishandle them. Bidirectional
# overrides and isolates reorder what a reader sees ("Trojan source"), zero-width characters
# hide inside words (a search for the word would not find it), and a lone surrogate cannot be
# written as UTF-8 at all: none belongs in a reference's text.
CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
    "\ud800-\udfff]"
)
# Orders sort records for display; beyond this they are a typo, and SQLite stores at most 2**63.
MAX_ORDER = 1_000_000
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


_REQUIRED: dict[type[Any], frozenset[str]] = {}


def _required(cls: type[Record]) -> frozenset[str]:
    if cls not in _REQUIRED:
        _REQUIRED[cls] = frozenset(n for n, s in stored_fields(cls).items() if not s.optional)
    return _REQUIRED[cls]


class _RecordChecker:
    """Validates one raw record field by field, collecting problems."""

    def __init__(self, raw: RawRecord, problems: list[Problem]) -> None:
        self.raw = raw
        self.problems = problems
        self.record_id = raw_id(raw)

    def problem(self, field_name: str | None, message: str) -> None:
        self.problems.append(
            Problem(self.raw.file, self.record_id, field_name, message, index=self.raw.position)
        )

    def check(self) -> dict[str, Any] | None:
        if not isinstance(self.raw.values, Mapping):
            self.problem(None, "a record must be a mapping of field: value")
            return None
        cls = RECORD_TYPES[self.raw.type_name]
        stored = stored_fields(cls)
        before = len(self.problems)
        raw_values = self.raw.values
        # Set operations on the keys run in C: this loop is hot for large datasets.
        if not raw_values.keys() <= stored.keys():
            self.check_unknown_keys(cls)
        for name in sorted(_required(cls) - raw_values.keys()):
            self.problem(name, "required field is missing")
        values: dict[str, Any] = {}
        for name, value in raw_values.items():
            schema = stored.get(name)
            if schema is None:
                continue
            if value is None:
                if not schema.optional:
                    self.problem(name, "required field is missing")
                continue
            # Fast paths for the values nearly every record has right; anything else takes
            # the full conversion below, which explains what is wrong.
            kind = schema.kind
            if type(value) is str:
                # isprintable() is the quick yes for one-line text; the regex decides the rest.
                if (
                    kind == "text"
                    and value.strip()
                    and (value.isprintable() or not CONTROL.search(value))
                ):
                    values[name] = value
                    continue
                if kind in ("id", "ref", "slug") and SLUG.fullmatch(value):
                    values[name] = value
                    continue
                if kind == "date":
                    try:
                        values[name] = parse_date(value)
                    except DateFormatError as exc:
                        self.problem(name, str(exc))
                    continue
            converted = self.convert(name, schema, value)
            if converted is not None:
                values[name] = converted
        return values if len(self.problems) == before else None

    def check_unknown_keys(self, cls: type[Record]) -> None:
        fields, stored = field_schemas(cls), stored_fields(cls)
        for key in self.raw.values:
            if key in fields and key not in stored:
                self.problem(str(key), "is derived from other records; do not set it")
            elif key not in fields:
                allowed = ", ".join(sorted(stored))
                self.problem(str(key), f"unknown field (allowed: {allowed})")

    def convert(self, name: str, schema: FieldSchema, value: Any) -> Any:
        kind = schema.kind
        if kind in ("id", "text", "enum", "ref", "slug"):  # the most common kinds first: hot
            return self.convert_text(name, schema, value)
        if kind in ("refs", "tags"):
            return self.convert_list(name, schema, value)
        if kind == "date":
            return self.convert_date(name, schema, value)
        if kind == "int":
            return self.convert_int(name, schema, value)
        if kind == "corrections":
            return self.convert_corrections(name, value)
        raise AssertionError(f"unknown field kind {kind}")  # pragma: no cover

    def convert_int(self, name: str, schema: FieldSchema, value: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            if abs(value) <= MAX_ORDER:
                return value
            self.problem(name, f"must be between -{MAX_ORDER:,} and {MAX_ORDER:,}")
            return None
        self.problem(name, f"expected a whole number, got {_excerpt(value)}")
        return None

    def convert_date(self, name: str, schema: FieldSchema, value: Any) -> EdtfDate | None:
        value = _normalise_date(value)
        if not isinstance(value, str):
            self.problem(name, f"expected a date string such as '1994-06', got {_excerpt(value)}")
            return None
        try:
            return parse_date(value)
        except DateFormatError as exc:
            self.problem(name, str(exc))
            return None

    def convert_text(self, name: str, schema: FieldSchema, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(name, f"expected non-empty text, got {_excerpt(value)}")
            return None
        control = CONTROL.search(value)
        if control is not None:
            self.problem(name, f"contains the {_kind_of(control[0])} {control[0]!r}")
            return None
        if schema.kind in ("id", "ref", "slug") and not SLUG.fullmatch(value):
            self.problem(name, f"{_excerpt(value)} is not an id ({SLUG_RULE})")
            return None
        if schema.kind == "enum" and value not in schema.choices:
            self.problem(name, f"{_excerpt(value)} is not one of: {', '.join(schema.choices)}")
            return None
        return value

    def convert_list(self, name: str, schema: FieldSchema, value: Any) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.problem(name, f"expected a list of ids, got {_excerpt(value)}")
            return None
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not SLUG.fullmatch(item):
                self.problem(
                    name, f"{_excerpt(item)} is not an id (lower-case words joined by '-')"
                )
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
            if CONTROL.search(says) or CONTROL.search(finding):
                self.problem(name, "says and finding must not contain control characters")
                return None
            checked = self.convert_list(f"{name}.sources", FieldSchema("refs"), sources)
            if checked is None:
                return None
            corrections.append(Correction(says=says, finding=finding, sources=checked))
        return tuple(corrections)


def _kind_of(character: str) -> str:
    if character <= "\x9f":
        return "control character"
    if "\ud800" <= character <= "\udfff":
        return "lone surrogate"
    return "invisible formatting character"


EXCERPT = 80  # characters of a bad value a message quotes


def _excerpt(value: Any) -> str:
    """A bad value as a message quotes it: its repr, cut to EXCERPT characters."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to convert to text
        return "a number too long to show"
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "\u2026"


def _link_fields(cls: type[Record]) -> list[tuple[str, FieldSchema]]:
    """The stored fields of a class that name other records."""
    return [
        (name, schema)
        for name, schema in stored_fields(cls).items()
        if schema.kind in ("ref", "refs", "corrections")
    ]


def _check_references(
    dataset: Dataset,
    origin: Mapping[tuple[str, str], RawRecord],
    broken: set[tuple[str, str]],
    unread: frozenset[str],
) -> list[Problem]:
    """Every link must resolve. Links to records already reported as broken are not repeated."""
    problems: list[Problem] = []

    def missing(ref: str, targets: tuple[str, ...]) -> bool:
        # A link into a file that could not be read is not reported again: its one problem,
        # the file's, says it all.
        return not any(
            t in unread or ref in dataset.records[t] or (t, ref) in broken for t in targets
        )

    for type_name, by_id in dataset.records.items():
        link_fields = _link_fields(RECORD_TYPES[type_name])
        for record in by_id.values():
            for name, schema in link_fields:
                value = getattr(record, name)
                links: list[tuple[str, str, tuple[str, ...]]]
                if schema.kind == "corrections":
                    links = [(f"{name}.sources", r, ("source",)) for c in value for r in c.sources]
                elif schema.kind == "ref":
                    links = [] if value is None else [(name, value, schema.targets)]
                else:
                    links = [(name, ref, schema.targets) for ref in value]
                for field_name, ref, targets in links:
                    if missing(ref, targets):
                        raw = origin[(type_name, record.id)]
                        message = f"no {' or '.join(targets)} with id {ref!r}"
                        problems.append(
                            Problem(raw.file, record.id, field_name, message, index=raw.position)
                        )
    return problems


def _check_state_changes(
    dataset: Dataset, origin: Mapping[tuple[str, str], RawRecord]
) -> list[Problem]:
    """A change sets one of its channel's states, and a channel changes at most once a day:
    two changes on one date would leave its state on that day undecided."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    channels = dataset.records["channel"]
    for change in dataset.records["state_change"].values():  # in reading order: the later one is
        # reported, so a user's file that clashes with the bundled data is the one named
        if not isinstance(change, StateChange):
            continue
        raw = origin[("state_change", change.id)]

        def problem(field_name: str, message: str, raw: RawRecord = raw) -> None:
            problems.append(Problem(raw.file, raw_id(raw), field_name, message, index=raw.position))

        channel = channels.get(change.channel)
        if isinstance(channel, Channel) and change.state not in channel.states:
            allowed = ", ".join(channel.states)
            problem("state", f"{change.state!r} is not a state of channel {channel.id} ({allowed})")
        event = dataset.records["event"].get(change.event or "")
        if isinstance(event, Event) and event.date.earliest() > change.date.latest():
            # A change cannot rest on what had not yet happened: the link is a mistake.
            problem("event", f"event {event.id} is dated {event.date}, after the change")
        if change.confirmed is not None and change.confirmed.latest() < change.date.earliest():
            problem("confirmed", f"{change.confirmed} is before the change itself ({change.date})")
        key = (change.channel, str(change.date))
        if key in seen:
            problem(
                "date", f"channel {change.channel} already changes on {change.date} ({seen[key]})"
            )
        else:
            seen[key] = change.id
    for channel in channels.values():
        if isinstance(channel, Channel) and not set(channel.final_states) <= set(channel.states):
            raw = origin[("channel", channel.id)]
            unknown = ", ".join(sorted(set(channel.final_states) - set(channel.states)))
            problems.append(
                Problem(
                    raw.file,
                    raw_id(raw),
                    "final_states",
                    f"not among its states: {unknown}",
                    index=raw.position,
                )
            )
    return problems


def _check_topics(dataset: Dataset, origin: Mapping[tuple[str, str], RawRecord]) -> list[Problem]:
    """Every topic is a thread of something: one that nothing links to is a typo in an id, or
    a topic the data was never linked to, and `nrr topic` would tell an empty story."""
    linked: set[str] = set()
    for type_name, cls in RECORD_TYPES.items():
        if "topics" in stored_fields(cls):
            for record in dataset.records[type_name].values():
                linked.update(getattr(record, "topics", ()))
    problems = []
    for topic_id in dataset.records["topic"]:
        if topic_id not in linked:
            raw = origin[("topic", topic_id)]
            message = "no event, agreement, state change or quotation links to this topic"
            problems.append(Problem(raw.file, topic_id, None, message, index=raw.position))
    return problems


def raw_id(raw: RawRecord) -> str | None:
    record_id = raw.values.get("id") if isinstance(raw.values, Mapping) else None
    return record_id if isinstance(record_id, str) else None


def _with_backlinks(dataset: Dataset) -> Dataset:
    """Fill the derived fields: each link is stored once and shown from both ends. Linking
    records are visited in date order, so every derived list comes out in date order."""
    found: dict[tuple[str, str], dict[str, list[str]]] = {}
    ordered = {name: in_date_order(by_id.values()) for name, by_id in dataset.records.items()}
    for target_type, derived_field, source_type, source_field in BACKLINKS:
        targets = dataset.records[target_type]
        for record in ordered[source_type]:
            value = getattr(record, source_field)
            refs = (value,) if isinstance(value, str) else (value or ())
            for ref in refs:
                if ref in targets:
                    by_field = found.setdefault((target_type, ref), {})
                    by_field.setdefault(derived_field, []).append(record.id)
    _cited_by(ordered, found)
    linked = {type_name: dict(by_id) for type_name, by_id in dataset.records.items()}
    # Only records that something links to change; the rest keep their empty derived fields.
    for (type_name, record_id), by_field in found.items():
        changes = {name: tuple(ids) for name, ids in by_field.items()}
        linked[type_name][record_id] = dataclasses.replace(linked[type_name][record_id], **changes)  # type: ignore[arg-type]
    result = Dataset(linked)
    # A topic's span and count come from its links, so they are worked out once those are in.
    topics = linked["topic"]
    for topic_id, topic in topics.items():
        if isinstance(topic, Topic):
            topics[topic_id] = dataclasses.replace(topic, **topic_extent(result, topic))
    return result


def _cited_by(
    ordered: Mapping[str, list[Record]], found: dict[tuple[str, str], dict[str, list[str]]]
) -> None:
    """Add each source's `cited_by`: every record naming it in `sources` or in a correction's
    sources, once each, by type and then in date order."""
    sources = {r.id for r in ordered["source"]}
    for type_name, records in ordered.items():
        for record in records:
            cited = list(getattr(record, "sources", ()))
            for correction in getattr(record, "corrections", ()):
                cited.extend(correction.sources)
            for source_id in dict.fromkeys(cited):
                if source_id in sources and type_name != "source":
                    by_field = found.setdefault(("source", source_id), {})
                    by_field.setdefault("cited_by", []).append(record.id)


def build_dataset(
    raw_records: Iterable[RawRecord], unread: frozenset[str] = frozenset()
) -> Dataset:
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
            problems.append(Problem(raw.file, record_id, "id", message, index=raw.position))
            continue
        records[raw.type_name][record_id] = RECORD_TYPES[raw.type_name](**values)
        origin[(raw.type_name, record_id)] = raw
    dataset = Dataset(records)
    problems.extend(_check_references(dataset, origin, broken, unread))
    if not problems:
        problems.extend(_check_state_changes(dataset, origin))
        # Only with every record read: a broken one would make its topics look unlinked.
        problems.extend(_check_topics(dataset, origin))
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
    derived = [n for n, s in field_schemas(Actor).items() if s.derived]
    for actor in dataset.of_type("actor").values():
        if not any(getattr(actor, name) for name in derived):
            found.append(f"actor {actor.id!r} takes part in no event, agreement or quotation")
    return found


# --- the quick way: whole columns at a time ---------------------------------------------------

# A date's first and last day as day ordinals. Dates sort by (first, last, id); both fit in 22
# bits, so one integer first * 2**22 + last sorts as the pair does.
Span = tuple[int, int]
UNDATED = dt.date.max.toordinal() + 1  # undated records sort last, as in model.in_date_order
_SPAN_BITS = 22
_DAY_FORM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MONTH_FORM = re.compile(r"[0-9]{4}-[0-9]{2}")
_YEAR_FORM = re.compile(r"[0-9]{4}")
# Ids joined by "\n", all of them slugs: one scan for a whole column.
_SLUG_LINES = re.compile(r"[a-z0-9]++(?:-[a-z0-9]++)*+(?:\n[a-z0-9]++(?:-[a-z0-9]++)*+)*+")
# The ASCII characters text may hold: those CONTROL does not refuse.
_ASCII_TEXT = bytes(range(0x20, 0x7F)) + b"\t\n\r"
# Kinds whose values repeat across records (the same period, source or day): kept as one
# object each, which saves hundreds of megabytes on a million records.
_SHARED_KINDS = frozenset({"ref", "refs", "tags", "slug", "enum", "date"})


def date_span(text: str) -> Span | None:
    """A date's first and last day, or None if parse_date refuses it.

    The single-date forms are read here, at a tenth of the cost of parse_date (a large
    dataset holds thousands of distinct days); intervals go through parse_date."""
    if _DAY_FORM.fullmatch(text):
        try:
            day = dt.date.fromisoformat(text).toordinal()
        except ValueError:  # no such day, or year 0
            return None
        return day, day
    if _MONTH_FORM.fullmatch(text):
        year, month = int(text[:4]), int(text[5:])
        if year == 0 or not 1 <= month <= 12:
            return None
        first = dt.date(year, month, 1).toordinal()
        return first, first + calendar.monthrange(year, month)[1] - 1
    if _YEAR_FORM.fullmatch(text):
        year = int(text)
        if year == 0:
            return None
        return dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
    try:
        date = parse_date(text)
    except DateFormatError:
        return None
    return date.earliest().toordinal(), date.latest().toordinal()


def sort_key(span: Span | None) -> int:
    first, last = span if span is not None else (UNDATED, 0)
    return (first << _SPAN_BITS) | last


@dataclasses.dataclass(slots=True)
class Table:
    """The valid records of one type as columns of plain values, in reading order.

    Plain values are what the cache stores: ids, text and dates as strings (a date as written:
    parse_date accepts each date in one spelling only), lists as tuples, a correction as
    (says, finding, sources), None or () for a field not set. `link` adds the derived fields'
    columns, `order` (the reading index of each record, in date order) and `by_id` (the same
    in id order)."""

    type_name: str
    columns: dict[str, list[Any]]
    order: list[int] = dataclasses.field(default_factory=list)
    by_id: list[int] = dataclasses.field(default_factory=list)
    _in_order: dict[str, list[Any]] = dataclasses.field(default_factory=dict, repr=False)
    _rank: array.array[int] | None = dataclasses.field(default=None, repr=False)
    _forgotten: set[str] = dataclasses.field(default_factory=set, repr=False)

    @property
    def ids(self) -> list[str]:
        return self.columns["id"]

    def __len__(self) -> int:
        return len(self.order) if self.order else len(self.columns["id"])

    def in_order(self, name: str) -> list[Any]:
        """A column in date order, made once: linking and encoding both need several.

        Gathering a column in date order reads it at random, which on a million records costs
        a third of a second. A column few records set (the bundled events' actors beside a
        million of the user's without) is made instead from the records that set it."""
        column = self._in_order.get(name)
        if column is None:
            values = self.columns[name]
            setting = list(itertools.compress(range(len(values)), values))
            if len(setting) * _SPARSE < len(values):
                default = plain_default(field_schemas(RECORD_TYPES[self.type_name])[name])
                column = [default] * len(values)
                rank = self.rank
                for index in setting:
                    column[rank[index]] = values[index]
            else:
                column = list(map(values.__getitem__, self.order))
            self._in_order[name] = column
        return column

    def forget_reading_order(self, name: str) -> None:
        """Let a column go in reading order, once it is in date order (encoding, which needs
        nothing else): a million records' column is 8 MB of pointers."""
        self.in_order(name)
        if name != "id":  # the ids stay: they are what a Table's records are known by
            self._forgotten.add(name)
            self.columns[name] = []

    def column(self, name: str) -> list[Any]:
        """A column in reading order, made again from date order if it was let go."""
        if name in self._forgotten:
            return list(map(self.in_order(name).__getitem__, self.rank))
        return self.columns[name]

    @property
    def rank(self) -> array.array[int]:
        """Each record's position in date order, by reading index (an array: a list would
        hold a million int objects)."""
        if self._rank is None:
            rank = self._rank = array.array("q", [0]) * len(self.order)
            collections.deque(map(rank.__setitem__, self.order, range(len(rank))), maxlen=0)
        return self._rank


# A column is sparse when fewer than one record in this many sets it (see Table.in_order).
_SPARSE = 8


class _Unsure(Exception):
    """A column the quick checks cannot pass: the record-by-record checks decide."""


class Linked(NamedTuple):
    """Every record type's Table, validated and cross-linked, with the span of each date."""

    tables: dict[str, Table]
    spans: dict[str | None, Span | None]


def plain_default(schema: FieldSchema) -> Any:
    """The value of a field a record does not set, as a Table holds it."""
    if schema.kind in ("refs", "tags", "corrections"):
        return ()
    return 0 if schema.kind == "int" else None


def _set_values(column: Sequence[Any], schema: FieldSchema) -> Sequence[Any]:
    """The values of a column that set the field (None leaves an optional field unset)."""
    if None not in column:
        return column
    if not schema.optional:
        raise _Unsure
    return [value for value in column if value is not None]


def _only(values: Iterable[Any], kind: type) -> None:
    if not set(map(type, values)) <= {kind}:
        raise _Unsure


# Checks of strings need no check of type first: a join, a str method or a match raises
# TypeError on anything else, which QuickBuild.add takes as _Unsure.


def _check_slugs(values: Sequence[Any]) -> None:
    if values:
        joined = "\n".join(values)
        # A "\n" inside a value would pass as two slugs: the count tells.
        if joined.count("\n") != len(values) - 1 or not _SLUG_LINES.fullmatch(joined):
            raise _Unsure


def _clean_text(joined: str) -> bool:
    """Whether text holds none of the characters CONTROL refuses, for a whole column at once."""
    if joined.isascii():
        return not joined.encode("ascii").translate(None, _ASCII_TEXT)
    return joined.isprintable() or CONTROL.search(joined) is None


def _present_columns(values: list[dict[Any, Any]]) -> dict[Any, Sequence[Any]]:
    """Key -> the records' values (None where a record lacks the key), for every key used."""
    names = tuple(values[0])
    # Records that all have the same keys (the usual case) are taken apart in C.
    if set(map(len, values)) == {len(names)}:
        try:
            return {name: list(map(itemgetter(name), values)) for name in names}
        except KeyError:
            pass
    keys = set(itertools.chain.from_iterable(values))
    return {key: list(map(dict.get, values, itertools.repeat(key))) for key in keys}


class QuickBuild:
    """Collects batches of parsed records as the columns of Tables, validating each batch."""

    def __init__(self) -> None:
        self.tables = {
            name: Table(name, {field: [] for field in stored_fields(cls)})
            for name, cls in RECORD_TYPES.items()
        }
        self.spans: dict[str | None, Span | None] = {None: None}
        self._shared: dict[Any, Any] = {}

    def add(self, batch: Batch) -> bool:
        """Validate a batch and add its records; False if one of them has a problem."""
        cls = RECORD_TYPES[batch.type_name]
        columns: Mapping[str, Sequence[Any]] | None
        try:
            columns = self._quick_columns(cls, batch)
        except (_Unsure, TypeError):  # TypeError: a value of a type where none belongs
            columns = _checked_columns(cls, batch)
            if columns is None:
                return False
        table = self.tables[batch.type_name]
        for name, schema in stored_fields(cls).items():
            column = columns[name]
            if schema.kind in _SHARED_KINDS:
                column = list(map(self._shared.setdefault, column, column))
            table.columns[name].extend(column)
        return True

    def _quick_columns(self, cls: type[Record], batch: Batch) -> dict[str, Sequence[Any]]:
        """The batch's columns, if every record passes the column checks as it stands;
        raises _Unsure otherwise. Each check passes only values that _RecordChecker takes
        unchanged (bar a list becoming a tuple)."""
        values = batch.values
        stored = stored_fields(cls)
        if not values:
            return {name: () for name in stored}
        if set(map(type, values)) != {dict}:
            raise _Unsure
        present = _present_columns(values)
        if not present.keys() <= stored.keys():
            raise _Unsure
        budget = batch.budget
        check = _ColumnCheck(self.spans, printable=budget is not None and budget.plain)
        columns: dict[str, Sequence[Any]] = {}
        for name, schema in stored.items():
            column = present.get(name)
            if column is None:
                if not schema.optional:
                    raise _Unsure
                columns[name] = [plain_default(schema)] * len(values)
            else:
                columns[name] = check.column(column, schema)
        keys = sum(map(len, values))
        if budget is not None and not budget.holds(keys, check.strings, check.colons):
            raise _Unsure
        return columns


class _ColumnCheck:
    """The checks of one batch's columns, counting the strings they pass (and the colons in
    them) for the batch's budget. In a `printable` batch every string is known to be
    printable ASCII (readers.Budget), which spares scanning text for control characters."""

    def __init__(self, spans: dict[str | None, Span | None], *, printable: bool) -> None:
        self.spans = spans
        self.printable = printable
        self.strings = 0
        self.colons = 0

    def column(self, column: Sequence[Any], schema: FieldSchema) -> Sequence[Any]:
        kind = schema.kind
        if kind == "corrections":
            if any(column):
                raise _Unsure  # rare: the record-by-record checks read corrections
            return [()] * len(column)
        values = _set_values(column, schema)
        if kind in ("refs", "tags"):
            return self._lists(column, values, schema)
        if kind == "int":
            _only(values, int)  # type() is int: True and False are bool
            if values and max(map(abs, values)) > MAX_ORDER:
                raise _Unsure
            return column
        if kind in ("id", "ref", "slug"):
            _check_slugs(values)
        elif kind == "text":
            self._text(values)
        elif kind == "enum":
            if not set(values) <= set(schema.choices):
                raise _Unsure
        elif kind == "date":
            self._dates(values)
        else:  # pragma: no cover - a kind added to the model and not here
            raise AssertionError(f"unknown field kind {kind}")
        self.strings += len(values)
        return column

    def _text(self, values: Sequence[Any]) -> None:
        if not all(values) or any(map(str.isspace, values)):
            raise _Unsure
        if self.printable:
            return
        joined = " ".join(values)
        if not _clean_text(joined):
            raise _Unsure
        self.colons += joined.count(":")

    def _dates(self, values: Sequence[Any]) -> None:
        spans = self.spans
        for text in set(values).difference(spans):
            span = spans[text] = date_span(text)
            if span is None:
                raise _Unsure

    def _lists(
        self, column: Sequence[Any], values: Sequence[Any], schema: FieldSchema
    ) -> Sequence[Any]:
        """A refs or tags column as tuples, if every list holds distinct slugs."""
        _only(values, list)  # a string is iterable too
        items = list(itertools.chain.from_iterable(values))
        _check_slugs(items)
        self.strings += len(items)
        if not schema.optional and not all(values):
            raise _Unsure
        if values and max(map(len, values)) > 1:
            for value in values:
                if len(value) > 1 and len(set(value)) != len(value):
                    raise _Unsure
        if len(values) == len(column):
            return list(map(tuple, column))
        return [() if value is None else tuple(value) for value in column]


def _checked_columns(cls: type[Record], batch: Batch) -> dict[str, list[Any]] | None:
    """The columns of a batch checked record by record; None if any record has a problem, or
    if a batch parsed the quick way may have lost a repeated key."""
    if batch.budget is not None and not keys_intact(batch.values, batch.budget):
        return None
    problems: list[Problem] = []
    checked: list[dict[str, Any]] = []
    for position, values in enumerate(batch.values):
        raw = RawRecord(batch.type_name, batch.file, values, position)
        record = _RecordChecker(raw, problems).check()
        if record is None:
            return None
        checked.append(record)
    return {
        name: [_plain(schema, record.get(name, plain_default(schema))) for record in checked]
        for name, schema in stored_fields(cls).items()
    }


def _plain(schema: FieldSchema, value: Any) -> Any:
    """A checked value as a Table holds it."""
    if schema.kind == "date" and value is not None:
        return str(value)
    if schema.kind == "corrections":
        return tuple((c.says, c.finding, c.sources) for c in value)
    return value


def link(build: QuickBuild) -> Linked | None:
    """The collected tables, checked as a whole (unique ids, links that resolve, state changes
    that can be, topics that something links to) and cross-linked; None on any problem."""
    tables = build.tables
    if not _ids_unique_and_links_resolve(tables) or not _state_changes_hold(tables):
        return None
    if not _topics_linked(tables):
        return None
    spans = build.spans
    for table in tables.values():
        for name, schema in stored_fields(RECORD_TYPES[table.type_name]).items():
            if schema.kind == "date":
                # Dates the record-by-record checks passed are valid: their spans exist.
                for text in set(table.columns[name]).difference(spans):
                    spans[text] = date_span(text)
        table.by_id, table.order = _date_order(table, spans)
    _fill_derived(tables, spans)
    return Linked(tables, spans)


def _ids_unique_and_links_resolve(tables: Mapping[str, Table]) -> bool:
    # Every type's ids as a set: held no longer than these checks (a million ids: 50 MB).
    ids = {name: set(table.ids) for name, table in tables.items()}
    if any(len(ids[name]) != len(table) for name, table in tables.items()):
        return False
    return _links_resolve(tables, ids)


def _links_resolve(tables: Mapping[str, Table], ids: Mapping[str, set[str]]) -> bool:
    for name, table in tables.items():
        for field_name, schema in _link_fields(RECORD_TYPES[name]):
            column = table.columns[field_name]
            named: set[str]
            targets = schema.targets
            if schema.kind == "ref":
                named = set(column)
                named.discard(None)
            elif schema.kind == "refs":
                named = set(itertools.chain.from_iterable(column))
            else:
                named = {ref for corrections in column for c in corrections for ref in c[2]}
                targets = ("source",)
            for target in targets:
                named = named - ids[target]  # iterates `named`, not all the target's ids
            if named:
                return False
    return True


def _state_changes_hold(tables: Mapping[str, Table]) -> bool:
    changes, channels = tables["state_change"].columns, tables["channel"].columns
    days = list(zip(changes["channel"], changes["date"], strict=True))
    if len(set(days)) != len(days):
        return False
    states = dict(zip(channels["id"], map(set, channels["states"]), strict=True))
    pairs = zip(changes["channel"], changes["state"], strict=True)
    return all(state in states[channel] for channel, state in pairs)


def _topics_linked(tables: Mapping[str, Table]) -> bool:
    linked: set[str] = set()
    for name, table in tables.items():
        if "topics" in stored_fields(RECORD_TYPES[name]):
            linked.update(itertools.chain.from_iterable(table.columns["topics"]))
    return set(tables["topic"].ids) <= linked


def _date_order(table: Table, spans: dict[str | None, Span | None]) -> tuple[list[int], list[int]]:
    """Reading indices in id order, and in date order: by (first day, last day, id), undated
    last. Sorting by id and then, stably, by one integer per date is quicker than sorting by
    tuples, and the first sort is the cache's id table."""
    ids = table.ids
    by_id = sorted(range(len(ids)), key=ids.__getitem__)
    field_name = RECORD_TYPES[table.type_name].ordered_by
    if field_name is None:
        return by_id, by_id
    column = table.columns[field_name]
    keys = {text: sort_key(spans[text]) for text in set(column)}
    by_date = list(map(keys.__getitem__, column))
    return by_id, sorted(by_id, key=by_date.__getitem__)


def _fill_derived(tables: Mapping[str, Table], spans: dict[str | None, Span | None]) -> None:
    """Fill the derived columns: each link stored once, shown from both ends; linking records
    are visited in date order, so that every derived list is in date order. One field at a
    time, its links let go once its column is made."""
    extents = _TopicExtents(tables, spans)
    for target_type, derived, source_type, source_field in BACKLINKS:
        source = tables[source_type]
        by_target = _backlinks(tables, target_type, source, source_field)
        if target_type == "topic":
            extents.add(source, by_target)
        owners = source.in_order("id") if by_target else []
        _set_derived(tables[target_type], derived, by_target, owners)
    _fill_cited_by(tables)
    extents.fill()


def _backlinks(
    tables: Mapping[str, Table], target_type: str, source: Table, field_name: str
) -> dict[str, list[int]]:
    """Target id -> the date positions of the source records whose field names it."""
    if not any(source.columns[field_name]):
        return {}  # no record sets the field (None and () are false)
    schema = stored_fields(RECORD_TYPES[source.type_name])[field_name]
    # Links all resolve by now: only a field that may name other types needs a look.
    targets = None if schema.targets == (target_type,) else set(tables[target_type].ids)
    named = source.in_order(field_name)
    if schema.kind == "ref":
        return _positions_naming(named, targets)
    return _lists_naming(named, targets)


def _set_derived(
    table: Table, derived: str, by_target: Mapping[str, list[int]], owners: list[str]
) -> None:
    linked = {target: tuple(map(owners.__getitem__, at)) for target, at in by_target.items()}
    table.columns[derived] = list(map(linked.get, table.ids, itertools.repeat(())))


def _positions_naming(
    named: Sequence[str | None], targets: set[str] | None
) -> dict[str, list[int]]:
    """Target id -> the positions in `named` that name it, in order (None names nothing)."""
    found: dict[str, list[int]] = collections.defaultdict(list)
    for position in itertools.compress(range(len(named)), named):
        found[named[position]].append(position)  # type: ignore[index]
    return _only_targets(found, targets)


def _lists_naming(
    lists: Sequence[tuple[str, ...]], targets: set[str] | None
) -> dict[str, list[int]]:
    """Target id -> the positions of the lists in `lists` that name it, in order."""
    found: dict[str, list[int]] = collections.defaultdict(list)
    for position in itertools.compress(range(len(lists)), lists):  # the lists not empty
        for target in lists[position]:
            found[target].append(position)
    return _only_targets(found, targets)


def _only_targets(found: dict[str, list[int]], targets: set[str] | None) -> dict[str, list[int]]:
    if targets is None:
        return found
    return {target: at for target, at in found.items() if target in targets}


def _fill_cited_by(tables: Mapping[str, Table]) -> None:
    """Each source's `cited_by`: every record naming it in `sources` or in a correction's
    sources, once each, by type and then in date order. (Every one names a source by now.)"""
    cited_by: dict[str, list[str]] = collections.defaultdict(list)
    for type_name, table in tables.items():
        if type_name == "source":
            continue
        cited = table.in_order("sources")
        if any(table.columns.get("corrections", ())):
            cited = list(cited)
            fixed = table.in_order("corrections")
            for i in itertools.compress(range(len(fixed)), fixed):
                listed = [*cited[i], *(ref for fix in fixed[i] for ref in fix[2])]
                cited[i] = tuple(dict.fromkeys(listed))
        owners = table.in_order("id")
        for source_id, at in _lists_naming(cited, None).items():
            cited_by[source_id] += map(owners.__getitem__, at)
    sources = tables["source"]
    linked = {source_id: tuple(owners) for source_id, owners in cited_by.items()}
    sources.columns["cited_by"] = list(map(linked.get, sources.ids, itertools.repeat(())))


class _TopicExtents:
    """Each topic's `years` (first to last year of the records linked to it) and
    `record_count`, as model.topic_extent works them out, gathered link field by field."""

    def __init__(self, tables: Mapping[str, Table], spans: dict[str | None, Span | None]):
        self.topics = tables["topic"]
        self.spans = spans
        self.first: dict[str, int] = {}
        self.last: dict[str, int] = {}
        self.counts = dict.fromkeys(self.topics.ids, 0)

    def add(self, source: Table, by_topic: Mapping[str, list[int]]) -> None:
        if not by_topic:
            return
        # Every record that links to a topic has a date (a required field): all spans exist.
        dates = source.in_order("date")
        distinct: dict[str, Span] = {text: self.spans[text] for text in set(dates)}  # type: ignore[misc]
        ends = list(map({text: span[1] for text, span in distinct.items()}.__getitem__, dates))
        for topic_id, at in by_topic.items():
            self.counts[topic_id] += len(at)
            # In date order, the first record linked starts first; any may end last.
            earliest, latest = distinct[dates[at[0]]][0], max(map(ends.__getitem__, at))
            self.first[topic_id] = min(self.first.get(topic_id, earliest), earliest)
            self.last[topic_id] = max(self.last.get(topic_id, latest), latest)

    def fill(self) -> None:
        ids = self.topics.ids
        self.topics.columns["years"] = [_years(self.first.get(i), self.last.get(i)) for i in ids]
        self.topics.columns["record_count"] = list(map(self.counts.__getitem__, ids))


def _years(first: int | None, last: int | None) -> str | None:
    if first is None or last is None:
        return None
    start, end = dt.date.fromordinal(first).year, dt.date.fromordinal(last).year
    return f"{start:04d}" if start == end else f"{start:04d}/{end:04d}"
