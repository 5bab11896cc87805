"""Sources with what rests on them: the kind beside every source in a detail view,
`nrr sources --kind`, and `nrr source ID` listing every record that cites it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nato_russia import cite, query
from nato_russia.cli.app import app
from nato_russia.dates import parse_date
from nato_russia.model import RECORD_TYPES, Dataset, Source
from nato_russia.render import views
from nato_russia.render.rich_out import print_detail
from tests.conftest import render_at


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def section(detail: str, label: str) -> list[str]:
    """The indented lines under `label:` in a piped detail view."""
    lines = detail.splitlines()
    start = lines.index(f"{label}:") + 1
    found = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        found.append(line[2:])
    return found


def citing_by_scan(dataset: Dataset, source: Source) -> list[tuple[str, str]]:
    """What cites a source, found the slow way: every record of every type, looked at."""
    return sorted(
        (r.type_name, r.id)
        for r in dataset.all_records()
        if not isinstance(r, Source) and source.id in cite.cited_ids(r)
    )


# --- the kind next to each source ----------------------------------------------------------


def test_source_line_ends_with_the_kind() -> None:
    news = Source(
        id="n", title="Report", publisher="TASS", kind="news", tier="state-media", state="Russia"
    )
    assert views.source_line(news) == "Report, TASS [news; state-media of Russia]"
    official = Source(
        id="o",
        title="Founding Act",
        publisher="NATO",
        tier="official",
        kind="official-text",
        date=parse_date("1997-05-27"),
        url="https://example.org/act",
    )
    assert views.source_line(official) == (
        "Founding Act, NATO, 27 May 1997 <https://example.org/act> [official-text; official]"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("agreement", "founding-act"),
        ("event", "russia-joins-pfp-1994"),
        ("quotation", "lisbon-new-stage"),
        ("channel", "founding-act"),
    ],
)
def test_every_detail_view_shows_each_sources_kind(
    runner: CliRunner, bundled: Dataset, args: tuple[str, str]
) -> None:
    code, out, err = run(runner, *args)
    assert code == 0, err
    record = bundled.get(args[0], args[1])
    assert record is not None
    lines = section(out, "Sources")
    assert len(lines) == len(record.sources)  # type: ignore[union-attr]
    for source_id, line in zip(record.sources, lines, strict=True):  # type: ignore[union-attr]
        source = bundled.get("source", source_id)
        assert isinstance(source, Source)
        assert line.startswith(f"{source_id} \u2014 ")
        assert line.endswith(f" [{source.kind}; {views.tier_text(source)}]")


# --- nrr sources --kind ---------------------------------------------------------------------


def test_sources_kind_news_lists_only_and_every_news_source(
    runner: CliRunner, bundled: Dataset
) -> None:
    code, out, err = run(runner, "sources", "--kind", "news", "--format", "json")
    assert code == 0, err
    listed = json.loads(out)
    news = [s for s in bundled.of_type("source").values() if isinstance(s, Source)]
    news = [s for s in news if s.kind == "news"]
    assert {row["id"] for row in listed} == {s.id for s in news}
    assert {row["kind"] for row in listed} == {"news"}


def test_sources_kind_in_a_pipe_keeps_the_columns(runner: CliRunner) -> None:
    code, out, err = run(runner, "sources", "--kind", "official-text")
    assert code == 0, err
    header, *rows = out.splitlines()
    columns = header.split("\t")
    assert "Kind" in columns and "Cited by" in columns
    kinds = {row.split("\t")[columns.index("Kind")] for row in rows}
    assert kinds == {"official-text"} and rows


@pytest.mark.parametrize("typed", ["News", "news", "official text", "Official_Text"])
def test_a_kind_is_forgiving_of_case_and_spaces(typed: str) -> None:
    assert cite.resolve_kind(typed) in ("news", "official-text")


def test_an_unknown_kind_is_a_usage_error_with_the_kinds(runner: CliRunner) -> None:
    code, out, err = run(runner, "sources", "--kind", "newz")
    assert (code, out) == (2, "")
    assert err.startswith("Error: no source kind 'newz'. Did you mean: news?")
    assert "official-text" in err and len(err.splitlines()) == 1


def test_kind_and_limit_combine(runner: CliRunner) -> None:
    code, out, _ = run(runner, "sources", "--kind", "reprint", "--limit", "2", "--json")
    assert code == 0
    assert [row["kind"] for row in json.loads(out)] == ["reprint", "reprint"]


def test_the_kinds_are_the_schemas() -> None:
    assert set(cite.SOURCE_KINDS) == {
        "backgrounder",
        "official-text",
        "official-page",
        "government-page",
        "reprint",
        "news",
    }


# --- what rests on a source -----------------------------------------------------------------


def test_citing_records_are_exactly_those_that_cite_the_source(bundled: Dataset) -> None:
    """For every bundled source: the records whose sources or corrections name it, whichever
    types share their ids (founding-act is an agreement and a channel)."""
    for source in bundled.of_type("source").values():
        assert isinstance(source, Source)
        found = [(r.type_name, r.id) for r in query.citing_records(bundled, source.id)]
        assert sorted(found) == citing_by_scan(bundled, source), source.id
        assert len(found) == len(source.cited_by), source.id  # what `nrr sources` counts


def test_citing_records_come_by_type(bundled: Dataset) -> None:
    source = bundled.get("source", "founding-act-reprint-bits")
    assert isinstance(source, Source)
    order = list(RECORD_TYPES)
    types = [order.index(r.type_name) for r in query.citing_records(bundled, source.id)]
    assert types == sorted(types)


def test_a_correction_counts_as_citing(mini: Dataset) -> None:
    source = mini.get("source", "test-official")
    assert isinstance(source, Source)
    cited = {(r.type_name, r.id) for r in query.citing_records(mini, source.id)}
    assert ("actor", "alice") in cited  # only its correction names test-official
    assert ("agreement", "example-act") in cited


def test_source_detail_lists_every_record_that_cites_it(
    runner: CliRunner, bundled: Dataset
) -> None:
    code, out, err = run(runner, "source", "founding-act-reprint-bits")
    assert code == 0, err
    source = bundled.get("source", "founding-act-reprint-bits")
    assert isinstance(source, Source)
    lines = section(out, "Cited by")
    # Worked out here from the records themselves, not by the code the view uses.
    citing = [
        r.id
        for r in bundled.all_records()
        if source.id in getattr(r, "sources", ())
        or any(source.id in c.sources for c in getattr(r, "corrections", ()))
    ]
    shown = [line.split(" \u2014 ")[0] for line in lines]
    assert sorted(shown) == sorted(citing) and len(shown) > 1


def test_source_detail_names_the_citing_record_where_types_share_an_id(
    runner: CliRunner, bundled: Dataset
) -> None:
    # TASS's report is cited by the channel founding-act, not by the agreement of that id.
    source = bundled.get("source", "tass-nrc-no-longer-exists-2025")
    assert isinstance(source, Source)
    citing = [(r.type_name, r.id) for r in query.citing_records(bundled, source.id)]
    assert ("channel", "founding-act") in citing
    assert ("agreement", "founding-act") not in citing
    code, out, _ = run(runner, "source", source.id)
    assert code == 0
    lines = section(out, "Cited by")
    # Both are titled "NATO-Russia Founding Act": each citing record names its type.
    assert "founding-act \u2014 NATO-Russia Founding Act (channel)" in lines
    assert "founding-act \u2014 NATO-Russia Founding Act (agreement)" not in lines


def test_sources_tier_state_media_lists_only_and_every_state_media_source(
    runner: CliRunner, bundled: Dataset
) -> None:
    code, out, _ = run(runner, "sources", "--tier", "State media", "--format", "json")
    assert code == 0
    listed = {s["id"] for s in json.loads(out)}
    sources = [s for s in bundled.of_type("source").values() if isinstance(s, Source)]
    wanted = {s.id for s in sources if s.tier == "state-media"}
    assert listed == wanted and "tass-cfe-withdrawal-2023-11-07" in listed


def test_every_source_says_its_tier_in_a_pipe(runner: CliRunner, bundled: Dataset) -> None:
    code, out, _ = run(runner, "sources")
    assert code == 0
    header, *rows = out.splitlines()
    at = header.split("\t").index("Tier")
    tiers = {row.split("\t")[1]: row.split("\t")[at] for row in rows}
    assert tiers["tass-cfe-withdrawal-2023-11-07"] == "state-media"
    assert set(tiers.values()) <= set(cite.SOURCE_TIERS)
    assert len(tiers) == len(bundled.of_type("source"))


def test_an_unknown_tier_is_a_usage_error_naming_the_tiers(runner: CliRunner) -> None:
    code, out, err = run(runner, "sources", "--tier", "stat")
    assert (code, out) == (2, "")
    assert "Did you mean: state-media?" in err and "research-institute" in err


@pytest.mark.parametrize("width", [40, 80, 120])
def test_a_detail_view_at_a_terminal_shows_each_sources_tier(bundled: Dataset, width: int) -> None:
    record = bundled.get("event", "cfe-suspension-2023-11-07")
    assert record is not None
    out = render_at(width, lambda c: print_detail(views.detail_view(bundled, record), c))
    flat = " ".join(out.split())
    assert "TASS [news; state-media of Russia]" in flat
    assert "[news; news-agency]" in flat


def test_a_markdown_detail_shows_each_sources_tier(runner: CliRunner) -> None:
    code, out, _ = run(runner, "event", "cfe-suspension-2023-11-07", "--format", "markdown")
    assert code == 0
    assert "TASS (news; state-media of Russia)" in out
