"""Citations of a record's sources (`nrr cite`), and the sources with what rests on them.

A citation uses only what a source record holds: its title, publisher, date, address and
kind. Nothing is made up to fill a style's slots: a source has no author in the data, so every
style leads with the title (as each style prescribes for a work without one) rather than
promote the publisher to an author. The one date a source record lacks, the day its address
was checked, is the dataset's `checked` date. No I/O here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nato_russia import query
from nato_russia.dates import MONTH_NAMES, EdtfDate, PartialDate
from nato_russia.errors import NotFound, UsageError
from nato_russia.model import (
    RECORD_TYPES,
    Correction,
    Dataset,
    DatasetInfo,
    Quotation,
    Record,
    Source,
    field_schemas,
)
from nato_russia.render.formats import CitationStyle as Style
from nato_russia.render.json_out import json_text

# The document a fact comes from outweighs what was written about it: official texts first,
# then reprints (the same text in another's copy: the nearest thing to the document where no
# official copy is cited), then every other kind in the order the record lists them.
KIND_RANK = {"official-text": 0, "reprint": 1}


@dataclass(frozen=True, slots=True)
class Found:
    """The record an id named, and the other types that use the same id (for a note)."""

    record: Record
    also: tuple[str, ...] = ()


def find_record(dataset: Dataset, wanted: str) -> Found:
    """The record `wanted` names, of any type: an exact id first, else an id or title as the
    detail commands forgive it (case, spaces, punctuation). `type:id` (channel:founding-act)
    names the type; otherwise the types' cite_rank decides between types that share an id."""
    type_part, sep, id_part = wanted.partition(":")
    type_name = type_part.strip().replace("-", "_")
    if sep and type_name in RECORD_TYPES:
        return Found(query.lookup(dataset, type_name, id_part.strip()))
    types = sorted(
        (t for t in RECORD_TYPES if t in dataset.records), key=lambda t: RECORD_TYPES[t].cite_rank
    )
    exact = [dataset.of_type(t)[wanted] for t in types if wanted in dataset.of_type(t)]
    if not exact:
        for t in types:
            with contextlib.suppress(NotFound):
                exact.append(query.lookup(dataset, t, wanted))
    if exact:
        return Found(exact[0], tuple(r.type_name for r in exact[1:]))
    near = dict.fromkeys(s for t in types for s in query.suggest_records(dataset, t, wanted))
    hint = "(ID is any record's id, or TYPE:ID such as agreement:founding-act; "
    hint += "nrr search WORDS finds one)"
    raise NotFound("record", wanted, list(near)[: query.MAX_SUGGESTIONS], hint=hint)


def cited_ids(record: Record) -> list[str]:
    """The ids of the sources a record rests on: its `sources`, then those of its corrections
    (the same links Source.cited_by is worked out from); a source rests on itself."""
    if isinstance(record, Source):
        return [record.id]
    corrections: tuple[Correction, ...] = getattr(record, "corrections", ())
    ids = [*getattr(record, "sources", ()), *(i for c in corrections for i in c.sources)]
    return list(dict.fromkeys(ids))


def cited_sources(dataset: Dataset, record: Record) -> list[Source]:
    """The sources to cite for a record, the official texts first, then reprints, then the
    others, each group in the order the record lists them (its authors' order of weight).
    A quotation cites first the document its words come from (a source, or an agreement's
    texts), then the sources its wording was checked in."""
    found = [dataset.get("source", i) for i in cited_ids(record)]
    sources = [s for s in found if isinstance(s, Source)]
    ranked = sorted(sources, key=lambda s: KIND_RANK.get(s.kind, len(KIND_RANK)))  # stable
    if isinstance(record, Quotation):
        return list(dict.fromkeys([*_document_sources(dataset, record), *ranked]))
    return ranked


