"""Rich tables and panels for people at a terminal.

Data is never markup: every value goes into a rich.text.Text, which Rich does not parse, so a
record titled "[bold]x[/]" prints exactly as written.

Layout rules, so that nothing is lost at any width:
- a table's columns are sized here from their content rather than by Rich, which shares the
  width out evenly and so breaks ids mid-word; ids never break, and dates and prose wrap only
  between words (a word folds only when it is longer than any width the table can give it);
- an address is never drawn inside a box, where its pieces could not be opened: tables and
  details carry a note number and the addresses follow them, each whole on its line;
- when the columns cannot fit, the rows are stacked one field per line;
- a detail is packed into paragraphs, broken only between words and never inside an id.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import NamedTuple

from rich import box
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.segment import Segment, Segments
from rich.style import Style
from rich.table import Table
from rich.text import Text

from nato_russia.render.listing import ID_STYLE, highlighted, is_list, print_lines, print_list
from nato_russia.render.views import Column, DetailView, Link, Section, TableView

_SECTION_STYLE = {"note": "bold red", "quotes": "italic", "links": "", "text": "", "url": ""}

# The narrowest a prose column is made before the table gives way to the stacked layout
# (unless its longest value is shorter): narrower, a title is one word a line.
PROSE_MIN = 12
# The width of the longest ordinary date ("26 September 1994"): a date column is kept this
# wide before anything else is, so dates wrap only when they carry words besides the date.
DATE_WIDTH = 17


def _longest_word(texts: Sequence[str]) -> int:
    return max((cell_len(word) for text in texts for word in text.split()), default=0)


def _longest_line(texts: Sequence[str]) -> int:
    return max((cell_len(line) for text in texts for line in text.splitlines()), default=0)


def _mins(columns: Sequence[Column], texts: Sequence[Sequence[str]], stage: int) -> list[int]:
    """The least width of each column at a stage of giving way: 0, keys and dates unwrapped;
    1, keys and dates wrapped between words; 2, prose words folded too."""
    mins = []
    for column, values in zip(columns, texts, strict=True):
        natural, word = _longest_line(values), _longest_word(values)
        if column.kind in ("prose", "title"):
            mins.append(min(natural, PROSE_MIN if stage == 2 else max(word, PROSE_MIN)))
        elif stage == 0:
            keyed = column.kind in ("key", "id")
            mins.append(natural if keyed else min(natural, max(word, DATE_WIDTH)))
        else:
            mins.append(word)
    return mins


def column_widths(
    columns: Sequence[Column], texts: Sequence[Sequence[str]], room: int
) -> list[int] | None:
    """Widths for the columns that fit `room` cells of text, or None when even the narrowest
    stage does not."""
    naturals = [_longest_line(values) for values in texts]
    for stage in range(3):
        widths = _mins(columns, texts, stage)
        spare = room - sum(widths)
        if spare < 0:
            continue
        # Spare width goes a column at a time to the narrowest that is short of its longest
        # value, so that no column is squeezed while another has room it does not need; a date
        # column first only up to an ordinary date, as its longer values are worded dates.
        capped = [
            min(n, max(w, DATE_WIDTH)) if c.kind == "date" else n
            for c, n, w in zip(columns, naturals, widths, strict=True)
        ]
        for targets in (capped, naturals):
            while spare and (short := [i for i, w in enumerate(widths) if w < targets[i]]):
                widths[min(short, key=lambda i: widths[i])] += 1
                spare -= 1
        return widths
    return None


def build_table(view: TableView, width: int) -> tuple[Table, list[str]] | None:
    """The table sized for `width`, and the addresses its note numbers stand for; None when
    it cannot fit. The url columns become one column of note numbers."""
    shown = [i for i, c in enumerate(view.columns) if c.kind != "url"]
    linked = [i for i, c in enumerate(view.columns) if c.kind == "url"]
    row_urls = [[row[i].text for i in linked if row[i].text] for row in view.rows]
    # The note column: its header, or the widest note number ("[271]").
    headers = [view.columns[i].header for i in linked]
    note = max([*map(cell_len, headers), cell_len(f"[{sum(map(len, row_urls))}]")])
    columns = [view.columns[i] for i in shown]
    texts = [[view.columns[i].header] + [row[i].text for row in view.rows] for i in shown]
    # Besides the text, a separator and a padding space between columns (collapse_padding,
    # pad_edge and show_edge off), nothing at the edges.
    room = width - 2 * (len(columns) + bool(linked) - 1) - (note if linked else 0)
    widths = column_widths(columns, texts, room)
    if widths is None:
        return None
    table = Table(
        title=Text(view.title),
        box=box.SIMPLE_HEAVY,
        show_lines=False,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    # Every width is set here, so Rich does not redistribute them; a key is never wider than
    # its column (see _mins), and prose folds only a word longer than the column.
    for column, size in zip(columns, widths, strict=True):
        table.add_column(Text(column.header), width=size, overflow="fold")
    url_header = headers[-1] if headers else ""
    if url_header:
        table.add_column(Text(url_header), no_wrap=True, width=note)
    urls: list[str] = []
    for row, found in zip(view.rows, row_urls, strict=True):
        cells = [highlighted(row[i]) for i in shown]
        if url_header:
            urls += found
            cells.append(Text(f"[{len(urls)}]" if found else ""))
        table.add_row(*cells)
    return table, urls


def _url_line(url: str) -> Text:
    # A terminal that knows hyperlinks opens the whole address wherever it wraps the line.
    return Text(url, style=Style(link=url))


def _notes(urls: Sequence[str], width: int) -> list[Text]:
    """The addresses a table or detail numbered, each whole on its own line."""
    lines = []
    for number, url in enumerate(urls, 1):
        mark = f"[{number}] "
        if cell_len(mark + url) <= width:
            lines.append(Text(mark).append_text(_url_line(url)))
        else:
            lines += [Text(mark.rstrip()), _url_line(url)]
    return lines


NARROW_NOTE = "one field per line: the terminal is too narrow for the table"


def print_stacked(view: TableView, console: Console) -> None:
    """The table's rows one after the other, a field per line, wrapped: for a terminal too
    narrow for the columns, where Rich would otherwise have to cut their text. Ids and
    addresses are never broken: one that does not fit beside its name goes on its own line."""

    def wrapped(text: Text) -> list[Text]:
        return list(text.wrap(console, console.width, overflow="fold"))

    lines = wrapped(Text(f"{view.title} ({NARROW_NOTE})", style="bold"))
    for row in view.rows:
        lines.append(Text())
        for column, cell in zip(view.columns, row, strict=True):
            if not cell.text:
                continue
            line = Text(f"{column.header}: ", style="bold")
            value = _url_line(cell.text) if column.kind == "url" else highlighted(cell)
            line.append_text(value)
            whole = column.kind in ("key", "id", "url") and len(cell.text.split()) == 1
            if whole and cell_len(line.plain) > console.width:
                lines += [*wrapped(Text(f"{column.header}:", style="bold")), value]
            else:
                lines += wrapped(line)
    print_lines(console, lines)


def render_fitting(renderable: RenderableType, console: Console) -> list[Segment] | None:
    """The renderable drawn once, or None when a line of it is wider than the console: below
    its columns' least widths Rich draws lines wider than the screen, which the console would
    crop, losing characters. The lines drawn here are the ones printed: no second render."""
    lines = console.render_lines(renderable, console.options, pad=False, new_lines=True)
    if any(Segment.get_line_length(line) > console.width + 1 for line in lines):
        return None
    return [segment for line in lines for segment in line]


def print_table(view: TableView, console: Console, *, wide: bool = False) -> None:
    """A list a line per record (listing.print_list), or with `wide` and for tables that are
    not lists, every column with every character: a Rich table when it fits, else the rows
    stacked a field per line."""
    if is_list(view) and not wide:
        print_list(view, console)
        return
    built = build_table(view, console.width)
    drawn = render_fitting(built[0], console) if built is not None else None
    if built is None or drawn is None:
        print_stacked(view, console)
        return
    console.print(Segments(drawn))
    print_lines(console, _notes(built[1], console.width))


# A detail is packed, as a person reads it best in one screen (the Founding Act's holds some
# 4,300 characters): the title once, on the first line with the type and id; then each field
# a paragraph led by its bold label, short fields sharing one, parted by this mark. A linked
# record stands on its own line under its field's label, "title (date) [n] · id" with the id
# dimmed, as the pipe form gives one a line: run on, a title and the next id could not be
# told apart without colour. There is no box: its edges and padding would carry nothing and
# cost five lines at 80 columns, and an address cannot sit in one.
SEPARATOR = ";"
ID_MARK = "\u00b7"  # between a linked record's title and its id
LINK_INDENT = 2
# A run of short fields (single values) shares a paragraph: short is at most this share of a
# line, so that a sentence or a long title still stands alone.
SHORT_SHARE = 2


class _Unit(NamedTuple):
    """A piece of a paragraph that a line break does not split where it can help it: a word,
    a date, a label with the first word after it. An id (whole) is never broken, even when it
    is wider than the line; a unit wider than the line is split into its parts, or at its
    spaces, and failing that folded."""

    text: Text
    whole: bool = False
    parts: tuple[_Unit, ...] = ()


class _Paragraph(NamedTuple):
    units: list[_Unit]
    indent: int = 0


def _words(text: str, style: str = "") -> list[_Unit]:
    return [_Unit(Text(word, style=style)) for word in text.split(" ") if word]


def _glue(first: _Unit, second: _Unit | str) -> _Unit:
    """Two units kept on one line, a space between them; or a unit and a mark after it."""
    text = Text()  # the units' styles as spans, so that no style runs on into what follows
    text.append_text(first.text)
    if isinstance(second, str):
        text.append(second)
        if first.parts:
            *head, last = first.parts
            return _Unit(text, parts=(*head, _glue(last, second)))
        return _Unit(text, first.whole)
    text.append(" ")
    text.append_text(second.text)
    return _Unit(text, parts=(*(first.parts or (first,)), *(second.parts or (second,))))


def _join(groups: Sequence[list[_Unit]]) -> list[_Unit]:
    """Groups of units run on, each but the last ending in the separator."""
    *head, last = [group for group in groups if group] or [[]]
    return [*(u for g in head for u in (*g[:-1], _glue(g[-1], SEPARATOR))), *last]


def _fold(text: Text, width: int) -> list[Text]:
    """A word wider than the line, cut into pieces that fill it."""
    pieces, start, used = [], 0, 0
    for offset, char in enumerate(text.plain):
        size = cell_len(char)
        if used and used + size > width:
            pieces.append(text[start:offset])
            start, used = offset, 0
        used += size
    pieces.append(text[start:])
    return pieces


def flow(units: Sequence[_Unit], width: int) -> list[Text]:
    """The units as lines of at most `width` cells, broken only between units, one space
    between them (greedy, which makes the fewest lines). A unit that fits no line is split,
    or folded; an id that fits no line stands alone on one, for the terminal to wrap and to
    copy whole."""
    lines: list[list[Text]] = []
    line: list[Text] = []
    used = 0  # the cells of the line so far (kept, not measured again for every unit)

    def place(unit: _Unit) -> None:
        nonlocal line, used
        size = cell_len(unit.text.plain)
        if used and used + 1 + size <= width:
            line.append(unit.text)
            used += 1 + size
        elif size <= width or unit.whole:
            if used:
                lines.append(line)
            line, used = [unit.text], size
        elif unit.parts or " " in unit.text.plain:
            for part in unit.parts or [_Unit(w) for w in unit.text.split(" ") if w.plain]:
                place(part)
        else:
            if used:
                lines.append(line)
            *full, last = _fold(unit.text, width)
            lines.extend([piece] for piece in full)
            line, used = [last], cell_len(last.plain)

    for unit in units:
        place(unit)
    if any(text.plain for text in line):
        lines.append(line)
    return [Text(" ").join(parts) for parts in lines]


def _link_units(link: Link, style: str, urls: list[str]) -> list[_Unit]:
    """A linked record as "title (date) [n] · id", the id dimmed, n the number of its
    address."""
    units = _words(link.title, style)
    if link.date:
        units.append(_Unit(Text(f"({link.date})")))
    if link.url:
        urls.append(link.url)
        mark = f"[{len(urls)}]"
        units = [*units[:-1], _glue(units[-1], f" {mark}")] if units else [_Unit(Text(mark))]
    ident = _Unit(Text(link.record_id, style=ID_STYLE), whole=True)
    # The mark goes with the id onto the next line, unless the id alone needs all of one.
    units.append(_glue(_Unit(Text(ID_MARK)), ident) if units else ident)
    return units


def _labelled(section: Section, units: Sequence[_Unit]) -> list[_Unit]:
    """A value after its bold label, the label kept on the line of the value's first word."""
    label = _Unit(Text(f"{section.label}:", style="bold"))
    return [_glue(label, units[0]), *units[1:]] if units else [label]


