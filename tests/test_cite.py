"""`nrr cite`: references a reader can paste, and files that real clients read back.

The CSL-JSON is rendered by citeproc-py in a standard style, the BibTeX parsed by
bibtexparser; each must give back the title, the date and the address of every source."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

# The documented 2.x entry point; the package re-exports it without listing it in __all__.
from bibtexparser import parse_string  # type: ignore[attr-defined]
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import (  # type: ignore[import-untyped]
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc.latex2text import (  # type: ignore[import-untyped]
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)
from typer.testing import CliRunner

from nato_russia import cite
from nato_russia.cli.app import app
from nato_russia.dates import parse_date
from nato_russia.model import Dataset, Quotation, Source
from nato_russia.render.formats import CitationStyle

FOUNDING_ACT_CHICAGO = (
    "\u201cFounding Act on Mutual Relations, Cooperation and Security between NATO and the "
    "Russian Federation (reprint).\u201d Berlin Information-center for Transatlantic Security "
    "(BITS). May 27, 1997. Accessed December 1, 2026. https://bits.de/NRANEU/docs/FAmenu.html."
)

# Every character TeX gives a meaning to, in a title, a publisher and a note.
HOSTILE = r"Fish & chips: 100% of $5, #1 a_b {braced} ~tilde ^caret back\slash"


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def paragraphs(text: str) -> list[str]:
    return text.rstrip("\n").split("\n\n")


def sources_of(dataset: Dataset, *ids: str) -> list[Source]:
    found = [dataset.get("source", i) for i in ids]
    return [s for s in found if isinstance(s, Source)]


# --- the text styles, on the bundled data -------------------------------------------------


def test_chicago_for_the_founding_act_can_be_pasted(runner: CliRunner, bundled: Dataset) -> None:
    code, out, err = run(runner, "cite", "founding-act", "--style", "chicago")
    assert code == 0, err
    refs = paragraphs(out)
    # The Act's text first (no official copy is cited, so the reprint of it), then the rest.
    assert refs[0] == FOUNDING_ACT_CHICAGO
    agreement = bundled.get("agreement", "founding-act")
    assert agreement is not None
    assert len(refs) == len(cite.cited_ids(agreement))
    for ref in refs:
        assert "\n" not in ref and "  " not in ref  # one paragraph each, as pasted
        assert ref.startswith("\u201c") and ref.endswith(".")
    # founding-act is also a channel: which one was cited, and how to cite the other.
    assert "nrr cite channel:founding-act" in err


def test_chicago_is_the_default_style(runner: CliRunner) -> None:
    assert (
        run(runner, "cite", "founding-act")[1]
        == run(runner, "cite", "founding-act", "--style", "chicago")[1]
    )


def test_every_text_style_gives_title_publisher_date_address_and_access_date(
    runner: CliRunner, bundled: Dataset
) -> None:
    agreement = bundled.get("agreement", "founding-act")
    assert agreement is not None
    sources = cite.cited_sources(bundled, agreement)
    dated = {"chicago": "May 27, 1997", "apa": "(1997, May 27)", "mla": "27 May 1997"}
    accessed = {
        "chicago": "Accessed December 1, 2026.",
        "apa": "Retrieved December 1, 2026, from ",
        "mla": "Accessed 1 Dec. 2026.",
    }
    for style in ("chicago", "apa", "mla"):
        code, out, err = run(runner, "cite", "founding-act", "--style", style)
        assert code == 0, err
        for source, ref in zip(sources, paragraphs(out), strict=True):
            assert source.title in ref and source.publisher in ref, (style, ref)
            if source.url:
                assert source.url in ref and accessed[style] in ref, (style, ref)
            else:
                assert "ccessed" not in ref and "Retrieved" not in ref, (style, ref)
            if source.date is not None and str(source.date) == "1997-05-27":
                assert dated[style] in ref, (style, ref)
        if style == "apa":  # a source without a date is (n.d.), never a made-up year
            assert "NATO summary of 1995. (n.d.). NATO." in out


def test_the_official_text_comes_first(mini: Dataset) -> None:
    agreement = mini.get("agreement", "example-act")
    assert agreement is not None
    assert agreement.sources == ("test-source", "test-official")  # type: ignore[union-attr]
    assert [s.id for s in cite.cited_sources(mini, agreement)] == [
        "test-official",
        "test-source",
    ]


def test_a_record_rests_on_its_sources_and_those_of_its_corrections(mini: Dataset) -> None:
    alice = mini.get("actor", "alice")
    assert alice is not None
    assert cite.cited_ids(alice) == ["test-source", "test-official"]
    source = mini.get("source", "test-official")
    assert source is not None
    assert cite.cited_ids(source) == ["test-official"]  # a source cites itself


def test_any_record_type_and_type_prefix(runner: CliRunner, bundled: Dataset) -> None:
    code, out, err = run(runner, "cite", "channel:founding-act", "--style", "bibtex")
    assert code == 0, err
    channel = bundled.get("channel", "founding-act")
    assert channel is not None
    keys = [e.key for e in parse_string(out).entries]
    assert sorted(keys) == sorted(cite.cited_ids(channel))
    assert err == ""
    # A source's own id cites that source alone; a title works as the detail commands take it.
    code, out, _ = run(runner, "cite", "founding-act-reprint-bits", "--style", "bibtex")
    assert [e.key for e in parse_string(out).entries] == ["founding-act-reprint-bits"]
    by_title = run(runner, "cite", "NATO-Russia Founding Act")[1]
    assert by_title == run(runner, "cite", "founding-act")[1]


def test_an_unknown_id_suggests_and_exits_1(runner: CliRunner) -> None:
    code, out, err = run(runner, "cite", "founding-axt")
    assert (code, out) == (1, "")
    assert err.startswith("Error: no record 'founding-axt'. Did you mean: founding-act")
    assert len(err.splitlines()) == 1


def test_an_unknown_style_is_a_usage_error(runner: CliRunner) -> None:
    code, out, err = run(runner, "cite", "founding-act", "--style", "harvard")
    assert (code, out) == (2, "")
    assert "harvard" in err


# --- CSL-JSON read back by citeproc-py ----------------------------------------------------


def harvard(items: list[dict[str, Any]]) -> list[str]:
    """Each item as citeproc-py renders it in the Harvard (Cite Them Right) style it ships:
    one bibliography per item, since a bibliography sorts its entries by the style's rules."""
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    rendered = []
    for item in items:
        bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
        bibliography.register(Citation([CitationItem(item["id"])]))
        (entry,) = bibliography.bibliography()
        rendered.append(str(entry))
    return rendered


