"""Where output goes: Rich for a terminal, plain text for a pipe, JSON when asked."""

from __future__ import annotations

import sys
from typing import Any

from nato_russia.render import json_out, plain
from nato_russia.render.views import DetailView, TableView


def _console(no_color: bool) -> Any:
    from rich.console import Console

    # Built per call, not at import: a module-level Console freezes COLUMNS and colour settings.
    if no_color:
        return Console(no_color=True, color_system=None, highlight=False, emoji=False)
    return Console(highlight=False, emoji=False)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def show_table(view: TableView, *, no_color: bool = False) -> None:
    if stdout_is_terminal():
        from nato_russia.render.rich_out import print_table

        print_table(view, _console(no_color))
    else:
        plain.write_table(view, sys.stdout)


def show_detail(view: DetailView, *, no_color: bool = False) -> None:
    if stdout_is_terminal():
        from nato_russia.render.rich_out import print_detail

        print_detail(view, _console(no_color))
    else:
        plain.write_detail(view, sys.stdout)


def show_json(value: Any) -> None:
    json_out.write_json(value, sys.stdout)