def _document_sources(dataset: Dataset, quotation: Quotation) -> list[Source]:
    """Where a quotation's words come from: its document when that is a source; for an
    agreement, the agreement's official texts (or, lacking them, its reprints)."""
    document = dataset.get("source", quotation.document)
    if isinstance(document, Source):
        return [document]
    agreement = dataset.get("agreement", quotation.document)
    if agreement is None:
        return []
    texts = [s for s in cited_sources(dataset, agreement) if s.kind in KIND_RANK]
    best = min((KIND_RANK[s.kind] for s in texts), default=None)
    return [s for s in texts if KIND_RANK[s.kind] == best]


def access_date(dataset: Dataset) -> EdtfDate | None:
    """The day the addresses were checked: the loaded dataset's `checked` date. Records do
    not say which dataset they came from, so with datasets checked on different days no
    source's day is known, and none is given rather than a wrong one."""
    infos = dataset.records.get("dataset", {}).values()
    checked = {str(i.checked): i.checked for i in infos if isinstance(i, DatasetInfo)}
    return next(iter(checked.values())) if len(checked) == 1 else None


@dataclass(frozen=True, slots=True)
class Reference:
    """One source as a citation has it: text normalised to single spaces (a folded YAML
    value may hold line breaks, which a reference pasted into a document must not)."""

    key: str
    title: str
    publisher: str
    kind: str
    issued: EdtfDate | None
    url: str | None
    accessed: EdtfDate | None  # only with an address: it is the day the address was checked
    note: str | None


def references(dataset: Dataset, *records: Record) -> list[Reference]:
    """The references of one or more records as one bibliography: a source that several of
    them cite appears once, where it first appears (a repeated BibTeX key breaks the file)."""
    accessed = access_date(dataset)
    sources = [s for record in records for s in cited_sources(dataset, record)]
    return [
        Reference(
            key=s.id,
            title=" ".join(s.title.split()),
            publisher=" ".join(s.publisher.split()),
            kind=s.kind,
            issued=s.date,
            url=s.url.strip() if s.url else None,
            accessed=accessed if s.url else None,
            note=" ".join(s.note.split()) if s.note else None,
        )
        for s in dict.fromkeys(sources)
    ]


# --- dates as each style words them --------------------------------------------------------

# MLA abbreviates months longer than four letters (MLA Handbook, 9th ed., appendix 1).
# (Jan., Sept., but May, June, July).
_MLA_MONTHS = tuple(
    "Sept." if m == "September" else f"{m[:3]}." if len(m) > 4 else m for m in MONTH_NAMES
)


def _us(value: PartialDate) -> str:
    """Chicago and APA's month-day-year order: May 27, 1997; December 2015; 1997."""
    month = MONTH_NAMES[value.month] if value.month else ""
    return f"{month} {value.day}, {value.year}" if value.day else f"{month} {value.year}".strip()


def _apa(value: PartialDate) -> str:
    if value.month is None:
        return str(value.year)
    return f"{value.year}, {MONTH_NAMES[value.month]}" + (f" {value.day}" if value.day else "")


def _mla(value: PartialDate) -> str:
    """MLA's day-month-year order with abbreviated months: 27 May 1997; Dec. 2015."""
    month = _MLA_MONTHS[value.month] if value.month else None
    return " ".join(str(part) for part in (value.day, month, value.year) if part)


def _worded(
    date: EdtfDate, one: Callable[[PartialDate], str], days: str, months: Sequence[str]
) -> str:
    """A date or range as a style words it: `one` words each end; a range of days within one
    month (5-6 July 1990), which every style shortens to one month and year, is `days`."""
    start, end = date.start, date.end
    if end is None:
        return one(start)
    if start.day and end.day and start.month and (start.year, start.month) == (end.year, end.month):
        return days.format(start=start.day, end=end.day, month=months[start.month], year=end.year)
    return f"{one(start)}\u2013{one(end)}"


def us_date(date: EdtfDate) -> str:
    return _worded(date, _us, "{month} {start}\u2013{end}, {year}", MONTH_NAMES)


