"""Search: the query language, word matching, ranking, suggestions and filters."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nato_russia import fts
from nato_russia.cli.app import app
from nato_russia.model import Dataset
from nato_russia.querylang import Query, QueryError, parse_query
from nato_russia.search import search
from nato_russia.text import BREAK, Stems, stem, stem_all, tokens, words
from tests.conftest import StrictRunner


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


# Letters of both cases, digits, apostrophes, accents, an invisible character, punctuation,
# the character stem_all() joins texts with, and a letter unicodedata decomposes.
TEXT_CHARACTERS = "aBz09 -'\u2019.,\u00e9Ö\u200b\u00adß\ufb01" + BREAK


@given(st.lists(st.text(alphabet=TEXT_CHARACTERS, max_size=12), max_size=8))
def test_stemming_texts_together_gives_each_texts_stems(texts: list[str]) -> None:
    stems = Stems()
    assert stem_all(texts, stems) == [" ".join(tokens(text)) for text in texts]
    assert set(stems) == {word for text in texts for word in words(text)}


@given(st.lists(st.text(alphabet=TEXT_CHARACTERS.replace(BREAK, ""), max_size=12), max_size=8))
def test_ascii_and_other_texts_stem_alike_together(texts: list[str]) -> None:
    # Without BREAK in a text, the one-pass paths run: ASCII, or text by text once any is not.
    ascii_texts = [text.encode("ascii", "ignore").decode() for text in texts]
    assert stem_all(ascii_texts) == [" ".join(tokens(text)) for text in ascii_texts]
    assert stem_all(texts) == [" ".join(tokens(text)) for text in texts]


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


def ids(dataset: Dataset, text: str, index: sqlite3.Connection | None = None) -> list[str]:
    return [hit.record.id for hit in search(dataset, parse_query(text), index=index).hits]


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
    backend: sqlite3.Connection | None,
    text: str,
    wanted: list[str],
    unwanted: list[str],
) -> None:
    found = ids(bundled, text, backend)
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


VOCABULARY = [
    "missile",
    "defence",
    "missiles",
    "cooperation",
    "cooperate",
    "council",
    "nato-russia",
    "summit",
    "treaty",
    "ukraine",
    "crisis",
    "piracy",
    "dialogue",
    "suspension",
    "suspended",
    "chemical",
    "weapons",
    "arms",
    "control",
    "partnership",
    "peace",
    "wörner",
    "café",
    "o'brien",
]


ALIAS_WORDS = [word for word in VOCABULARY if word.isascii() and word.isalpha()]


def generated_dataset(seed: int, size: int = 300) -> Dataset:
    """The fixture plus `size` random events, to compare the two backends on."""
    from nato_russia.readers import RawRecord, read_records
    from nato_russia.validation import build_dataset
    from tests.conftest import FIXTURE_DATA

    rng = random.Random(seed)
    extra = random.Random(-seed)  # aliases and corrections: the other fields as they were
    raw = [r for path in sorted(FIXTURE_DATA.glob("*.yaml")) for r in read_records(path)]
    for i in range(size):
        year = rng.randrange(1990, 2016)
        date = rng.choice(
            [
                f"{year}",
                f"{year}-{rng.randrange(1, 13):02d}",
                f"{year}-03-{rng.randrange(1, 29):02d}",
            ]
        )
        values: dict[str, object] = {
            "id": f"gen-{i}",
            "title": " ".join(rng.choices(VOCABULARY, k=rng.randrange(1, 6))),
            "date": date,
            "summary": " ".join(rng.choices(VOCABULARY, k=rng.randrange(0, 30))) or "x",
            "period": rng.choice(["early", "later"]),
            "actors": rng.sample(["alice", "council"], k=rng.randrange(0, 3)),
            "topics": rng.sample(["partnership", "missile-defence"], k=rng.randrange(0, 2)),
            "sources": ["test-source"],
        }
        if rng.random() < 0.3:
            values["place"] = " ".join(rng.choices(VOCABULARY, k=2))
        # Fields of several texts each, every one a name or a finding of its own.
        if extra.random() < 0.2:
            values["aliases"] = [
                "-".join(extra.sample(ALIAS_WORDS, k=n)) for n in range(1, extra.randrange(2, 4))
            ]
        if extra.random() < 0.2:
            values["corrections"] = [
                {
                    "says": " ".join(extra.choices(VOCABULARY, k=3)),
                    "finding": " ".join(extra.choices(VOCABULARY, k=6)),
                    "sources": ["test-source"],
                }
                for _ in range(extra.randrange(1, 3))
            ]
        raw.append(RawRecord("event", "generated", values, i))
    return build_dataset(raw)


QUERIES = [
    "missile",
    "missiles defence",
    '"missile defence"',
    "NATO-Russia",
    "cooperation -piracy",
    "Worner",
    "cafe",
    "obrien",
    '"arms control" ukraine',
    "council type:event",
    "summit year:1995",
    "date:2000..2003 dialogue",
    "period:early crisis",
    "actor:alice peace",
    "topic:dialogue",
    "type:event date:..1992",
    "suspension -suspended",
    "treaty summit crisis",
]


@pytest.mark.skipif(not fts.available(), reason="this Python's SQLite has no FTS5")
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_both_backends_agree_on_a_generated_dataset(seed: int, sort: str) -> None:
    dataset = generated_dataset(seed)
    db = sqlite3.connect(":memory:")
    fts.fill(db, dataset)
    for text in QUERIES:
        query = parse_query(text)
        scanned = search(dataset, query, sort=sort)  # type: ignore[arg-type]
        indexed = search(dataset, query, sort=sort, index=db)  # type: ignore[arg-type]
        assert scanned.more == indexed.more is False, text
        assert [(h.record.id, h.score) for h in scanned.hits] == [
            (h.record.id, h.score) for h in indexed.hits
        ], text
        limited = search(dataset, query, sort=sort, limit=5, index=db)  # type: ignore[arg-type]
        assert [h.record.id for h in limited.hits] == [h.record.id for h in scanned.hits[:5]]
        limited_scan = search(dataset, query, sort=sort, limit=5)  # type: ignore[arg-type]
        assert limited.more == limited_scan.more == (len(scanned.hits) > 5), text
