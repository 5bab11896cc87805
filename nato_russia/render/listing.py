"""A list at a terminal: one line per record, as `git log --oneline`, `gh pr list` and
`kubectl get` print theirs, so that a screen holds a screenful of records.

The date comes first, compact and never wrapped; the title takes the width left over and is
cut with "…"; the id follows it, dim and never cut, in a column of its own where the width
allows and otherwise at the end of each line. Other columns are shown only where they fit
beside a readable title (`--wide` draws them all, see rich_out.print_table). Below
STACKED_BELOW columns a record takes two lines: date and title, then its id and the rest.

Only this terminal view cuts: pipes, JSON and detail views keep every character.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text

from nato_russia.render.views import Cell, TableView

HIGHLIGHT = "bold yellow"
ID_STYLE = "dim"
HEADER_STYLE = "bold"
GAP = 2  # spaces between columns
# Below this width a record takes two lines, as one line would leave no room for its title.
STACKED_BELOW = 60
# The ids get a column of their own only when the titles keep ID_COLUMN_ROOM (or their
# longest) beside it; otherwise each id ends its line, taking its room from its own title.
# Another column is shown only when the titles keep KEY_ROOM beside a key (a kind, a count,
# an id of something else), TITLE_ROOM beside prose.
ID_COLUMN_ROOM = 40
KEY_ROOM = 40
STACKED_INDENT = 2  # the second line of a stacked record
TITLE_ROOM = 48
TITLE_CUT_MIN = 8  # a title cut shorter than this says nothing: its id goes under it instead
CROWDED_SHARE = 0.2
DATE_SHARE = 0.95  # when more records than this share would need that, all are stacked
EXTRA_MAX = 24  # the widest a prose extra column is drawn, cut with "…"
EXTRA_MIN = 8  # an extra column narrower than this would show nothing useful


def is_list(view: TableView) -> bool:
    """Whether the view names its records by a title column, and so can be drawn a line each."""
    return any(column.kind == "title" for column in view.columns)


def cell_text(cell: Cell) -> Text:
    """A cell on one line: its short wording if it has one; line breaks and tabs as spaces
    (character for character, so that the highlighted spans stay where they were)."""
    if cell.short is not None:
        return Text(cell.short)
    plain = cell.text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = Text(plain)
    for start, end in cell.spans:
        text.stylize(HIGHLIGHT, start, end)
    return text


def _cut(text: Text, width: int) -> Text:
    """The text in at most `width` cells, its end replaced with "…" when cut."""
    if cell_len(text.plain) <= width:
        return text
    cut = text.copy()
    cut.truncate(max(width, 1), overflow="ellipsis")
    return cut


@dataclass(frozen=True, slots=True)
class _Plan:
    columns: tuple[int, ...]  # the view's columns drawn, in the order drawn
    widths: tuple[int, ...]  # their widths (the title's: the most it may take)
    title: int  # the title column's index in the view
    id_after: int | None  # an id drawn at the end of each line rather than in a column


def _natural(view: TableView, index: int) -> int:
    header = cell_len(view.columns[index].header)
    return max([header, *(cell_len(cell_text(row[index]).plain) for row in view.rows)])


def _usual(view: TableView, index: int) -> int:
    """The width that holds all but the widest few values of a column (DATE_SHARE of them):
    a list's first date column is made this wide, and a longer date ("30 May-10 Jun 2011")
    takes the room it needs from its own row's title rather than from every row's."""
    sizes = sorted(cell_len(cell_text(row[index]).plain) for row in view.rows)
    usual = sizes[math.ceil(DATE_SHARE * len(sizes)) - 1] if sizes else 0
    return max(usual, cell_len(view.columns[index].header))


def plan(view: TableView, width: int) -> _Plan:
    """Which columns a one-line list shows at `width`, and how wide."""
    kinds = [column.kind for column in view.columns]
    title = kinds.index("title")
    ident = kinds.index("id") if "id" in kinds else None
    naturals = [_natural(view, i) for i in range(len(kinds))]
    if "date" in kinds[:title]:
        naturals[kinds.index("date")] = _usual(view, kinds.index("date"))
    title_natural = naturals[title]
    chosen = {title}
    used = 0  # the cells taken by the chosen columns other than the title, with their gaps

    def room() -> int:
        return width - used

    for index, column in enumerate(view.columns):
        # Dates are what a list is read by, and a view may keep other columns too (a
        # channel's state in nrr status): shown at every width.
        if column.kind == "date" or column.keep:
            chosen.add(index)
            used += naturals[index] + GAP
    id_after = None
    if ident is not None:
        if room() - naturals[ident] - GAP >= min(title_natural, ID_COLUMN_ROOM):
            chosen.add(ident)
            used += naturals[ident] + GAP
        else:
            id_after = ident
    extras = [i for i, kind in enumerate(kinds) if kind == "key" and i not in chosen]
    extras += [i for i, kind in enumerate(kinds) if kind == "prose" and i not in chosen]
    extras = [i for i in extras if not view.columns[i].whole]  # those go under the record
    widths = dict.fromkeys(range(len(kinds)), 0)
    for index in extras:
        if id_after is not None:
            break  # no room even for the id's column: none for the rest
        prose = kinds[index] == "prose"
        wanted = min(naturals[index], EXTRA_MAX) if prose else naturals[index]
        keep = min(title_natural, TITLE_ROOM if prose else KEY_ROOM)
        if wanted >= min(naturals[index], EXTRA_MIN) and room() - wanted - GAP >= keep:
            chosen.add(index)
            widths[index] = wanted
            used += wanted + GAP
    for index in chosen:
        widths[index] = widths[index] or naturals[index]
    # An id at the end of each line takes its room from its own row's title.
    widths[title] = max(room(), 1) if id_after is not None else min(title_natural, max(room(), 1))
    order = [i for i in range(len(kinds)) if i in chosen and i != ident]
    if ident in chosen:
        order.insert(order.index(title) + 1, ident)
    return _Plan(tuple(order), tuple(widths[i] for i in order), title, id_after)


def _lines(plan_: _Plan, cells: Sequence[Text], id_text: Text | None) -> list[Text]:
    """A record's line; or, where its id at the end of the line would leave its title no
    room, two: the line, and the id under it at the line's end."""
    line = Text()
    below = None
    over = 0  # what a date wider than its column took from the title after it
    for number, (index, size) in enumerate(zip(plan_.columns, plan_.widths, strict=True)):
        last = number == len(plan_.columns) - 1
        text = cells[index]
        if number < plan_.columns.index(plan_.title) and cell_len(text.plain) > size:
            over += cell_len(text.plain) - size  # a date is never cut
            text.pad_right(GAP)
            line.append_text(text)
            continue
        if index == plan_.title:
            size -= over
        if index == plan_.title and id_text is not None:
            # The title takes what the id at the line's end leaves it; the id is never cut.
            room = size - GAP - cell_len(id_text.plain)
            if room < TITLE_CUT_MIN:
                below = Text(" " * max(cell_len(line.plain) + size - cell_len(id_text.plain), 0))
                below.append_text(id_text)
                room, id_text = size, None
            text = _cut(text, room)
            if id_text is not None:
                text.pad_right(room - cell_len(text.plain) + GAP)
                text.append_text(id_text)
        else:
            text = _cut(text, size)
        if not last:
            text.pad_right(size - cell_len(text.plain) + GAP)
        line.append_text(text)
    line.rstrip()
    return [line] if below is None else [line, below]