def apa_date(date: EdtfDate | None) -> str:
    """APA's (1997, May 27); (n.d.) when the source gives no date."""
    if date is None:
        return "(n.d.)"
    return "(" + _worded(date, _apa, "{year}, {month} {start}\u2013{end}", MONTH_NAMES) + ")"


def mla_date(date: EdtfDate) -> str:
    return _worded(date, _mla, "{start}\u2013{end} {month} {year}", _MLA_MONTHS)


# --- the text styles -----------------------------------------------------------------------


def _closed(text: str) -> str:
    """A title or sentence with its full stop, unless it ends in one already (a question)."""
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _quoted(title: str) -> str:
    # The full stop goes inside the quotation marks in Chicago and MLA (US usage).
    return f"\u201c{_closed(title)}\u201d"


def chicago(ref: Reference) -> str:
    """Chicago (17th ed.) bibliography entry for a web page or document without an author:
    “Title.” Publisher. May 27, 1997. Accessed December 1, 2026. URL."""
    parts = [_quoted(ref.title), _closed(ref.publisher)]
    if ref.issued is not None:
        parts.append(f"{us_date(ref.issued)}.")
    if ref.url:
        if ref.accessed is not None:
            parts.append(f"Accessed {us_date(ref.accessed)}.")
        parts.append(f"{ref.url}.")
    return " ".join(parts)


def apa(ref: Reference) -> str:
    """APA (7th ed.) reference without an author, the title in the author's place:
    Title. (1997, May 27). Publisher. Retrieved December 1, 2026, from URL"""
    parts = [_closed(ref.title), f"{apa_date(ref.issued)}.", _closed(ref.publisher)]
    if ref.url:
        if ref.accessed is not None:
            parts.append(f"Retrieved {us_date(ref.accessed)}, from {ref.url}")
        else:
            parts.append(ref.url)  # APA puts no full stop after an address
    return " ".join(parts)


def mla(ref: Reference) -> str:
    """MLA (9th ed.) works-cited entry without an author:
    “Title.” Publisher, 27 May 1997, URL. Accessed 1 Dec. 2026."""
    elements = [ref.publisher]
    if ref.issued is not None:
        elements.append(mla_date(ref.issued))
    if ref.url:
        elements.append(ref.url)
    entry = f"{_quoted(ref.title)} {_closed(', '.join(elements))}"
    if ref.url and ref.accessed is not None:
        entry += f" Accessed {mla_date(ref.accessed)}."
    return entry


# --- BibTeX --------------------------------------------------------------------------------

# Characters with a meaning in TeX, written so that they print as themselves. One pass over
# the text (translate), so that the braces of \textbackslash{} are not escaped again. A brace
# is never \{ or \}: BibTeX (and biber) count every brace, escaped or not, to find where a
# value ends, so one unbalanced brace in a title would end the entry early or swallow the next.
_TEX_SPECIALS = str.maketrans(
    {c: "\\" + c for c in "&%$#_"}
    | {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)

# An address is read verbatim by biblatex and by \url, so a TeX escape would become part of
# it. Only what would break the .bib syntax (braces, a backslash, spaces) is changed, into
# the percent-encoding that means the same address (RFC 3986 allows none of them raw).
_URL_UNSAFE = re.compile(r"[{}\\\s]")
# BibTeX's month macros (jan ... dec), which every style defines and words in its language.
_BIB_MONTHS = tuple(m[:3].lower() for m in MONTH_NAMES)


def tex_escape(text: str) -> str:
    return text.translate(_TEX_SPECIALS)


def bib_url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), url)