def _is_short(section: Section, width: int) -> bool:
    if section.kind == "text" and len(section.lines) == 1 and "\n" not in section.lines[0]:
        return (cell_len(section.label) + 2 + cell_len(section.lines[0])) * SHORT_SHARE <= width
    return section.kind == "url"


def _section_paragraphs(section: Section, width: int, urls: list[str]) -> list[_Paragraph]:
    """A section as paragraphs: its label and a linked record on one line when they fit,
    else the label alone and each linked record on its own line under it; a quotation, and a
    line of a note or of a text that has several, each make one."""
    style = _SECTION_STYLE[section.kind]
    if section.kind == "url":
        urls.append(section.lines[0])
        return [_Paragraph(_labelled(section, [_Unit(Text(f"[{len(urls)}]"))]))]
    if section.links:
        linked = [_link_units(link, style, urls) for link in section.links]
        if len(linked) == 1:
            alone = _labelled(section, linked[0])
            if cell_len(" ".join(unit.text.plain for unit in alone)) <= width:
                return [_Paragraph(alone)]
        return [
            _Paragraph(_labelled(section, [])),
            *(_Paragraph(units, LINK_INDENT) for units in linked),
        ]
    lines = [line for text in section.lines for line in text.split("\n")]
    return [
        _Paragraph(_labelled(section, _words(lines[0], style))),
        *(_Paragraph(_words(line, style)) for line in lines[1:]),
    ]


