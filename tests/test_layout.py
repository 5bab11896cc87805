"""Layout at pinned widths on the bundled data: whole outputs compared byte for byte, and the
promises behind them checked at each width (nothing lost, ids and addresses never broken).

NRR_UPDATE_EXPECTED=1 rewrites tests/expected/layout/; review their diff before committing.
"""

from __future__ import annotations

import functools
import io
import os
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from rich.console import Console

from nato_russia.model import Dataset
from nato_russia.query import sorted_records, timeline
from nato_russia.querylang import parse_query
from nato_russia.render import views
from nato_russia.render.rich_out import print_detail, print_table
from nato_russia.render.views import DetailView, TableView
from nato_russia.search import search
from nato_russia.selection import Selection
from tests.conftest import render_at

LAYOUT = Path(__file__).resolve().parent / "expected" / "layout"
WIDTHS = (40, 80, 120)


render = render_at


def tables(dataset: Dataset) -> dict[str, TableView]:
    hits = search(dataset, parse_query("missile")).hits
    return {
        "timeline": views.timeline_table(dataset, timeline(dataset, Selection())),
        "search-missile": views.search_table("missile", hits),
        "sources": views.list_table(dataset, "source", sorted_records(dataset, "source")),
    }


def founding_act(dataset: Dataset) -> DetailView:
    record = dataset.get("agreement", "founding-act")
    assert record is not None
    return views.detail_view(dataset, record)


DETAIL = "agreement-founding-act"
TABLES = ("timeline", "search-missile", "sources")


Draw = Callable[[str, int], str]


@pytest.fixture(scope="module")
def drawn(bundled: Dataset) -> Draw:
    """Each layout at each width drawn once for every test that reads it (drawing the bundled
    tables is most of this module's time)."""
    made: dict[str, TableView | DetailView] = {**tables(bundled), DETAIL: founding_act(bundled)}

    @functools.cache
    def draw(name: str, width: int) -> str:
        view = made[name]
        if isinstance(view, DetailView):
            return render(width, lambda console: print_detail(view, console))
        return render(width, lambda console: print_table(view, console))

    return draw


def outputs(drawn: Draw, width: int) -> dict[str, str]:
    return {name: drawn(name, width) for name in (*TABLES, DETAIL)}


