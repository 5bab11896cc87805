"""Rich tables and panels for people at a terminal.

Data is never markup: every value goes into a rich.text.Text, which Rich does not parse, so a
record titled "[bold]x[/]" prints exactly as written.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
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


def print_table(view: TableView, console: Console) -> None:
    console.print(build_table(view))


def print_detail(view: DetailView, console: Console) -> None:
    console.print(build_detail(view))