def _paragraphs(sections: Sequence[Section], width: int, urls: list[str]) -> list[_Paragraph]:
    """The sections as paragraphs, in order, a run of short ones sharing one."""
    paragraphs: list[_Paragraph] = []
    for short, run in groupby(sections, key=lambda section: _is_short(section, width)):
        found = [p for section in run for p in _section_paragraphs(section, width, urls)]
        paragraphs += [_Paragraph(_join([p.units for p in found]))] if short else found
    return paragraphs


def detail_lines(view: DetailView, width: int) -> tuple[list[Text], list[str]]:
    """One record as lines of at most `width` cells (but an id wider than that, alone), and
    the addresses its note numbers stand for, to follow it."""
    urls: list[str] = []
    # The section that repeats the heading (a title, or an agreement's short title) is the
    # heading: a person reads it once. Plain output keeps it, for scripts.
    sections = [
        s
        for s in view.sections
        if not (s.kind == "text" and len(s.lines) == 1 and s.lines[0] == view.heading)
    ]
    identity = _glue(_Unit(Text(view.type_name)), _Unit(Text(view.record_id, style=ID_STYLE), True))
    # The heading, then the type and id to look the record up by.
    heading = _words(view.heading, "bold")
    if heading:
        heading[-1] = _glue(heading[-1], " \u00b7")
    lines = flow([*heading, identity], width)
    for paragraph in _paragraphs(sections, width, urls):
        pad = " " * paragraph.indent
        for line in flow(paragraph.units, max(width - paragraph.indent, 1)):
            lines.append(Text(pad) + line if pad else line)
    return lines, urls


def print_detail(view: DetailView, console: Console) -> None:
    """The record as one Text, drawn once."""
    lines, urls = detail_lines(view, console.width)
    print_lines(console, lines + _notes(urls, console.width))
