"""`nrr chart` in a terminal (Rich styles and block characters) or a pipe (the same picture in
ASCII, no escape codes). One layout draws both, so the two never disagree.

The picture is a grid: each column stands for an equal run of days, so a year takes about
width / years columns (at 40 columns, about one). A cell shows what holds for most of its days;
a state shorter than a column may not show at all, which the SVG (exact to the day) does not
lose. A known state is a block in its kind's colour and shade (#, =, - or x in a pipe); a
reported one a checked block (~), a state not recorded dots (.), both in the same colour. From
120 columns on, the lane names stand left of the lanes; below that each name takes its own line
above its lane, so that narrow terminals keep the whole width for the years.
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import Any, TextIO

from rich.text import Text

from nato_russia.chart import BLANK, Band, Chart, Evidence, Span, StateClass
from nato_russia.render.listing import print_lines

MIN_WIDTH, MAX_WIDTH = 40, 300
SIDE_BY_SIDE = 120  # from this width on, lane names stand left of the lanes
MAX_LABEL = 40
BAR_ROWS = 3  # the height of the events-per-year bars
YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)


@dataclass(frozen=True, slots=True)
class Glyphs:
    kinds: dict[StateClass, str]  # a known state of each kind
    reported: str  # a state only reported (in its kind's colour at a terminal)
    not_recorded: str  # a state carried on that no source shows any more
    axis: str  # the axis line
    major: str  # a labelled year
    minor: str  # any other year, where years are wide enough to mark
    bars: str  # an empty cell, then ever fuller ones
    ellipsis: str


# Each kind's block at a terminal, its character in a pipe, and its colour: one family of
# colour per meaning, as in the SVG (green for cooperation and treaties in force, ambers for
# limited and suspended, grey for what has ended).
_KIND_LOOKS = {
    StateClass.OPEN: ("\u2588", "#", "green"),
    StateClass.LIMITED: ("\u2593", "=", "yellow"),
    StateClass.SUSPENDED: ("\u2592", "-", "dark_orange"),
    StateClass.ENDED: ("\u2591", "x", "grey50"),
    StateClass.OTHER: ("?", "?", "magenta"),
}
KIND_STYLES = {kind: style for kind, (_, _, style) in _KIND_LOOKS.items()}
UNICODE = Glyphs(
    kinds={kind: block for kind, (block, _, _) in _KIND_LOOKS.items()},
    reported="\u259a",
    not_recorded="\u00b7",
    axis="\u2500",
    major="\u253c",
    minor="\u252c",
    bars=" \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588",
    ellipsis="\u2026",
)
PLAIN = Glyphs(
    kinds={kind: char for kind, (_, char, _) in _KIND_LOOKS.items()},
    reported="~",
    not_recorded=".",
    axis="-",
    major="+",
    minor="'",
    bars=" .|",
    ellipsis="...",
)

BAND_STYLES = (
    "black on light_steel_blue",
    "black on wheat1",
    "black on dark_sea_green2",
    "black on thistle1",
    "black on light_salmon1",
    "black on pale_turquoise1",
)
BAR_STYLE = "cyan"
AXIS_STYLE = "dim"


def fit_width(width: int) -> int:
    """The width drawn: what the terminal has, between 40 and 300 columns (narrower terminals
    get 40 columns and wrap or crop them; nothing reads well in fewer)."""
    return max(MIN_WIDTH, min(MAX_WIDTH, width))


class _Grid:
    """Columns of equal runs of days across the chart."""

    def __init__(self, chart: Chart, columns: int) -> None:
        self.chart = chart
        self.columns = columns
        self.days = chart.days
        # Each column's days as offsets from the chart's first day, [first, after).
        edges = [c * self.days // columns for c in range(columns + 1)]
        self.runs = list(pairwise(edges))
        self.per_year = columns * 365.25 / self.days  # the columns a year takes

    def year_column(self, year: int) -> int | None:
        offset = (dt.date(year, 1, 1) - self.chart.start).days
        if 0 <= offset < self.days:
            return min(self.columns - 1, offset * self.columns // self.days)
        return None

    def majority(self, spans: Sequence[Span] | Sequence[Band]) -> list[int]:
        """For each column the index of the span holding most of its days (-1: none); on a
        tie the later span, which is the newer state."""
        ranges = [
            ((s.start - self.chart.start).days, (s.end - self.chart.start).days + 1) for s in spans
        ]
        found = []
        for first, after in self.runs:
            best, most = -1, 0
            for index, (start, end) in enumerate(ranges):
                days = min(after, end) - max(first, start)
                if days > 0 and days >= most:
                    best, most = index, days
            found.append(best)
        return found


def _marks(glyphs: Glyphs) -> dict[Evidence, str]:
    """The glyph of a state reported only, or not recorded, whatever its kind."""
    return {Evidence.REPORTED: glyphs.reported, Evidence.NOT_RECORDED: glyphs.not_recorded}


class _Line:
    """A line of cells being drawn, each with its style; becomes a Text (never markup)."""

    def __init__(self, width: int) -> None:
        self.chars = [" "] * width
        self.styles: list[str | None] = [None] * width

    def put(self, at: int, text: str, style: str | None = None) -> None:
        for offset, char in enumerate(text):
            if 0 <= at + offset < len(self.chars):
                self.chars[at + offset] = char
                self.styles[at + offset] = style

    def text(self) -> Text:
        line = Text(no_wrap=True, overflow="crop", end="")
        last = len(self.chars)  # trailing blanks go, but not a styled one (a band's colour)
        while last and self.chars[last - 1] == " " and self.styles[last - 1] is None:
            last -= 1
        cells = zip(self.styles[:last], self.chars[:last], strict=True)
        for style, run in groupby(cells, key=lambda cell: cell[0]):
            line.append("".join(char for _, char in run), style=style or "")
        return line


def _clip(text: str, width: int, glyphs: Glyphs) -> str:
    if len(text) <= width:
        return text
    cut = max(0, width - len(glyphs.ellipsis))
    return text[:cut].rstrip() + glyphs.ellipsis if width > len(glyphs.ellipsis) else text[:width]


def _year_labels(grid: _Grid) -> list[tuple[int, int]]:
    """(column, year) of the labelled years: every year if they fit, else every 2nd, 5th,
    10th... so that no two labels touch."""
    years = [(c, y) for y in grid.chart.years if (c := grid.year_column(y)) is not None]
    step = next((s for s in YEAR_STEPS if s * grid.per_year >= 5), YEAR_STEPS[-1])
    chosen: list[tuple[int, int]] = []
    for column, year in years:
        fits = column + 4 <= grid.columns and (not chosen or column >= chosen[-1][0] + 5)
        if year % step == 0 and fits:
            chosen.append((column, year))
    if not chosen:  # a chart shorter than a year, or between labelled years: name its start
        chosen.append((0, grid.chart.start.year))
    return chosen


def _axis_rows(grid: _Grid, glyphs: Glyphs) -> tuple[_Line, _Line]:
    labels, ticks = _Line(grid.columns), _Line(grid.columns)
    ticks.put(0, glyphs.axis * grid.columns, AXIS_STYLE)
    if grid.per_year >= 2:
        for year in grid.chart.years:
            column = grid.year_column(year)
            if column is not None:
                ticks.put(column, glyphs.minor, AXIS_STYLE)
    for column, year in _year_labels(grid):
        labels.put(column, str(year))
        ticks.put(column, glyphs.major, AXIS_STYLE)
    return labels, ticks


def _band_row(grid: _Grid) -> _Line:
    line = _Line(grid.columns)
    column = 0
    for index, run in groupby(grid.majority(grid.chart.bands)):
        size = len(list(run))
        if index >= 0:
            band = grid.chart.bands[index]
            label = f"|{band.key} {band.short_title}" if size >= 2 else band.key
            line.put(column, label[:size].ljust(size), BAND_STYLES[index % len(BAND_STYLES)])
        column += size
    return line


def _lane_row(grid: _Grid, spans: Sequence[Span], glyphs: Glyphs) -> _Line:
    line = _Line(grid.columns)
    marks = _marks(glyphs)
    for column, index in enumerate(grid.majority(spans)):
        if index >= 0:
            span = spans[index]
            glyph = marks.get(span.evidence, glyphs.kinds[span.kind])
            line.put(column, glyph, KIND_STYLES[span.kind])
    return line


def _bar_rows(grid: _Grid, glyphs: Glyphs) -> list[_Line]:
    """Events per year as bars, each year's bar as wide as the year; a column covering several
    years shows the busiest. Above them, the counts of the busiest years."""
    counts = dict(grid.chart.per_year)
    values = []
    for first, after in grid.runs:
        last = grid.chart.start + dt.timedelta(days=max(first, after - 1))
        years = range((grid.chart.start + dt.timedelta(days=first)).year, last.year + 1)
        values.append(max(counts.get(year, 0) for year in years))
    most = max(values, default=0)
    unit = len(glyphs.bars) - 1
    levels = BAR_ROWS * unit
    numbers = _Line(grid.columns)
    taken: list[tuple[int, int]] = []
    for year, count in grid.chart.densest():
        column = grid.year_column(year)
        if column is None and year == grid.chart.start.year:
            column = 0  # the chart begins within the year
        if column is None:
            continue
        text = str(count)
        span = (column, column + len(text))
        if span[1] <= grid.columns and all(span[0] > b or span[1] < a for a, b in taken):
            numbers.put(column, text, BAR_STYLE)
            taken.append(span)
    rows = [numbers]
    for row in range(BAR_ROWS):
        line = _Line(grid.columns)
        floor = (BAR_ROWS - 1 - row) * unit
        for column, value in enumerate(values):
            level = math.ceil(value / most * levels) if value and most else 0
            amount = max(0, min(unit, level - floor))
            if amount:
                line.put(column, glyphs.bars[amount], BAR_STYLE)
        rows.append(line)
    return rows


def _legend(chart: Chart, width: int, glyphs: Glyphs) -> list[Text]:
    lines: list[Text] = []

    def wrapped(text: str, lead: str = "", style: str = "", indent: int = 2) -> None:
        first_width = width - len(lead)
        # Slugs (suspended-by-russia) stay whole: break at spaces only.
        parts = textwrap.wrap(text, width=first_width, break_on_hyphens=False) or [""]
        head = Text(no_wrap=True, end="")
        head.append(lead, style=style)
        head.append(parts[0])
        lines.append(head)
        rest = " ".join(parts[1:])
        for part in textwrap.wrap(rest, width=width - indent, break_on_hyphens=False):
            lines.append(Text(" " * indent + part, no_wrap=True, end=""))

    for kind, states in chart.kinds():
        lead = f"{glyphs.kinds[kind] * 2} "
        wrapped(f"{kind.description}: {', '.join(states)}", lead, KIND_STYLES[kind], indent=3)
    for evidence, glyph in _marks(glyphs).items():
        states = chart.states_by(evidence)
        if states:
            words = evidence.description
            if evidence is Evidence.REPORTED:
                words += f": {', '.join(states)}"
            wrapped(words, f"{glyph * 2} ", "bold", indent=3)
    if chart.blank:
        wrapped(f"{BLANK}.")
    for band in chart.bands:
        wrapped(f"{band.date.display()}: {band.short_title}", f"{band.key} ", indent=2)
    densest = ", ".join(f"{year} ({count})" for year, count in chart.densest())
    about = f"; most in {densest}" if densest else ""
    wrapped(f"Events: {chart.events} in all{about}. The bars count them per year.")
    for note in chart_notes(chart):
        wrapped(note)
    return lines


def chart_title(chart: Chart) -> str:
    return chart.title + (f" \u2013 topic {chart.topic}" if chart.topic else "")


def chart_notes(chart: Chart) -> list[str]:
    """What a legend says of how the chart was drawn, in the terminal and the SVG alike."""
    notes = []
    if chart.approximate:
        notes.append(
            "A change known only to its month or year is drawn from the first day of that "
            "month or year."
        )
    if chart.data_end is not None and chart.data_end < chart.end:
        notes.append("The lanes stop where the data ends.")
    if chart.topic is not None and not chart.topic_lanes:
        notes.append(f"No channel's changes link to topic {chart.topic}: every channel is shown.")
    return notes


def render_lines(chart: Chart, width: int, *, plain: bool) -> list[Text]:
    """The whole picture, a Text per line, none wider than `width` (40 to 300)."""
    width = fit_width(width)
    glyphs = PLAIN if plain else UNICODE
    side = width >= SIDE_BY_SIDE
    names = [lane.title for lane in chart.lanes]
    label = min(MAX_LABEL, max([len(n) for n in names] + [len("Events per year")])) if side else 0
    grid = _Grid(chart, width - (label + 1 if side else 0))
    out: list[Text] = []

    def row(name: str, cells: _Line, name_style: str = "") -> None:
        line = Text(no_wrap=True, overflow="crop", end="")
        if side:
            line.append(_clip(name, label, glyphs).ljust(label + 1), style=name_style)
        out.append(line.append_text(cells.text()))

    def heading(name: str) -> None:
        if not side:
            out.append(Text(_clip(name, width, glyphs), style="bold", end=""))

    for part in textwrap.wrap(chart_title(chart), width=width):
        out.append(Text(part, style="bold", end=""))
    heading("Periods")
    row("Periods", _band_row(grid), "bold")
    labels, ticks = _axis_rows(grid, glyphs)
    row("", labels)
    row("", ticks)
    for lane in chart.lanes:
        heading(lane.title)
        row(lane.title, _lane_row(grid, lane.spans, glyphs))
    most = max((count for _, count in chart.per_year), default=0)
    heading(f"Events per year (at most {most})")
    for number, bar in enumerate(_bar_rows(grid, glyphs)):
        name = "Events per year" if number == 1 else (f"(at most {most})" if number == 2 else "")
        row(name, bar, "bold" if number == 1 else "")
    row("", ticks)
    row("", labels)
    out.append(Text("", end=""))
    out.extend(_legend(chart, width, glyphs))
    # In a pipe the same picture, its own glyphs, without styles or trailing blanks.
    return [Text(line.plain.rstrip(), no_wrap=True, end="") for line in out] if plain else out


def draw(chart: Chart, console: Any, width: int | None = None) -> None:
    """The picture in colour, at the console's width unless told another. A picture wider
    than the terminal (one narrower than 40 columns, or a --width beyond it) is never cut at
    its edge, which would lose the later years without a word: its lines are left for the
    terminal to wrap, under a note that says so."""
    drawn = fit_width(width or console.width)
    if drawn > console.width:
        console.print(
            Text(
                f"The picture is {drawn} columns wide and the terminal {console.width}, "
                "so its lines wrap.",
                style="italic",
            )
        )
    print_lines(console, render_lines(chart, drawn, plain=False))


def write_plain(chart: Chart, width: int, out: TextIO) -> None:
    """The same picture in ASCII (the data's own words as they are), for a pipe."""
    for line in render_lines(chart, width, plain=True):
        out.write(line.plain.rstrip() + "\n")
