"""Ranked search across every record type and text field. No printing.

Matching is on stems (text.py), so case, accents and word forms do not matter. A record matches
when every term and phrase of the query occurs in one of its fields, none of the excluded ones
does, and it passes the query's filters; stop words (querylang.STOP_WORDS) are not required
next to other words, nor are "last" and "first", and a bare year also occurs in a record dated
in it. Its score adds, for each term, the weight of the best field it occurs in
(a title or alias above a quotation above a summary), a bonus for phrases and for terms that
stand close together, and a bonus when the query spells the record's id (the question "who
signed the founding act" names the record founding-act).

With every=False a record needs only one of the terms, and records with more of them come
first: the fallback run() uses when no record has them all. run() is the front door for the
command line: it also follows a clear typo fix and says in notices what it did.

A question ranks too (querylang says how it is read). In a relevance order the records that
cite come before the sources they cite, which are the evidence, not the answer; then records
with more of the words; then, for a bare year in the query, records dated in that year, then
those whose dates span it; then, for "last" or "first", what happened before what was adopted
or said (RecordType.same_day_rank), the records that say "last" too, and the newest or oldest
of them; then the score; then, for equal scores, the same kinds in that order (the types with
no same-day rank after them), each in date order.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from nato_russia.model import CITING_TYPES, RECORD_TYPES, Dataset, Record, field_schemas
from nato_russia.querylang import Query, parse_query
from nato_russia.text import is_cyrillic, tokens, word_spans, words

# Field name -> weight, as the record types declare it (RecordType.search_weights).
FIELD_WEIGHTS: dict[str, float] = {
    name: weight for cls in RECORD_TYPES.values() for name, weight in cls.search_weights.items()
}
DEFAULT_WEIGHT = 1.0  # places, notes, corrections, publishers, ...
PHRASE_BONUS = 2.0
PROXIMITY_BONUS = 1.0
PROXIMITY_WINDOW = 8  # words between two terms (as FTS5's NEAR counts them)
# A record whose id the query spells ("founding act" for founding-act) is the one it names;
# as much as a title match, so that it passes records that merely mention the name in a title.
NAME_BONUS = 5.0
# A person's, body's or state's name typed alone asks what they did: the events that name them
# come before their own record (which still ranks by its name, as high as any title).
NOT_NAMED = frozenset({"actor"})
MAX_NAME_WORDS = 8  # the longest run of query words tried as an id
ALIAS_FIELDS = ("aliases",)
SNIPPET_RADIUS = 60  # characters either side of the first match
LABEL_FIELDS = ("title", "short_title", "name")
APOSTROPHES = "'\u2019\u02bc"
# How close a suggestion must be to a typed word for a search to follow it unasked: "missle"
# and "missile" are 0.92 alike, "nos" (no's) and "natos" 0.75.
FOLLOWED_RATIO = 0.8
NOT_SEARCHED = ("url",)  # addresses are not prose: "ukraine" in a URL is no match
# A record dated in the year a query names has that year as plainly as a title says it; one
# whose dates merely span it (a period of several years) has it as a minor field would.
YEAR_WEIGHT = 5.0
SPANNED_YEAR_WEIGHT = DEFAULT_WEIGHT
DATE_FIELD = "date"  # how a year matched by the record's date shows among the matched fields
UNRANKED = 9  # the same-day rank of the types that have none: after those that do
Sort = Literal["relevance", "date"]


@dataclass(frozen=True, slots=True)
class Hit:
    record: Record
    score: float
    matched_fields: tuple[str, ...]
    snippet: str
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets of matched words in the snippet
    field_text: str  # the whole text the snippet was cut from
    words: int = 0  # how many distinct terms of the query the record has


class _Field:
    """One searched text of a record, as stems."""

    __slots__ = ("_at", "name", "present", "stems", "text")

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self.stems = tuple(tokens(text))
        self.present = frozenset(self.stems)  # whether a word occurs: most questions asked
        self._at: dict[str, list[int]] | None = None

    @property
    def at(self) -> dict[str, list[int]]:
        """Where each stem occurs, so that finding a term costs its occurrences, not a pass
        over the field for every term of a long query; made only for phrases and proximity."""
        if self._at is None:
            self._at = {}
            for i, stem in enumerate(self.stems):
                self._at.setdefault(stem, []).append(i)
        return self._at


# How a searched field gives its texts: a text as it is; each alias a name of its own (a phrase
# must not run from one into the next); tags and topics joined into one text (they are words
# about the record too); each correction as what it says and what was found.
FieldMode = Literal["text", "aliases", "tags", "corrections"]
_SEARCHED: dict[type[Record], tuple[tuple[str, FieldMode], ...]] = {}


def searched_fields(cls: type[Record]) -> tuple[tuple[str, FieldMode], ...]:
    """(field name, mode) for every field of a record type that search reads, in field order;
    worked out once per type, since a search asks for every record."""
    found = _SEARCHED.get(cls)
    if found is None:
        plan: list[tuple[str, FieldMode]] = []
        for name, schema in field_schemas(cls).items():
            if schema.kind == "text" and name not in NOT_SEARCHED:
                plan.append((name, "text"))
            elif schema.kind == "tags" and name in ALIAS_FIELDS:
                plan.append((name, "aliases"))
            elif schema.kind == "tags" or schema.targets == ("topic",):
                plan.append((name, "tags"))
            elif schema.kind == "corrections":
                plan.append((name, "corrections"))
        found = _SEARCHED[cls] = tuple(plan)
    return found


def text_fields(record: Record) -> Iterator[tuple[str, str]]:
    """(field name, text) for every free-text value of a record, corrections included."""
    for name, mode in searched_fields(type(record)):
        value = getattr(record, name)
        if mode == "text":
            if isinstance(value, str):
                yield name, value
        elif not value:
            continue
        elif mode == "aliases":
            for alias in value:
                yield name, alias
        elif mode == "tags":
            yield name, " ".join(value)
        else:
            for correction in value:
                yield name, correction.says
                yield name, correction.finding


def _fields(record: Record) -> list[_Field]:
    return _fields_of(text_fields(record))


def _fields_of(texts: Iterable[tuple[str, str]]) -> list[_Field]:
    return [_Field(name, text) for name, text in texts]


def _starts(field: _Field, term: tuple[str, ...]) -> list[int]:
    """Where a term (a word, or words in a row) starts in a field, in order."""
    first = field.at.get(term[0], [])
    if len(term) == 1:
        return first
    size = len(term)
    return [i for i in first if field.stems[i : i + size] == term]


def _occurs(field: _Field, term: tuple[str, ...]) -> bool:
    if term[0] not in field.present:
        return False
    if len(term) == 1:
        return True
    size = len(term)
    return any(field.stems[i : i + size] == term for i in field.at.get(term[0], ()))


class _Scored(NamedTuple):
    """A record's score and what its hit is made from, once it is known to be shown."""

    record: Record
    score: float
    matched: dict[str, float]
    first: dict[str, int]
    fields: list[_Field]
    found: int
    extra: int = 0  # how many of `found` are optional words ("last")

    def hit(self, query: Query) -> Hit:
        return _hit(*self[:5], query, self.found)


