"""What each command shows, independent of how: tables of cells and detail views of lines.

The Rich renderer (for people at a terminal) and the plain renderer (for pipes) both draw
these, so the two never disagree about content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from nato_russia.dates import EdtfDate, parse_date
from nato_russia.errors import visible
from nato_russia.model import (
    RECORD_TYPES,
    Dataset,
    Event,
    FieldSchema,
    ListColumn,
    Quotation,
    Record,
    Source,
    StateChange,
    date_text,
    field_schemas,
)

if TYPE_CHECKING:  # annotations only: the search and status code loads when it runs
    from nato_russia.search import Hit
    from nato_russia.status import ChannelState, Status

# keys and dates never wrap where the width allows; prose absorbs the squeeze; a url column
# is never drawn inside a box (a terminal can only open an address that is whole). A list
# at a terminal is one line per record: its "title" column (prose: the record's name) takes
# the width left over and is cut, its "id" column (a key) is never cut, and other columns
# are shown only where the width allows.
ColumnKind = Literal["key", "date", "prose", "url", "id", "title"]

# The views are named tuples, not dataclasses: as immutable, and far cheaper to define, which
# every run of a command pays for (the dataclass decorator compiles each method it writes).


class Cell(NamedTuple):
    text: str
    spans: tuple[tuple[int, int], ...] = ()  # parts to highlight (search matches)
    uncut: str | None = None  # when text is an excerpt: the whole, for outputs that never cut
    link: str | None = None  # an address the text stands for, for outputs that can link
    short: str | None = None  # a shorter wording for a list at a terminal (a compact date)


class Column(NamedTuple):
    header: str
    kind: ColumnKind = "prose"
    keep: bool = False  # shown in a list at a terminal however narrow (as dates are)
    # In a list stacked for a narrow terminal: a title wrapped rather than cut with "…", and
    # another column printed whole on indented lines under its record rather than cut to
    # the line (a search hit's match is what the hit is about). Wider lists leave it out.
    whole: bool = False


class TableView(NamedTuple):
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


class Link(NamedTuple):
    """A linked record as a person reads it: its title (for a quotation, its words), its date
    and address if it has them, and its id to look it up by."""

    record_id: str
    title: str
    date: str = ""
    url: str | None = None


class Section(NamedTuple):
    label: str
    lines: tuple[str, ...]  # the section as plain text, as scripts read it
    # "url": a record's own address, which a terminal can only open when it is drawn whole.
    kind: Literal["text", "links", "quotes", "note", "url"] = "text"
    links: tuple[Link, ...] = ()  # for links and quotes: the same records, in parts


class DetailView(NamedTuple):
    type_name: str
    record_id: str
    heading: str
    sections: tuple[Section, ...] = ()


def date_cell(record: Record) -> Cell:
    """A record's date as worded, and compact for a list at a terminal ("Jun 1994")."""
    date = getattr(record, "date", None)
    short = date.compact() if isinstance(date, EdtfDate) else None
    return Cell(date_text(record), short=short)


def _link_titles(dataset: Dataset, ids: tuple[str, ...], targets: tuple[str, ...]) -> str:
    return "; ".join(getattr(dataset.find(i, targets), "label", i) for i in ids)


def timeline_table(dataset: Dataset, events: list[Event]) -> TableView:
    return list_table(dataset, "event", list(events))


def list_table(dataset: Dataset, type_name: str, records: list[Record]) -> TableView:
    """The table a list command (nrr agreements, nrr actors, ...) shows: the columns its record
    type declares (model.RecordType.list_columns)."""
    cls = RECORD_TYPES[type_name]
    schemas = field_schemas(cls)
    names = [c.field for c in cls.list_columns]
    # The record's name is its title column; a type whose label is not listed (a term of
    # office) is named by its first prose column.
    title = (
        cls.label_field
        if cls.label_field in names
        else next((c.field for c in cls.list_columns if c.kind == "prose"), None)
    )
    kinds: dict[str | None, ColumnKind] = {"url": "url", "id": "id", title: "title"}
    columns = tuple(
        Column(c.header, kinds.get(c.field, c.kind), keep=c.keep) for c in cls.list_columns
    )
    rows = tuple(
        tuple(
            _list_cell(dataset, record, column, schemas[column.field])
            for column in cls.list_columns
        )
        for record in records
    )
    return TableView(cls.list_title, columns, rows)


