"""--format on every kind of command: whole outputs for the fixture, and the rules each
format promises (RFC 4180 CSV, no formula cells, escaped Markdown, empty results)."""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
from collections.abc import Callable

import cmarkgfm  # type: ignore[import-untyped]
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from nato_russia.cli import common
from nato_russia.cli import search as search_command
from nato_russia.cli.app import app
from nato_russia.model import Dataset, Event
from nato_russia.render import delimited, flat, markdown

Expected = Callable[[str, str], None]
pytestmark = pytest.mark.usefixtures("use_mini")


def run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes.decode()  # .stdout would turn CSV's CRLF into LF


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv", "markdown"])
@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("timeline", ["timeline"]),
        ("agreements", ["agreements"]),
        ("sources", ["sources"]),
        ("event", ["event", "summit-1990"]),
        ("quotation", ["quotation", "act-quote"]),
        ("search", ["search", "missile"]),
    ],
)
def test_whole_output(
    runner: CliRunner, expected: Expected, name: str, command: list[str], fmt: str
) -> None:
    expected(f"{name}.{fmt}", run(runner, *command, "--format", fmt))


def test_json_flag_is_short_for_format_json(runner: CliRunner) -> None:
    assert run(runner, "timeline", "--json") == run(runner, "timeline", "--format", "json")


def test_json_flag_and_another_format_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["timeline", "--json", "--format", "csv"])
    assert result.exit_code == 2
    assert "--json is short for --format json" in result.stderr


def test_format_table_draws_a_table_even_in_a_pipe(runner: CliRunner) -> None:
    out = run(runner, "timeline", "--format", "table")
    assert "NATO-Russia timeline" in out
    assert out.splitlines()[1].split()[:3] == ["Date", "Event", "ID"]  # a list, a line an event
    assert "[bold]x[/] summit" in out
    assert "\x1b[" not in out


@pytest.mark.parametrize(
    ("fmt", "output"),
    [
        ("json", "[]\n"),
        ("jsonl", ""),
        ("csv", ",".join(flat.record_columns("event")) + "\r\n"),
        ("tsv", "\t".join(flat.record_columns("event")) + "\n"),
        (
            "markdown",
            "# NATO-Russia timeline\n\n| Date | ID | Event | Place |\n| --- | --- | --- | --- |\n",
        ),
    ],
)
def test_empty_result_is_not_an_error(runner: CliRunner, fmt: str, output: str) -> None:
    assert run(runner, "timeline", "--from", "2030", "--format", fmt) == output


def test_search_without_results_gives_a_header_row(runner: CliRunner) -> None:
    result = runner.invoke(app, ["search", "zzzz", "--format", "csv"])
    assert result.exit_code == 1  # nothing matched, as grep says
    assert result.stdout_bytes.decode() == ",".join(flat.HIT_COLUMNS) + "\r\n"


def test_csv_reads_back_value_for_value(runner: CliRunner, mini: Dataset) -> None:
    rows = list(csv.DictReader(io.StringIO(run(runner, "timeline", "--format", "csv"), newline="")))
    assert [r["id"] for r in rows] == ["summit-1990", "year-only-1994", "joins-1994", "act-signed"]
    for row in rows:
        event = mini.get("event", row["id"])
        assert isinstance(event, Event)
        assert {k: delimited.restore_cell(v) for k, v in row.items()} == flat.record_row(event)
        assert row["title"] == event.title
        assert tuple(row["actors"].split("; ")) == event.actors or not event.actors
        assert row["date"] == str(event.date)
    june = rows[2]
    assert (june["date_start"], june["date_end"], june["precision"]) == (
        "1994-06-01",
        "1994-06-30",
        "month",
    )
    assert (june["year"], june["month"], june["day"]) == ("1994", "6", "")


def _with_formula_title(dataset: Dataset, title: str) -> Dataset:
    event = dataset.get("event", "joins-1994")
    assert isinstance(event, Event)
    events = {**dataset.of_type("event"), event.id: dataclasses.replace(event, title=title)}
    return Dataset({**dataset.records, "event": events})


