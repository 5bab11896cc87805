"""Look-ups and filters over the in-memory dataset. No printing."""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from nato_russia.dates import DateFormatError, EdtfDate, parse_bound
from nato_russia.errors import ARGUMENT_LIMIT, NotFound
from nato_russia.model import (
    CITING_TYPES,
    RECORD_TYPES,
    Dataset,
    Event,
    Record,
    Topic,
    date_order_key,
    field_schemas,
    in_date_order,
    topic_extent,
)
from nato_russia.selection import Selection
from nato_russia.text import tokens

S = TypeVar("S", bound=Selection)

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """'Founding Act' -> 'founding-act'; used to make ids forgiving of case and spaces."""
    return _NON_SLUG.sub("-", text.casefold()).strip("-")


def _names(record: Record) -> list[str]:
    found = (getattr(record, attribute, None) for attribute in ("title", "short_title", "name"))
    return [record.label, *(name for name in found if isinstance(name, str))]


def lookup(dataset: Dataset, type_name: str, wanted: str, *, search_hint: bool = True) -> Record:
    """Find a record by id, forgiving case, spaces and punctuation, or by its exact title.

    Raises NotFound when nothing matches, with what was probably meant (see suggest_records)
    and where to look next: the list command, and `nrr search` unless `search_hint` is off
    (inside a search, where that advice would be circular)."""
    by_id = dataset.of_type(type_name)
    if wanted in by_id:
        return by_id[wanted]
    key = slugify(wanted)
    if key in by_id:
        return by_id[key]
    by_title = [r for r in by_id.values() if any(slugify(n) == key for n in _names(r))]
    if len(by_title) == 1:
        return by_title[0]
    raise NotFound(
        type_name,
        wanted,
        suggest_records(dataset, type_name, wanted),
        hint=_where_to_look(type_name, wanted, search_hint=search_hint),
    )


def suggest(wanted: str, candidates: list[str]) -> list[str]:
    import difflib  # only for a miss: a lookup that finds its record never needs it

    return difflib.get_close_matches(wanted, candidates, n=3, cutoff=0.6)


# More than this many suggestions stop being a hint; the list command is the place for them.
MAX_SUGGESTIONS = 5


def suggest_records(dataset: Dataset, type_name: str, wanted: str) -> list[str]:
    """Ids an unknown one may have meant, best first, at most MAX_SUGGESTIONS: ids spelt
    nearly so (a typo: founding-axt), records whose id, title, short title or name holds every
    word typed (rome -> rome-declaration, vladimir -> putin), and records of the date typed
    (2008 -> the periods of 2008). People type what they remember, rarely the id."""
    by_id = dataset.of_type(type_name)
    records = list(by_id.values())
    found = suggest(slugify(wanted), list(by_id))
    found += _by_words(records, wanted)
    found += _by_date(records, wanted)
    if not found:
        found = _by_near_word(list(by_id), wanted)
    return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]


# Only long words and close spellings are near a word of an id: short ones are near too many.
NEAR_WORD_LENGTH = 5
NEAR_WORD_CUTOFF = 0.85


def _by_near_word(ids: list[str], wanted: str) -> list[str]:
    """Ids with a word spelt nearly as a word typed ("missle" -> missile-defence): the last
    resort, for a typo of one word of a longer id that the whole id is too far from."""
    import difflib

    typed = [w for w in slugify(wanted).split("-") if len(w) >= NEAR_WORD_LENGTH]
    return [
        record_id
        for record_id in ids
        if any(
            difflib.get_close_matches(w, record_id.split("-"), n=1, cutoff=NEAR_WORD_CUTOFF)
            for w in typed
        )
    ]


def _holds(name_words: list[str], wanted_words: list[str]) -> bool:
    # A word typed matches a word of the name in the same form (text.tokens stems both), or
    # as its start once it is long enough to mean something (vlad -> Vladimir).
    return all(
        any(n == w or (len(w) >= 3 and n.startswith(w)) for n in name_words) for w in wanted_words
    )