def _crowded(view: TableView, layout: _Plan) -> bool:
    """Whether so many ids at the lines' ends leave their titles no room (and so go under
    them) that the list reads better stacked."""
    if layout.id_after is None:
        return False
    size = layout.widths[layout.columns.index(layout.title)]
    short = sum(
        size - GAP - cell_len(row[layout.id_after].text) < TITLE_CUT_MIN for row in view.rows
    )
    return short > CROWDED_SHARE * len(view.rows)


def _cells(view: TableView, row: Sequence[Cell]) -> list[Text]:
    texts = []
    for column, cell in zip(view.columns, row, strict=True):
        text = cell_text(cell)
        if column.kind == "id":
            text.stylize(ID_STYLE)
        elif column.kind == "title" and cell.link:
            text.stylize(Style(link=cell.link))
        texts.append(text)
    return texts


def _headers(view: TableView) -> list[Text]:
    return [Text(column.header, style=HEADER_STYLE) for column in view.columns]


def _print_line(console: Console, line: Text) -> None:
    # An id wider than the screen is printed whole, for the terminal to wrap and to copy.
    fits = cell_len(line.plain) <= console.width
    line.no_wrap = True
    console.print(line, soft_wrap=not fits, crop=False)


def print_list(view: TableView, console: Console) -> None:
    """The view as a list, a line per record (two below STACKED_BELOW columns)."""
    console.print(Text(view.title, style="bold"), overflow="fold")
    layout = plan(view, console.width)
    if console.width < STACKED_BELOW or _crowded(view, layout):
        print_stacked(view, console)
        return
    headers = _headers(view)
    id_header = headers[layout.id_after] if layout.id_after is not None else None
    for line in _lines(layout, headers, id_header):
        _print_line(console, line)
    for row in view.rows:
        cells = _cells(view, row)
        id_text = cells[layout.id_after] if layout.id_after is not None else None
        for line in _lines(layout, cells, id_text):
            _print_line(console, line)


