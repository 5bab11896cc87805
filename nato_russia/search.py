"""Ranked, case-insensitive search across every record type and text field. No printing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from nato_russia.model import Dataset, Record, schema_of

# Where a word is found says how relevant the record is: a title match beats a quotation,
# which beats a summary, which beats a passing mention in a place or a note.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 10.0,
    "short_title": 10.0,
    "name": 10.0,
    "text": 6.0,
    "summary": 3.0,
    "context": 3.0,
    "role": 3.0,
    "place": 2.0,
}
DEFAULT_WEIGHT = 1.0
PHRASE_BONUS = 5.0
SNIPPET_RADIUS = 60


@dataclass(frozen=True, slots=True)
class Hit:
    record: Record
    score: float
    matched_fields: tuple[str, ...]
    snippet: str
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets of matches inside the snippet
    field_text: str  # the whole text the snippet was cut from


def text_fields(record: Record) -> Iterator[tuple[str, str]]:
    """(field name, text) for every free-text value of a record, corrections included."""
    for f in dataclasses.fields(record):
        schema = schema_of(f)
        value = getattr(record, f.name)
        if schema.kind == "text" and isinstance(value, str):
            yield f.name, value
        elif schema.kind == "corrections":
            for correction in value:
                yield f.name, correction.says
                yield f.name, correction.finding


def query_words(query: str) -> list[str]:
    return [word.casefold() for word in query.split()]


def _find_all(haystack: str, needle: str) -> Iterator[tuple[int, int]]:
    start = haystack.find(needle)
    while start != -1:
        yield start, start + len(needle)
        start = haystack.find(needle, start + 1)


def _snippet(text: str, words: list[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    folded = text.casefold()
    # casefold can change a string's length (ß -> ss); offsets are only safe when it does not.
    if len(folded) != len(text):
        folded = text.lower()
    first = min((i for w in words if (i := folded.find(w)) != -1), default=0)
    start = max(0, first - SNIPPET_RADIUS)
    end = min(len(text), first + SNIPPET_RADIUS * 2)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    if end < len(text):
        space = text.rfind(" ", first, end)
        end = space if space > first else end
    prefix = "\u2026" if start > 0 else ""
    suffix = "\u2026" if end < len(text) else ""
    body = text[start:end]
    folded_body = folded[start:end]
    spans = sorted(
        {(a + len(prefix), b + len(prefix)) for w in words for a, b in _find_all(folded_body, w)}
    )
    return prefix + body + suffix, tuple(spans)


def _score(record: Record, words: list[str], phrase: str) -> Hit | None:
    fields = list(text_fields(record))
    folded = [(name, text.casefold()) for name, text in fields]
    score = 0.0
    matched: dict[str, float] = {}
    for word in words:
        best = 0.0
        for name, text in folded:
            if word in text:
                weight = FIELD_WEIGHTS.get(name, DEFAULT_WEIGHT)
                best = max(best, weight)
                matched[name] = max(matched.get(name, 0.0), weight)
        if best == 0.0:
            return None
        score += best
    if len(words) > 1 and any(phrase in text for _, text in folded):
        score += PHRASE_BONUS
    # The snippet comes from the most relevant field that is not the heading already shown.
    label_fields = {"title", "short_title", "name"}
    body = [n for n in matched if n not in label_fields] or list(matched)
    best_field = max(body, key=lambda n: matched[n])
    source_text = next(
        text
        for name, text in fields
        if name == best_field and any(w in text.casefold() for w in words)
    )
    snippet, spans = _snippet(source_text, words)
    ordered = tuple(sorted(matched, key=lambda n: (-matched[n], n)))
    return Hit(record, score, ordered, snippet, spans, source_text)


def _date_of(record: Record) -> dt.date:
    date = getattr(record, "date", None)
    return date.earliest() if date is not None else dt.date.max


def search(dataset: Dataset, query: str) -> list[Hit]:
    """Records where every word of the query occurs, best first; ties in date order."""
    words = query_words(query)
    if not words:
        return []
    phrase = " ".join(words)
    hits = [hit for r in dataset.all_records() if (hit := _score(r, words, phrase)) is not None]
    return sorted(
        hits, key=lambda h: (-h.score, _date_of(h.record), h.record.type_name, h.record.id)
    )
