"""The search query language, parsed by one pure function.

    missile defence          words: every one must match (any order, any field)
    who signed the act       stop words (who, the, ...) are not required when other words are
    "chemical weapons"       a phrase: the words in this order, next to each other
    -afghanistan             leave out records with this word (or -"a phrase")
    type:event               only this record type (repeat for several: type:event type:actor)
    year:2014                records whose date overlaps that year
    date:1997..2002          ... overlaps that range; open ends: date:2014-03.. or date:..1991
    period:ID actor:ID topic:T id:ID
                             events of a period, records naming an actor, records with a
                             topic, one record (selection.py says what each lets through)

Punctuation separates words (NATO-Russia is nato, russia, next to each other) and is never an
error; an unclosed quote runs to the end. An unknown word:value field is an error listing the
fields, as is a query longer than MAX_CHARACTERS or with more than MAX_WORDS words.

A question is a fair query: "who" in "who signed the founding act" occurs in no record, so the
parser marks unquoted STOP_WORDS and Query.without_stop_words() drops them when the query has
other words. A bare year ("kosovo 1999", unquoted) marks Query.years: search ranks records
dated in it first. "last", "latest", "first" and "earliest" set Query.order and are optional
(Query.optional): a record that has the word ranks higher, one that lacks it still matches.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from nato_russia.dates import DateFormatError, parse_bound
from nato_russia.errors import NrrError
from nato_russia.model import RECORD_TYPES
from nato_russia.selection import Selection
from nato_russia.text import stem, tokens

Order = Literal["newest", "oldest"]
# The filter fields, each with an example value for a message.
FIELDS = {
    "type": "event",
    "year": "2014",
    "date": "1997..2002",
    "period": "georgia-2008",
    "actor": "putin",
    "topic": "ukraine",
    "id": "founding-act",
}
# A pasted quotation is a fair query: the longest bundled one has 56 words in 368 characters.
# Past that, a query stops being something typed or pasted to find a record, and every word
# costs work (one position list per field). 2,000 characters leave room for 100 long words and
# filters, and stop a huge argument before it is tokenised at all.
MAX_WORDS = 100
MAX_CHARACTERS = 2_000
# The words of a question that carry no subject. Kept small: every word here becomes
# unsearchable outside quotes next to other words, so words that can be a subject stay out
# (no, not, against, us: "US" is a country, "will" a noun).
# fmt: off
STOP_WORDS = frozenset((
    "a", "an", "the", "of", "to", "in", "on", "at", "for", "from", "by", "with", "about", "into",
    "as", "and", "or", "but", "is", "are", "was", "were", "be", "been", "being", "am", "do",
    "does", "did", "done", "has", "have", "had", "it", "its", "this", "that", "these", "those",
    "there", "their", "who", "whom", "whose", "what", "which", "when", "where", "why", "how",
    "happen", "happens", "happened",
))
# fmt: on
_STOP_STEMS = frozenset(stem(word) for word in STOP_WORDS)  # matched as the data is: stemmed
# Words that ask for the newest or the oldest matching records first.
ORDER_WORDS: dict[str, Order] = {"last": "newest", "latest": "newest"}
ORDER_WORDS.update(first="oldest", earliest="oldest")
_ORDER_STEMS = {stem(word): order for word, order in ORDER_WORDS.items()}
# A bare number in this range is read as a year; outside it (a count, a resolution number) it
# is only a word.
YEARS = range(1900, 2100)


def _is_year(word: str) -> bool:
    # ASCII digits only: int() refuses some characters that str.isdigit() accepts.
    return len(word) == 4 and word.isascii() and word.isdigit() and int(word) in YEARS


class QueryError(NrrError):
    """A query that cannot be understood; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Query(Selection):
    """Words to look for, in the records its filters (a Selection: type:, id:, year:, date:,
    period:, actor:, topic:) let through."""

    # Each term and phrase is a tuple of stems; a single word is a one-stem tuple.
    terms: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[tuple[str, ...], ...] = ()
    surface: tuple[str, ...] = ()  # the words as typed, for messages and suggestions
    filters: tuple[str, ...] = field(default=())  # the filter words as typed
    # Which of `terms` (and of `surface`, which runs alongside them) are unquoted stop words.
    stop_words: tuple[int, ...] = ()
    # Which of `terms` are bare years (their year: Query.year_of), and which are order words a
    # record need not have; the order they ask for.
    years: tuple[int, ...] = ()
    optional: tuple[int, ...] = ()
    order: Order | None = None
    quoted: tuple[int, ...] = ()  # which of `terms` were in quotes: meant as typed

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.filters

    def without_stop_words(self) -> Query:
        """The query with its stop words dropped, unless they are all the words it has."""
        if not self.stop_words or len(self.stop_words) == len(self.terms):
            return self
        dropped = set(self.stop_words)
        kept = [i for i in range(len(self.terms)) if i not in dropped]
        moved = {old: new for new, old in enumerate(kept)}
        return dataclasses.replace(
            self,
            terms=tuple(self.terms[i] for i in kept),
            surface=tuple(self.surface[i] for i in kept),
            stop_words=(),
            years=tuple(moved[i] for i in self.years if i in moved),
            optional=tuple(moved[i] for i in self.optional if i in moved),
            quoted=tuple(moved[i] for i in self.quoted if i in moved),
        )

    def year_of(self, index: int) -> int | None:
        """The year the term at `index` asks for, if it is a bare year."""
        return int(self.terms[index][0]) if index in self.years else None


