"""Rich tables and panels for people at a terminal.

Data is never markup: every value goes into a rich.text.Text, which Rich does not parse, so a
record titled "[bold]x[/]" prints exactly as written.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from nato_russia.render.views import Cell, DetailView, TableView

HIGHLIGHT = "bold yellow"
_SECTION_STYLE = {"note": "bold red", "quotes": "italic", "links": "", "text": ""}


def _text(cell: Cell) -> Text:
    text = Text(cell.text)
    for start, end in cell.spans:
        text.stylize(HIGHLIGHT, start, end)
    return text


def build_table(view: TableView) -> Table:
    table = Table(title=Text(view.title), box=box.SIMPLE_HEAVY, show_lines=False)
    for column in view.columns:
        # Prose takes the spare width but keeps a minimum, so that on a narrow terminal Rich
        # folds long ids and words instead of dropping a column or cutting it with an ellipsis.
        if column.kind == "prose":
            table.add_column(Text(column.header), overflow="fold", ratio=1, min_width=8)
        else:
            table.add_column(Text(column.header), overflow="fold")
    for row in view.rows:
        table.add_row(*(_text(cell) for cell in row))
    return table


def build_detail(view: DetailView) -> Panel:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for section in view.sections:
        value = Text("\n".join(section.lines), style=_SECTION_STYLE[section.kind])
        grid.add_row(Text(section.label), value)
    title = Text(f"{view.type_name} {view.record_id}")
    return Panel(Group(Text(view.heading, style="bold"), Text(""), grid), title=title)


NARROW_NOTE = "one field per line: the terminal is too narrow for the table"


def build_stacked(view: TableView) -> Group:
    """The table's rows one after the other, a field per line, wrapped: for a terminal too
    narrow for the columns, where Rich would otherwise have to cut their text."""
    parts: list[Text] = [Text(f"{view.title} ({NARROW_NOTE})", style="bold")]
    for row in view.rows:
        parts.append(Text(""))
        for column, cell in zip(view.columns, row, strict=True):
            if cell.text:
                line = Text(f"{column.header}: ", style="bold")
                line.append_text(_text(cell))
                line.overflow = "fold"
                parts.append(line)
    return Group(*parts)


def fits(table: Table, console: Console) -> bool:
    """Whether every line of the table fits the console: below its columns' least widths Rich
    draws lines wider than the screen and the console crops them, losing characters."""
    lines = Segment.split_lines(console.render(table, console.options))
    return all(Segment.get_line_length(line) <= console.width for line in lines)


def print_table(view: TableView, console: Console) -> None:
    table = build_table(view)
    console.print(table if fits(table, console) else build_stacked(view))


def print_detail(view: DetailView, console: Console) -> None:
    console.print(build_detail(view))
