"""Ranked search across every record type and text field. No printing.

Matching is on stems (text.py): case, accents and word forms do not matter. A record matches
when every term and phrase of the query occurs in one of its fields (stop words, "last" and
"first" not required; a bare year also occurs in a record dated in it), no excluded one does,
and it passes the query's filters. Its score adds, for each term, the weight of the best field
it occurs in (a title above a quotation above a summary), a bonus for phrases, for terms close
together, and for a query that spells the record's id ("who signed the founding act" names
founding-act). With every=False one term is enough, and more of them rank first.

Relevance order: records that cite before the sources they cite (the evidence, not the
answer); more of the words; for a bare year, records dated in it, then those spanning it; for
"last" or "first", what happened before what was adopted or said (RecordType.same_day_rank),
records that say "last" too, then the newest or oldest; the score; for equal scores the same
kinds in that order (types with no same-day rank after), each in date order.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from nato_russia.model import CITING_TYPES, RECORD_TYPES, Dataset, Record, field_schemas
from nato_russia.querylang import Query, parse_query
from nato_russia.text import folded, is_cyrillic, tokens, word_spans, words

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
            self._at = defaultdict(list)
            for i, stem in enumerate(self.stems):
                self._at[stem].append(i)
        return self._at


# How a searched field gives its texts: a text as it is; each alias a name of its own (a phrase
# must not run from one into the next); tags and topics joined into one text (they are words
# about the record too); each correction as what it says and what was found.
FieldMode = Literal["text", "aliases", "tags", "corrections"]
_SEARCHED: dict[type[Record], tuple[tuple[str, FieldMode], ...]] = {}


def text_fields(record: Record) -> Iterator[tuple[str, str]]:
    """(field name, text) for every free-text value of a record, corrections included."""
    cls = type(record)
    if cls not in _SEARCHED:  # the fields a type has searched, worked out once per type
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
        _SEARCHED[cls] = tuple(plan)
    for name, mode in _SEARCHED[cls]:
        value = getattr(record, name)
        if mode == "text":
            if isinstance(value, str):
                yield name, value
        elif not value:
            continue
        elif mode == "aliases":
            yield from ((name, alias) for alias in value)
        elif mode == "tags":
            yield name, " ".join(value)
        else:
            for correction in value:
                yield from ((name, correction.says), (name, correction.finding))


def _fields_of(texts: Iterable[tuple[str, str]]) -> list[_Field]:
    return [_Field(name, text) for name, text in texts]


def _starts(field: _Field, term: tuple[str, ...]) -> list[int]:
    """Where a term (a word, or words in a row) starts in a field, in order."""
    first = field.at.get(term[0], [])
    size = len(term)
    return [i for i in first if field.stems[i : i + size] == term] if size > 1 else first


def _occurs(field: _Field, term: tuple[str, ...]) -> bool:
    return term[0] in field.present and (len(term) == 1 or bool(_starts(field, term)))


class _Scored(NamedTuple):
    """A record's score and what its hit is made from, once it is known to be shown."""

    record: Record
    score: float
    matched: dict[str, float]
    first: dict[str, int]  # field -> index into `fields` of its first matching text
    fields: list[_Field]
    found: int
    extra: int = 0  # how many of `found` are optional words ("last")

    def hit(self, query: Query) -> Hit:
        matched = self.matched
        ordered = tuple(sorted(matched, key=lambda n: (-matched[n], n)))
        # The snippet comes from the most relevant field that is not the heading already shown;
        # an alias alone ("annexed-crimea") says less than the summary: never the snippet.
        prose = [n for n in ordered if n not in ALIAS_FIELDS and n in self.first]
        body = [n for n in prose if n not in LABEL_FIELDS] or prose
        # With filters only, nothing matched: show the record's summary, or its heading.
        record = self.record
        text = (
            self.fields[self.first[body[0]]].text
            if body
            else getattr(record, "summary", None) or record.label
        )
        snippet, spans = _snippet(text, {s for term in query.terms for s in term})
        return Hit(record, self.score, ordered, snippet, spans, text, self.found)