@pytest.mark.parametrize(
    "title",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+1",
        "-2+3",
        "@SUM(A1)",
        '"=HYPERLINK(""http://evil.example"",""x"")"',
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_no_cell_starts_a_formula(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, mini: Dataset, title: str, fmt: str
) -> None:
    dataset = _with_formula_title(mini, title)
    monkeypatch.setattr(common, "load_dataset", lambda *a, **k: dataset)
    out = run(runner, "timeline", "--format", fmt)
    delimiter = "," if fmt == "csv" else "\t"
    rows = list(csv.reader(io.StringIO(out, newline=""), delimiter=delimiter))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", '"')]
    assert f"'{title}" in cells
    assert delimited.restore_cell(f"'{title}") == title


@given(st.text())
def test_neutralised_cells_restore_exactly(value: str) -> None:
    safe = delimited.neutralise_cell(value)
    assert not safe.startswith(delimited.FORMULA_STARTS)
    assert delimited.restore_cell(safe) == value


@given(st.lists(st.text(alphabet=st.characters(exclude_categories=["Cs"])), min_size=1, max_size=4))
def test_csv_round_trips_any_text(values: list[str]) -> None:
    columns = [f"c{i}" for i in range(len(values))]
    out = io.StringIO()
    delimited.write_csv(columns, [dict(zip(columns, values, strict=True))], out)
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows[0] == columns
    assert [delimited.restore_cell(v) for v in rows[1]] == values


_MD = MarkdownIt("commonmark").enable("table")


def _shown_text(source: str) -> str:
    """What a Markdown renderer shows of a paragraph: its inline text, markup removed."""
    tokens = _MD.parse(source)
    inline = [t for t in tokens if t.type == "inline"]
    texts = []
    for token in inline:
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                texts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                texts.append(" ")
            else:
                raise AssertionError(f"{source!r} became markup: {child.type}")
    return "".join(texts)


@given(st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), min_size=1))
@example("1. The member states")
@example("1997) was")
@example("Vote on resolution #")
@example("- + > = #heading")
def test_markdown_shows_any_text_literally(text: str) -> None:
    flat_text = " ".join(text.split())
    if not flat_text:
        return
    assert _shown_text(markdown.escape(text)) == flat_text
    assert _shown_text("# " + markdown.escape(text)) == flat_text  # as a heading too


@pytest.mark.parametrize(
    "text",
    ["see https://evil.example/x", "WWW.evil.example", "ftp://files.example", "1. x", "a # b #"],
)
def test_github_shows_data_literally(text: str) -> None:
    """GitHub's own renderer (cmark-gfm) links bare addresses; escaped data stays text."""
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown.escape(text))
    assert rendered == f"<p>{html.escape(text, quote=False)}</p>\n"


def test_markdown_agreements_render_as_a_table(runner: CliRunner) -> None:
    html = _MD.render(run(runner, "agreements", "--format", "markdown"))
    assert html.startswith("<h1>Agreements</h1>\n<table>")
    assert "<td>Example Act</td>" in html


def test_markdown_sources_are_links(runner: CliRunner) -> None:
    html = _MD.render(run(runner, "agreement", "example-act", "--format", "markdown"))
    assert '<a href="https://example.org/official">Official text</a>' in html
    assert "<h2>Sources</h2>" in html
    quote = _MD.render(run(runner, "quotation", "act-quote", "--format", "markdown"))
    assert "<blockquote>" in quote


def test_search_formats_give_every_hit_in_a_pipe(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_command, "PIPED_LIMIT", 1)
    assert len(run(runner, "search", "missile").splitlines()) == 1 + 1  # header and one hit
    for fmt in ("json", "jsonl", "csv", "tsv", "markdown"):
        out = run(runner, "search", "missile", "--format", fmt)
        assert out.count("summit-1990") == 1 and out.count("example-act") == 1, fmt


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("timeline", ["timeline"]),
        ("event", ["event", "summit-1990"]),
        ("search", ["search", "missile"]),
    ],
)
def test_whole_table_output_at_a_pinned_width(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    expected: Expected,
    name: str,
    command: list[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    expected(f"{name}.table", run(runner, *command, "--format", "table"))


def test_json_lines_escape_every_line_break() -> None:
    from nato_russia.render import json_out

    out = io.StringIO()
    value = {"text": "a\u2028b\u2029c\x85d\ne"}
    json_out.write_json_line(value, out)
    assert len(out.getvalue().splitlines()) == 1
    assert json.loads(out.getvalue()) == value