def _score(
    record: Record,
    query: Query,
    *,
    every: bool = True,
    named: frozenset[tuple[str, str]] = frozenset(),
) -> _Scored | None:
    """The record's score for a query whose stop words are already dropped, or None."""
    fields = _fields(record)
    if any(_occurs(f, term) for term in query.excluded for f in fields):
        return None
    score = 0.0
    matched: dict[str, float] = {}
    first: dict[str, int] = {}  # field -> index into `fields` of its first matching text
    found: set[tuple[str, ...]] = set()
    for n, term in enumerate(query.terms):
        best = 0.0
        for i, f in enumerate(fields):
            if _occurs(f, term):
                weight = FIELD_WEIGHTS.get(f.name, DEFAULT_WEIGHT)
                best = max(best, weight)
                matched[f.name] = max(matched.get(f.name, 0.0), weight)
                first.setdefault(f.name, i)
        year = query.year_of(n)
        if year is not None:
            dated = _year_weight(record, year)
            if dated:
                best = max(best, dated)
                matched[DATE_FIELD] = max(matched.get(DATE_FIELD, 0.0), dated)
        if best == 0.0:
            if every and n not in query.optional:
                return None
            continue
        found.add(term)
        score += best + (PHRASE_BONUS if len(term) > 1 else 0.0)
    if query.terms and not found:
        return None
    if len(query.terms) > 1 and any(_close_together(f, query.terms) for f in fields):
        score += PROXIMITY_BONUS
    if (record.type_name, record.id) in named:
        score += NAME_BONUS
    extra = sum(1 for n in query.optional if query.terms[n] in found)
    return _Scored(record, score, matched, first, fields, len(found), extra)