def test_csl_json_is_rendered_by_citeproc_with_title_date_and_url(
    runner: CliRunner, bundled: Dataset
) -> None:
    code, out, err = run(runner, "cite", "founding-act", "--style", "csl-json")
    assert code == 0, err
    items = json.loads(out)
    agreement = bundled.get("agreement", "founding-act")
    assert agreement is not None
    sources = cite.cited_sources(bundled, agreement)
    assert [item["id"] for item in items] == [s.id for s in sources]
    for source, text in zip(sources, harvard(items), strict=True):
        assert source.title in text and source.publisher in text, text
        if source.date is not None:
            assert str(source.date.start.year) in text, text
        else:
            assert "(no date)" in text, text
        if source.url:
            assert f"Available at: {source.url} (Accessed: December 1, 2026)" in text, text


def test_csl_json_dates_and_the_access_date_are_date_parts(runner: CliRunner) -> None:
    items = json.loads(run(runner, "cite", "founding-act", "--style", "csl-json")[1])
    by_id = {item["id"]: item for item in items}
    assert by_id["founding-act-reprint-bits"]["issued"] == {"date-parts": [[1997, 5, 27]]}
    assert by_id["backgrounder-2015-12"]["issued"] == {"date-parts": [[2015, 12]]}
    assert "accessed" not in by_id["backgrounder-2015-12"]  # no address, so none was checked
    assert by_id["founding-act-reprint-bits"]["accessed"] == {"date-parts": [[2026, 12, 1]]}
    assert "issued" not in by_id["nato-update-1995-summary"]  # undated stays undated


