"""Search that understands a question: stop words, any-word fallback, aliases, totals."""

from __future__ import annotations

import json

import pytest

from nato_russia.cli.app import app
from nato_russia.errors import DataError
from nato_russia.model import Dataset
from nato_russia.querylang import parse_query
from nato_russia.readers import RawRecord, read_records
from nato_russia.search import CYRILLIC_NOTICE, clear_choice, run, search
from nato_russia.text import tokens
from tests.conftest import FIXTURE_DATA, StrictRunner


def ids(dataset: Dataset, text: str) -> list[str]:
    return [hit.record.id for hit in search(dataset, parse_query(text)).hits]


def test_a_question_puts_the_record_it_names_first(bundled: Dataset) -> None:
    hits = search(bundled, parse_query("who signed the founding act")).hits
    assert (hits[0].record.type_name, hits[0].record.id) == ("agreement", "founding-act")


def test_a_question_finds_the_suspension_of_2014(bundled: Dataset) -> None:
    assert "cooperation-suspended-2014" in ids(bundled, "when did nato suspend cooperation")


def test_stop_words_are_dropped_only_next_to_other_words() -> None:
    query = parse_query('who signed "the" founding-act -the')
    kept = query.without_stop_words()
    assert kept.terms == (("sign",), ("the",), ("found", "act"))  # a quoted "the" is meant
    assert kept.excluded == (("the",),)  # and so is an excluded one
    assert kept.surface == ("signed", "the", "founding-act")
    alone = parse_query("the of")
    assert alone.without_stop_words() == alone


def test_a_query_of_stop_words_alone_still_searches(bundled: Dataset) -> None:
    assert ids(bundled, "the the")


def test_a_question_and_its_content_words_find_the_same(bundled: Dataset) -> None:
    question = search(bundled, parse_query("how did the rome summit create the council"))
    plain = search(bundled, parse_query("rome summit create council"))
    assert [(h.record.id, h.score) for h in question.hits] == [
        (h.record.id, h.score) for h in plain.hits
    ]
    assert question.hits


def test_when_no_record_has_every_word_any_word_results_follow(bundled: Dataset) -> None:
    outcome = run(bundled, "putin kosovo zzqx")
    assert outcome.notices == [
        'no record contains all of "putin", "kosovo", "zzqx"; showing records with any of them'
    ]
    words = [hit.words for hit in outcome.results]
    assert words == sorted(words, reverse=True), "records with more of the words come first"
    assert words[0] == 2 and min(words) == 1
    assert outcome.total == len(outcome.results)


def test_a_full_match_needs_no_fallback(bundled: Dataset) -> None:
    outcome = run(bundled, "missile defence")
    assert outcome.notices == []
    assert all(hit.words == 2 for hit in outcome.results)


def test_the_total_counts_what_the_limit_leaves_out(bundled: Dataset) -> None:
    everything = run(bundled, "missile")
    outcome = run(bundled, "missile", limit=3)
    assert len(outcome.results) == 3
    assert outcome.total == len(everything.results) > 3
    assert outcome.more_notice == f"showing 3 of {outcome.total}; --limit 0 for all"
    assert everything.more_notice is None


def test_a_clear_typo_is_followed_by_the_front_door(bundled: Dataset) -> None:
    outcome = run(bundled, "missle")
    assert outcome.notices == [
        'No results for "missle". Did you mean "missile"?',
        'showing results for "missile"',
    ]
    assert outcome.shown_query == "missile"
    assert "founding-act" in [hit.record.id for hit in outcome.results]


def test_a_typo_is_fixed_before_any_word_results_are_tried(bundled: Dataset) -> None:
    # "missle defence" means missile defence, not everything about defence.
    outcome = run(bundled, "missle defence")
    assert outcome.shown_query == "missile defence"
    assert not [line for line in outcome.notices if line.startswith("no record contains")]
    assert all(hit.words == 2 for hit in outcome.results)


def test_nothing_found_says_so(bundled: Dataset) -> None:
    outcome = run(bundled, "zzqx qqzx")
    assert (outcome.results, outcome.total) == ([], 0)
    assert outcome.notices == ['No results for "zzqx qqzx".']