def _print_under(view: TableView, cells: Sequence[Text], console: Console) -> None:
    # Whole, wrapped between words, indented under the record it belongs to.
    for column, text in zip(view.columns, cells, strict=True):
        if column.whole and column.kind != "title" and text.plain:
            room = max(console.width - STACKED_INDENT, EXTRA_MIN)
            for line in text.wrap(console, room, overflow="fold"):
                line.rstrip()
                _print_line(console, Text(" " * STACKED_INDENT).append_text(line))


def print_stacked(view: TableView, console: Console) -> None:
    """Two lines a record: the date and the title (cut to the line); under them, indented, the
    other columns as far as they fit, the id among them dim and whole."""
    width = console.width
    kinds = [column.kind for column in view.columns]
    title = kinds.index("title")
    date = kinds.index("date") if "date" in kinds else None
    # In the view's order: a search result's type before its id reads as the command that
    # opens it ("event tmd-exercise-2004").
    rest = [
        i
        for i, kind in enumerate(kinds)
        if kind not in ("title", "url") and i != date and not view.columns[i].whole
    ]
    for row in view.rows:
        cells = _cells(view, row)
        first = Text()
        if date is not None and cells[date].plain:
            first.append_text(cells[date])
            first.append(" " * GAP)
        if view.columns[title].whole:
            first.append_text(cells[title])
            for line in first.wrap(console, width, overflow="fold"):
                line.rstrip()
                _print_line(console, line)
        else:
            first.append_text(_cut(cells[title], max(width - cell_len(first.plain), 1)))
            _print_line(console, first)
        second = Text(" " * STACKED_INDENT)
        for index in rest:
            text = cells[index]
            if not text.plain:
                continue
            gap = GAP if second.plain.strip() else 0
            left = width - cell_len(second.plain) - gap
            if kinds[index] == "id":
                # The id is never cut: what comes before it gives way, and an id wider than
                # the line is printed whole, to be wrapped by the terminal and copied whole.
                if cell_len(text.plain) > left:
                    fits = STACKED_INDENT + cell_len(text.plain) <= width
                    second, gap = Text(" " * STACKED_INDENT if fits else ""), 0
                second.append(" " * gap)
                second.append_text(text)
                continue
            if left < EXTRA_MIN:
                break
            if kinds[index] == "date":  # the second date of a line says which it is
                text = Text(f"{view.columns[index].header.lower()} ").append_text(text)
            second.append(" " * gap)
            second.append_text(_cut(text, left))
        if second.plain.strip():
            _print_line(console, second)
        _print_under(view, cells, console)