def _list_cell(dataset: Dataset, record: Record, column: ListColumn, schema: FieldSchema) -> Cell:
    value = getattr(record, column.field)
    if column.field == "date":
        return date_cell(record)
    if isinstance(value, EdtfDate):
        return Cell(value.display(), short=value.compact())
    if value is None:
        return Cell("")
    if schema.kind in ("ref", "refs"):
        ids = (value,) if isinstance(value, str) else value
        return Cell(str(len(ids)) if column.count else _link_titles(dataset, ids, schema.targets))
    if schema.kind == "tags":
        return Cell(", ".join(value))
    if column.field in ("title", "url") and (url := getattr(record, "url", None)):
        return Cell(str(value), link=url)
    return Cell(str(value))


def search_table(query: str, hits: list[Hit]) -> TableView:
    columns = (
        Column("Type", "key", keep=True),  # results mix types: the command to open one
        Column("ID", "id"),
        Column("Date", "date"),
        Column("Title", "title", whole=True),
        Column("Fields", "key"),
        Column("Match", whole=True),
    )
    rows = tuple(
        (
            # At a terminal, the command that opens it: "state-change ID".
            Cell(h.record.type_name, short=h.record.command()),
            Cell(h.record.id),
            date_cell(h.record),
            Cell(h.record.label),
            Cell(", ".join(h.matched_fields)),
            Cell(h.snippet, h.spans, uncut=h.field_text),
        )
        for h in hits
    )
    return TableView(visible(f"Search: {query}"), columns, rows)  # the query is not data


_LABELS = {
    "url": "URL",
    "date_display": "Date as worded",
    "creates": "Bodies created",
    "areas": "Areas of cooperation",
    "checked": "Wording checked against",
}


def field_label(name: str) -> str:
    """How a field is named to people: 'date_display' -> 'Date as worded'."""
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def _linked(
    dataset: Dataset, ids: tuple[str, ...], targets: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[Link, ...]]:
    """Linked records as plain lines ("id \u2014 title (date)"), and the same in parts, for a
    renderer that lays them out itself."""
    lines, links = [], []
    for record_id in ids:
        record = dataset.find(record_id, targets)
        if record is None:
            link, line = Link(record_id, ""), record_id
        elif isinstance(record, Quotation):
            link = Link(record_id, f"\u201c{record.text}\u201d")
            line = f"{record_id} \u2014 {link.title}"
        elif isinstance(record, Source):
            title = f"{record.title}, {record.publisher} [{record.kind}; {tier_text(record)}]"
            link = Link(record_id, title, date_text(record), record.url)
            line = f"{record_id} \u2014 {source_line(record)}"
        else:
            link = Link(record_id, record.label, date_text(record))
            line = f"{record_id} \u2014 {record.label}" + (f" ({link.date})" if link.date else "")
        lines.append(line)
        links.append(link)
    return tuple(lines), tuple(links)


def source_line(source: Source) -> str:
    """A source as a detail view lists it: title, publisher, date, address and, last, its kind
    and its publisher's tier, so that a reader can weigh the claim (an official text, a news
    agency's report, a state's own media) at a glance. Both are the slugs `nrr sources --kind`
    and `--tier` take, so what is read can be typed back."""
    parts = [source.title, source.publisher]
    if source.date is not None:
        parts.append(source.date.display())
    line = ", ".join(parts)
    if source.url:
        line = f"{line} <{source.url}>"
    return f"{line} [{source.kind}; {tier_text(source)}]"


def tier_text(source: Source) -> str:
    """The kind of publisher, as `nrr sources --tier` takes it; state media name their state."""
    return f"{source.tier} of {source.state}" if source.state else source.tier


