"""nrr chart marks how each span is known (issue 19): a state nrr status would call
unconfirmed is drawn as not recorded, a state only reported is drawn as reported, both apart
from a known state and named in the legend; colours keep one family per meaning."""

from __future__ import annotations

import colorsys
import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from rich.text import Text

from nato_russia import chart
from nato_russia.chart import Chart, Evidence, Lane, StateClass
from nato_russia.dates import parse_date
from nato_russia.model import Channel, Dataset, StateChange
from nato_russia.render import chart_svg, chart_text
from nato_russia.status import STALE_AFTER_YEARS, status_on, unconfirmed_from
from nato_russia.status import _years_between as status_years

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def picture(bundled: Dataset) -> Chart:
    return chart.build(bundled)


def _lane(picture: Chart, channel: str) -> Lane:
    return next(lane for lane in picture.lanes if lane.channel == channel)


def _spans(picture: Chart, channel: str) -> list[tuple[str, str, Evidence]]:
    return [(s.start.isoformat(), s.state, s.evidence) for s in _lane(picture, channel).spans]


# --- what the chart works out


def test_a_state_status_calls_unconfirmed_is_not_recorded(bundled: Dataset, picture: Chart) -> None:
    # Partnership for Peace: halted on 24 March 1999, no source showing it later, member
    # again from 25 September 2002 (Bogorodsk). Three years on, the halt is not recorded.
    pfp = _spans(picture, "pfp")
    assert ("1999-03-24", "halted", Evidence.KNOWN) in pfp
    assert ("2002-03-24", "halted", Evidence.NOT_RECORDED) in pfp
    assert ("2002-09-25", "member", Evidence.KNOWN) in pfp
    # Each not-recorded span is what nrr status calls unconfirmed, on its first and last day,
    # and each known span is not.
    for lane in picture.lanes:
        for span in lane.spans:
            for day in (span.start, span.end):
                found = {s.channel.id: s for s in status_on(bundled, day).channels}
                state = found[lane.channel]
                if state.change.id != span.change or not state.settled:
                    continue
                assert state.stale is (span.evidence is Evidence.NOT_RECORDED), (lane, day)


def test_a_final_state_is_never_not_recorded(bundled: Dataset, picture: Chart) -> None:
    pjc = _lane(picture, "pjc")
    assert pjc.spans[-1].state == "replaced"
    assert pjc.spans[-1].evidence is Evidence.KNOWN
    assert pjc.spans[-1].end == picture.end  # replaced in 2002, still so in 2026


def test_unconfirmed_from_counts_whole_years_as_status_does(bundled: Dataset) -> None:
    channel = bundled.get("channel", "pfp")
    change = bundled.get("state_change", "pfp-halted-1999")
    assert isinstance(channel, Channel) and isinstance(change, StateChange)
    assert unconfirmed_from(channel, change) == dt.date(1999 + STALE_AFTER_YEARS, 3, 24)
    leap = StateChange(
        id="x",
        channel="pfp",
        date=parse_date("2000-02-29"),
        state="halted",
        title="t",
        summary="s",
        sources=("backgrounder-2015-12",),
    )
    # 2003 has no 29 February: its three years are whole on 1 March, as status counts them.
    assert unconfirmed_from(channel, leap) == dt.date(2003, 3, 1)
    assert status_years(dt.date(2000, 2, 29), dt.date(2003, 2, 28)) == STALE_AFTER_YEARS - 1
    assert status_years(dt.date(2000, 2, 29), dt.date(2003, 3, 1)) == STALE_AFTER_YEARS
    ended = bundled.get("state_change", "pjc-replaced-2002")
    pjc = bundled.get("channel", "pjc")
    assert isinstance(ended, StateChange) and isinstance(pjc, Channel)
    assert unconfirmed_from(pjc, ended) is None


def test_a_state_one_party_reports_is_drawn_as_reported(picture: Chart) -> None:
    # The NRC "reported dissolved" (a report), the Founding Act "under review" (Politico) and
    # "not in effect" (Poland's Foreign Minister alone): none of them a record of the state.
    assert _spans(picture, "nrc")[-1] == ("2025-12-03", "reported-dissolved", Evidence.REPORTED)
    act = _spans(picture, "founding-act")
    assert act[-2:] == [
        ("2024-10-17", "under-review", Evidence.REPORTED),
        ("2025-12-03", "reported-not-in-effect", Evidence.REPORTED),
    ]
    assert act[0] == ("1997-05-27", "in-force", Evidence.KNOWN)
    assert "reported-dissolved" in picture.states_by(Evidence.REPORTED)