def _year_weight(record: Record, year: int) -> float:
    """What a record's date adds for a year the query names: 0 when it lies outside."""
    date = getattr(record, "date", None)
    if date is None:
        return 0.0
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if start <= date.earliest() and date.latest() <= end:
        return YEAR_WEIGHT
    return SPANNED_YEAR_WEIGHT if date.overlaps(start, end) else 0.0


def _year_rank(record: Record, query: Query) -> int:
    """0 for a record dated in every year the query names, 1 for one whose dates span them,
    2 for the rest (the year is in its text at most); 0 for all when the query names none."""
    weights = [_year_weight(record, int(query.terms[n][0])) for n in query.years]
    if all(w == YEAR_WEIGHT for w in weights):
        return 0
    return 1 if all(weights) else 2


def _close_together(field: _Field, terms: tuple[tuple[str, ...], ...]) -> bool:
    """Whether one occurrence of each term falls in a clump of the field: at most
    PROXIMITY_WINDOW words between the end of the first and the start of the last."""
    # A repeated term can use the same occurrence each time, so it counts once.
    distinct = list(dict.fromkeys(terms))
    positions: list[tuple[int, int, int]] = []
    for n, term in enumerate(distinct):
        starts = _starts(field, term)
        if not starts:
            return False
        positions.extend((start, len(term), n) for start in starts)
    positions.sort()
    gap = smallest_gap(positions, len(distinct))
    return gap is not None and gap <= PROXIMITY_WINDOW


def smallest_gap(positions: list[tuple[int, int, int]], terms: int) -> int | None:
    """The fewest words between the end of the first and the start of the last occurrence, over
    every way of picking one occurrence of each term; None if a term never occurs.

    `positions` holds (start, length, term number) for every occurrence, sorted; "first" is the
    smallest (start, length). Trying every pick multiplies the occurrence counts (a pasted
    quotation, or "the" against a field full of it, takes minutes), so this is the minimum-window
    sweep of IR engines, one step per position: walking from the last position back, each
    position in turn is taken as the first of the pick, and every other term's best partner is
    its nearest occurrence at or after it, the last one seen. The pick's last start is then the
    one seen longest ago, which the ordered dict keeps at its front: O(1) a step."""
    nearest: OrderedDict[int, int] = OrderedDict()  # term -> start, farthest first
    best: int | None = None
    for start, length, term in reversed(positions):
        nearest[term] = start
        nearest.move_to_end(term)
        if len(nearest) == terms:
            gap = next(iter(nearest.values())) - (start + length)
            best = gap if best is None else min(best, gap)
    return best


def _hit(
    record: Record,
    score: float,
    matched: dict[str, float],
    first: dict[str, int],
    fields: list[_Field],
    query: Query,
    found: int,
) -> Hit:
    ordered = tuple(sorted(matched, key=lambda n: (-matched[n], n)))
    # The snippet comes from the most relevant field that is not the heading already shown;
    # an alias alone ("annexed-crimea") says less than the summary, so it is never the snippet.
    prose = [n for n in ordered if n not in ALIAS_FIELDS and n in first]
    body = [n for n in prose if n not in LABEL_FIELDS] or prose
    # With filters only, nothing matched: show the record's summary, or its heading.
    text = fields[first[body[0]]].text if body else getattr(record, "summary", None) or record.label
    snippet, spans = _snippet(text, {s for term in query.terms for s in term})
    return Hit(record, score, ordered, snippet, spans, text, found)