@pytest.mark.parametrize(
    ("text", "record_id"),
    [
        ("annexed Crimea", "crimea-annexation-2014"),
        ("enlargement", "enlargement-2004"),
        ("accession", "sweden-accession-2024-03-07"),
    ],
)
def test_aliases_are_found_as_titles_are(bundled: Dataset, text: str, record_id: str) -> None:
    hits = search(bundled, parse_query(text)).hits
    (hit,) = [h for h in hits if h.record.id == record_id]
    assert hit.matched_fields[0] == "aliases"
    assert hit.score >= 5.0  # a title's weight
    # The snippet comes from the record's prose, not from the alias itself.
    assert hit.snippet != "annexed-crimea"


def test_an_alias_phrase_does_not_run_into_the_next_alias() -> None:
    raw = [r for path in sorted(FIXTURE_DATA.glob("*.yaml")) for r in read_records(path)]
    (event,) = [r for r in raw if r.type_name == "event"][:1]
    values = {**event.values, "aliases": ["first-name", "second-name"]}
    dataset = _build([*[r for r in raw if r is not event], RawRecord("event", "x", values, 0)])
    assert event.values["id"] in ids(dataset, '"first name"')
    assert event.values["id"] not in ids(dataset, '"name second"')


@pytest.mark.parametrize("alias", ["Crimea", "annexed crimea", "", "crimea\x1b[31m"])
def test_aliases_must_be_words_joined_by_hyphens(alias: str) -> None:
    raw = [r for path in sorted(FIXTURE_DATA.glob("*.yaml")) for r in read_records(path)]
    (event,) = [r for r in raw if r.type_name == "event"][:1]
    values = {**event.values, "aliases": [alias]}
    with pytest.raises(DataError, match="aliases"):
        _build([*[r for r in raw if r is not event], RawRecord("event", "x", values, 0)])


def _build(raw: list[RawRecord]) -> Dataset:
    from nato_russia.validation import build_dataset

    return build_dataset(raw)


# Questions as people type them (issue 19, item 4), on the bundled data.


def first_ids(dataset: Dataset, text: str, n: int = 3) -> list[str]:
    return [hit.record.id for hit in run(dataset, text).results[:n]]


def test_a_year_in_a_question_ranks_that_years_records_first(bundled: Dataset) -> None:
    assert "full-scale-invasion-2022-02-24" in first_ids(bundled, "what happened in 2022")
    hits = run(bundled, "what happened in 2022").results
    dated = [h for h in hits if h.record.type_name != "source"][:10]
    assert all(str(getattr(h.record, "date", "")).startswith("2022") for h in dated)


def test_a_bare_year_is_read_as_a_year_and_a_quoted_one_as_a_word() -> None:
    assert parse_query("kosovo 1999").years == (1,)
    assert parse_query('kosovo "1999"').years == ()
    assert parse_query("kosovo 1999").without_stop_words().year_of(1) == 1999
    assert parse_query("resolution 1244").years == ()  # no year: a number
    assert parse_query("in 2022").without_stop_words().years == (0,)
    assert parse_query("\u19da\u19da\u19da\u19da").years == ()  # digits int() refuses


def test_last_puts_the_newest_meeting_first(bundled: Dataset) -> None:
    outcome = run(bundled, "when did the nato-russia council last meet")
    assert outcome.notices == []
    assert outcome.results[0].record.id == "nrc-2022-01-12"
    assert first_ids(bundled, "latest nrc meeting", 1) == ["nrc-2022-01-12"]


def test_first_puts_the_oldest_first(bundled: Dataset) -> None:
    hits = run(bundled, "first nato-russia council meeting").results[:3]
    dates = [h.record.date.earliest() for h in hits]  # type: ignore[union-attr]
    assert dates == sorted(dates)
    assert parse_query("first council").order == "oldest"
    assert parse_query("the first and the last").order is None  # they cancel out


@pytest.mark.parametrize("text", ["medvedev", "kosovo 1999", "missile defence", "founding act"])
def test_sources_come_after_the_records_that_cite_them(bundled: Dataset, text: str) -> None:
    kinds = [hit.record.type_name == "source" for hit in run(bundled, text).results]
    assert any(kinds) and kinds == sorted(kinds)


