"""Raw records -> a validated, cross-linked Dataset.

Every problem names the file, the record id and the field. All problems are collected before
validation fails, so that `nrr validate` can list them all at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from nato_russia.dates import DateFormatError, EdtfDate, parse_date, runs_backwards
from nato_russia.errors import DataError, Problem, quoted, shortened
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
CITING_FIELDS = ("sources", "corrections.sources")  # as links() names them


class _Invalid(Exception):
    """(field, message): what is wrong with one field; the rest of the record is still checked."""


class _RecordChecker:
    """Validates one raw record field by field, collecting problems."""

    def __init__(self, raw: RawRecord, problems: list[Problem]) -> None:
        self.raw = raw
        self.problems = problems
        record_id = raw.values.get("id") if isinstance(raw.values, Mapping) else None
        self.record_id = record_id if isinstance(record_id, str) else None

    def problem(self, field_name: str | None, message: str) -> None:
        self.problems.append(
            Problem(self.raw.file, self.record_id, field_name, message, index=self.raw.position)
        )

    def got(self, name: str, value: Any) -> str:
        """A value of the wrong type as the file has it (`yes`, not Python's True)."""
        if isinstance(value, str):
            return quoted(value)
        return shortened(written(self.raw.file, self.raw.position, name, value))

    def check(self) -> dict[str, Any] | None:
        if not isinstance(self.raw.values, Mapping):
            self.problem(None, "a record must be a mapping of field: value")
            return None
        cls = RECORD_TYPES[self.raw.type_name]
        fields, stored = field_schemas(cls), stored_fields(cls)
        before = len(self.problems)
        # Set operations on the keys run in C: this is done for every record.
        for key in self.raw.values if not self.raw.values.keys() <= stored.keys() else ():
            if key in fields and key not in stored:
                self.problem(str(key), "is derived from other records; do not set it")
            elif key not in fields:
                self.problem(str(key), f"unknown field (allowed: {', '.join(sorted(stored))})")
        for name in sorted(stored.keys() - self.raw.values.keys()):
            if not stored[name].optional:
                self.problem(name, "required field is missing")
        values: dict[str, Any] = {}
        for name, value in self.raw.values.items():
            schema = stored.get(name)
            if schema is None:
                continue
            if value is None:
                if not schema.optional:
                    self.problem(name, "required field is missing")
                continue
            try:
                values[name] = getattr(self, _CONVERT[schema.kind])(name, schema, value)
            except _Invalid as exc:
                self.problem(*exc.args)
            except DateFormatError as exc:
                self.problem(name, str(exc))
        return values if len(self.problems) == before else None

    def convert_int(self, name: str, schema: FieldSchema, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Invalid(name, f"expected a whole number, got {self.got(name, value)}")
        if abs(value) > MAX_ORDER:
            raise _Invalid(name, f"must be between -{MAX_ORDER:,} and {MAX_ORDER:,}")
        return value

    def convert_date(self, name: str, schema: FieldSchema, value: Any) -> EdtfDate:
        # PyYAML turns unquoted 1997-05-27 into a date and 1990 into an int: both are fair. A
        # timestamp (a datetime, a kind of date) is never a valid date here.
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()
        elif isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:04d}"
        if not isinstance(value, str):
            got = self.got(name, value)
            raise _Invalid(name, f"expected a date string such as '1994-06', got {got}")
        return parse_date(value)

    def convert_text(self, name: str, schema: FieldSchema, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _Invalid(name, f"expected non-empty text, got {self.got(name, value)}")
        # Printable text (most of it) has none of CONTROL, without the regular expression's scan.
        control = None if value.isprintable() else CONTROL.search(value)
        if control is not None:
            raise _Invalid(name, f"contains the {_kind_of(control[0])} {control[0]!r}")
        if schema.kind in ("id", "ref", "slug") and not SLUG.fullmatch(value):
            raise _Invalid(name, f"{quoted(value)} is not an id ({SLUG_RULE})")
        if schema.kind == "enum" and value not in schema.choices:
            raise _Invalid(name, f"{quoted(value)} is not one of: {', '.join(schema.choices)}")
        return value

    def convert_list(self, name: str, schema: FieldSchema, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _Invalid(name, f"expected a list of ids, got {self.got(name, value)}")
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not SLUG.fullmatch(item):
                raise _Invalid(name, f"{quoted(item)} is not an id ({SLUG_RULE})")
            if item in items:
                raise _Invalid(name, f"{item!r} is listed twice")
            items.append(item)
        if not items and not schema.optional:
            raise _Invalid(name, "must list at least one id")
        return tuple(items)

    def convert_corrections(
        self, name: str, schema: FieldSchema, value: Any
    ) -> tuple[Correction, ...]:
        if not isinstance(value, list):
            raise _Invalid(name, "expected a list of {says, finding, sources}")
        corrections: list[Correction] = []
        for item in value:
            if not isinstance(item, Mapping) or set(item) != CORRECTION_KEYS:
                raise _Invalid(name, "each correction has exactly: says, finding, sources")
            says, finding, sources = item["says"], item["finding"], item["sources"]
            if not all(isinstance(t, str) and t.strip() for t in (says, finding)):
                raise _Invalid(name, "says and finding must be non-empty text")
            if CONTROL.search(says) or CONTROL.search(finding):
                raise _Invalid(name, "says and finding must not contain control characters")
            checked = self.convert_list(f"{name}.sources", FieldSchema("refs"), sources)
            corrections.append(Correction(says=says, finding=finding, sources=checked))
        return tuple(corrections)


# The converter of each kind of field.
_CONVERT = {
    **dict.fromkeys(("id", "text", "enum", "ref", "slug"), "convert_text"),
    **dict.fromkeys(("refs", "tags"), "convert_list"),
    "date": "convert_date",
    "int": "convert_int",
    "corrections": "convert_corrections",
}


def _kind_of(character: str) -> str:
    if character <= "\x9f":
        return "control character"
    if "\ud800" <= character <= "\udfff":
        return "lone surrogate"
    return "invisible formatting character"


_Report = Callable[[str, str, str | None, str], None]  # type, id, field, message


_LINK_FIELDS: dict[type[Record], list[tuple[str, FieldSchema]]] = {}


def links(record: Record) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(field, id, the types it may name) for every link a record stores; a correction's
    sources as the field `corrections.sources`."""
    cls = type(record)
    if cls not in _LINK_FIELDS:  # worked out once per type: this is asked of every record
        stored = stored_fields(cls).items()
        _LINK_FIELDS[cls] = [(n, s) for n, s in stored if s.kind in ("ref", "refs", "corrections")]
    for name, schema in _LINK_FIELDS[cls]:
        value = getattr(record, name)
        if schema.kind == "ref" and value is not None:
            yield name, value, schema.targets
        elif schema.kind == "refs":
            yield from ((name, ref, schema.targets) for ref in value)
        elif schema.kind == "corrections":
            yield from ((f"{name}.sources", r, ("source",)) for c in value for r in c.sources)


def _check_references(
    dataset: Dataset, problem: _Report, broken: set[tuple[str, str]], unread: frozenset[str]
) -> None:
    """Every link must resolve. Links to records already reported as broken are not repeated,
    nor links into a file that could not be read: its one problem, the file's, says it all."""
    for type_name, by_id in dataset.records.items():
        for record in by_id.values():
            for field_name, ref, targets in links(record):
                if not any(
                    t in unread or ref in dataset.records[t] or (t, ref) in broken for t in targets
                ):
                    message = f"no {' or '.join(targets)} with id {ref!r}"
                    problem(type_name, record.id, field_name, message)


def _check_state_changes(dataset: Dataset, report: _Report) -> None:
    """A change sets one of its channel's states, and a channel changes at most once a day:
    two changes on one date would leave its state on that day undecided."""
    seen: dict[tuple[str, str], str] = {}
    channels = dataset.records["channel"]
    for change in dataset.records["state_change"].values():  # in reading order: the later one is
        # reported, so a user's file that clashes with the bundled data is the one named
        if not isinstance(change, StateChange):
            continue

        def problem(field_name: str, message: str, change_id: str = change.id) -> None:
            report("state_change", change_id, field_name, message)

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
            unknown = ", ".join(sorted(set(channel.final_states) - set(channel.states)))
            report("channel", channel.id, "final_states", f"not among its states: {unknown}")


def _check_topics(dataset: Dataset, problem: _Report) -> None:
    """Every topic is a thread of something: one that nothing links to is a typo in an id, or
    a topic the data was never linked to, and `nrr topic` would tell an empty story."""
    linked = {topic for r in dataset.all_records() for topic in getattr(r, "topics", ())}
    for topic_id in dataset.records["topic"]:
        if topic_id not in linked:
            message = "no event, agreement, state change or quotation links to this topic"
            problem("topic", topic_id, None, message)


def _check_urls(dataset: Dataset, problem: _Report) -> None:
    for source in dataset.records["source"].values():
        url = getattr(source, "url", None)
        if url is not None and not is_web_address(url):
            message = f"{quoted(url)} is not a web address (http:// or https://, no spaces)"
            problem("source", source.id, "url", message)


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
    # Each source's `cited_by`: every record naming it in `sources` or in a correction's
    # sources, once each, by type and then in date order.
    for type_name, records in ordered.items():
        for record in records if type_name != "source" else ():
            cited = [ref for name, ref, _ in links(record) if name in CITING_FIELDS]
            for source_id in dict.fromkeys(cited):
                if source_id in dataset.records["source"]:
                    by_field = found.setdefault(("source", source_id), {})
                    by_field.setdefault("cited_by", []).append(record.id)
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

    def report(type_name: str, record_id: str, field_name: str | None, message: str) -> None:
        raw = origin[(type_name, record_id)]
        problems.append(Problem(raw.file, record_id, field_name, message, index=raw.position))

    _check_references(dataset, report, broken, unread)
    if not problems:
        # Rules between dates and between records that no single field shows.
        _check_state_changes(dataset, report)
        _changes_in_order(dataset, report)
        _terms_in_order(dataset, report)
        _coverage_holds(dataset, origin, report)
        _check_urls(dataset, report)
        # Only with every record read: a broken one would make its topics look unlinked.
        _check_topics(dataset, report)
    if problems:
        raise DataError(problems)
    return _with_backlinks(dataset)


def warnings(dataset: Dataset) -> list[str]:
    """Things that are valid but probably unintended: sources nobody cites, actors in no record."""
    documents = {getattr(record, "document", None) for record in dataset.all_records()}
    found = [
        f"source {source.id!r} is not cited by any record"
        for source in dataset.of_type("source").values()
        if not getattr(source, "cited_by", ()) and source.id not in documents
    ]
    derived = [n for n, s in field_schemas(Actor).items() if s.derived]
    for actor in dataset.of_type("actor").values():
        if not any(getattr(actor, name) for name in derived):
            found.append(f"actor {actor.id!r} takes part in no event, agreement or quotation")
    return found