# A piece of a query: a '-' that negates it (when something follows), then "a phrase" (an
# unclosed quote runs to the end) or a run of anything but spaces and quotes.
_PIECE = re.compile(r'(-(?=\S))?(?:"([^"]*)"?|([^\s"]+))')


def _date_range(value: str, name: str) -> tuple[dt.date | None, dt.date | None]:
    try:
        if name == "year" and not (len(value) == 4 and value.isdigit()):
            raise DateFormatError(f"{value!r} is not a year")
        if name == "date" and ".." in value:
            low, _, high = value.partition("..")
            return (
                parse_bound(low, upper=False) if low else None,
                parse_bound(high, upper=True) if high else None,
            )
        return parse_bound(value, upper=False), parse_bound(value, upper=True)
    except DateFormatError as exc:
        raise QueryError(f"{name}:{value}: {exc}") from None


def parse_query(text: str) -> Query:
    """Parse a query. Raises QueryError (one line) for a filter it cannot use; never anything
    else, whatever the text."""
    if len(text) > MAX_CHARACTERS:
        raise QueryError(
            f"the query is {len(text):,} characters long; at most {MAX_CHARACTERS:,} are allowed"
        )
    terms: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []
    surface: list[str] = []
    stop_words: list[int] = []
    years: list[int] = []
    optional: list[int] = []
    orders: list[Order] = []
    quoted_terms: list[int] = []
    types: list[str] = []
    filters: dict[str, str] = {}
    dates: list[tuple[dt.date | None, dt.date | None]] = []
    for match in _PIECE.finditer(text):
        negated, quoted = match[1] is not None, match[2] is not None
        chunk = match[2] if quoted else match[3]
        name, colon, value = chunk.partition(":")
        if not quoted and colon and name.isalpha() and name.isascii():
            name = name.lower()
            if name not in FIELDS:
                raise QueryError(f"unknown field {name!r}; use one of: {', '.join(FIELDS)}")
            if not value:
                raise QueryError(f"{name}: needs a value, as in {name}:{FIELDS[name]}")
            if negated:
                raise QueryError(f"-{name}: filters cannot be negated")
            if name == "type":
                wanted = value.lower()
                if wanted not in RECORD_TYPES and wanted.endswith("s"):
                    wanted = wanted[:-1]  # a plural works too (events)
                if wanted not in RECORD_TYPES:
                    raise QueryError(f"type:{value}: use one of: {', '.join(RECORD_TYPES)}")
                types.append(wanted)
            elif name in ("year", "date"):
                dates.append(_date_range(value, name))
            elif name in filters:
                raise QueryError(f"{name}: given twice")
            filters[name] = value
            continue
        stems = tuple(tokens(chunk))
        if not stems:
            continue  # punctuation alone: nothing to look for
        if negated:
            excluded.append(stems)
            continue
        if quoted:
            quoted_terms.append(len(terms))
        elif len(stems) == 1:
            if stems[0] in _STOP_STEMS:
                stop_words.append(len(terms))
            elif _is_year(stems[0]):
                years.append(len(terms))
            elif stems[0] in _ORDER_STEMS:
                optional.append(len(terms))
                orders.append(_ORDER_STEMS[stems[0]])
        terms.append(stems)
        surface.append(chunk)
    count = sum(len(term) for term in (*terms, *excluded))
    if count > MAX_WORDS:
        raise QueryError(f"the query has {count} words; at most {MAX_WORDS} are allowed")
    earliest = max((d[0] for d in dates if d[0] is not None), default=None)
    latest = min((d[1] for d in dates if d[1] is not None), default=None)
    return Query(
        terms=tuple(terms),
        excluded=tuple(excluded),
        surface=tuple(surface),
        types=tuple(dict.fromkeys(types)),
        earliest=earliest,
        latest=latest,
        period=filters.get("period"),
        actor=filters.get("actor"),
        topic=filters.get("topic"),
        record_id=filters.get("id"),
        filters=tuple(f"{k}:{v}" for k, v in filters.items()),
        stop_words=tuple(stop_words),
        years=tuple(years),
        optional=tuple(optional),
        # "the first and the last": two orders cancel out, and relevance decides.
        order=orders[0] if len(set(orders)) == 1 else None,
        quoted=tuple(quoted_terms),
    )