def _score(
    record: Record,
    query: Query,
    *,
    every: bool = True,
    named: frozenset[tuple[str, str]],
    needles: re.Pattern[str],
) -> _Scored | None:
    """The record's score for a query whose stop words are already dropped, or None. Only the
    texts in which `needles` (_needles) finds something are cut into stems: no other can hold
    a term or an excluded one, to add to the score or take the record away."""
    fields = _fields_of(
        (name, text) for name, text in text_fields(record) if needles.search(folded(text))
    )
    if any(_occurs(f, term) for term in query.excluded for f in fields):
        return None
    score = 0.0
    matched: dict[str, float] = {}
    first: dict[str, int] = {}
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


def _needles(query: Query) -> re.Pattern[str]:
    """What finds, in a folded text (text.folded), something of every term and excluded term it
    holds: a stem of the term bar its last letter. With no terms, nothing is looked for."""
    parts = {stem[:-1] for term in (*query.terms, *query.excluded) for stem in term}
    return re.compile("|".join(map(re.escape, sorted(parts))) if parts else "(?!)")


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
    if not all(term[0] in field.present for term in distinct):
        return False  # known without the positions, which cost more to work out
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


@dataclass(frozen=True, slots=True)
class Results:
    hits: list[Hit]  # at most `limit` of them
    total: int  # how many records matched, shown or not


def _sort_key(
    scored: _Scored, query: Query, sort: Sort, agreements: Mapping[str, Record]
) -> tuple[Any, ...]:
    record = scored.record
    date = getattr(record, "date", None)
    dates = date.sort_key() if date is not None else (dt.date.max, dt.date.max)
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
        if date is None:
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
    needles = _needles(query)
    for type_name in query.types or tuple(dataset.records):
        for record in dataset.overlapping(type_name, query.earliest, query.latest):
            if not query.matches(record):
                continue
            scored = _score(record, query, every=every, named=named, needles=needles)
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


def suggestions(dataset: Dataset, query: Query) -> dict[str, list[str]]:
    """For each typed word that occurs nowhere in the dataset, the nearest real words. The word
    is given as typed (Wörnr, not wornr), so that it can be found in the query to replace it."""
    query = query.without_stop_words()  # "who" is in no record, and needs no suggestion
    surface = {w for r in dataset.all_records() for _, text in text_fields(r) for w in words(text)}
    stems = {s for w in surface for s in tokens(w)}
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
    ratios = [difflib.SequenceMatcher(None, "".join(words(word)), o).ratio() for o in options]
    first, second = (*ratios, 0.0, 0.0)[:2]
    # Near enough to offer is not always near enough to search for instead.
    return options[0] if first >= FOLLOWED_RATIO and first - second >= 0.1 else None


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
    from nato_russia.query import resolve_filters

    def parsed(typed: str) -> Query:
        return resolve_filters(dataset, parse_query(typed), search_hint=False)

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
            absent = f'No results: no record contains "{query.surface[n]}".'
            return Outcome([], 0, [absent], text, query)
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
            # The word replaced wherever it stands whole, in any case.
            whole = rf"(?<![^\W_]){re.escape(word)}(?![^\W_])"
            text = re.sub(whole, choice, text, flags=re.IGNORECASE)
            notices += [missed, f'showing results for "{text}"']
            followed = True
            query = parsed(text)
            results = search(dataset, query, sort=sort, limit=limit)
    if not results.hits and len(set(query.without_stop_words().terms)) > 1:
        wider = search(dataset, query, sort=sort, limit=limit, every=False)
        if wider.hits:
            if offered and not followed:
                notices.append(missed)  # the suggestion may still be what was meant
            listed = ", ".join(f'"{typed}"' for typed in query.without_stop_words().surface)
            notices.append(f"no record contains all of {listed}; showing records with any of them")
            results = wider
    if not results.hits and not followed:
        notices.append(missed)
    if not results.hits and is_cyrillic(text):
        notices.append(CYRILLIC_NOTICE)
    return Outcome(results.hits, results.total, notices, text, query)
