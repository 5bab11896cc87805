"""nrr chart: lanes that agree with nrr status, a picture that fits 40 to 300 columns, plain in
a pipe, and an SVG that is well-formed, small, escapes its data and matches docs/chart.svg."""

from __future__ import annotations

import datetime as dt
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from nato_russia import chart
from nato_russia.chart import Band, Chart, Lane, Span, StateClass, classify
from nato_russia.cli import app as cli
from nato_russia.cli import common
from nato_russia.dates import parse_date
from nato_russia.model import Dataset
from nato_russia.render import chart_svg, chart_text
from nato_russia.status import coverage, status_on
from tests.conftest import ROOT, render_at

DOCS_SVG = ROOT / "docs" / "chart.svg"
REGENERATE = "uv run nrr chart --svg docs/chart.svg --force"
SVG = "{http://www.w3.org/2000/svg}"
ANSI = "\x1b"
HOSTILE = '<script>alert("x")</script> & [bold red]not markup[/] ]]>'


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def picture(bundled: Dataset) -> Chart:
    return chart.build(bundled)


# --- what the picture says


@pytest.mark.parametrize(
    "day", ["1996-06-01", "1999-06-01", "2003-01-01", "2008-10-01", "2014-06-01", "2023-12-31"]
)
def test_each_lane_holds_the_state_nrr_status_gives(
    bundled: Dataset, picture: Chart, day: str
) -> None:
    when = dt.date.fromisoformat(day)
    lanes = {lane.channel: lane for lane in picture.lanes}
    for state in status_on(bundled, when).channels:
        if not state.settled:  # inside a month-precision change: status does not guess
            continue
        holding = [s for s in lanes[state.channel.id].spans if s.start <= when <= s.end]
        assert [s.state for s in holding] == [state.change.state], (day, state.channel.id)
        assert holding[0].change == state.change.id


def test_a_lane_starts_at_its_first_change_and_ends_with_the_data(
    bundled: Dataset, picture: Chart
) -> None:
    covered = coverage(bundled)
    assert covered is not None
    nrc = next(lane for lane in picture.lanes if lane.channel == "nrc")
    assert nrc.spans[0].start == dt.date(2002, 5, 28)
    assert nrc.spans[-1].end == covered.last == picture.end
    # A change known only to its month starts on the month's first day, and says so.
    mission = next(lane for lane in picture.lanes if lane.channel == "russian-mission")
    assert (mission.spans[0].start, mission.spans[0].approximate) == (dt.date(1997, 10, 1), True)
    assert picture.start == dt.date(covered.first.year, 1, 1)
    assert "February 2026" in picture.title


def test_lanes_follow_the_order_of_nrr_status(bundled: Dataset, picture: Chart) -> None:
    shown = [s.channel.id for s in status_on(bundled, dt.date(2026, 2, 28)).channels]
    assert [lane.channel for lane in picture.lanes] == shown


def test_events_are_counted_per_year(bundled: Dataset, picture: Chart) -> None:
    assert picture.events == len(bundled.events())
    counts = dict(picture.per_year)
    assert counts[1997] == sum(1 for e in bundled.events() if e.date.earliest().year == 1997)
    (year, most), *_ = picture.densest()
    assert most == max(counts.values()) and counts[year] == most


@pytest.mark.parametrize(
    ("state", "kind"),
    [
        ("active", StateClass.OPEN),
        ("in-force", StateClass.OPEN),
        ("restricted", StateClass.LIMITED),
        ("suspended-by-nato", StateClass.SUSPENDED),
        ("closed", StateClass.ENDED),
        # States of user data, read by their words.
        ("closure-planned-and-announced", StateClass.LIMITED),
        ("suspended-by-norway", StateClass.SUSPENDED),
        ("dissolved", StateClass.ENDED),
        ("thriving", StateClass.OTHER),
    ],
)
def test_states_are_read_as_a_few_kinds(state: str, kind: StateClass) -> None:
    assert classify(state) is kind


def test_every_bundled_state_has_a_kind(bundled: Dataset) -> None:
    states = {s for c in bundled.of_type("channel").values() for s in getattr(c, "states", ())}
    assert {s for s in states if classify(s) is StateClass.OTHER} == set()


