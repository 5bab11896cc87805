"""Markdown documents: tables for lists, a page per record, a whole chronology for export.

CommonMark with GitHub's tables. Data is text, not markup: every value is escaped, so a title
written "[bold]x[/]" or "*note*" shows exactly so, and only http(s) addresses become links.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from nato_russia import __version__
from nato_russia.model import (
    RECORD_TYPES,
    Channel,
    Correction,
    Dataset,
    Event,
    Period,
    Quotation,
    Record,
    Source,
    date_text,
    in_date_order,
    is_web_address,
)
from nato_russia.query import sorted_records
from nato_russia.render.views import (
    SAYS,
    SHOWS,
    Cell,
    TableView,
    field_label,
    shown_fields,
    tier_text,
    value_text,
)

_ESCAPED = re.compile(r"([\\`*_\[\]<>|~&#])")
# GitHub turns bare web addresses into links; a backslash before the ':' or '.' prevents it.
_AUTOLINK = re.compile(r"(?i)(\b(?:https?|ftp)):(?=//)|(\bwww)\.")
_BLOCK_START = re.compile(r"^(\s*)(?:([>+=-])|(\d+)([.)]))")
# Fields shown as paragraphs rather than as a "Label: value" line.
_PROSE = ("summary", "context", "note")


def _inline(text: str) -> str:
    escaped = _ESCAPED.sub(r"\\\1", re.sub(r"\s+", " ", text))
    return _AUTOLINK.sub(lambda m: f"{m[1]}\\:" if m[1] else f"{m[2]}\\.", escaped)


def _not_a_block(markdown: str) -> str:
    """A value that begins like a quote, list item or rule must not become one (headings are
    safe already: every '#' is escaped). Before digits a backslash would show, so a numbered
    item is kept plain by escaping its '.' or ')' instead."""
    return _BLOCK_START.sub(
        lambda m: f"{m[1]}\\{m[2]}" if m[2] else f"{m[1]}{m[3]}\\{m[4]}", markdown, count=1
    )


def escape(text: str) -> str:
    """Text that Markdown shows literally, on one line."""
    return _not_a_block(_inline(text.strip()))


def link(text: str, url: str | None) -> str:
    if url and is_web_address(url):
        return f"[{escape(text)}](<{url}>)"
    return escape(text)


def _cell(cell: Cell) -> str:
    if not cell.spans:
        return link(cell.text, cell.link)
    parts, last = [], 0
    for start, end in cell.spans:
        parts += [_inline(cell.text[last:start]), f"**{_inline(cell.text[start:end])}**"]
        last = end
    return _not_a_block("".join([*parts, _inline(cell.text[last:])]).strip())


def table(view: TableView) -> str:
    rows = [[escape(c.header) for c in view.columns], ["---"] * len(view.columns)]
    rows += [[_cell(c) for c in row] for row in view.rows]
    return "".join(f"| {' | '.join(row)} |\n" for row in rows)


def tables_document(views: Sequence[TableView]) -> str:
    """Tables under their titles, the first heading the document, the others its sections;
    an empty result keeps its header row."""
    return "\n".join(
        f"{'##' if n else '#'} {escape(view.title)}\n\n{table(view)}"
        for n, view in enumerate(views)
    )


def _ref(dataset: Dataset, record_id: str, targets: tuple[str, ...]) -> str:
    record = dataset.find(record_id, targets)
    if record is None:
        return escape(record_id)
    when = date_text(record)
    suffix = f", {escape(when)}" if when else ""
    return f"{escape(record.label)} ({escape(record_id)}{suffix})"


def source_item(source: Source) -> str:
    parts = [link(source.title, source.url), escape(source.publisher)]
    if source.date is not None:
        parts.append(escape(source.date.display()))
    # Its kind and its publisher's tier, so that a reader can weigh it.
    return ", ".join(parts) + f" ({escape(source.kind)}; {escape(tier_text(source))})"


def _quote(dataset: Dataset, quotation: Quotation) -> list[str]:
    attribution = "in " + _ref(dataset, quotation.document, ("agreement", "source"))
    if quotation.speaker:
        attribution = f"{_ref(dataset, quotation.speaker, ('actor',))}, {attribution}"
    return [f"> \u201c{escape(quotation.text)}\u201d", ">", f"> \u2014 {attribution}", ""]


def _corrections(dataset: Dataset, corrections: tuple[Correction, ...]) -> list[str]:
    lines: list[str] = []
    for c in corrections:
        evidence = "; ".join(_ref(dataset, s, ("source",)) for s in c.sources)
        lines += [
            f"> {SAYS.format(escape(c.says))}",
            "",
            f"{SHOWS.format(escape(c.finding))} (evidence: {evidence})",
            "",
        ]
    return lines


def record_body(dataset: Dataset, record: Record, level: int) -> str:
    """Every field of a record: facts as a list, prose as paragraphs, then quotations,
    corrections and sources under sub-headings of the given level."""
    facts: list[str] = []
    prose: list[str] = []
    quotes: list[str] = []
    fixes: list[str] = []
    sources: list[str] = []
    for name, schema, value in shown_fields(record):
        label = f"- **{field_label(name)}:**"
        if name in ("title", "text"):
            continue
        if name == "sources":
            found = [dataset.get("source", s) for s in value]
            sources += [
                f"- {source_item(s) if isinstance(s, Source) else escape(i)}"
                for s, i in zip(found, value, strict=True)
            ] + [""]
        elif schema.kind == "corrections":
            fixes += _corrections(dataset, value)
        elif schema.targets == ("quotation",):
            found = [dataset.get("quotation", i) for i in value]
            quotes += [
                line for q in found if isinstance(q, Quotation) for line in _quote(dataset, q)
            ]
        elif name in _PROSE:
            prose += [escape(value), ""]
        elif schema.kind in ("ref", "refs"):
            ids = (value,) if isinstance(value, str) else value
            facts.append(f"{label} {'; '.join(_ref(dataset, i, schema.targets) for i in ids)}")
        elif name == "url":
            facts.append(f"{label} {link(value, value)}")
        else:
            facts.append(f"{label} {escape(value_text(schema, value))}")
    lines = _quote(dataset, record) if isinstance(record, Quotation) else []
    lines += [*facts, f"- **ID:** {escape(record.id)}", "", *prose]
    parts = {"Quotations": quotes, "Correction of the backgrounder": fixes, "Sources": sources}
    for heading, part in parts.items():
        if part:
            lines += [f"{'#' * level} {heading}", "", *part]
    return "\n".join(lines)


def _heading(record: Record) -> str:
    when = date_text(record) if not isinstance(record, Quotation) else ""
    title = record.label if not isinstance(record, Quotation) else f"Quotation {record.id}"
    return f"{escape(when)} \u2014 {escape(title)}" if when else escape(title)


def _entry(dataset: Dataset, record: Record, level: int) -> list[str]:
    """A record under a heading of the given level, its parts a level below."""
    return [f"{'#' * level} {_heading(record)}", "", record_body(dataset, record, level + 1)]


def record_document(dataset: Dataset, record: Record) -> str:
    return "\n".join(_entry(dataset, record, 1))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _chapters(dataset: Dataset) -> list[str]:
    """A chapter per period, with its events in date order (the heading is each period's)."""
    events = [r for r in sorted_records(dataset, "event") if isinstance(r, Event)]
    lines: list[str] = []
    for period in sorted_records(dataset, "period"):
        assert isinstance(period, Period)
        lines += [f"## {escape(period.title)} ({escape(period.date.display())})", ""]
        lines += [escape(period.summary), ""]
        for event in (e for e in events if e.period == period.id):
            lines += _entry(dataset, event, 3)
    return lines


def _entries(dataset: Dataset, records: list[Record]) -> list[str]:
    return [line for record in records for line in _entry(dataset, record, 3)]


def _channels(dataset: Dataset, channels: list[Record]) -> list[str]:
    """Each channel of the relationship with its dated changes, in date order."""
    lines: list[str] = []
    for channel in channels:
        assert isinstance(channel, Channel)
        changes = (dataset.get("state_change", i) for i in channel.changes)
        lines += _entry(dataset, channel, 3)
        for change in in_date_order(c for c in changes if c is not None):
            lines += _entry(dataset, change, 4)
    return lines


def _sources(dataset: Dataset, sources: list[Record]) -> list[str]:
    """The sources as a list of references, one line each."""
    return [f"- {escape(s.id)}: {source_item(s)}" for s in sources if isinstance(s, Source)] + [""]


# The types whose section has a layout of its own; any other type a chronology section is
# declared for (RecordType.chronology) gets its records in their natural order, in full.
_LAYOUTS: dict[type[Record], Callable[[Dataset, list[Record]], list[str]]] = {
    Channel: _channels,
    Source: _sources,
}


def chronology(dataset: Dataset, title: str) -> str:
    """The whole dataset as one document: the sections the record types declare, in their
    order (periods with their events in date order, then the agreements, the principles, the
    channels with their changes and every source)."""
    events, agreements, principles = (
        _count(len(dataset.of_type(noun)), noun) for noun in ("event", "agreement", "principle")
    )
    made = f"{events}, {agreements} and {principles}, made with nrr {__version__}."
    lines = [f"# {escape(title)}", "", f"{made} Every entry names its sources.", ""]
    sections = sorted(
        (cls.chronology, cls) for cls in RECORD_TYPES.values() if cls.chronology is not None
    )
    for (_, heading), cls in sections:
        if cls is Period:
            lines += _chapters(dataset)
        elif records := sorted_records(dataset, cls.type_name):
            body = _LAYOUTS.get(cls, _entries)(dataset, records)
            lines += [f"## {escape(heading)}", "", *body]
    return "\n".join(lines)