@pytest.mark.parametrize("width", WIDTHS)
def test_golden(drawn: Draw, width: int) -> None:
    for name, text in outputs(drawn, width).items():
        path = LAYOUT / f"{name}-{width}.txt"
        if os.environ.get("NRR_UPDATE_EXPECTED"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        assert path.is_file(), f"{path} is missing: run with NRR_UPDATE_EXPECTED=1 and review it"
        assert text == path.read_bytes().decode("utf-8"), path.name


def unbreakable(view: TableView) -> list[str]:
    """The ids and addresses of a table: what must appear whole on one line."""
    found = []
    for row in view.rows:
        for column, cell in zip(view.columns, row, strict=True):
            if cell.text and (column.kind == "url" or column.header == "ID"):
                found.append(cell.text)
    return found


def detail_unbreakable(view: DetailView) -> list[str]:
    found = [view.record_id]
    for section in view.sections:
        found += [link.record_id for link in section.links]
        found += [link.url for link in section.links if link.url]
        if section.kind == "url":
            found += list(section.lines)
    return found


def detail_texts(view: DetailView) -> list[str]:
    texts = [view.type_name, view.record_id, view.heading]
    for section in view.sections:
        if section.lines == (view.heading,):
            continue  # the field the heading shows, drawn once
        texts.append(section.label)
        if section.links:
            for link in section.links:
                texts += [link.title, link.date, link.record_id, link.url or ""]
        else:
            texts += list(section.lines)
    return texts


def check_promises(out: str, width: int, whole: Iterable[str], texts: Iterable[str]) -> None:
    whole = list(whole)
    lines = out.splitlines()
    # No line is wider than the screen, except one that is a single address or id longer than
    # the width: drawn alone and unwrapped, the terminal wraps it and still opens or copies it
    # whole, where a break drawn by nrr would make two.
    long_ok = set(whole)
    for line in lines:
        assert len(line) <= width or line.strip() in long_ok, line
    # Every id and address is whole on one line.
    for value in whole:
        assert any(value in line for line in lines), value
    # Every character of every cell is on screen (wrapped, perhaps folded, never cut).
    wanted = Counter("".join(texts))
    del wanted[" "]
    assert not wanted - Counter(out)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", TABLES)
def test_tables_keep_every_character_and_every_id_whole(
    bundled: Dataset, drawn: Draw, width: int, name: str
) -> None:
    view = tables(bundled)[name]
    out = drawn(name, width)
    texts = [cell.text for row in view.rows for cell in row]
    check_promises(out, width, unbreakable(view), texts)


@pytest.mark.parametrize("width", WIDTHS)
def test_detail_keeps_every_character_and_every_id_whole(
    bundled: Dataset, drawn: Draw, width: int
) -> None:
    view = founding_act(bundled)
    out = drawn(DETAIL, width)
    check_promises(out, width, detail_unbreakable(view), detail_texts(view))


def test_urls_are_never_drawn_inside_a_box(drawn: Draw) -> None:
    for width in WIDTHS:
        for text in outputs(drawn, width).values():
            for line in text.splitlines():
                if "http" in line:
                    assert "\u2502" not in line, line


# Lines of `nrr agreement founding-act` with the pinned Console, at 40, 80 and 120 columns:
#   before issue 11 (a 22-32-column label column beside every list, the title three times,
#   addresses wrapped in the box):                                  393 / 107 / -
#   tables and panel compacted (label column as wide as its labels,
#   one linked record a line, addresses after the panel):          149 /  94 / 71
#   packed (no box; every field a paragraph led by its label, short
#   ones sharing one; lists run on, items parted by ";"):          136 /  69 / 50
# Half of 107 cannot be reached without cutting characters: the fields hold about 4,400
# characters, 55 full lines at 80 columns, and with the heading and the four lines of the
# numbered addresses (one of them, 81 characters with its number, takes two) the floor is 60
# with not a cell wasted at any line's end. Every paragraph's last line, and every line after
# which an id (up to 39 characters, never broken) did not fit, leaves some unused; running
# the quotations on as well saves one line more, at the cost of reading them.
# Then +1-3 lines for the Topics field (issue 12) and the source kinds: 144 / 72 / 52.
COMPACT = {40: 144, 80: 72, 120: 52}


@pytest.mark.parametrize("width", WIDTHS)
def test_founding_act_detail_is_compact(drawn: Draw, width: int) -> None:
    out = drawn(DETAIL, width)
    assert out.count("\n") <= COMPACT[width]
    # The title once: no heading repeated as a field, no Title field for an event's title.
    assert out.startswith("NATO-Russia Founding Act \u00b7")
    assert out.count("NATO-Russia Founding Act \u00b7") == 1
    assert "Short title" not in out
    # No blank line, and no box (whose edges and padding would carry nothing).
    assert "" not in out.splitlines()
    assert not set(out) & set("\u2502\u2500\u256d\u2570")


def test_founding_act_fits_about_sixty_lines_at_80_columns(drawn: Draw) -> None:
    # The issue asks for about half of 107 at 80 columns; see COMPACT for why 69 is the floor
    # of a layout a person can still read field by field.
    out = drawn(DETAIL, 80)
    assert out.count("\n") <= COMPACT[80]


def test_detail_lists_run_on_as_paragraphs(drawn: Draw) -> None:
    out = drawn(DETAIL, 80)
    # Several linked records a line, each "title (date) id", parted by ";".
    assert "Javier Solana solana; Boris Yeltsin yeltsin" in out
    assert "Arms control arms-control; Counter-narcotics" in out
    # A label stays on the line of the value's first word, and no line starts with a ";".
    lines = out.splitlines()
    assert not [line for line in lines if line.endswith(":") or line.startswith(";")]
    # The addresses follow, numbered as the records that have them are.
    assert "(27 May 1997) [1]" in out
    assert "[2] https://bits.de/NRANEU/docs/FAmenu.html" in lines


def test_detail_dims_only_the_id(bundled: Dataset) -> None:
    file = io.StringIO()
    console = Console(width=80, file=file, force_terminal=True, color_system="standard")
    print_detail(founding_act(bundled), console)
    out = file.getvalue()
    assert "Javier Solana \x1b[2msolana\x1b[0m;" in out
