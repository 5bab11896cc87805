"""What each command shows, independent of how: tables of cells and detail views of lines.

The Rich renderer (for people at a terminal) and the plain renderer (for pipes) both draw
these, so the two never disagree about content.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

from nato_russia.dates import EdtfDate
from nato_russia.model import (
    Actor,
    Agreement,
    Area,
    Correction,
    Dataset,
    Event,
    Period,
    Principle,
    Quotation,
    Record,
    Source,
    schema_of,
)
from nato_russia.search import Hit

ColumnKind = Literal["key", "date", "prose"]


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    spans: tuple[tuple[int, int], ...] = ()  # parts to highlight (search matches)
    uncut: str | None = None  # when text is an excerpt: the whole, for outputs that never cut
    link: str | None = None  # an address the text stands for, for outputs that can link


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: ColumnKind = "prose"  # keys and dates never wrap; prose absorbs the squeeze


@dataclass(frozen=True, slots=True)
class TableView:
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, slots=True)
class Section:
    label: str
    lines: tuple[str, ...]
    kind: Literal["text", "links", "quotes", "note"] = "text"


@dataclass(frozen=True, slots=True)
class DetailView:
    type_name: str
    record_id: str
    heading: str
    sections: tuple[Section, ...] = field(default=())


def date_text(record: Record) -> str:
    date = getattr(record, "date", None)
    display = getattr(record, "date_display", None)
    if display:
        return str(display)
    return date.display() if isinstance(date, EdtfDate) else ""


def _cells(*values: str) -> tuple[Cell, ...]:
    return tuple(Cell(v) for v in values)


def _link_titles(dataset: Dataset, ids: tuple[str, ...], targets: tuple[str, ...]) -> str:
    labels = []
    for record_id in ids:
        record = dataset.find(record_id, targets)
        labels.append(record.label if record is not None else record_id)
    return "; ".join(labels)


def timeline_table(events: list[Event]) -> TableView:
    columns = (Column("Date", "date"), Column("ID", "key"), Column("Event"), Column("Place"))
    rows = tuple(_cells(date_text(e), e.id, e.title, e.place or "") for e in events)
    return TableView("NATO-Russia timeline", columns, rows)


def list_table(dataset: Dataset, type_name: str, records: list[Record]) -> TableView:
    """The table a list command (nrr agreements, nrr actors, ...) shows."""
    cols: tuple[str, ...]
    if type_name == "agreement":
        cols = ("Date", "ID", "Title", "Kind", "Place")
        rows = [
            _cells(date_text(r), r.id, r.short_title, r.kind, r.place or "")
            for r in records
            if isinstance(r, Agreement)
        ]
    elif type_name in ("principle", "area"):
        cols = ("ID", "Title", "Stated in")
        rows = [
            _cells(r.id, r.title, _link_titles(dataset, r.agreements, ("agreement",)))
            for r in records
            if isinstance(r, Principle | Area)
        ]
    elif type_name == "period":
        cols = ("Dates", "ID", "Title", "Events")
        rows = [
            _cells(date_text(r), r.id, r.title, str(len(r.events)))
            for r in records
            if isinstance(r, Period)
        ]
    elif type_name == "actor":
        cols = ("ID", "Name", "Kind", "Role")
        rows = [_cells(r.id, r.name, r.kind, r.role) for r in records if isinstance(r, Actor)]
    elif type_name == "quotation":
        cols = ("Date", "ID", "Quotation", "Document")
        rows = [
            _cells(date_text(r), r.id, r.text, _link_titles(dataset, (r.document,), DOCUMENT))
            for r in records
            if isinstance(r, Quotation)
        ]
    elif type_name == "source":
        cols = ("Date", "ID", "Title", "Publisher", "URL")
        rows = [
            (
                *_cells(date_text(r), r.id),
                Cell(r.title, link=r.url),
                Cell(r.publisher),
                Cell(r.url or "", link=r.url),
            )
            for r in records
            if isinstance(r, Source)
        ]
    else:  # events use the timeline table
        return timeline_table([r for r in records if isinstance(r, Event)])
    kinds: dict[str, ColumnKind] = {"Date": "date", "Dates": "date", "ID": "key", "Kind": "key"}
    columns = tuple(Column(c, kinds.get(c, "prose")) for c in cols)
    return TableView(f"{type_name.capitalize()}s", columns, tuple(rows))


def search_table(query: str, hits: list[Hit]) -> TableView:
    columns = (
        Column("Type", "key"),
        Column("ID", "key"),
        Column("Date", "date"),
        Column("Title"),
        Column("Fields", "key"),
        Column("Match"),
    )
    rows = tuple(
        (
            Cell(h.record.type_name),
            Cell(h.record.id),
            Cell(date_text(h.record)),
            Cell(h.record.label),
            Cell(", ".join(h.matched_fields)),
            Cell(h.snippet, h.spans, uncut=h.field_text),
        )
        for h in hits
    )
    return TableView(f"Search: {query}", columns, rows)


DOCUMENT = ("agreement", "source")
_LABELS = {
    "url": "URL",
    "short_title": "Short title",
    "date_display": "Date as worded",
    "created_by": "Created by",
    "creates": "Bodies created",
    "areas": "Areas of cooperation",
    "checked": "Wording checked against",
}


def field_label(name: str) -> str:
    """How a field is named to people: 'date_display' -> 'Date as worded'."""
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def _link_lines(dataset: Dataset, ids: tuple[str, ...], targets: tuple[str, ...]) -> list[str]:
    lines = []
    for record_id in ids:
        record = dataset.find(record_id, targets)
        if isinstance(record, Quotation):
            lines.append(f"{record_id} \u2014 \u201c{record.text}\u201d")
        elif isinstance(record, Source):
            lines.append(f"{record_id} \u2014 {source_line(record)}")
        elif record is not None:
            extra = date_text(record)
            lines.append(f"{record_id} \u2014 {record.label}" + (f" ({extra})" if extra else ""))
        else:
            lines.append(record_id)
    return lines


def source_line(source: Source) -> str:
    parts = [source.title, source.publisher]
    if source.date is not None:
        parts.append(source.date.display())
    line = ", ".join(parts)
    return f"{line} <{source.url}>" if source.url else line


def correction_lines(dataset: Dataset, corrections: tuple[Correction, ...]) -> list[str]:
    lines = []
    for c in corrections:
        lines.append(f"The 2015 backgrounder says: \u201c{c.says}\u201d")
        lines.append(f"What the official record shows: {c.finding}")
        lines.append(
            "Evidence: " + "; ".join(_link_titles(dataset, (s,), ("source",)) for s in c.sources)
        )
    return lines


def detail_view(dataset: Dataset, record: Record) -> DetailView:
    """Every field of a record, linked records by id and title."""
    sections: list[Section] = []
    for f in dataclasses.fields(record):
        if f.name == "id":
            continue
        schema = schema_of(f)
        value = getattr(record, f.name)
        if value is None or value == ():
            continue
        if schema.kind == "date":
            sections.append(Section(field_label(f.name), (f"{value.display()} ({value})",)))
        elif schema.kind == "corrections":
            lines = correction_lines(dataset, value)
            sections.append(Section("Correction of the backgrounder", tuple(lines), "note"))
        elif schema.kind in ("ref", "refs"):
            ids = (value,) if isinstance(value, str) else value
            kind: Literal["links", "quotes"] = (
                "quotes" if schema.targets == ("quotation",) else "links"
            )
            sections.append(
                Section(field_label(f.name), tuple(_link_lines(dataset, ids, schema.targets)), kind)
            )
        elif schema.kind == "tags":
            sections.append(Section(field_label(f.name), (", ".join(value),)))
        else:
            sections.append(Section(field_label(f.name), (str(value),)))
    return DetailView(record.type_name, record.id, record.label, tuple(sections))