def _snippet(text: str, stems: set[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    found = [(a, b) for a, b, stem in word_spans(text) if stem in stems]
    first = found[0][0] if found else 0
    start = max(0, first - SNIPPET_RADIUS)
    end = min(len(text), first + SNIPPET_RADIUS * 2)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    prefix = "\u2026" if start > 0 else ""
    suffix = "\u2026" if end < len(text) else ""
    shift = len(prefix) - start
    spans = tuple((a + shift, b + shift) for a, b in found if a >= start and b <= end)
    return prefix + text[start:end] + suffix, spans


def _date_key(record: Record) -> tuple[dt.date, dt.date]:
    date = getattr(record, "date", None)
    return date.sort_key() if date is not None else (dt.date.max, dt.date.max)


@dataclass(frozen=True, slots=True)
class Results:
    hits: list[Hit]  # at most `limit` of them
    total: int  # how many records matched, shown or not

    @property
    def more(self) -> bool:
        """Whether more records matched than were kept."""
        return len(self.hits) < self.total


def _sort_key(
    scored: _Scored, query: Query, sort: Sort, agreements: Mapping[str, Record]
) -> tuple[Any, ...]:
    record = scored.record
    dates = _date_key(record)
    last = (*dates, record.type_name, record.id)
    if sort == "date":
        return last
    rank = type(record).same_day_rank
    kind = UNRANKED if rank is None else rank
    if query.order is None:
        ordered: tuple[Any, ...] = ()
    else:
        # "When did the council last meet" asks for a meeting, the newest: what happened
        # before what was adopted or said, then the records that also say "last", then the
        # date. Undated records can be neither the last nor the first.
        if getattr(record, "date", None) is None:
            when: tuple[int, ...] = (1,)
        elif query.order == "newest":
            when = (0, -dates[1].toordinal(), -dates[0].toordinal())
        else:
            when = (0, dates[0].toordinal(), dates[1].toordinal())
        ordered = (kind, -scored.extra, *when)
    return (
        record.type_name not in CITING_TYPES,  # a source after the records that cite it
        # More of the words first: all of them, unless the search is any-word.
        -(scored.found - scored.extra),
        _year_rank(record, query),
        *ordered,
        -scored.score,
        kind,
        # Two quotations of the same words, one from an agreement: the agreement's first, as
        # the text the relationship rests on (the Founding Act's clause before NATO's statement
        # that announced it).
        getattr(record, "document", None) not in agreements,
        *last,
    )


def search(
    dataset: Dataset,
    query: Query,
    *,
    sort: Sort = "relevance",
    limit: int | None = None,
    every: bool = True,
) -> Results:
    """The records that match, best first (or in date order), at most `limit` of them; with
    every=False, the records that have any of the words, those with more of them first."""
    if query.is_empty:
        return Results([], 0)
    # The id is spelled by the words as typed, stop words included (fall-of-the-wall).
    named = named_records(dataset, query)
    query = query.without_stop_words()
    found = []
    agreements = dataset.records.get("agreement", {})
    for record in _candidates(dataset, query):
        if not query.matches(record):
            continue
        scored = _score(record, query, every=every, named=named)
        if scored is not None:
            found.append((_sort_key(scored, query, sort, agreements), scored))
    found.sort(key=lambda pair: pair[0])
    kept = found[:limit] if limit is not None else found
    # Snippets only for the hits shown: cutting one costs more than scoring the record.
    return Results([scored.hit(query) for _, scored in kept], len(found))


def named_records(dataset: Dataset, query: Query) -> frozenset[tuple[str, str]]:
    """The (type, id) of records whose id the query's words spell, in a row: "founding act"
    names founding-act. Ids are slugs of words, so each run of words is one dictionary look-up
    per record type, whatever the size of the dataset."""
    typed = [w for chunk in query.surface for w in words(chunk)]
    found: set[tuple[str, str]] = set()
    for start in range(len(typed)):
        for end in range(start + 1, min(len(typed), start + MAX_NAME_WORDS) + 1):
            key = "-".join(typed[start:end])
            found.update(
                (t, key)
                for t, records in dataset.records.items()
                if key in records and t not in NOT_NAMED
            )
    return frozenset(found)


def _candidates(dataset: Dataset, query: Query) -> Iterable[Record]:
    types = query.types or tuple(dataset.records)
    for type_name in types:
        if query.earliest is not None or query.latest is not None:
            yield from dataset.overlapping(type_name, query.earliest, query.latest)
        else:
            yield from dataset.of_type(type_name).values()


def vocabulary(dataset: Dataset) -> tuple[set[str], set[str]]:
    """The dataset's words (folded, as written) and their stems."""
    surface: set[str] = set()
    for record in dataset.all_records():
        for _, text in text_fields(record):
            surface.update(words(text))
    return surface, {s for w in surface for s in tokens(w)}


def suggestions(dataset: Dataset, query: Query) -> dict[str, list[str]]:
    """For each typed word that occurs nowhere in the dataset, the nearest real words. The word
    is given as typed (Wörnr, not wornr), so that it can be found in the query to replace it."""
    query = query.without_stop_words()  # "who" is in no record, and needs no suggestion
    surface, stems = vocabulary(dataset)
    candidates = sorted(w for w in surface if len(w) > 2)
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    for n, typed in enumerate(query.surface):
        if n in query.quoted or any(mark in typed for mark in APOSTROPHES):
            # A word in quotes is meant as it is typed, and so is one with an apostrophe:
            # "no's" is no typo for "natos".
            continue
        for start, end, _ in word_spans(typed):
            as_typed = typed[start:end]
            for word in words(as_typed):
                if word in seen or any(s in stems for s in tokens(word)):
                    continue
                seen.add(word)
                close = difflib.get_close_matches(word, candidates, n=6, cutoff=0.75)
                # Forms of one word (missile, missiles) search alike: offer the closest once.
                by_stem: dict[tuple[str, ...], str] = {}
                for option in close:
                    by_stem.setdefault(tuple(tokens(option)), option)
                found[as_typed] = list(by_stem.values())[:3]
    return found


def clear_choice(options: list[str], word: str) -> str | None:
    """The one suggestion to act on: the only one, or one clearly closer than the next."""
    if not options:
        return None
    folded = "".join(words(word))
    ratios = [difflib.SequenceMatcher(None, folded, o).ratio() for o in options]
    if ratios[0] < FOLLOWED_RATIO:
        return None  # near enough to offer, not to search for instead
    if len(options) == 1 or ratios[0] - ratios[1] >= 0.1:
        return options[0]
    return None


def any_word_notice(query: Query) -> str:
    """The line that says no record has every word of a query, before records with some."""
    listed = ", ".join(f'"{typed}"' for typed in query.without_stop_words().surface)
    return f"no record contains all of {listed}; showing records with any of them"


def absent_notice(typed: str) -> str:
    return f'No results: no record contains "{typed}".'


CYRILLIC_NOTICE = (
    "note: the data is in English, with people's names also in Russian; "
    "search in English for anything else"
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a search found and what to tell the reader about it, for the command line to print."""

    results: list[Hit]  # at most `limit` of them
    total: int  # how many records matched before the limit
    notices: list[str]  # one line each, for stderr: a typo followed, an any-word fallback
    shown_query: str  # the query the results are for: as typed, or after a clear typo fix
    query: Query  # shown_query parsed, its filters resolved

    @property
    def more_notice(self) -> str | None:
        """The line that says the results were cut short, and how to see them all."""
        if len(self.results) >= self.total:
            return None
        return f"showing {len(self.results)} of {self.total}; --limit 0 for all"


def run(
    dataset: Dataset,
    text: str,
    *,
    sort: Sort = "relevance",
    limit: int | None = None,
) -> Outcome:
    """Search as the command line does: every word first; failing that a clear typo fix, then
    any of the words. Raises QueryError for a query that cannot be parsed and NotFound for a
    period:, actor: or topic: value that names nothing, before searching."""
    from nato_russia import query as lookups

    def parsed(typed: str) -> Query:
        return lookups.resolve_query_filters(dataset, parse_query(typed))

    query = parsed(text)
    notices: list[str] = []
    results = search(dataset, query, sort=sort, limit=limit)
    if results.hits or not query.terms:
        return Outcome(results.hits, results.total, notices, text, query)
    # Words in quotes are meant as typed: when no record has them, that is the answer, and
    # records with some other word, or with a "corrected" one, would hide it.
    for n in query.quoted:
        alone = Query(terms=(query.terms[n],), surface=(query.surface[n],))
        if not search(dataset, alone, limit=1).total:
            return Outcome([], 0, [absent_notice(query.surface[n])], text, query)
    options = suggestions(dataset, query)
    missed = f'No results for "{text}".'
    offered = [o[0] for o in options.values() if o]
    if offered:
        missed += " Did you mean " + " or ".join(f'"{o}"' for o in offered) + "?"
    # A typo fix comes before the any-word fallback: "missle defence" means missile defence,
    # not everything about defence.
    followed = False
    if len(options) == 1:
        ((word, choices),) = options.items()
        choice = clear_choice(choices, word)
        if choice is not None:
            text = lookups.replace_word(text, word, choice)
            notices += [missed, f'showing results for "{text}"']
            followed = True
            query = parsed(text)
            results = search(dataset, query, sort=sort, limit=limit)
    if not results.hits and len(set(query.without_stop_words().terms)) > 1:
        wider = search(dataset, query, sort=sort, limit=limit, every=False)
        if wider.hits:
            if offered and not followed:
                notices.append(missed)  # the suggestion may still be what was meant
            notices.append(any_word_notice(query))
            results = wider
    if not results.hits and not followed:
        notices.append(missed)
    if not results.hits and is_cyrillic(text):
        notices.append(CYRILLIC_NOTICE)
    return Outcome(results.hits, results.total, notices, text, query)
