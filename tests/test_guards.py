"""Behaviours that mutation testing found unguarded (code review of 6 December, M7a, M7b,
M10, M13): the search's phrase and proximity bonuses, `nrr validate` warnings, and every rule
of the stemmer. Each test here fails when its rule's line is broken."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nato_russia import loader
from nato_russia.cli.app import app
from nato_russia.model import Dataset
from nato_russia.querylang import parse_query
from nato_russia.search import search, text_fields
from nato_russia.text import stem, words
from tests.conftest import FIXTURE_DATA, StrictRunner

# Words no record of the fixture has, so that only the events below can match.
FILLER = " ".join(["filler"] * 20)


def _with_events(tmp_path: Path, events: list[tuple[str, str, str]]) -> Dataset:
    """The fixture dataset plus events (id, date, summary) in a file of their own."""
    directory = tmp_path / "more"
    directory.mkdir()
    records = [
        {
            "id": event_id,
            "title": f"Generated {event_id}",
            "date": date,
            "summary": summary,
            "period": "early",
            "sources": ["test-source"],
        }
        for event_id, date, summary in events
    ]
    (directory / "events.json").write_text(json.dumps(records), encoding="utf-8")
    return loader.load(
        loader.DataSelection(paths=(FIXTURE_DATA, directory), bundled=False, use_cache=False)
    )


def _ranked(dataset: Dataset, text: str, *, every: bool = True) -> list[str]:
    return [hit.record.id for hit in search(dataset, parse_query(text), every=every).hits]


def test_a_phrase_found_ranks_above_a_single_word(tmp_path: Path) -> None:
    # Any-word search: each event has one of the two query items, in its summary. The phrase
    # is worth its bonus; without it the two tie and the earlier event would come first.
    dataset = _with_events(
        tmp_path,
        [
            ("has-the-word", "1995", f"vantrobe {FILLER}"),
            ("has-the-phrase", "2005", f"zorblat quixel {FILLER}"),
        ],
    )
    ranked = _ranked(dataset, '"zorblat quixel" vantrobe', every=False)
    assert ranked == ["has-the-phrase", "has-the-word"]


def test_words_close_together_rank_above_words_far_apart(tmp_path: Path) -> None:
    # Both events have both words in their summary, with the same weights; only the distance
    # between them differs. Without the bonus they tie and the earlier event comes first.
    dataset = _with_events(
        tmp_path,
        [
            ("far-apart", "1995", f"zorblat {FILLER} vantrobe"),
            ("close-together", "2005", f"zorblat vantrobe {FILLER}"),
        ],
    )
    assert _ranked(dataset, "zorblat vantrobe") == ["close-together", "far-apart"]


def _mini_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "mini"
    shutil.copytree(FIXTURE_DATA, directory)
    return directory


def test_validate_warns_of_an_uncited_source_and_an_idle_actor(tmp_path: Path) -> None:
    directory = _mini_copy(tmp_path)
    with (directory / "sources.yaml").open("a", encoding="utf-8") as file:
        file.write(
            "- id: nobody-cites-me\n  title: Uncited\n  publisher: Nobody\n"
            "  tier: other\n  kind: backgrounder\n  date: 2001\n"
        )
    with (directory / "actors.yaml").open("a", encoding="utf-8") as file:
        file.write(
            "- id: idle-actor\n  name: Idle Actor\n  kind: person\n  role: Nobody\n"
            "  summary: Takes part in nothing.\n  sources: [test-source]\n"
        )
    result = StrictRunner().invoke(app, ["validate", "--no-bundled", str(directory)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "warning: source 'nobody-cites-me' is not cited by any record",
        "warning: actor 'idle-actor' takes part in no event, agreement or quotation",
    ]
    assert result.stdout.startswith("ok: ")


def test_validate_has_no_warning_for_data_without_them(tmp_path: Path) -> None:
    result = StrictRunner().invoke(app, ["validate", "--no-bundled", str(_mini_copy(tmp_path))])
    assert (result.exit_code, result.stderr) == (0, "")


# One pair per rule of text._stem, in its order: each pair has the same stem only while its
# rule holds (breaking any one rule splits its pair; others may split too).
STEM_RULES = [
    ("treaties", "treaty"),  # -ies -> -y
    # -sses -> -ss gives what dropping -s and then -e gives: no pair can tell it missing.
    ("addresses", "address"),
    ("missiles", "missile"),  # a plural's -s
    ("suspension", "suspend"),  # -nsion -> -nd
    ("relational", "relate"),  # -ational -> -ate
    ("cooperation", "cooperate"),  # -ation -> -ate
    ("definition", "definite"),  # -ition -> -ite
    ("meeting", "meet"),  # -ing
    ("cooperative", "cooperate"),  # -ive -> -e
    ("suspended", "suspend"),  # -ed
    ("planned", "plan"),  # a doubled last consonant, once the ending is gone
    ("cooperate", "cooperating"),  # a last -e
]


@pytest.mark.parametrize(("form", "base"), STEM_RULES)
def test_each_rule_of_the_stemmer_joins_its_forms(form: str, base: str) -> None:
    assert stem(form) == stem(base)


def test_a_stem_bar_its_last_letter_begins_its_word(bundled: Dataset) -> None:
    # search reads only the texts that hold this much of a stem (text.folded, search._needles):
    # a stemmer rule that changed more of a word than its last letter would lose matches.
    found = [w for r in bundled.all_records() for _, t in text_fields(r) for w in words(t)]
    for word in {*found, *(w for pair in STEM_RULES for w in pair), "ation", "acive", "yies"}:
        assert word.startswith(stem(word)[:-1]), word