def _by_words(records: list[Record], wanted: str) -> list[str]:
    """Records whose id or a name holds every word typed; the shortest such name first, since
    "rome" means the Rome Declaration more than a long title that mentions Rome."""
    wanted_words = tokens(wanted)
    if not wanted_words:
        return []
    scored: list[tuple[int, str]] = []
    for record in records:
        lengths = [
            len(name_words)
            for name in (record.id, *_names(record))
            if _holds(name_words := tokens(name), wanted_words)
        ]
        if lengths:
            scored.append((min(lengths), record.id))
    return [record_id for _, record_id in sorted(scored)]


def _by_date(records: list[Record], wanted: str) -> list[str]:
    """Records whose date overlaps the date typed ("2008", "August 2008"), in date order."""
    try:
        earliest = parse_bound(wanted, upper=False)
        latest = parse_bound(wanted, upper=True)
    except DateFormatError:
        return []

    def overlaps(record: Record) -> bool:
        date = getattr(record, record.ordered_by) if record.ordered_by else None
        return isinstance(date, EdtfDate) and date.overlaps(earliest, latest)

    return [record.id for record in in_date_order(filter(overlaps, records))]


def _where_to_look(type_name: str, wanted: str, *, search_hint: bool) -> str:
    listing = f"nrr {RECORD_TYPES[type_name].list_command()} lists them all"
    if not search_hint or not tokens(wanted) or len(wanted) > ARGUMENT_LIMIT:
        # A search for an argument too long to quote whole would not paste as shown.
        return f"({listing})"
    import shlex  # a miss only, as difflib above

    # Quoted as a shell needs it, so that the advice can be pasted as it stands.
    return f"({listing}; nrr search {shlex.quote(wanted)} searches everything)"


def topics(dataset: Dataset) -> list[str]:
    """The ids of the topics (data/topics.yaml and any user dataset's), sorted."""
    return sorted(dataset.of_type("topic"))


def citing_records(dataset: Dataset, source_id: str) -> list[Record]:
    """The records that cite a source (in `sources` or a correction's), as Source.cited_by
    lists their ids and in its order: by type, then by date. Use this rather than looking the
    ids up: ids are unique only within a type, and several types share some (the area and the
    topic arms-control both cite the backgrounder), so an id alone may name the wrong record."""
    wanted = set(getattr(dataset.get("source", source_id), "cited_by", ()))
    found: list[Record] = []
    for type_name in CITING_TYPES:
        for record in in_date_order(dataset.of_type(type_name).values()):
            corrections = getattr(record, "corrections", ())
            cited = {*getattr(record, "sources", ()), *(s for c in corrections for s in c.sources)}
            if record.id in wanted and source_id in cited:
                found.append(record)
    return found


def resolve_topic(dataset: Dataset, wanted: str | None) -> str | None:
    """A topic as typed (any case, spaces for hyphens, or its title) turned into its id, or
    NotFound with the near ones (a typo, or a word of the topic: arms -> arms-control); with
    none near, the message lists every topic, as there are few."""
    if wanted is None:
        return None
    known = topics(dataset)
    key = slugify(wanted)
    if key in known:
        return key
    by_title = [t.id for t in dataset.of_type("topic").values() if slugify(t.label) == key]
    if len(by_title) == 1:
        return by_title[0]
    parts = key.split("-") if key else []
    near = suggest(key, known) + [
        topic for topic in known if parts and _holds(topic.split("-"), parts)
    ]
    near = list(dict.fromkeys(near))[:MAX_SUGGESTIONS]
    hint = None if near else f"The topics are: {', '.join(known)}."
    raise NotFound("topic", wanted, near, hint=hint)