def test_a_range_draws_only_its_years(bundled: Dataset) -> None:
    part = chart.build(bundled, earliest=dt.date(2008, 1, 1), latest=dt.date(2016, 12, 31))
    assert part.title == "NATO\u2013Russia relations, 2008 to 2016"
    assert [year for year, _ in part.per_year] == list(range(2008, 2017))
    for lane in part.lanes:
        assert all(part.start <= s.start <= s.end <= part.end for s in lane.spans)


# --- the terminal picture


@pytest.mark.parametrize("width", [40, 80, 200])
def test_the_picture_fits_the_width(picture: Chart, width: int) -> None:
    text = render_at(width, lambda console: chart_text.draw(picture, console))
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= width
    for lane in picture.lanes:
        assert lane.title[:20] in text  # each lane is named, whole or cut
    assert any(line.lstrip().startswith("1990 ") for line in lines)  # the year axis
    assert "active, open or in force" in text and "most in 1997 (" in text
    assert "\u2588" in text  # the lanes are drawn in blocks


def test_fewer_year_labels_where_there_is_less_room(picture: Chart) -> None:
    def labels(width: int) -> list[str]:
        lines = chart_text.render_lines(picture, width, plain=True)
        rows = (line.plain.split() for line in lines)
        return next(row for row in rows if row[:1] == ["1990"] and all(w.isdigit() for w in row))

    narrow, wide = labels(40), labels(200)
    assert narrow == [str(year) for year in range(1990, 2021, 5)]
    assert wide[:3] == ["1990", "1992", "1994"] and len(narrow) < len(wide)


def test_a_year_label_stands_over_its_year(picture: Chart) -> None:
    lines = [line.plain for line in chart_text.render_lines(picture, 80, plain=True)]
    axis = next(line for line in lines if line.startswith("1990"))
    mission = lines[lines.index("Russian mission to NATO") + 1]
    at = axis.index("2000")
    # The mission was reduced from March 1999: the lane's first limited cell is just before
    # the 2000 label, in the column of 1999.
    assert mission.index("=") in range(at - 3, at)


def test_widths_outside_40_to_300_are_brought_within(picture: Chart) -> None:
    assert max(len(t.plain) for t in chart_text.render_lines(picture, 10, plain=True)) <= 40
    assert max(len(t.plain) for t in chart_text.render_lines(picture, 999, plain=True)) <= 300


def test_data_is_never_read_as_rich_markup() -> None:
    hostile = _hostile_chart()
    text = render_at(80, lambda console: chart_text.draw(hostile, console))
    assert "[bold red]not markup[/]" in text


def test_in_a_pipe_the_picture_is_plain(runner: CliRunner) -> None:
    code, out, _ = run(runner, "chart", "--width", "40")
    assert code == 0
    assert ANSI not in out and "\u2588" not in out
    assert max(len(line) for line in out.splitlines()) <= 40
    assert "## active, open or in force" in out
    assert "NATO-Russia Council\n" in out