def test_under_review_does_not_read_as_a_recovery(picture: Chart) -> None:
    # Founding Act: in force, partnership ended (2022), then under review (2024). The review
    # must stay in the family of "ended", never the amber of a channel coming back.
    kinds = [s.kind for s in _lane(picture, "founding-act").spans]
    ended = kinds.index(StateClass.ENDED)
    assert kinds[:ended] == [StateClass.OPEN]
    assert set(kinds[ended:]) == {StateClass.ENDED}


def _hue_lightness(colour: str) -> tuple[float, float, float]:
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    return hue * 360, lightness, saturation


def test_one_family_of_colour_per_meaning() -> None:
    colours = chart_svg.KIND_COLOURS
    assert 90 <= _hue_lightness(colours[StateClass.OPEN])[0] <= 150  # green
    for kind in (StateClass.LIMITED, StateClass.SUSPENDED):  # ambers, limited the lighter
        assert 25 <= _hue_lightness(colours[kind])[0] <= 50, kind
    assert (
        _hue_lightness(colours[StateClass.LIMITED])[1]
        > _hue_lightness(colours[StateClass.SUSPENDED])[1]
    )
    hue, _, saturation = _hue_lightness(colours[StateClass.ENDED])
    assert saturation < 0.1 or hue < 15 or hue > 345  # a grey or a red
    styles = chart_text.KIND_STYLES
    assert styles[StateClass.SUSPENDED] not in ("red", "green", "grey50")
    assert styles[StateClass.LIMITED] in ("yellow", "gold1")


# --- drawn in the terminal and a pipe


def _lines(picture: Chart, *, plain: bool, width: int = 80) -> list[Text]:
    return chart_text.render_lines(picture, width, plain=plain)


def test_a_pipe_draws_each_evidence_apart(picture: Chart) -> None:
    lines = [line.plain for line in _lines(picture, plain=True)]
    act = lines[lines.index("NATO-Russia Founding Act") + 1]
    assert act.rstrip().endswith("x~~~")  # ended (2022), then reported only
    nacc = lines[
        lines.index("North Atlantic Cooperation Council / Euro-Atlantic Partnership Council") + 1
    ]
    assert re.fullmatch(r" *#+\.+", nacc)  # member; a source shows it last in April 2014
    legend = "\n".join(lines)
    assert "~~ reported only (one party's word, or a report" in legend
    assert "reported-dissolved, restricted, under-review" in legend
    assert ".. not recorded: the last state carried on" in legend
    assert "A blank lane has no state recorded yet" in legend


def test_a_terminal_keeps_the_kinds_colour_for_reported_and_not_recorded(
    picture: Chart,
) -> None:
    lines = _lines(picture, plain=False)
    plain = [line.plain for line in lines]
    act = lines[plain.index("NATO-Russia Founding Act") + 1]
    reported = act.plain.index("\u259a")
    styles = {str(span.style) for span in act.spans if span.start <= reported < span.end}
    assert styles == {chart_text.KIND_STYLES[StateClass.ENDED]}
    nacc = lines[
        plain.index("North Atlantic Cooperation Council / Euro-Atlantic Partnership Council") + 1
    ]
    dotted = nacc.plain.index("\u00b7")
    styles = {str(span.style) for span in nacc.spans if span.start <= dotted < span.end}
    assert styles == {chart_text.KIND_STYLES[StateClass.OPEN]}
    assert any(line.plain.startswith("\u259a\u259a reported only") for line in lines)
    assert any(line.plain.startswith("\u00b7\u00b7 not recorded") for line in lines)


# --- drawn in SVG


def test_the_svg_draws_each_evidence_apart(picture: Chart) -> None:
    root = ET.fromstring(chart_svg.render(picture))
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    spans = [r for r in root.iter(f"{SVG}rect") if "span" in (r.get("class") or "").split()]
    seen = set()
    for rect in spans:
        evidence = rect.get("data-evidence")
        seen.add(evidence)
        fill = rect.get("fill") or ""
        if evidence == "known":
            assert fill.startswith("#") and rect.get("stroke-dasharray") is None
        elif evidence == "reported":
            assert rect.get("stroke-dasharray") and rect.get("fill-opacity")
        else:
            assert evidence == "not-recorded"
            assert fill.startswith("url(#") and fill[5:-1] in patterns
    assert seen == {"known", "reported", "not-recorded"}
    legend = {
        g.get("data-evidence"): g
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "legend-evidence"
    }
    assert set(legend) == {"reported", "not-recorded", "none"}
    words = " ".join(t.text or "" for t in legend["reported"].iter(f"{SVG}text"))
    assert words.startswith("reported only")
    swatch = legend["not-recorded"].find(f"{SVG}rect")
    assert swatch is not None and (swatch.get("fill") or "")[5:-1] in patterns
