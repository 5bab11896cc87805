"""Search work stays near-linear in the query and the text; long queries, huge limits and
invisible characters are handled. Work is counted (lines run in search.py), never timed."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from nato_russia import loader, search
from nato_russia.cli.app import app
from nato_russia.model import Dataset
from nato_russia.querylang import MAX_CHARACTERS, MAX_WORDS, QueryError, parse_query
from nato_russia.text import INVISIBLE, tokens, word_spans
from tests.conftest import FIXTURE_DATA, write_generated_events

# The longest bundled quotation (lisbon-non-use-of-force), as a reader would paste it.
QUOTATION = (
    "The NRC member states will refrain from the threat or use of force against each other as "
    "well as against any other state, its sovereignty, territorial integrity or political "
    "independence in any manner inconsistent with the United Nations Charter and with the "
    "Declaration of Principles Guiding Relations Between Participating States contained in the "
    "Helsinki Final Act."
)
# A worst-case query may run this many times the lines of a one-word search over the same data:
# one pass over the positions costs about what reading the fields does (before, billions).
RATIO = 3
SEARCH_PY = search.__file__


class Runaway(Exception):
    """Raised inside the code under test once it has run more than its budget of lines."""


def counted(call: Callable[[], Any], budget: int = 10**7) -> tuple[Any, int]:
    """The result of `call` and the number of lines it ran in search.py.

    Counting lines rather than timing keeps the test deterministic on a loaded machine, and
    the budget stops a combinatorial search (billions of lines) in a moment instead of letting
    it run for minutes."""
    lines = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal lines
        if event == "line":
            lines += 1
            if lines > budget:
                raise Runaway(f"more than {budget:,} lines run in search.py")
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code.co_filename == SEARCH_PY else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        result = call()
    finally:
        sys.settrace(previous)
    return result, lines


def field(text: str) -> Any:
    return search._fields_of([("summary", text)])[0]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


# --- proximity: the sweep against the definition -------------------------------------------


def brute_force_gap(stems: tuple[str, ...], terms: list[tuple[str, ...]]) -> int | None:
    """The definition, as the scorer had it: every pick of one occurrence per term."""
    occurrences = [
        [(i, len(t)) for i in range(len(stems) - len(t) + 1) if stems[i : i + len(t)] == t]
        for t in terms
    ]
    if not all(occurrences):
        return None
    return min(
        max(s for s, _ in pick) - (min(pick)[0] + min(pick)[1])
        for pick in itertools.product(*occurrences)
    )


STEMS = st.sampled_from(["a", "b", "c"])


@given(
    st.lists(STEMS, max_size=24),
    st.lists(st.lists(STEMS, min_size=1, max_size=3).map(tuple), min_size=1, max_size=4),
)
def test_the_sweep_finds_the_smallest_gap_of_every_pick(
    text: list[str], terms: list[tuple[str, ...]]
) -> None:
    stems = tuple(text)
    distinct = list(dict.fromkeys(terms))
    positions = sorted(
        (i, len(t), n)
        for n, t in enumerate(distinct)
        for i in range(len(stems) - len(t) + 1)
        if stems[i : i + len(t)] == t
    )
    present = {n for _, _, n in positions}
    gap = search.smallest_gap(positions, len(distinct)) if len(present) == len(distinct) else None
    assert gap == brute_force_gap(stems, terms)
    expected = gap is not None and gap <= search.PROXIMITY_WINDOW
    assert search._close_together(field(" ".join(text)), tuple(terms)) is expected


# --- proximity: work done ------------------------------------------------------------------


def far_apart(repeats: int) -> tuple[Any, tuple[tuple[str, ...], ...]]:
    """A field repeating one word, the other query word out of reach at the end: every pick of
    the old scorer failed, so it tried repeats**4 of them."""
    text = " ".join(["the"] * repeats + ["x"] * 20 + ["nato"])
    return field(text), (("the",),) * 4 + (("nato",),)


def test_proximity_work_grows_with_the_positions_not_their_combinations() -> None:
    small, terms = far_apart(100)
    large, _ = far_apart(400)
    close, few = counted(lambda: search._close_together(small, terms))
    close_large, many = counted(lambda: search._close_together(large, terms))
    assert close is close_large is False
    # Four times the positions, about four times the work (100**4 picks before).
    assert many <= 4.5 * few, (few, many)


def one_word_lines(dataset: Dataset) -> int:
    return counted(lambda: search.search(dataset, parse_query("nato")))[1]


@pytest.mark.parametrize(
    "text", [QUOTATION, "the the the the the the the nato", "nato russia the the the the the"]
)
def test_worst_queries_take_one_pass_on_the_bundled_data(bundled: Dataset, text: str) -> None:
    budget = RATIO * one_word_lines(bundled)
    results, _ = counted(lambda: search.search(bundled, parse_query(text)), budget)
    assert results.hits


def test_a_pasted_quotation_finds_itself(bundled: Dataset) -> None:
    result, _ = counted(lambda: invoke("search", "--limit", "1", "--json", QUOTATION))
    assert result.exit_code == 0, result.stderr
    assert [hit["id"] for hit in json.loads(result.stdout)] == ["lisbon-non-use-of-force"]


def test_phrase_matching_reads_only_the_first_words_positions() -> None:
    # 300 words, one of them "nato": a 40-word phrase used to be tried at every position.
    text = " ".join(["the"] * 150 + ["nato"] + ["the"] * 149)
    one = field(text)
    assert one.at  # the positions, made once per field
    phrase = ("nato", *("the",) * 39)
    found, lines = counted(lambda: search._occurs(one, phrase))
    assert found is True
    assert lines < 20, lines


# --- a large dataset: repeated words, huge limits -----------------------------------------

WORDS = ["missile", "defence", "the", "treaty", "council", "nato", "summit", "peace"]


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A few hundred generated events, in which "the" repeats."""
    monkeypatch.setattr(loader, "bundled_data_dir", lambda: FIXTURE_DATA)
    return write_generated_events(tmp_path / "big", WORDS, seed=11, summary_words=30)