# How a correction of the 2015 backgrounder is worded to people (here and in Markdown).
SAYS = "The 2015 backgrounder says: \u201c{}\u201d"
SHOWS = "What the official record shows: {}"


def shown_fields(record: Record) -> Iterator[tuple[str, FieldSchema, Any]]:
    """The fields a person is shown, in order: those set, but the id and internal ones."""
    for name, schema in field_schemas(type(record)).items():
        value = getattr(record, name)
        if name != "id" and name not in record.internal_fields and value not in (None, ()):
            yield name, schema, value


def value_text(schema: FieldSchema, value: Any) -> str:
    """A value that links nowhere as words: a date both worded and in EDTF, tags listed."""
    if schema.kind == "date":
        return f"{value.display()} ({value})"
    return ", ".join(value) if schema.kind == "tags" else str(value)


def detail_view(dataset: Dataset, record: Record) -> DetailView:
    """Every field of a record, linked records by id and title."""
    sections: list[Section] = []
    for name, schema, value in shown_fields(record):
        label = field_label(name)
        if schema.kind == "corrections":
            lines = tuple(
                line
                for c in value
                for line in (
                    SAYS.format(c.says),
                    SHOWS.format(c.finding),
                    "Evidence: " + _link_titles(dataset, c.sources, ("source",)),
                )
            )
            sections.append(Section("Correction of the backgrounder", lines, "note"))
        elif isinstance(record, Source) and name == "cited_by":
            from nato_russia.query import citing_records  # query loads only for a source

            # Ids are unique only within a type, so the citing records are found, not looked up.
            citing = citing_records(dataset, record.id)
            lines = tuple(f"{r.id} \u2014 {r.label} ({r.type_name})" for r in citing)
            links = tuple(Link(r.id, f"{r.label} ({r.type_name})", date_text(r)) for r in citing)
            sections.append(Section(label, lines, "links", links))
        elif schema.kind in ("ref", "refs"):
            lines, links = _linked(
                dataset, (value,) if isinstance(value, str) else value, schema.targets
            )
            quotes = schema.targets == ("quotation",)
            sections.append(Section(label, lines, "quotes" if quotes else "links", links))
        else:
            text = (value_text(schema, value),)
            sections.append(Section(label, text, "url" if name == "url" else "text"))
    return DetailView(record.type_name, record.id, record.label, tuple(sections))


def day_text(day: dt.date) -> str:
    """A day as people write it: 1 June 2014."""
    return parse_date(day.isoformat()).display()


# Words a state's slug lower-cases that people write otherwise ("states" only after "united").
_PROPER = {"nato": "NATO", "russia": "Russia", "nrc": "NRC", "us": "US", "united": "United"}


def state_label(change: StateChange) -> str:
    """A state slug as words: suspended-by-russia -> suspended by Russia."""
    words = change.state.split("-")
    return " ".join(
        "States" if (before, word) == ("united", "states") else _PROPER.get(word, word)
        for before, word in zip(["", *words], words, strict=False)
    )


def _when(settled: bool, worded: str, date: EdtfDate) -> Cell:
    """When a channel took its state or a council met: the day, or "during June 2014" when
    that is known only to a month or year that holds the day asked about."""
    during = "" if settled else "during "
    return Cell(during + worded, short=during + date.compact())


def _state(state: ChannelState) -> Cell:
    """The state in words, and what it was before a change that may fall after the day."""
    text = state_label(state.change)
    if state.settled:
        return Cell(text, short=text)
    before = state_label(state.previous) if state.previous else "no recorded state"
    return Cell(
        f"{text} (the change's day is not known and may fall after this date; before it: {before})",
        short=f"{text} (or still {before})",
    )


def _confirmed(state: ChannelState) -> Cell:
    """When a source last showed the state holding; marked when that is years before the day
    (in a line of nrr status at a terminal, by STALE_MARK, which status_footer explains)."""
    when, short = state.confirmed.display(), state.confirmed.compact()
    if not state.stale:
        return Cell(when, short=short)
    return Cell(
        f"{when} (unconfirmed for {state.stale_years} years)", short=f"{short} {STALE_MARK}"
    )