def test_medvedev_puts_what_he_did_first_and_finds_the_man(bundled: Dataset) -> None:
    hits = run(bundled, "medvedev").results
    assert hits[0].record.type_name == "event"  # a name typed alone asks what they did
    assert ("actor", "medvedev") in [(h.record.type_name, h.record.id) for h in hits[:3]]


def test_the_founding_acts_clause_comes_before_the_statement_that_announced_it(
    bundled: Dataset,
) -> None:
    first, second = run(bundled, "substantial combat forces").results[:2]
    assert first.record.id == "founding-act-substantial-combat-forces"
    assert second.record.id == "nac-substantial-combat-forces-1997"


def test_kosovo_1999_puts_an_event_of_1999_first(bundled: Dataset) -> None:
    (hit,) = run(bundled, "kosovo 1999").results[:1]
    assert hit.record.type_name == "event"
    assert str(hit.record.date).startswith("1999")  # type: ignore[union-attr]


@pytest.mark.parametrize("word", ["missle's", "missles'", "missle\u2019s"])
def test_an_apostrophised_word_is_never_corrected(bundled: Dataset, word: str) -> None:
    # Without the apostrophe, "missles" is a clear typo for "missiles", and followed.
    assert run(bundled, "missles defence").shown_query == "missiles defence"
    outcome = run(bundled, f"{word} defence")
    assert outcome.shown_query == f"{word} defence"
    assert outcome.notices == [
        f'no record contains all of "{word}", "defence"; showing records with any of them'
    ]


def test_three_nos_is_never_searched_as_natos(bundled: Dataset) -> None:
    outcome = run(bundled, "three no's")
    assert outcome.shown_query == "three no's"
    assert not any("natos" in line for line in outcome.notices)


def test_a_far_suggestion_is_offered_but_not_followed() -> None:
    assert clear_choice(["natos"], "nos") is None
    assert clear_choice(["missile"], "missle") == "missile"


def test_a_quoted_phrase_nothing_contains_is_the_whole_answer(bundled: Dataset) -> None:
    outcome = run(bundled, '"forces zzqx" nuclear')
    assert (outcome.results, outcome.notices) == (
        [],
        ['No results: no record contains "forces zzqx".'],
    )
    result = StrictRunner().invoke(app, ["search", '"zzqx combat forces"'])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == 'No results: no record contains "zzqx combat forces".\n'


def test_a_quoted_word_gets_no_suggestion(bundled: Dataset) -> None:
    outcome = run(bundled, '"missle"')
    assert outcome.notices == ['No results: no record contains "missle".']


def test_the_any_word_notice_comes_first_on_stderr() -> None:
    result = StrictRunner().invoke(app, ["search", "putin", "kosovo", "zzqx", "--json"])
    assert result.exit_code == 0
    assert result.stderr.startswith('no record contains all of "putin", "kosovo", "zzqx"; ')
    assert json.loads(result.stdout)


# Russian names (issue 17, item 6).


@pytest.mark.parametrize(("text", "actor"), [("Путин", "putin"), ("Горбачёв", "gorbachev")])
def test_a_russian_name_finds_the_actor_as_a_name(bundled: Dataset, text: str, actor: str) -> None:
    (hit,) = run(bundled, text).results[:1]
    assert (hit.record.id, hit.matched_fields[0], hit.score) == (actor, "name_ru", 5.0)


def test_stemming_leaves_cyrillic_alone() -> None:
    # English endings, doubled last letters: none of it applies to another script.
    assert tokens("Таллинн Путины") == ["таллинн", "путины"]
    assert tokens("Горбачёв") == tokens("горбачев")


def test_a_russian_query_that_finds_nothing_says_the_data_is_in_english() -> None:
    result = StrictRunner().invoke(app, ["search", "Абракадабра"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.splitlines()[-1] == CYRILLIC_NOTICE
    english = StrictRunner().invoke(app, ["search", "zzqxq"])
    assert CYRILLIC_NOTICE not in english.stderr
