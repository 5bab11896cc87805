"""Search that understands a question: stop words, any-word fallback, aliases, totals."""

from __future__ import annotations

import pytest

from nato_russia.errors import DataError
from nato_russia.model import Dataset
from nato_russia.querylang import parse_query
from nato_russia.readers import RawRecord, read_records
from nato_russia.search import run, search
from tests.conftest import FIXTURE_DATA


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
