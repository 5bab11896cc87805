"""Where output goes and in which format: one place that every command prints through.

Without a format, people at a terminal get a Rich table and pipes get the same columns as
plain tab-separated text. Machine formats (json, jsonl, csv, tsv, markdown) never pass through
Rich, so nothing in them depends on the terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from nato_russia.model import Dataset, Record
from nato_russia.render import delimited, flat, json_out, markdown, plain
from nato_russia.render.formats import Format
from nato_russia.render.views import DetailView, TableView
from nato_russia.search import Hit


def _console(no_color: bool) -> Any:
    from rich.console import Console

    # Built per call, not at import: a module-level Console freezes COLUMNS and colour settings.
    if no_color:
        return Console(no_color=True, color_system=None, highlight=False, emoji=False)
    return Console(highlight=False, emoji=False)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def show_table(view: TableView, *, no_color: bool = False, rich: bool | None = None) -> None:
    if stdout_is_terminal() if rich is None else rich:
        from nato_russia.render.rich_out import print_table

        print_table(view, _console(no_color))
    else:
        plain.write_table(view, sys.stdout)


def show_detail(view: DetailView, *, no_color: bool = False, rich: bool | None = None) -> None:
    if stdout_is_terminal() if rich is None else rich:
        from nato_russia.render.rich_out import print_detail

        print_detail(view, _console(no_color))
    else:
        plain.write_detail(view, sys.stdout)


def use_utf8_stdout() -> None:
    """JSON, CSV and Markdown are UTF-8 whatever the locale says, and their line ends are
    written as they are (CSV's CRLF must not become CR CR LF on Windows)."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", newline="")


def show_json(value: Any) -> None:
    json_out.write_json(value, sys.stdout)


def write_jsonl(values: Sequence[dict[str, Any]], out: TextIO) -> None:
    for value in values:
        json_out.write_json_line(value, out)


def _write_rows(
    fmt: Format, columns: Sequence[str], rows: Sequence[dict[str, str]], out: TextIO
) -> None:
    if fmt is Format.csv:
        delimited.write_csv(columns, rows, out)
    else:
        delimited.write_tsv(columns, rows, out)


def show_records(
    fmt: Format | None,
    type_name: str,
    records: Sequence[Record],
    view: Callable[[], TableView],
    *,
    no_color: bool = False,
) -> None:
    """A list of records of one type (a list command, the timeline)."""
    if fmt not in (None, Format.table):
        use_utf8_stdout()
    out = sys.stdout
    if fmt is Format.json:
        show_json([json_out.record_to_dict(r) for r in records])
    elif fmt is Format.jsonl:
        write_jsonl([json_out.record_to_dict(r) for r in records], out)
    elif fmt in (Format.csv, Format.tsv):
        _write_rows(fmt, flat.record_columns(type_name), [flat.record_row(r) for r in records], out)
    elif fmt is Format.markdown:
        out.write(markdown.table_document(view()))
    else:
        show_table(view(), no_color=no_color, rich=True if fmt is Format.table else None)


def show_record(
    fmt: Format | None,
    dataset: Dataset,
    record: Record,
    view: Callable[[], DetailView],
    *,
    no_color: bool = False,
) -> None:
    """One record with every field (a detail command)."""
    if fmt not in (None, Format.table):
        use_utf8_stdout()
    out = sys.stdout
    if fmt is Format.json:
        show_json(json_out.record_to_dict(record))
    elif fmt is Format.jsonl:
        write_jsonl([json_out.record_to_dict(record)], out)
    elif fmt in (Format.csv, Format.tsv):
        columns = flat.record_columns(record.type_name)
        _write_rows(fmt, columns, [flat.record_row(record)], out)
    elif fmt is Format.markdown:
        out.write(markdown.record_document(dataset, record))
    else:
        show_detail(view(), no_color=no_color, rich=True if fmt is Format.table else None)


def show_hits(
    fmt: Format | None,
    hits: Sequence[Hit],
    view: Callable[[], TableView],
    *,
    no_color: bool = False,
) -> None:
    """Search results, best first (or in date order)."""
    if fmt not in (None, Format.table):
        use_utf8_stdout()
    out = sys.stdout
    if fmt is Format.json:
        show_json([json_out.hit_to_dict(h) for h in hits])
    elif fmt is Format.jsonl:
        write_jsonl([json_out.hit_to_dict(h) for h in hits], out)
    elif fmt in (Format.csv, Format.tsv):
        _write_rows(fmt, flat.HIT_COLUMNS, [flat.hit_row(h) for h in hits], out)
    elif fmt is Format.markdown:
        out.write(markdown.table_document(view()))
    elif hits:
        show_table(view(), no_color=no_color, rich=True if fmt is Format.table else None)
