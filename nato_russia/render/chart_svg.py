"""`nrr chart --svg FILE`: the same picture as a standalone SVG, exact to the day.

Every word is an SVG <text> (a reader can search and select it, and a screen reader read it),
and every piece of data goes through `_text`/`_attr`, which escape it for XML and drop the
characters XML 1.0 cannot hold at all: a title from user data can never become markup. The
file depends only on the chart (no date of today, no random ids), so the same data always
gives the same bytes, which lets docs/chart.svg be checked for staleness.

Lanes, spans and year labels carry data-* attributes (channel, state, dates, year), so that a
test in a browser can find them and check they are where the data says.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from xml.sax.saxutils import escape, quoteattr

from nato_russia.chart import BLANK, Chart, Evidence, StateClass, position
from nato_russia.render.chart_text import YEAR_STEPS, chart_notes, chart_title

WIDTH = 1280
MARGIN = 16
LABEL = 420  # the lane names' column
CHAR = 6.4  # about how wide a character of the 12 px sans-serif is, for fitting text
LANE, LANE_GAP = 18, 6
BAND = 22
BARS = 60  # the tallest events-per-year bar
FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"

# One family of colour per meaning: green for cooperation and treaties in force, ambers for
# limited (light) and suspended (dark), grey for what has ended (or is in question once ended).
KIND_COLOURS = {
    StateClass.OPEN: "#2e7d32",
    StateClass.LIMITED: "#f2b705",
    StateClass.SUSPENDED: "#d9730d",
    StateClass.ENDED: "#9e9e9e",
    StateClass.OTHER: "#8e24aa",
}
# A reported state: its colour paler, inside a dashed outline; a state not recorded: stripes
# of its colour on white (a pattern per kind, defined only for the kinds drawn so).
REPORTED_OPACITY = 0.45
REPORTED_OUTLINE = 'stroke="#000000" stroke-width="1" stroke-dasharray="4 2"'
KEY_COLOUR = "#616161"  # the legend's examples of the two, which stand for every kind
BAND_COLOURS = ("#dbe4f0", "#f3e6c8", "#d7ecd9", "#eadcef", "#f6d5c8", "#d3eeee")
BAR_COLOUR = "#1f6f8b"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", value))


def _attr(value: str) -> str:
    return quoteattr(_NOT_XML.sub("\ufffd", value))


def _num(value: float) -> str:
    # Two decimals are finer than any screen, and keep the file small and stable.
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _fit(text: str, room: float, char: float = CHAR) -> str:
    most = int(room // char)
    if len(text) <= most:
        return text
    return text[: max(0, most - 1)].rstrip() + "\u2026" if most > 1 else ""


def render(chart: Chart) -> str:
    """The chart as an SVG document (UTF-8 text)."""
    left, right = MARGIN + LABEL, WIDTH - MARGIN
    span = right - left

    def x(day: dt.date) -> float:
        return left + position(chart, day) * span

    def x_after(day: dt.date) -> float:  # where the day ends (date.max has no day after)
        return left + (position(chart, day) + 1 / chart.days) * span

    title = chart_title(chart)
    parts = [
        f'<text id="chart-heading" x="{MARGIN}" y="{MARGIN + 18}" font-size="18" '
        f'font-weight="bold">{_text(title)}</text>'
    ]

    # Periods: a labelled band above, and a faint wash behind the lanes.
    band_top = MARGIN + 32
    lanes_top = band_top + BAND + 34
    lanes_bottom = lanes_top + len(chart.lanes) * (LANE + LANE_GAP)
    parts.append(f'<text x="{MARGIN}" y="{_num(band_top + 15)}" font-weight="bold">Periods</text>')
    parts.append('<g id="periods">')
    for number, band in enumerate(chart.bands):
        colour = BAND_COLOURS[number % len(BAND_COLOURS)]
        x0, x1 = x(band.start), x_after(band.end)
        label = _fit(f"{band.key} {band.short_title}", x1 - x0 - 6, char=6.8)
        parts.append(
            f'<g class="period" data-period={_attr(band.period)}>'
            f"<title>{_text(f'{band.title} ({band.date.display()})')}</title>"
            f'<rect x="{_num(x0)}" y="{band_top}" width="{_num(x1 - x0)}" height="{BAND}" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
            f'<rect x="{_num(x0)}" y="{lanes_top - 4}" width="{_num(x1 - x0)}" '
            f'height="{lanes_bottom - lanes_top + 4}" fill="{colour}" opacity="0.35"/>'
            f'<text x="{_num(x0 + 3)}" y="{band_top + 15}" font-size="11">{_text(label)}</text>'
            "</g>"
        )
    parts.append("</g>")

    # The year axis, above the lanes and again below the bars.
    axis_top = band_top + BAND + 16
    per_year = span / max(1, len(chart.years))
    step = next((s for s in YEAR_STEPS if s * per_year >= 34), YEAR_STEPS[-1])
    bars_top = lanes_bottom + 24
    bars_bottom = bars_top + BARS
    axis_bottom = bars_bottom + 16
    parts.append('<g id="years">')
    for year in chart.years:
        jan1 = dt.date(year, 1, 1)
        if jan1 < chart.start:
            continue
        at = _num(x(jan1))
        parts.append(
            f'<line x1="{at}" y1="{lanes_top - 6}" x2="{at}" y2="{bars_bottom + 4}" '
            f'stroke="#000000" stroke-opacity="{0.25 if year % step == 0 else 0.08}"/>'
        )
        if year % step == 0:
            for where, name in ((axis_top, "top"), (axis_bottom, "bottom")):
                parts.append(
                    f'<text class="year" data-year="{year}" data-axis="{name}" x="{at}" '
                    f'y="{where}" font-size="11" text-anchor="middle">{year}</text>'
                )
    parts.append("</g>")

    # One lane per channel.
    parts.append('<g id="lanes">')
    for number, lane in enumerate(chart.lanes):
        top = lanes_top + number * (LANE + LANE_GAP)
        parts.append(
            f'<g class="lane" data-channel={_attr(lane.channel)} data-top="{top}" '
            f'data-height="{LANE}">'
            f"<title>{_text(lane.title)}</title>"
            f'<text class="lane-label" x="{MARGIN}" y="{top + 13}">'
            f"{_text(_fit(lane.title, LABEL - 8))}</text>"
            f'<rect x="{left}" y="{top}" width="{span}" height="{LANE}" fill="none" '
            f'stroke="#000000" stroke-opacity="0.15"/>'
        )
        for piece in lane.spans:
            x0, x1 = x(piece.start), x_after(piece.end)
            since = piece.since.display()
            note = " (known only to the month or year: drawn from its first day)"
            how = {
                Evidence.KNOWN: "",
                Evidence.REPORTED: " (reported only)",
                Evidence.NOT_RECORDED: f" (not recorded from {piece.start.isoformat()} on)",
            }[piece.evidence]
            paint = _paint(KIND_COLOURS[piece.kind], piece.kind.value, piece.evidence)
            tip = (
                f"{piece.state} since {since}{note if piece.approximate else ''}{how}: "
                f"{piece.change}"
            )
            parts.append(
                f'<rect class="span kind-{piece.kind.value} {piece.evidence.value}" '
                f'data-state={_attr(piece.state)} data-evidence="{piece.evidence.value}" '
                f'data-change={_attr(piece.change)} data-start="{piece.start.isoformat()}" '
                f'data-end="{piece.end.isoformat()}" x="{_num(x0)}" y="{top}" '
                f'width="{_num(max(0.5, x1 - x0))}" height="{LANE}" '
                f"{paint}><title>{_text(tip)}</title></rect>"
            )
        parts.append("</g>")
    parts.append("</g>")

    # Events per year: bars with their counts.
    most = max((count for _, count in chart.per_year), default=0)
    parts.append(
        f'<text x="{MARGIN}" y="{bars_top + 14}" font-weight="bold">Events per year</text>'
        f'<text x="{MARGIN}" y="{bars_top + 30}" font-size="11">(at most {most})</text>'
    )
    parts.append('<g id="events">')
    for year, count in chart.per_year:
        if not count:
            continue
        x0 = x(max(chart.start, dt.date(year, 1, 1)))
        x1 = x_after(min(chart.end, dt.date(year, 12, 31)))
        height = BARS * count / most
        bar_top = bars_bottom - height
        parts.append(
            f'<g class="year-events" data-year="{year}" data-count="{count}">'
            f'<rect x="{_num(x0 + 1)}" y="{_num(bar_top)}" width="{_num(max(0.5, x1 - x0 - 2))}" '
            f'height="{_num(height)}" fill="{BAR_COLOUR}"/>'
            f'<text x="{_num((x0 + x1) / 2)}" y="{_num(bar_top - 2)}" font-size="9" '
            f'text-anchor="middle">{count}</text></g>'
        )
    parts.append("</g>")

    legend_top = axis_bottom + 28
    legend, height = _legend(chart, legend_top)
    parts.extend(legend)
    total = legend_top + height + MARGIN
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{total}" '
        f'viewBox="0 0 {WIDTH} {total}" font-family="{FONT}" font-size="12" fill="#000000" '
        'role="img" aria-labelledby="chart-title">\n'
        f'<title id="chart-title">{_text(title)}</title>\n'
        "<desc>One lane per channel of the relationship (nrr status), coloured by its state "
        "over time (a state only reported paler in a dashed outline, one not recorded "
        "striped); the periods as bands; the events counted per year.</desc>\n"
        f'<rect width="{WIDTH}" height="{total}" fill="#ffffff"/>\n' + _patterns(chart)
    )
    return head + "\n".join(parts) + "\n</svg>\n"


def _paint(colour: str, name: str, evidence: Evidence) -> str:
    """The fill (and outline) of a span in this colour (its kind's pattern named `name`)."""
    if evidence is Evidence.REPORTED:
        return f'fill="{colour}" fill-opacity="{REPORTED_OPACITY}" {REPORTED_OUTLINE}'
    if evidence is Evidence.NOT_RECORDED:
        return f'fill="url(#not-recorded-{name})"'
    return f'fill="{colour}"'


def _stripes(name: str, colour: str) -> str:
    return (
        f'<pattern id="{name}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="2.5" height="6" fill="{colour}"/></pattern>'
    )


def _patterns(chart: Chart) -> str:
    unrecorded = {
        s.kind for lane in chart.lanes for s in lane.spans if s.evidence is Evidence.NOT_RECORDED
    }
    if not unrecorded:
        return ""
    found = [
        _stripes(f"not-recorded-{kind.value}", KIND_COLOURS[kind])
        for kind in StateClass
        if kind in unrecorded
    ]
    found.append(_stripes("not-recorded-key", KEY_COLOUR))
    return "<defs>" + "".join(found) + "</defs>\n"


def _legend(chart: Chart, top: int) -> tuple[list[str], int]:
    parts = ['<g id="legend">']
    y = top

    def entry(group: str, paint: str, text: str) -> None:
        nonlocal y
        parts.append(f'<g {group}><rect x="{MARGIN}" y="{y - 10}" width="22" height="12" {paint}/>')
        lines = _wrap(text, WIDTH - 2 * MARGIN - 30)
        for number, line in enumerate(lines):
            parts.append(f'<text x="{MARGIN + 30}" y="{y + number * 15}">{_text(line)}</text>')
        parts.append("</g>")
        y += 15 * len(lines) + 4

    for kind, states in chart.kinds():
        entry(
            f'class="legend-kind" data-kind="{kind.value}"',
            f'fill="{KIND_COLOURS[kind]}"',
            f"{kind.description}: {', '.join(states)}",
        )
    for evidence in (Evidence.REPORTED, Evidence.NOT_RECORDED):
        states = chart.states_by(evidence)
        if states:
            reported = evidence is Evidence.REPORTED
            entry(
                f'class="legend-evidence" data-evidence="{evidence.value}"',
                _paint(KEY_COLOUR, "key", evidence),
                f"{evidence.description}: {', '.join(states)}"
                if reported
                else evidence.description,
            )
    if chart.blank:
        parts.append(
            '<g class="legend-evidence" data-evidence="none">'
            f'<rect x="{MARGIN}" y="{y - 10}" width="22" height="12" fill="none" '
            'stroke="#000000" stroke-opacity="0.15"/>'
            f'<text x="{MARGIN + 30}" y="{y}">{_text(BLANK)}</text></g>'
        )
        y += 19
    y += 8
    column = (WIDTH - 2 * MARGIN) // 2
    rows = (len(chart.bands) + 1) // 2
    for number, band in enumerate(chart.bands):
        at_x = MARGIN + (number // rows) * column
        at_y = y + (number % rows) * 15
        words = _fit(f"{band.key}  {band.date.display()}: {band.short_title}", column - 12)
        parts.append(f'<text x="{at_x}" y="{at_y}">{_text(words)}</text>')
    y += rows * 15 + 8
    densest = ", ".join(f"{year} ({count})" for year, count in chart.densest())
    notes = [f"Events: {chart.events} in all" + (f"; most in {densest}." if densest else ".")]
    if any(chart.states_by(e) for e in (Evidence.REPORTED, Evidence.NOT_RECORDED)):
        notes.append(
            "A state reported only, or not recorded, is drawn in the colour of its kind, as a "
            "known one is."
        )
    notes += chart_notes(chart)
    notes.append("Drawn by nrr chart from the dated state changes (nrr state-changes).")
    for line in (line for note in notes for line in _wrap(note, WIDTH - 2 * MARGIN)):
        parts.append(f'<text x="{MARGIN}" y="{y}" font-size="11">{_text(line)}</text>')
        y += 14
    parts.append("</g>")
    return parts, y - top


def _wrap(text: str, room: float) -> list[str]:
    return textwrap.wrap(text, width=max(10, int(room // CHAR)), break_on_hyphens=False) or [""]
