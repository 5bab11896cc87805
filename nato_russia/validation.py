"""Raw records -> a validated, cross-linked Dataset.

Every problem names the file, the record id and the field. All problems are collected before
validation fails, so that `nrr validate` can list them all at once.

`build_dataset` checks record by record; the loader caches what it returns (cache.py), so a
dataset is checked once per change of its files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from nato_russia.dates import DateFormatError, EdtfDate, parse_date, runs_backwards
from nato_russia.errors import DataError, Problem
from nato_russia.model import (
    BACKLINKS,
    RECORD_TYPES,
    Actor,
    Channel,
    Correction,
    Dataset,
    DatasetInfo,
    Event,
    FieldSchema,
    Record,
    StateChange,
    Term,
    Topic,
    field_schemas,
    in_date_order,
    is_web_address,
    stored_fields,
    topic_extent,
)
from nato_russia.readers import RawRecord, written

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

    def got(self, name: str, value: Any) -> str:
        """A value of the wrong type as the file has it (`yes`, not Python's True)."""
        if isinstance(value, str):
            return _excerpt(value)
        text = written(self.raw.file, self.raw.position, name, value)
        return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "\u2026"

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
        self.problem(name, f"expected a whole number, got {self.got(name, value)}")
        return None

    def convert_date(self, name: str, schema: FieldSchema, value: Any) -> EdtfDate | None:
        value = _normalise_date(value)
        if not isinstance(value, str):
            self.problem(
                name, f"expected a date string such as '1994-06', got {self.got(name, value)}"
            )
            return None
        try:
            return parse_date(value)
        except DateFormatError as exc:
            self.problem(name, str(exc))
            return None

    def convert_text(self, name: str, schema: FieldSchema, value: Any) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.problem(name, f"expected non-empty text, got {self.got(name, value)}")
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
            self.problem(name, f"expected a list of ids, got {self.got(name, value)}")
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


def _spans_hold(dataset: Dataset, origin: Mapping[tuple[str, str], RawRecord]) -> list[Problem]:
    """Rules between dates and between records that no single field shows: the order of a
    channel's changes, a term's ends, terms that overlap, what a dataset covers, and where a
    source's address leads."""
    problems: list[Problem] = []

    def problem(type_name: str, record_id: str, field_name: str | None, message: str) -> None:
        raw = origin[(type_name, record_id)]
        problems.append(Problem(raw.file, raw_id(raw), field_name, message, index=raw.position))

    _changes_in_order(dataset, problem)
    _terms_in_order(dataset, problem)
    _coverage_holds(dataset, origin, problem)
    for source in dataset.records["source"].values():
        url = getattr(source, "url", None)
        if url is not None and not is_web_address(url):
            message = f"{_excerpt(url)} is not a web address (http:// or https://, no spaces)"
            problem("source", source.id, "url", message)
    return problems


_Report = Callable[[str, str, str | None, str], None]


def _changes_in_order(dataset: Dataset, problem: _Report) -> None:
    """Two changes of one channel whose dates may share a day ('1994-06' and '1994-06-22')
    leave its state undecided, as two on the same day do (reported by _check_state_changes):
    either may be the later."""
    by_channel: dict[str, list[StateChange]] = {}
    for change in dataset.records["state_change"].values():
        if isinstance(change, StateChange):
            by_channel.setdefault(change.channel, []).append(change)
    for changes in by_channel.values():
        changes.sort(key=lambda c: c.date.sort_key())
        reaching = changes[0]  # of the changes so far, the one whose date reaches furthest
        for change in changes[1:]:
            if change.date.earliest() <= reaching.date.latest() and change.date != reaching.date:
                problem(
                    "state_change",
                    change.id,
                    "date",
                    f"{change.date} overlaps {reaching.date}, when channel {change.channel} "
                    f"also changes ({reaching.id}): which comes first is undecided",
                )
            if change.date.latest() > reaching.date.latest():
                reaching = change


def _terms_in_order(dataset: Dataset, problem: _Report) -> None:
    """A term ends after it starts; one person's terms in one office do not overlap. Only a
    certain overlap counts: a term may begin on the day the last one ended (a re-election)."""
    by_office: dict[tuple[str, str], list[Term]] = {}
    for term in dataset.records["term"].values():
        if not isinstance(term, Term):
            continue
        if term.end is not None and runs_backwards(term.start, term.end):
            problem("term", term.id, "end", f"{term.end} is before the start ({term.start})")
            continue
        by_office.setdefault((term.actor, term.office), []).append(term)
    for terms in by_office.values():
        terms.sort(key=lambda t: t.start.sort_key())
        for earlier, later in itertools.pairwise(terms):
            if earlier.end is None or later.start.latest() < earlier.end.earliest():
                until = "is still running" if earlier.end is None else f"ends {earlier.end}"
                problem(
                    "term",
                    later.id,
                    "start",
                    f"{later.start} is inside term {earlier.id} of the same person and office, "
                    f"which {until}",
                )


def _coverage_holds(
    dataset: Dataset, origin: Mapping[tuple[str, str], RawRecord], problem: _Report
) -> None:
    """A dataset is checked after the span it covers has begun its last part, and what it
    records as having happened lies in that span (a state change may come before it, as the
    state the span begins with): else `nrr status` would note that nothing after the span is
    recorded and then show a change from after it."""
    spans: dict[Path, tuple[dt.date, dt.date, str]] = {}
    for info in dataset.records["dataset"].values():
        if not isinstance(info, DatasetInfo):
            continue
        last_part = info.covers.end or info.covers.start
        if info.checked.latest() < last_part.earliest():
            message = f"{info.checked} is before the end of the span it covers ({info.covers})"
            problem("dataset", info.id, "checked", message)
        # Several dataset records in one directory cover the span of them all.
        where = Path(origin[("dataset", info.id)].file).parent
        first, last, _ = spans.get(where, (dt.date.max, dt.date.min, ""))
        first, last = min(first, info.covers.earliest()), max(last, info.covers.latest())
        spans[where] = (first, last, info.id if where not in spans else "its datasets")
    if not spans:
        return
    for type_name, cls in RECORD_TYPES.items():
        if not cls.happened:
            continue
        for record in dataset.records[type_name].values():
            span = spans.get(Path(origin[(type_name, record.id)].file).parent)
            date = getattr(record, "date", None)
            if span is not None and isinstance(date, EdtfDate):
                first, last, named = span
                if not date.overlaps(None if cls.may_precede_coverage else first, last):
                    covered = f"{first.isoformat()} to {last.isoformat()}"
                    problem(
                        type_name,
                        record.id,
                        "date",
                        f"{date} is outside what its dataset covers ({named}: {covered})",
                    )


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
        problems.extend(_spans_hold(dataset, origin))
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