STALE_MARK = "*"


def _status_title(status: Status) -> str:
    return f"NATO-Russia relations on {day_text(status.day)}"


def status_views(dataset: Dataset, status: Status) -> tuple[TableView, ...]:
    """The channels' states on the day, the caveats of the changes they rest on, the councils'
    last meetings and the latest events."""
    channels = TableView(
        _status_title(status),
        (
            Column("Channel"),
            Column("State"),
            Column("Since", "date"),
            Column("Last confirmed", "date"),
            Column("What changed"),
            Column("By"),
            Column("Record", "key"),
        ),
        tuple(
            (
                Cell(s.channel.title),
                _state(s),
                _when(s.settled, s.change.date.display(), s.change.date),
                _confirmed(s),
                # Who alone says so, where only one party does.
                Cell(
                    s.change.title + (f" ({s.change.attribution})" if s.change.attribution else "")
                ),
                Cell(_link_titles(dataset, s.change.by, ("actor",))),
                Cell(s.change.id),
            )
            for s in status.channels
        ),
    )
    notes = TableView(
        "Notes on these records",
        (Column("Record", "key"), Column("Note")),
        tuple((Cell(s.change.id), Cell(s.change.note)) for s in status.channels if s.change.note),
    )
    meetings = TableView(
        "Last meetings",
        (Column("Council"), Column("Date", "date"), Column("ID", "key"), Column("Meeting")),
        tuple(
            (
                Cell(m.channel.title),
                Cell(
                    _when(m.settled, date_text(m.event), m.event.date).text
                    + ("" if m.settled else " (may fall after this date)")
                ),
                Cell(m.event.id),
                Cell(m.event.title),
            )
            for m in status.meetings
        ),
    )
    recent = TableView(
        "Latest events",
        (Column("Date", "date"), Column("ID", "key"), Column("Event")),
        tuple((Cell(date_text(e)), Cell(e.id), Cell(e.title)) for e in status.recent),
    )
    return tuple(
        view for view in (channels, notes, meetings, recent) if view.rows or view is channels
    )


def status_footer(status: Status) -> tuple[str, ...]:
    """What nrr status at a terminal leaves out or marks, and where to find the rest."""
    from nato_russia.status import STALE_AFTER_YEARS

    lines = []
    if any(s.stale for s in status.channels):
        lines.append(
            f"{STALE_MARK} last confirmed {STALE_AFTER_YEARS} or more years before "
            f"{day_text(status.day)}: may have changed since"
        )
    lines.append("Who decided each change, on which record, and its notes: nrr channel ID")
    return tuple(lines)


def status_screen(dataset: Dataset, status: Status) -> tuple[TableView, ...]:
    """nrr status at a terminal, on one screen: a line per channel (its state, since when, and
    the last day a source confirms it), then the councils' last meetings and the latest
    events. The rest of each row (who, on which record, the notes) is in the channel's own
    view, and in status_views for pipes and files."""
    channels = TableView(
        _status_title(status),
        (
            Column("Channel", "title"),
            Column("State", "key", keep=True),
            Column("Since", "date"),
            Column("Last confirmed", "date"),
            Column("ID", "key"),
        ),
        tuple(
            (
                Cell(s.channel.title),
                _state(s),
                _when(s.settled, s.change.date.display(), s.change.date),
                _confirmed(s),
                Cell(s.channel.id),
            )
            for s in status.channels
        ),
    )
    meetings = TableView(
        "Last meetings",
        (Column("Date", "date"), Column("Meeting", "title"), Column("ID", "id")),
        tuple(
            (
                _when(m.settled, date_text(m.event), m.event.date),
                Cell(m.event.title),
                Cell(m.event.id),
            )
            for m in status.meetings
        ),
    )
    recent = TableView(
        "Latest events",
        (Column("Date", "date"), Column("Event", "title"), Column("ID", "id")),
        tuple((date_cell(e), Cell(e.title), Cell(e.id)) for e in status.recent),
    )
    return tuple(view for view in (channels, meetings, recent) if view.rows or view is channels)
