"""Rich rendering at pinned widths: data stays literal; a list cuts only its titles (and
only at a terminal), --wide and detail views nothing."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest

from nato_russia.model import Dataset
from nato_russia.query import timeline
from nato_russia.render import plain
from nato_russia.render.rich_out import print_detail, print_table
from nato_russia.render.views import detail_view, timeline_table
from nato_russia.selection import Selection
from tests.conftest import render_at

render = render_at


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_timeline_list_keeps_dates_and_ids_whole(mini: Dataset, width: int) -> None:
    view = timeline_table(mini, timeline(mini, Selection()))
    out = render(width, lambda c: print_table(view, c))
    lines = out.splitlines()
    for row in view.rows:
        date, record_id = row[0].short or row[0].text, row[1].text
        assert any(date in line for line in lines), date
        assert any(record_id in line for line in lines), record_id
    assert "[bold]x[/]" in out  # markup in data is text, cut or not
    assert all(len(line) <= width for line in lines)


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_wide_timeline_table_keeps_every_character(mini: Dataset, width: int) -> None:
    view = timeline_table(mini, timeline(mini, Selection()))
    out = render(width, lambda c: print_table(view, c, wide=True))
    assert "\u2026" not in out
    # Cells may wrap or fold (interleaving columns) at narrow widths, but no character is lost.
    wanted = Counter("".join(cell.text for row in view.rows for cell in row))
    shown = Counter(out)
    del wanted[" "]
    assert not wanted - shown
    if width >= 80:
        assert "[bold]x[/] summit" in out


def test_markup_in_data_prints_literally(mini: Dataset) -> None:
    record = mini.get("event", "summit-1990")
    assert record is not None
    out = render(120, lambda c: print_detail(detail_view(mini, record), c))
    assert "[bold]x[/] summit" in out
    assert ":smile:" in out
    assert "[red]missiles[/] \\ and more." in out


def test_plain_table_flattens_tabs_and_newlines() -> None:
    from nato_russia.render.views import Cell, Column, TableView

    view = TableView("t", (Column("A"), Column("B")), ((Cell("x\ty"), Cell("line\nbreak")),))
    out = io.StringIO()
    plain.write_table(view, out)
    assert out.getvalue() == "A\tB\nx y\tline break\n"


def test_a_wide_table_is_drawn_once(mini: Dataset, monkeypatch: pytest.MonkeyPatch) -> None:
    # The fit is checked on the lines that are printed, not on a render of its own.
    from rich.table import Table

    drawn = []
    original = Table.__rich_console__

    def counting(self: Table, console: Any, options: Any) -> Any:
        drawn.append(self)
        return original(self, console, options)

    monkeypatch.setattr(Table, "__rich_console__", counting)
    view = timeline_table(mini, timeline(mini, Selection()))
    render(120, lambda c: print_table(view, c, wide=True))
    assert len(drawn) == 1