def test_at_a_terminal_the_picture_has_colour(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = {"is_tty": True, "width": 80, "height": 1000, "color": True, "pager": None}
    monkeypatch.setattr(common, "TERMINAL_OVERRIDES", overrides)
    code, out, _ = run(runner, "chart")
    assert code == 0
    assert ANSI + "[" in out and "\u2588" in out


def test_a_topic_keeps_its_channels_and_events(runner: CliRunner, bundled: Dataset) -> None:
    code, out, _ = run(runner, "chart", "--topic", "arms-control", "--width", "120")
    assert code == 0
    assert "topic arms-control" in out
    assert "New START" in out and "NATO Military Liaison Mission" not in out
    tagged = [e for e in bundled.events() if "arms-control" in e.topics]
    assert f"Events: {len(tagged)} in all" in out


def test_an_unknown_topic_or_empty_range_is_refused(runner: CliRunner) -> None:
    code, _, err = run(runner, "chart", "--topic", "no-such-topic")
    assert code == 1 and "no-such-topic" in err
    code, _, err = run(runner, "chart", "--from", "2010", "--to", "2000")
    assert code == 2 and "nothing lies between" in err


def test_a_range_past_the_data_says_so(runner: CliRunner) -> None:
    code, out, err = run(runner, "chart", "--from", "2024", "--to", "2027")
    assert code == 0
    assert "nothing after February 2026 is recorded" in err
    assert "The lanes stop where the data ends." in out


# --- the SVG


def test_the_svg_is_well_formed_small_and_text(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "chart.svg"
    code, _, err = run(runner, "chart", "--svg", str(target))
    assert code == 0 and f"wrote {target}" in err
    raw = target.read_bytes()
    assert len(raw) < 200_000
    root = ET.fromstring(raw)
    assert root.tag == f"{SVG}svg"
    lanes = root.findall(f".//{SVG}g[@class='lane']")
    assert [lane.get("data-channel") for lane in lanes][:3] == ["nacc-eapc", "pfp", "pjc"]
    words = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert {"NATO-Russia Council", "1990", "2024", "Events per year"} <= words
    # The same bytes on standard output.
    code, out, _ = run(runner, "chart", "--svg", "-")
    assert code == 0 and out.encode("utf-8") == raw


def test_an_svg_is_never_written_over_by_accident(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "chart.svg"
    target.write_text("mine", encoding="utf-8")
    code, _, err = run(runner, "chart", "--svg", str(target))
    assert code == 1 and "add --force" in err
    assert target.read_text(encoding="utf-8") == "mine"
    assert run(runner, "chart", "--svg", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8").startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.svg"]  # no temporary left


def test_an_svg_named_as_a_directory_is_refused_as_export_o_is(
    runner: CliRunner, tmp_path: Path
) -> None:
    code, out, err = run(runner, "chart", "--svg", f"{tmp_path}/new/")
    assert (code, out) == (2, "")
    assert "names a directory; give a file name" in err
    assert list(tmp_path.iterdir()) == []
    if os.sep == "/":  # a backslash is part of a POSIX file name, not a directory's end
        assert run(runner, "chart", "--svg", str(tmp_path / "odd\\"))[0] == 0
        assert [p.name for p in tmp_path.iterdir()] == ["odd\\"]


def test_the_svg_escapes_user_data(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "mine"
    data.mkdir()
    (data / "channels.yaml").write_text(
        "- id: hostile\n"
        f"  title: {_yaml(HOSTILE)}\n"
        "  order: 99\n"
        "  summary: A channel whose title is markup.\n"
        "  states: [open-for-now, shut]\n"
        "  sources: [backgrounder-2015-12]\n",
        encoding="utf-8",
    )
    (data / "state_changes.yaml").write_text(
        "- id: hostile-opened\n"
        "  channel: hostile\n"
        "  date: '2005-03'\n"
        "  state: open-for-now\n"
        f"  title: {_yaml(HOSTILE)}\n"
        "  summary: It opened.\n"
        "  sources: [backgrounder-2015-12]\n",
        encoding="utf-8",
    )
    target = tmp_path / "chart.svg"
    code, _, err = run(runner, "chart", "--data", str(data), "--svg", str(target))
    assert code == 0, err
    raw = target.read_text(encoding="utf-8")
    assert "<script" not in raw
    root = ET.fromstring(raw.encode("utf-8"))
    assert not [e for e in root.iter() if "script" in e.tag]
    lane = root.find(f".//{SVG}g[@data-channel='hostile']")
    assert lane is not None
    assert lane.findtext(f"{SVG}title") == HOSTILE
    span = lane.find(f"{SVG}rect[@data-state='open-for-now']")
    assert span is not None and span.get("data-start") == "2005-03-01"


def test_the_svg_survives_characters_xml_cannot_hold() -> None:
    hostile = _hostile_chart(title="bell\x07 and nul\x00 " + HOSTILE)
    root = ET.fromstring(chart_svg.render(hostile).encode("utf-8"))
    labels = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any(label.startswith("bell\ufffd and nul\ufffd <script>") for label in labels)


def test_docs_chart_svg_is_up_to_date(bundled: Dataset) -> None:
    """The README shows docs/chart.svg: it must be what the data draws today."""
    assert DOCS_SVG.is_file(), f"{DOCS_SVG} is missing: run `{REGENERATE}`"
    fresh = chart_svg.render(chart.build(bundled))
    assert DOCS_SVG.read_text(encoding="utf-8") == fresh, f"docs/chart.svg is stale: `{REGENERATE}`"


def _yaml(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _hostile_chart(title: str = HOSTILE) -> Chart:
    start, end = dt.date(2000, 1, 1), dt.date(2009, 12, 31)
    span = Span(start, end, "open", StateClass.OPEN, "x-opened", parse_date("2000"), True)
    band = Band("p", "A", title, parse_date("2000/2009"), start, end)
    return Chart(
        start=start,
        end=end,
        data_end=end,
        title=title,
        lanes=(Lane("x", title, (span,)),),
        bands=(band,),
        per_year=tuple((year, 1) for year in range(2000, 2010)),
    )