def bibtex(ref: Reference) -> str:
    """A @misc entry, read by BibTeX's standard styles and by biblatex alike: `howpublished`
    names the publisher for the former (they ignore `publisher` in @misc), `publisher` is
    there for importers (Zotero, JabRef); `date` and `urldate` are biblatex's, `year` and
    `month` BibTeX's. The title is braced once more so that styles keep its capitals (NATO)."""
    fields: list[tuple[str, str]] = [
        ("title", "{{" + tex_escape(ref.title) + "}}"),
        ("howpublished", "{" + tex_escape(ref.publisher) + "}"),
        ("publisher", "{" + tex_escape(ref.publisher) + "}"),
    ]
    if ref.issued is not None:
        start, end = ref.issued.start, ref.issued.end
        fields.append(("date", "{" + str(ref.issued) + "}"))
        later = f"--{end.year}" if end is not None and end.year != start.year else ""
        fields.append(("year", f"{{{start.year}{later}}}"))
        if start.month is not None and (end is None or end.month == start.month):
            fields.append(("month", _BIB_MONTHS[start.month]))  # a standard macro: no braces
    if ref.url:
        fields.append(("url", "{" + bib_url(ref.url) + "}"))
        if ref.accessed is not None:
            fields.append(("urldate", "{" + str(ref.accessed) + "}"))
    if ref.note:
        # nrr's own note on the source; `annote` is printed only by annotated bibliographies.
        fields.append(("annote", "{" + tex_escape(ref.note) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@misc{{{ref.key},\n{body}\n}}"


# --- CSL-JSON ------------------------------------------------------------------------------


def csl_date(date: EdtfDate) -> dict[str, Any]:
    """A CSL date: one date-parts entry, or two for a range."""
    ends = [date.start] if date.end is None else [date.start, date.end]
    return {"date-parts": [[p for p in (e.year, e.month, e.day) if p is not None] for e in ends]}


def csl_item(ref: Reference) -> dict[str, Any]:
    """A CSL-JSON item, as Zotero and citeproc read it. Every kind is a `document`: Zotero's
    web-page and newspaper-article types have no publisher field, and the data holds no
    website or newspaper title (container-title) to put in its place."""
    item: dict[str, Any] = {
        "id": ref.key,
        "type": "document",
        "title": ref.title,
        "publisher": ref.publisher,
    }
    if ref.issued is not None:
        item["issued"] = csl_date(ref.issued)
    if ref.url:
        item["URL"] = ref.url
        if ref.accessed is not None:
            item["accessed"] = csl_date(ref.accessed)
    if ref.note:
        item["note"] = ref.note
    return item


def render(refs: list[Reference], style: Style) -> str:
    """The citations in one style, as printed: references a blank line apart (a BibTeX file
    too), CSL-JSON as one array. Ends with a line break."""
    if style is Style.csl_json:
        return json_text([csl_item(r) for r in refs])
    write = {Style.chicago: chicago, Style.apa: apa, Style.mla: mla, Style.bibtex: bibtex}[style]
    return "".join(f"{write(r)}\n" if not i else f"\n{write(r)}\n" for i, r in enumerate(refs))


# --- sources and what rests on them (nrr sources --kind, nrr source ID) ---------------------

SOURCE_KINDS: tuple[str, ...] = field_schemas(Source)["kind"].choices
SOURCE_TIERS: tuple[str, ...] = field_schemas(Source)["tier"].choices


def resolve_kind(wanted: str, field_name: str = "kind") -> str:
    """A kind (or, with field_name="tier", a tier) as typed (News, "official text",
    official_text) turned into its slug, or a UsageError naming the near ones and all of them."""
    choices = field_schemas(Source)[field_name].choices
    key = query.slugify(wanted)
    if key in choices:
        return key
    near = query.suggest(key, list(choices))
    near += [k for k in choices if key and key in k and k not in near]
    message = f"no source {field_name} {wanted!r}."
    if near:
        message += f" Did you mean: {', '.join(near)}?"
    raise UsageError(f"{message} The {field_name}s are: {', '.join(choices)}.")


def of_kind(records: list[Record], kind: str, field_name: str = "kind") -> list[Record]:
    """The sources of one kind (or tier) among records (a list command's, in its order)."""
    return [r for r in records if isinstance(r, Source) and getattr(r, field_name) == kind]