@pytest.mark.parametrize(
    "text",
    [
        "the the the the the the the nato",
        "the the the the the",
        "missile missile defence the",
        '"missile defence" missile the the',
        "the the -treaty",
    ],
)
def test_repeated_words_are_scored_in_one_pass(big: Path, text: str) -> None:
    dataset = loader.load(loader.DataSelection(paths=(big,)))
    query = parse_query(text)
    budget = RATIO * one_word_lines(dataset)
    scanned, _ = counted(lambda: search.search(dataset, query), budget)
    assert scanned.hits


def test_a_huge_limit_is_all_results(big: Path) -> None:
    huge = "99999999999999999999"
    result = invoke("search", "missile", "--limit", huge, "--json", "--data", str(big))
    assert result.exit_code == 0
    everything = invoke("search", "missile", "--limit", "0", "--json", "--data", str(big))
    assert result.stdout == everything.stdout
    assert result.stderr == ""


# --- query limits --------------------------------------------------------------------------


def test_a_pasted_quotation_is_a_query() -> None:
    assert len(parse_query(QUOTATION).terms) == 56


def test_too_many_words_is_a_clear_error() -> None:
    parse_query(" ".join(["nato"] * MAX_WORDS))
    for text in (
        " ".join(["nato"] * (MAX_WORDS + 1)),
        '"' + " ".join(["nato"] * (MAX_WORDS + 1)) + '"',
        "nato " + " ".join(["-x"] * MAX_WORDS),
    ):
        with pytest.raises(QueryError, match=f"^the query has {MAX_WORDS + 1} words; at most "):
            parse_query(text)


def test_too_long_a_query_is_a_clear_error() -> None:
    parse_query("n" * MAX_CHARACTERS)
    with pytest.raises(QueryError, match=r"^the query is 2,001 characters long; at most 2,000"):
        parse_query("n" * (MAX_CHARACTERS + 1))


def test_the_command_line_says_the_limit() -> None:
    result = invoke("search", *["nato"] * 150)
    assert result.exit_code == 2
    assert "the query has 150 words; at most 100 are allowed" in result.stderr


# --- invisible characters ------------------------------------------------------------------


@pytest.mark.parametrize("char", list(INVISIBLE))
def test_invisible_characters_do_not_split_words(char: str) -> None:
    assert tokens(f"miss{char}ile{char}s") == tokens("missiles") == ["missil"]
    assert tokens(f"{char}nato{char}") == ["nato"]
    text = f"NATO miss{char}ile"
    (_, (start, end, stem)) = word_spans(text)
    assert (text[start:end], stem) == (f"miss{char}ile", "missil")


@pytest.mark.parametrize("char", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_an_invisible_character_in_a_query_word_finds_the_word(char: str) -> None:
    expected = invoke("search", "missile", "--json")
    result = invoke("search", f"miss{char}ile", "--json")
    assert result.exit_code == 0
    assert result.stderr == ""  # no "did you mean", no rewrite to another word
    assert result.stdout == expected.stdout


def test_a_typo_is_followed_however_it_is_written() -> None:
    # The suggestion names the word as typed, so the rewrite finds it in the query.
    result = invoke("search", "Wörnr", "--json")
    assert result.stderr.splitlines() == [
        'No results for "Wörnr". Did you mean "worner"?',
        'showing results for "worner"',
    ]
    assert json.loads(result.stdout)
    result = invoke("search", "miss\u200ble", "--json")
    assert result.stderr.splitlines()[-1] == 'showing results for "missile"'
    assert json.loads(result.stdout)
