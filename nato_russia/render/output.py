"""Where output goes and in which format: one place that every command prints through.

Without a format, people at a terminal get a Rich table and pipes get the same columns as
plain tab-separated text. Machine formats (json, jsonl, csv, tsv, markdown) never pass through
Rich, so nothing in them depends on the terminal.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from nato_russia.render import flat, json_out, plain
from nato_russia.render.formats import Format
from nato_russia.render.terminal import Terminal, page

# The CSV and Markdown writers are imported where those formats are chosen, and Rich only at
# a terminal: a lookup in a pipe pays for none of them.
if TYPE_CHECKING:
    from nato_russia.model import Dataset, Record, Topic
    from nato_russia.render.views import DetailView, TableView
    from nato_russia.search import Hit
    from nato_russia.status import Coverage, Status
    from nato_russia.thread import ThreadItem


def draw_rich(draw: Callable[[Any], None], terminal: Terminal) -> None:
    """Draw with Rich; at a terminal, output taller than the screen goes through the pager,
    as git and gh do (never in a pipe: there is no one to page for)."""
    if not (terminal.is_tty and terminal.pager):
        console = terminal.console()
        with console:  # held until the end and written in one go, not a write per line
            draw(console)
        return
    buffer = io.StringIO()
    draw(terminal.console(file=buffer))
    text = buffer.getvalue()
    if text.count("\n") < terminal.height:
        sys.stdout.write(text)
    else:
        sys.stdout.flush()
        if not page(text, terminal.pager):
            sys.stdout.write(text)


def show_tables(
    views: Sequence[TableView],
    *,
    terminal: Terminal | None = None,
    rich: bool | None = None,
    footer: Sequence[str] = (),
) -> None:
    """Tables as one output (paged as one): Rich for people, plain text for pipes. The footer's
    lines follow the tables for people only (in the pager, where they stay in view)."""
    terminal = terminal or Terminal.detect()
    if terminal.is_tty if rich is None else rich:
        from rich.text import Text

        from nato_russia.render.rich_out import print_table

        def draw(console: Any) -> None:
            for view in views:
                print_table(view, console, wide=terminal.wide)
            for line in footer:
                console.print(Text(line, style="dim"), overflow="fold")

        draw_rich(draw, terminal)
        return
    for number, view in enumerate(views):
        if number:
            sys.stdout.write("\n")  # a blank line between the tables of a pipe
        plain.write_table(view, sys.stdout)


def say(lines: Sequence[str]) -> None:
    """Notes for the person at the terminal, on stderr, apart from the data on stdout."""
    from nato_russia.errors import visible

    for line in lines:
        sys.stderr.write(visible(line) + "\n")
    sys.stderr.flush()


def use_utf8_stdout() -> None:
    """JSON, CSV and Markdown are UTF-8 whatever the locale says, and their line ends are
    written as they are (CSV's CRLF must not become CR CR LF on Windows)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", newline="")


def markdown_table(view: TableView) -> str:
    return markdown_tables([view])


def markdown_tables(views: Sequence[TableView]) -> str:
    from nato_russia.render import markdown

    return markdown.tables_document(views)


class _Result(NamedTuple):
    """One command's answer, ready to be printed in any format. (A named tuple: the dataclass
    decorator compiles its methods at every start-up, a millisecond of a lookup's.)"""

    objects: Callable[[], list[dict[str, Any]]]  # for JSON and JSON Lines
    columns: Sequence[str]  # for CSV and TSV, with
    rows: Callable[[], list[dict[str, str]]]
    markdown: Callable[[], str]
    human: Callable[[bool | None], None]  # the table or panel; rich=None: decide by the TTY
    one_object: bool = False  # a detail command prints an object, not an array
    lines: Callable[[], list[dict[str, Any]]] | None = None  # JSON Lines, if not the objects


def _emit(fmt: Format | None, result: _Result) -> None:
    if fmt in (None, Format.table):
        result.human(True if fmt is Format.table else None)
        return
    use_utf8_stdout()
    out = sys.stdout
    if fmt is Format.json:
        objects = result.objects()
        out.write(json_out.json_text(objects[0] if result.one_object else objects))
    elif fmt is Format.jsonl:
        for value in (result.lines or result.objects)():
            json_out.write_json_line(value, out)
    elif fmt in (Format.csv, Format.tsv):
        from nato_russia.render import delimited

        write = delimited.write_csv if fmt is Format.csv else delimited.write_tsv
        write(result.columns, result.rows(), out)
    else:
        out.write(result.markdown())


def _tables(
    tables: Callable[[], Sequence[TableView]], terminal: Terminal | None, **fields: Any
) -> _Result:
    """An answer that people and Markdown get as its tables."""
    return _Result(
        markdown=lambda: markdown_tables(tables()),
        human=lambda rich: show_tables(tables(), terminal=terminal, rich=rich),
        **fields,
    )


def show_records(
    fmt: Format | None,
    type_name: str,
    records: Sequence[Record],
    view: Callable[[], TableView],
    *,
    terminal: Terminal | None = None,
) -> None:
    """A list of records of one type (a list command, the timeline)."""
    _emit(
        fmt,
        _tables(
            lambda: [view()],
            terminal,
            objects=lambda: [json_out.record_to_dict(r) for r in records],
            columns=flat.record_columns(type_name),
            rows=lambda: [flat.record_row(r) for r in records],
        ),
    )


def show_record(
    fmt: Format | None,
    dataset: Dataset,
    record: Record,
    view: Callable[[], DetailView],
    *,
    terminal: Terminal | None = None,
) -> None:
    """One record with every field (a detail command)."""

    def markdown() -> str:
        from nato_russia.render.markdown import record_document

        return record_document(dataset, record)

    def human(rich: bool | None) -> None:
        chosen = terminal or Terminal.detect()
        if chosen.is_tty if rich is None else rich:
            from nato_russia.render.rich_out import print_detail

            draw_rich(lambda console: print_detail(view(), console), chosen)
        else:
            plain.write_detail(view(), sys.stdout)

    _emit(
        fmt,
        _Result(
            objects=lambda: [json_out.detail_to_dict(dataset, record)],
            columns=flat.record_columns(record.type_name),
            rows=lambda: [flat.record_row(record)],
            markdown=markdown,
            human=human,
            one_object=True,
        ),
    )


def show_thread(
    fmt: Format | None, dataset: Dataset, topic: Topic, items: list[ThreadItem], terminal: Terminal
) -> None:
    """A topic's thread: one object in JSON (the topic with its thread), an item a line in
    JSON Lines, a row each in CSV/TSV, a table for people."""
    from nato_russia.render import thread_view

    def view() -> TableView:
        return thread_view.thread_table(dataset, topic, items)

    _emit(
        fmt,
        _Result(
            objects=lambda: [thread_view.thread_to_dict(topic, items)],
            lines=lambda: [thread_view.item_to_dict(item) for item in items],
            columns=thread_view.THREAD_COLUMNS,
            rows=lambda: [thread_view.item_row(item) for item in items],
            markdown=lambda: markdown_table(view()),
            human=lambda rich: show_tables([view()], terminal=terminal, rich=rich),
            one_object=True,
        ),
    )


def show_hits(
    fmt: Format | None,
    hits: Sequence[Hit],
    view: Callable[[], TableView],
    *,
    terminal: Terminal | None = None,
) -> None:
    """Search results, best first (or in date order). With no hits a person gets nothing on
    stdout (the note on stderr says so); machine formats still give their empty shape."""
    result = _tables(
        lambda: [view()],
        terminal,
        objects=lambda: [json_out.hit_to_dict(h) for h in hits],
        columns=flat.HIT_COLUMNS,
        rows=lambda: [flat.hit_row(h) for h in hits],
    )
    _emit(fmt, result if hits else result._replace(human=lambda rich: None))


def show_status(
    fmt: Format | None,
    status: Status,
    coverage: Coverage | None,
    views: Callable[[], Sequence[TableView]],
    *,
    screen: Callable[[], Sequence[TableView]],
    notes: Sequence[str] = (),
    terminal: Terminal | None = None,
) -> None:
    """The state of every channel on a day (nrr status): one object, a row per channel in
    CSV/TSV, and the channels, last meetings and latest events as tables for people: at a
    terminal the `screen` tables (a line per channel) unless --wide asks for every column.
    The notes (what the data covers) are written at the foot of the tables for people, where
    the pager keeps them in view, and on stderr for everything else."""
    terminal = terminal or Terminal.detect()

    def human(rich: bool | None) -> None:
        assert terminal is not None
        if not (terminal.is_tty if rich is None else rich):
            say(notes)
            show_tables(views(), terminal=terminal, rich=rich)
        elif terminal.wide:
            show_tables(views(), terminal=terminal, rich=rich, footer=notes)
        else:
            from nato_russia.render.views import status_footer

            footer = (*status_footer(status), *notes)
            show_tables(screen(), terminal=terminal, rich=rich, footer=footer)

    if fmt not in (None, Format.table):
        say(notes)
    _emit(
        fmt,
        _Result(
            objects=lambda: [json_out.status_to_dict(status, coverage)],
            lines=lambda: json_out.status_to_dict(status, coverage)["channels"],
            columns=flat.STATUS_COLUMNS,
            rows=lambda: flat.status_rows(status),
            markdown=lambda: markdown_tables(views()),
            human=human,
            one_object=True,
        ),
    )


def show_compare(
    fmt: Format | None,
    tables: Callable[[], Sequence[TableView]],
    objects: Callable[[], dict[str, Any]],
    columns: Sequence[str],
    rows: Callable[[], list[dict[str, str]]],
    *,
    terminal: Terminal | None = None,
) -> None:
    """What changed between two days (nrr compare): one object; a row per change in CSV."""
    _emit(
        fmt,
        _tables(
            tables,
            terminal,
            objects=lambda: [objects()],
            lines=lambda: objects()["channels"],
            columns=columns,
            rows=rows,
            one_object=True,
        ),
    )