def resolve_filters(dataset: Dataset, selection: S, *, search_hint: bool = True) -> S:
    """A selection (or a search query, without the hint to search) with its period, actor and
    topic turned into real ids (forgiving case and spaces), or NotFound with suggestions."""

    def real_id(type_name: str, wanted: str | None) -> str | None:
        if wanted is None:
            return None
        return lookup(dataset, type_name, wanted, search_hint=search_hint).id

    return dataclasses.replace(
        selection,
        period=real_id("period", selection.period),
        actor=real_id("actor", selection.actor),
        topic=resolve_topic(dataset, selection.topic),
    )


def timeline(dataset: Dataset, where: Selection) -> list[Event]:
    """Events the selection lets through, in date order: (earliest day, latest day, id). Its
    period, actor and topic are resolved first (NotFound for one that names nothing)."""
    where = resolve_filters(dataset, where)
    candidates = dataset.overlapping("event", where.earliest, where.latest)
    chosen = [e for e in candidates if isinstance(e, Event) and where.matches(e)]
    return sorted(chosen, key=date_order_key)


def sorted_records(dataset: Dataset, type_name: str) -> list[Record]:
    """Records of one type in their natural order: by `order` where the type has one (periods,
    channels), else by date (undated ones last), else by label."""
    records = list(dataset.of_type(type_name).values())
    cls = RECORD_TYPES[type_name]
    if "order" in field_schemas(cls):
        return sorted(records, key=operator.attrgetter("order", "id"))
    if cls.ordered_by is not None:
        return in_date_order(records)
    return sorted(records, key=lambda record: (record.label.casefold(), record.id))


# A principle or area names the agreements that state it. In an export it comes along with a
# kept agreement (or a quotation naming it), and then lists only the kept agreements: the link
# is not followed out to agreements the selection has nothing to do with.
_STATED_IN = {("principle", "agreements"), ("area", "agreements")}


def subset(dataset: Dataset, events: Iterable[Event]) -> Dataset:
    """The chosen events, their quotations, and every record these refer to, directly or
    through others (an agreement brings its principles and areas): a dataset in which every
    reference resolves. Links to records left out are dropped from the lists that hold them."""
    from nato_russia.validation import links  # what a record links to: one rule, the validator's

    keep: dict[str, set[str]] = {type_name: set() for type_name in dataset.records}
    todo: list[tuple[str, str]] = [("event", event.id) for event in events]
    while todo:
        type_name, record_id = todo.pop()
        record = dataset.get(type_name, record_id)
        if record is None or record_id in keep[type_name]:
            continue
        keep[type_name].add(record_id)
        for name in record.brought_along:
            targets = field_schemas(type(record))[name].targets
            todo.extend((targets[0], i) for i in getattr(record, name))
        for name, target_id, targets in links(record):
            if "event" in targets or (type_name, name) in _STATED_IN:
                continue  # events come only from the selection
            target = dataset.find(target_id, targets)
            if target is not None:
                todo.append((target.type_name, target_id))
    records: dict[str, dict[str, Record]] = {}
    for type_name, by_id in dataset.records.items():
        chosen = keep[type_name]
        records[type_name] = {
            record_id: _prune_links(record, keep)
            for record_id, record in by_id.items()
            if record_id in chosen
        }
    part = Dataset(records)
    # A kept topic spans and counts only the records kept with it, as its lists now do.
    for topic_id, topic in records["topic"].items():
        if isinstance(topic, Topic):
            records["topic"][topic_id] = dataclasses.replace(topic, **topic_extent(part, topic))
    return part


def _prune_links(record: Record, keep: dict[str, set[str]]) -> Record:
    changes: dict[str, Any] = {}
    for name, schema in field_schemas(type(record)).items():
        if schema.kind != "refs":
            continue  # a topic's span and count are worked out again by subset
        if schema.derived or (record.type_name, name) in _STATED_IN:
            value = getattr(record, name)
            kept = tuple(v for v in value if any(v in keep[t] for t in schema.targets))
            if kept != value:
                changes[name] = kept
    return dataclasses.replace(record, **changes) if changes else record