# --- BibTeX read back by bibtexparser -----------------------------------------------------


def latex_decoder() -> LatexDecodingMiddleware:
    """bibtexparser's own LaTeX decoding (pylatexenc), told that \\textasciicircum is the
    ASCII caret (pylatexenc turns it into U+02C6, a modifier letter, which LaTeX does not),
    and that \\textbraceleft and \\textbraceright are braces, as LaTeX prints them."""
    context = get_default_latex_context_db()
    context.add_context_category(
        "as-latex-prints",
        macros=[
            MacroTextSpec("textasciicircum", "^"),
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
        ],
        prepend=True,
    )
    return LatexDecodingMiddleware(decoder=LatexNodes2Text(latex_context=context))


def read_bibtex(text: str) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """Entries by key: as decoded from LaTeX (the text fields), and raw (the address, which
    TeX reads verbatim and decoding would mangle)."""
    raw = parse_string(text)
    decoded = parse_string(text, append_middleware=[latex_decoder()])
    for library in (raw, decoded):
        assert not library.failed_blocks
    return (
        {e.key: {f.key: f.value for f in e.fields} for e in decoded.entries},
        {e.key: {f.key: f.value for f in e.fields} for e in raw.entries},
    )


def test_bibtex_is_parsed_by_bibtexparser_with_title_date_and_url(
    runner: CliRunner, bundled: Dataset
) -> None:
    code, out, err = run(runner, "cite", "founding-act", "--style", "bibtex")
    assert code == 0, err
    decoded, raw = read_bibtex(out)
    agreement = bundled.get("agreement", "founding-act")
    assert agreement is not None
    sources = cite.cited_sources(bundled, agreement)
    assert list(decoded) == [s.id for s in sources]
    for source in sources:
        entry = decoded[source.id]
        assert entry["title"] == source.title
        assert entry["howpublished"] == entry["publisher"] == source.publisher
        if source.date is not None:
            assert entry["date"] == str(source.date)
            assert entry["year"] == str(source.date.start.year)
        if source.url:
            assert raw[source.id]["url"] == source.url
            assert entry["urldate"] == "2026-12-01"
    assert raw["founding-act-reprint-bits"]["month"] == "may"  # the macro, unbraced
    assert raw["founding-act-reprint-bits"]["title"].startswith("{")  # capitals kept


