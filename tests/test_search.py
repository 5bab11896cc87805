"""Search: the query language, word matching, ranking, suggestions and filters."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nato_russia import loader
from nato_russia.cli.app import app
from nato_russia.model import Dataset
from nato_russia.querylang import Query, QueryError, parse_query
from nato_russia.search import search
from nato_russia.text import _APOSTROPHES as APOSTROPHES
from nato_russia.text import _PLAIN_WORD as PLAIN_WORD
from nato_russia.text import Stems, fold, stem, tokens, words
from tests.conftest import FIXTURE_DATA, StrictRunner, write_generated_events


@pytest.mark.parametrize(
    ("forms", "same"),
    [
        (["missile", "missiles", "Missiles"], True),
        (["cooperate", "cooperation", "cooperating", "cooperative", "cooperated"], True),
        (["suspend", "suspension", "suspended", "suspends"], True),
        (["meeting", "meetings"], True),
        (["Russia", "Russia's", "russias"], True),
        (["missile", "missle"], False),
        (["statement", "states"], False),
    ],
)
def test_stems_join_word_families(forms: list[str], same: bool) -> None:
    stems = {tuple(tokens(form)) for form in forms}
    assert (len(stems) == 1) is same


def test_folding_and_hyphens() -> None:
    assert tokens("NATO-Russia Council") == ["nato", "russia", "council"]
    assert tokens("Wörner") == tokens("worner") == ["worner"]
    assert tokens("o'brien") == ["obrien"]
    assert stem("1990") == "1990"


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_text_is_cut_into_words_as_any_other_text(text: str) -> None:
    # words() takes a quicker way for ASCII; the pattern is what it must give.
    assert words(text) == PLAIN_WORD.findall(fold(text).translate(APOSTROPHES))


def test_the_stem_cache_stays_bounded() -> None:
    stems = Stems(limit=3)
    assert [stems[w] for w in ["missiles", "councils", "treaties", "summits"]] == [
        "missil",
        "council",
        "treaty",
        "summit",
    ]
    assert len(stems) <= 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "missile defence",
            Query(terms=(("missil",), ("defenc",)), surface=("missile", "defence")),
        ),
        (
            '"chemical weapons"',
            Query(terms=(("chemical", "weapon"),), surface=("chemical weapons",)),
        ),
        ("nato-russia", Query(terms=(("nato", "russia"),), surface=("nato-russia",))),
        ("-afghanistan x", Query(terms=(("x",),), excluded=(("afghanistan",),), surface=("x",))),
    ],
)
def test_words_phrases_and_exclusions(text: str, expected: Query) -> None:
    assert parse_query(text) == expected


def test_filters() -> None:
    query = parse_query(
        "ukraine type:event TYPE:actors year:2014 date:2014-03.. period:P actor:A topic:T id:X"
    )
    assert query.types == ("event", "actor")
    assert (query.earliest, query.latest) == (dt.date(2014, 3, 1), dt.date(2014, 12, 31))
    assert (query.period, query.actor, query.topic, query.record_id) == ("P", "A", "T", "X")
    assert parse_query("date:..1991").latest == dt.date(1991, 12, 31)
    assert parse_query("date:1997..2002").earliest == dt.date(1997, 1, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo:bar", "unknown field 'foo'; use one of: type, year, date, period, actor, topic, id"),
        ("type:treaty", "type:treaty: use one of: source, dataset, period, actor"),
        ("year:14", "year:14: '14' is not a year"),
        ("date:1997-13", "date:1997-13: '1997-13': month 13 does not exist"),
        ("period:", "period: needs a value, as in period:georgia-2008"),
        ("actor:a actor:b", "actor: given twice"),
        ("-type:event", "-type: filters cannot be negated"),
    ],
)
def test_clear_errors(text: str, message: str) -> None:
    with pytest.raises(QueryError, match="^" + re.escape(message)):
        parse_query(text)


@given(st.text(max_size=40))
def test_any_string_parses_or_gives_a_clear_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert all(term for term in query.terms)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="-\"*():'ab c", max_size=20))
def test_punctuation_never_crashes_the_search(mini: Dataset, text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError:
        return
    search(mini, query)


def ids(dataset: Dataset, text: str) -> list[str]:
    return [hit.record.id for hit in search(dataset, parse_query(text)).hits]


# What a reader of the backgrounder expects, on the bundled data.
@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        (
            "missiles",
            [
                "founding-act",
                "theatre-missile-defence",
                "lisbon-nrc-statement",
                "nato-russia-council",
            ],
            [],
        ),
        ("Missile Defence", ["lisbon-nrc-summit-2010", "theatre-missile-defence"], []),
        (
            '"chemical weapons"',
            ["syria-chemical-weapons-mission-planning", "munitions-disposal-project-2013"],
            [],
        ),
        (
            "ukraine year:2014",
            ["nac-emergency-meeting-2014-03-02", "cooperation-suspended-2014"],
            ["london-summit-1990", "stoltenberg-isil-remark-2015"],
        ),
        (
            "cooperation -afghanistan type:event",
            ["cooperation-suspended-2014", "founding-act-signed-1997"],
            ["lisbon-nrc-summit-2010"],
        ),
        ("stoltenberg", ["stoltenberg", "stoltenberg-isil-remark-2015"], []),
        ("Wörner", ["worner"], []),
        (
            "suspension",
            ["cooperation-suspended-2014", "foreign-ministers-statement-2014-04-01"],
            [],
        ),
        ("first country", ["russia-joins-pfp-1994"], []),
        (
            "period:georgia-2008",
            ["strasbourg-kehl-summit-2009", "georgia-2008"],
            ["lisbon-nrc-summit-2010"],
        ),
        ("actor:putin", ["rome-summit-2002", "rome-declaration", "putin"], []),
        ("topic:syria type:event", ["defence-ministers-2015-10-08"], ["syria"]),
        ("id:founding-act", ["founding-act"], ["founding-act-signed-1997"]),
        ("date:..1991", ["london-summit-1990", "london-declaration"], ["brussels-summit-1994"]),
    ],
)
def test_queries_find_what_readers_expect(
    bundled: Dataset,
    text: str,
    wanted: list[str],
    unwanted: list[str],
) -> None:
    found = ids(bundled, text)
    assert set(wanted) <= set(found), found
    assert not set(unwanted) & set(found)


def test_ranking_puts_titles_first_and_breaks_ties_by_date(bundled: Dataset) -> None:
    hits = search(bundled, parse_query("founding act")).hits
    assert hits[0].matched_fields[0] in ("title", "short_title")
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    by_date = search(bundled, parse_query("founding act"), sort="date").hits
    dates = [h.record.date.earliest() for h in by_date if getattr(h.record, "date", None)]  # type: ignore[union-attr]
    assert dates == sorted(dates)


def test_every_matched_word_is_highlighted(bundled: Dataset) -> None:
    (hit,) = [
        h
        for h in search(bundled, parse_query("missile defence")).hits
        if h.record.id == "lisbon-nrc-summit-2010"
    ]
    marked = [hit.snippet[a:b].lower() for a, b in hit.spans]
    assert {"missile", "defence"} <= set(marked)


def test_typos_are_suggested_and_a_clear_one_is_followed() -> None:
    result = StrictRunner().invoke(app, ["search", "missle", "--json"])
    assert result.exit_code == 0
    assert (
        result.stderr
        == 'No results for "missle". Did you mean "missile"?\nshowing results for "missile"\n'
    )
    assert "founding-act" in [hit["id"] for hit in json.loads(result.stdout)]


def test_hyphenated_query_finds_the_spaced_words(mini: Dataset) -> None:
    assert ids(mini, "example-act") == ids(mini, '"example act"')


@pytest.mark.parametrize("text", ["nato-russia", "o'brien", '"', "*", "(", ":", "a:"])
def test_punctuation_at_the_command_line(text: str) -> None:
    result = StrictRunner().invoke(app, ["search", text])
    assert result.exit_code in (0, 1, 2)  # found, found nothing, or a usage error


def test_limit_and_sort_options() -> None:
    result = StrictRunner().invoke(
        app, ["search", "missile", "--limit", "2", "--sort", "date", "--json"]
    )
    hits = json.loads(result.stdout)
    assert len(hits) == 2
    assert [h["date_start"] for h in hits] == sorted(h["date_start"] for h in hits)


def test_unknown_filter_ids_are_errors_with_suggestions() -> None:
    result = StrictRunner().invoke(app, ["search", "actor:putn"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "Error: no actor 'putn'. Did you mean: putin? (nrr actors lists them all)\n"
    )


@pytest.mark.parametrize("generated", [False, True])
@pytest.mark.parametrize("blocked", ["mode-000", "a-file"])
def test_search_needs_no_readable_or_writable_cache(
    _private_cache: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    generated: bool,
    blocked: str,
) -> None:
    extra = []
    if generated:  # a few hundred events more, as once went through a search index
        monkeypatch.setattr(loader, "bundled_data_dir", lambda: FIXTURE_DATA)
        words = ["missile", "defence", "treaty", "council"]
        big = write_generated_events(tmp_path / "big", words, seed=3, summary_words=20)
        extra = ["--data", str(big)]
    if blocked == "mode-000":
        if os.geteuid() == 0:
            pytest.skip("root reads and writes a mode-000 directory (see the setpriv test)")
        _private_cache.mkdir(parents=True)
        _private_cache.chmod(0)
    else:  # what root meets too: the directory cannot be made
        _private_cache.parent.mkdir(parents=True, exist_ok=True)
        _private_cache.write_text("not a directory")
    try:
        result = StrictRunner().invoke(app, ["search", "missile", "--json", *extra])
    finally:
        if blocked == "mode-000":
            _private_cache.chmod(0o700)
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)
    if blocked == "mode-000":
        assert list(_private_cache.iterdir()) == []
    else:
        assert _private_cache.read_text() == "not a directory"


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="root with setpriv only"
)
def test_search_as_root_without_its_override_of_a_mode_000_cache(_private_cache: Path) -> None:
    """CI runs as root, which reads any directory: dropping the two capabilities that let it
    (setpriv) makes a mode-000 cache directory as closed to nrr as it is to any user."""
    _private_cache.mkdir(parents=True)
    _private_cache.chmod(0)
    drop = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
    try:
        closed = subprocess.run([*drop, "ls", str(_private_cache)], capture_output=True)
        assert closed.returncode != 0  # the directory really is closed to the command
        found = subprocess.run(
            [*drop, sys.executable, "-m", "nato_russia", "search", "missile", "--json"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        _private_cache.chmod(0o700)
    assert (found.returncode, found.stderr) == (0, "")
    assert json.loads(found.stdout)
    assert list(_private_cache.iterdir()) == []
