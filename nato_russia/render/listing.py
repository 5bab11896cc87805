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
from typing import NamedTuple

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segments
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


def highlighted(cell: Cell, plain: str | None = None) -> Text:
    """The cell's text (or `plain`, as many characters) with its search matches highlighted."""
    text = Text(cell.text if plain is None else plain)
    for start, end in cell.spans:
        text.stylize(HIGHLIGHT, start, end)
    return text


def cell_text(cell: Cell) -> Text:
    """A cell on one line: its short wording if it has one; line breaks and tabs as spaces
    (character for character, so that the highlighted spans stay where they were)."""
    if cell.short is not None:
        return Text(cell.short)
    return highlighted(cell, cell.text.replace("\r", " ").replace("\n", " ").replace("\t", " "))


def _cut(text: Text, width: int) -> Text:
    """The text in at most `width` cells, its end replaced with "…" when cut."""
    if cell_len(text.plain) <= width:
        return text
    cut = text.copy()
    cut.truncate(max(width, 1), overflow="ellipsis")
    return cut


class _Plan(NamedTuple):
    columns: tuple[int, ...]  # the view's columns drawn, in the order drawn
    widths: tuple[int, ...]  # their widths (the title's: the most it may take)
    title: int  # the title column's index in the view
    id_after: int | None  # an id drawn at the end of each line rather than in a column


def plan(view: TableView, width: int) -> _Plan:
    """Which columns a one-line list shows at `width`, and how wide."""
    kinds = [column.kind for column in view.columns]
    title = kinds.index("title")
    ident = kinds.index("id") if "id" in kinds else None
    headers = [cell_len(column.header) for column in view.columns]
    sizes = [[cell_len(cell_text(row[i]).plain) for row in view.rows] for i in range(len(kinds))]
    naturals = [max([header, *size]) for header, size in zip(headers, sizes, strict=True)]
    if "date" in kinds[:title]:
        # The first date column holds all but the widest few dates (DATE_SHARE of them): a
        # longer one ("30 May-10 Jun 2011") takes the room it needs from its own row's title
        # rather than from every row's.
        date = kinds.index("date")
        ranked = sorted(sizes[date])
        usual = ranked[math.ceil(DATE_SHARE * len(ranked)) - 1] if ranked else 0
        naturals[date] = max(usual, headers[date])
    most = naturals[title]
    # Dates are what a list is read by, and a view may keep other columns too (a channel's
    # state in nrr status): shown at every width.
    kept = [i for i, c in enumerate(view.columns) if c.kind == "date" or c.keep]
    chosen = {title, *kept}
    used = sum(naturals[i] + GAP for i in kept)  # what the columns beside the title take
    widths = naturals.copy()
    id_after = None
    if ident is not None and width - used - naturals[ident] - GAP < min(most, ID_COLUMN_ROOM):
        id_after = ident
    elif ident is not None:
        chosen.add(ident)
        used += naturals[ident] + GAP
    # Other columns, keys first, only where the id has its column (or there is none); those
    # that are `whole` go under the record when stacked, never in a column.
    extras = [i for k in ("key", "prose") for i, kind in enumerate(kinds) if kind == k]
    for index in (i for i in extras if id_after is None and i not in chosen):
        prose = kinds[index] == "prose"
        wanted = min(naturals[index], EXTRA_MAX) if prose else naturals[index]
        keep = min(most, TITLE_ROOM if prose else KEY_ROOM)
        fits = width - used - wanted - GAP >= keep
        if not view.columns[index].whole and wanted >= min(naturals[index], EXTRA_MIN) and fits:
            chosen.add(index)
            widths[index] = wanted
            used += wanted + GAP
    # An id at the end of each line takes its room from its own row's title.
    room = max(width - used, 1)
    widths[title] = room if id_after is not None else min(most, room)
    order = [i for i in range(len(kinds)) if i in chosen and i != ident]
    if ident in chosen:
        order.insert(order.index(title) + 1, ident)
    return _Plan(tuple(order), tuple(widths[i] for i in order), title, id_after)


def _lines(plan_: _Plan, cells: Sequence[Text]) -> list[Text]:
    """A record's line; or, where its id at the end of the line would leave its title no
    room, two: the line, and the id under it at the line's end."""
    id_text = cells[plan_.id_after] if plan_.id_after is not None else None
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


def print_lines(console: Console, lines: Sequence[Text]) -> None:
    """Lines as they are, in one go: one wider than the console (an address, an id) is
    neither wrapped nor cropped, for the terminal to wrap as it wraps any long line and to
    keep as one line that it can open or copy whole."""
    if lines:
        # Laid out already: drawn straight to segments, with none of the wrapping (a second
        # layout pass) that printing a Text goes through.
        text = Text("\n").join(lines)
        text.expand_tabs(console.tab_size)
        console.print(Segments(text.render(console, end="\n")), soft_wrap=True)


def print_list(view: TableView, console: Console) -> None:
    """The view as a list, a line per record (two below STACKED_BELOW columns)."""
    console.print(Text(view.title, style="bold"), overflow="fold")
    layout = plan(view, console.width)
    if console.width < STACKED_BELOW or _crowded(view, layout):
        print_lines(console, _stacked(view, console))
        return
    headers = [Text(column.header, style=HEADER_STYLE) for column in view.columns]
    rows = [headers, *(_cells(view, row) for row in view.rows)]
    print_lines(console, [line for cells in rows for line in _lines(layout, cells)])


def _wrapped(console: Console, text: Text, width: int, indent: int = 0) -> list[Text]:
    lines = []
    for line in text.wrap(console, width, overflow="fold"):
        line.rstrip()
        lines.append(Text(" " * indent).append_text(line))
    return lines


def _stacked(view: TableView, console: Console) -> list[Text]:
    """Two lines a record: the date and the title (cut to the line); under them, indented, the
    other columns as far as they fit, the id among them dim and whole; under those, whole and
    wrapped, the columns that are `whole`."""
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
    lines: list[Text] = []
    for row in view.rows:
        cells = _cells(view, row)
        first = Text()
        if date is not None and cells[date].plain:
            first.append_text(cells[date])
            first.append(" " * GAP)
        if view.columns[title].whole:
            first.append_text(cells[title])
            lines += _wrapped(console, first, width)
        else:
            first.append_text(_cut(cells[title], max(width - cell_len(first.plain), 1)))
            lines.append(first)
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
            lines.append(second)
        room = max(width - STACKED_INDENT, EXTRA_MIN)
        for column, text in zip(view.columns, cells, strict=True):
            if column.whole and column.kind != "title" and text.plain:
                lines += _wrapped(console, text, room, STACKED_INDENT)
    return lines