def write_hostile_dataset(root: Path, *, checked: tuple[str, ...] = ("2026-12-01",)) -> Path:
    """A dataset whose sources hold every TeX special character, a range of days, a month, no
    date and no address."""
    data = root / "hostile"
    data.mkdir()
    datasets = "".join(
        f"""
        - id: hostile-{n}
          title: A dataset checked on {day}
          covers: '1990/1991'
          checked: '{day}'
          summary: For tests.
          sources: [plain-source]
        """
        for n, day in enumerate(checked)
    )
    files = {
        "datasets.yaml": datasets,
        "sources.yaml": f"""
        - id: plain-source
          title: A plain report
          publisher: News agency
          kind: news
          tier: other
          date: '1991-03'
        - id: hostile-source
          title: '{HOSTILE}'
          publisher: '{HOSTILE}'
          kind: reprint
          tier: other
          date: '1990-07-05/1990-07-06'
          url: 'https://example.org/a_b/{{x}}?q=1&r=%41#frag'
          note: '{HOSTILE}'
        - id: official-source
          title: Official text, undated
          publisher: NATO
          kind: official-text
          tier: other
          url: https://example.org/official
        """,
        "periods.yaml": """
        - id: early
          title: Early
          date: '1990/1991'
          order: 1
          summary: Early years.
          sources: [plain-source]
        """,
        "events.yaml": """
        - id: hostile-event
          title: Something happened
          date: '1990-07-05'
          summary: It did.
          period: early
          sources: [plain-source, hostile-source, official-source]
        """,
    }
    for name, text in files.items():
        (data / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return data


def test_bibtex_escapes_every_special_character_and_reads_back_exactly(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = write_hostile_dataset(tmp_path)
    args = ("--data", str(data), "--no-bundled", "--no-cache")
    code, out, err = run(runner, "cite", "hostile-event", "--style", "bibtex", *args)
    assert code == 0, err
    decoded, raw = read_bibtex(out)
    assert list(decoded) == ["official-source", "hostile-source", "plain-source"]
    entry = decoded["hostile-source"]
    assert entry["title"] == entry["publisher"] == entry["annote"] == HOSTILE
    assert entry["date"] == "1990-07-05/1990-07-06" and entry["year"] == "1990"
    # The address is read verbatim: TeX escapes would become part of it. Its braces are
    # percent-encoded (the same address: RFC 3986 allows them only so); the rest is as given.
    assert raw["hostile-source"]["url"] == "https://example.org/a_b/%7Bx%7D?q=1&r=%41#frag"
    assert "month" not in raw["official-source"] and "year" not in raw["official-source"]
    assert raw["plain-source"]["month"] == "mar"


def test_text_styles_word_ranges_months_and_missing_dates(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = write_hostile_dataset(tmp_path)
    args = ("--data", str(data), "--no-bundled", "--no-cache")
    chicago = paragraphs(run(runner, "cite", "hostile-event", *args)[1])
    assert chicago[0] == (
        "\u201cOfficial text, undated.\u201d NATO. Accessed December 1, 2026. "
        "https://example.org/official."
    )
    assert "July 5\u20136, 1990. Accessed December 1, 2026." in chicago[1]
    assert chicago[2] == "\u201cA plain report.\u201d News agency. March 1991."
    apa = paragraphs(run(runner, "cite", "hostile-event", "--style", "apa", *args)[1])
    assert apa[0].startswith("Official text, undated. (n.d.). NATO. Retrieved December 1, 2026")
    assert "(1990, July 5\u20136)" in apa[1]
    assert apa[2] == "A plain report. (1991, March). News agency."
    mla = paragraphs(run(runner, "cite", "hostile-event", "--style", "mla", *args)[1])
    assert "5\u20136 July 1990" in mla[1]
    assert mla[2] == "\u201cA plain report.\u201d News agency, Mar. 1991."


def test_csl_json_of_hostile_text_renders_in_citeproc(runner: CliRunner, tmp_path: Path) -> None:
    data = write_hostile_dataset(tmp_path)
    args = ("--data", str(data), "--no-bundled", "--no-cache")
    items = json.loads(run(runner, "cite", "hostile-event", "--style", "csl-json", *args)[1])
    hostile = next(item for item in items if item["id"] == "hostile-source")
    assert hostile["title"] == HOSTILE  # JSON needs no escapes of TeX's
    assert hostile["issued"] == {"date-parts": [[1990, 7, 5], [1990, 7, 6]]}
    official, hostile_text, plain = harvard(items)
    assert "Available at: https://example.org/official (Accessed: December 1, 2026)" in official
    assert HOSTILE in hostile_text
    assert "Available at: https://example.org/a_b/{x}?q=1&r=%41#frag" in hostile_text
    assert "1991" in plain and "A plain report" in plain


def test_no_access_date_when_datasets_were_checked_on_different_days(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = write_hostile_dataset(tmp_path, checked=("2026-12-01", "2025-01"))
    args = ("--data", str(data), "--no-bundled", "--no-cache")
    code, out, err = run(runner, "cite", "hostile-event", *args)
    assert code == 0, err
    assert "Accessed" not in out
    assert "no access date is given" in err
    same = tmp_path / "same"
    same.mkdir()
    data = write_hostile_dataset(same, checked=("2025-01", "2025-01"))
    out = run(runner, "cite", "hostile-event", "--data", str(data), "--no-bundled")[1]
    assert "Accessed January 2025." in out


def test_dates_in_each_style() -> None:
    same_month = parse_date("1990-07-05/1990-07-06")
    across = parse_date("1997-05-27/1997-06-02")
    years = parse_date("1996/1997")
    assert cite.us_date(same_month) == "July 5\u20136, 1990"
    assert cite.us_date(across) == "May 27, 1997\u2013June 2, 1997"
    assert cite.us_date(years) == "1996\u20131997"
    assert cite.apa_date(across) == "(1997, May 27\u20131997, June 2)"
    assert cite.apa_date(parse_date("2015")) == "(2015)"
    assert cite.mla_date(parse_date("2014-09-04")) == "4 Sept. 2014"
    assert cite.mla_date(parse_date("2014-06")) == "June 2014"
    ref = cite.Reference("k", "T", "P", "news", years, None, None, None)
    assert "year = {1996--1997}" in cite.bibtex(ref) and "month" not in cite.bibtex(ref)


def test_a_title_ending_in_a_question_mark_gets_no_full_stop() -> None:
    ref = cite.Reference("k", "Is NATO obsolete?", "P", "news", None, None, None, None)
    assert cite.chicago(ref) == "\u201cIs NATO obsolete?\u201d P."
    assert cite.apa(ref) == "Is NATO obsolete? (n.d.). P."


# --- BibTeX read as BibTeX reads it (issue 20, F3) -----------------------------------------

_ENTRY = re.compile(r"\s*@(\w+)\{([^,\s]+),")
_FIELD = re.compile(r"\s*(\w+)\s*=\s*")
_MACRO = re.compile(r"\w+")
_COMMA = re.compile(r"\s*,")
_CLOSE = re.compile(r"\s*\}")


def read_as_bibtex_does(text: str) -> dict[str, dict[str, str]]:
    """Entries by key, their values raw, found as BibTeX, biber and pybtex find them: a
    braced value ends where its braces balance, and every brace counts, escaped (\\{) or
    not. bibtexparser is more forgiving, so it alone would not catch a value that runs on."""
    entries: dict[str, dict[str, str]] = {}
    at = 0
    while (entry := _ENTRY.match(text, at)) is not None:
        at, fields = entry.end(), {}
        while (field := _FIELD.match(text, at)) is not None:
            at = field.end()
            if text[at] == "{":
                depth, end = 0, at
                while True:
                    assert end < len(text), f"{field[1]} of {entry[2]} never ends"
                    depth += {"{": 1, "}": -1}.get(text[end], 0)
                    if depth == 0:
                        break
                    end += 1
                fields[field[1]], at = text[at + 1 : end], end + 1
            else:
                macro = _MACRO.match(text, at)
                assert macro is not None, text[at : at + 40]
                fields[field[1]], at = macro[0], macro.end()
            if (comma := _COMMA.match(text, at)) is not None:
                at = comma.end()
        close = _CLOSE.match(text, at)
        assert close is not None, f"entry {entry[2]} does not end: {text[at : at + 40]!r}"
        entries[entry[2]] = fields
        at = close.end()
    assert not text[at:].strip(), f"left unread: {text[at : at + 40]!r}"
    return entries


BIB_FIELDS = ["title", "howpublished", "publisher", "date", "year", "month", "url", "urldate"]
# Braces balanced or not, escaped or not, and every other character TeX gives a meaning to.
# One line, as cite.reference() makes every value.
BIB_TEXT = (
    st.text(alphabet=st.sampled_from('ab Z{}\\&%$#_~^@,="()'), max_size=30)
    .map(lambda text: " ".join(text.split()))
    .filter(bool)
)


def two_references(title: str, publisher: str) -> list[cite.Reference]:
    day = parse_date("1994-06-22")
    first = cite.Reference("s1", title, publisher, "news", day, "https://example.org/a", day, None)
    second = cite.Reference("s2", "Second", "Pub2", "news", day, "https://example.org/b", day, None)
    return [first, second]


@pytest.mark.parametrize(
    "title", ["Just {unbalanced", "Just }unbalanced", "x}}, author = {Mallory", "\\{ \\}"]
)
def test_unbalanced_braces_keep_every_entry_and_field(title: str) -> None:
    text = cite.render(two_references(title, title), CitationStyle.bibtex)
    entries = read_as_bibtex_does(text)
    assert list(entries) == ["s1", "s2"]
    assert list(entries["s1"]) == BIB_FIELDS == list(entries["s2"])
    decoded, _ = read_bibtex(text)
    assert decoded["s1"]["title"] == decoded["s1"]["publisher"] == title


@settings(max_examples=200, deadline=None)
@given(title=BIB_TEXT, publisher=BIB_TEXT)
def test_any_title_and_publisher_give_bibtex_that_parses(title: str, publisher: str) -> None:
    text = cite.render(two_references(title, publisher), CitationStyle.bibtex)
    entries = read_as_bibtex_does(text)
    assert list(entries) == ["s1", "s2"]
    assert list(entries["s1"]) == BIB_FIELDS == list(entries["s2"])
    decoded, _ = read_bibtex(text)
    assert list(decoded) == ["s1", "s2"]
    assert (decoded["s1"]["title"], decoded["s1"]["publisher"]) == (title, publisher)


def test_a_quotation_cites_the_document_its_words_come_from_first(bundled: Dataset) -> None:
    quotations = list(bundled.of_type("quotation").values())
    assert quotations
    for quotation in quotations:
        assert isinstance(quotation, Quotation)
        first = cite.references(bundled, quotation)[0]
        document = bundled.get("source", quotation.document)
        if document is not None:
            assert first.key == document.id, quotation.id
        else:
            agreement = bundled.get("agreement", quotation.document)
            assert agreement is not None
            texts = [
                s.id
                for s in cite.cited_sources(bundled, agreement)
                if s.kind in ("official-text", "reprint")
            ]
            if texts:  # an agreement known only from other sources has no text to cite first
                assert first.key in texts, quotation.id


def test_the_georgia_statement_is_cited_not_the_backgrounder(bundled: Dataset) -> None:
    quotation = bundled.get("quotation", "georgia-disproportionate")
    assert quotation is not None
    first = cite.references(bundled, quotation)[0]
    assert first.issued is not None and str(first.issued) == "2008-08-19"
    assert first.key != "backgrounder-2015-12"


def test_several_records_make_one_bibliography_without_a_repeated_key(bundled: Dataset) -> None:
    records = [bundled.get("agreement", i) for i in ("founding-act", "rome-declaration")]
    assert all(records)
    refs = cite.references(bundled, *[r for r in records if r is not None])
    keys = [r.key for r in refs]
    assert len(keys) == len(set(keys))
    for record in records:
        assert record is not None
        assert {s.id for s in cite.cited_sources(bundled, record)} <= set(keys)
    library = parse_string(cite.render(refs, CitationStyle.bibtex))
    assert not library.failed_blocks and len(library.entries) == len(keys)


def test_nrr_cite_of_two_ids_is_one_bibtex_file_without_a_repeated_key(runner: CliRunner) -> None:
    code, out, _ = run(runner, "cite", "founding-act", "rome-declaration", "--style", "bibtex")
    assert code == 0
    library = parse_string(out)
    keys = [entry.key for entry in library.entries]
    assert not library.failed_blocks and len(keys) == len(set(keys)) > 1
    alone = {
        e.key
        for e in parse_string(run(runner, "cite", "rome-declaration", "-s", "bibtex")[1]).entries
    }
    assert alone <= set(keys)
