"""The FTS5 search index of large datasets: built in the cache, same answers, safe fallbacks."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from nato_russia import fts, loader
from nato_russia.cli.app import app
from nato_russia.model import Dataset
from nato_russia.querylang import parse_query
from nato_russia.readers import RawRecord, read_records
from nato_russia.search import search, suggestions, vocabulary
from nato_russia.validation import build_dataset
from tests.conftest import FIXTURE_DATA, StrictRunner, write_generated_events
from tests.test_search import generated_dataset

pytestmark = pytest.mark.skipif(not fts.available(), reason="this Python's SQLite has no FTS5")
WORDS = [
    "missile",
    "defence",
    "cooperation",
    "council",
    "summit",
    "crisis",
    "piracy",
    "dialogue",
    "treaty",
    "peace",
]


@pytest.fixture(autouse=True)
def _fixture_as_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "bundled_data_dir", lambda: FIXTURE_DATA)


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """More events than the threshold, so that search goes through the index."""
    return write_generated_events(tmp_path / "big", WORDS, seed=7, summary_words=12)


def invoke(*args: str) -> tuple[int, str, str]:
    result = StrictRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "query",
    [
        "missile",
        "missile defence",
        '"crisis piracy"',
        "council -treaty year:2001",
        "type:event",
        "missle defence",  # a typo, followed: the suggestions come from the index's vocabulary
        "cooperation dialoge",  # a typo not followed: any-word results, and a suggestion
    ],
)
def test_the_index_gives_the_scans_answers(big: Path, _private_cache: Path, query: str) -> None:
    indexed = invoke("search", query, "--json", "--limit", "0", "--data", str(big))
    assert list(_private_cache.glob("search-*.sqlite")), "the index was built in the cache"
    scanned = invoke("search", query, "--json", "--limit", "0", "--data", str(big), "--no-cache")
    assert indexed == scanned
    assert json.loads(indexed[1])


def test_a_pipe_gets_twenty_results_and_a_note(big: Path) -> None:
    code, out, err = invoke("search", "missile", "--data", str(big))
    assert code == 0
    assert len(out.splitlines()) == 1 + 20
    assert re.fullmatch(r"showing 20 of \d+; --limit 0 for all\n", err)
    code, out, err = invoke("search", "missile", "--limit", "0", "--data", str(big))
    assert len(out.splitlines()) > 21
    assert err == ""


def test_without_fts5_search_still_works(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = invoke("search", "missile", "--json", "--limit", "5", "--data", str(big))
    monkeypatch.setattr(fts, "available", lambda: False)
    code, out, err = invoke("search", "missile", "--json", "--limit", "5", "--data", str(big))
    assert (code, out) == (0, expected[1])
    assert err.startswith("note: this Python's SQLite has no FTS5; searching without an index\n")


def test_a_damaged_index_is_rebuilt(big: Path, _private_cache: Path) -> None:
    expected = invoke("search", "missile defence", "--json", "--data", str(big))
    (index,) = _private_cache.glob("search-*.sqlite")
    index.write_bytes(b"not a database" * 100)
    assert invoke("search", "missile defence", "--json", "--data", str(big)) == expected
    assert fts.open_index(index) is not None


def test_fts_syntax_in_queries_is_only_words(big: Path) -> None:
    for query in ["NEAR(missile defence)", "missile OR defence", "missile*", "{w5} : x", "AND"]:
        code, _, err = invoke("search", query, "--data", str(big))
        assert code in (0, 2), err


def test_a_damaged_index_is_dropped_and_rebuilt(big: Path, _private_cache: Path) -> None:
    first = invoke("search", "missile", "--json", "--data", str(big))
    (index,) = _private_cache.glob("search-*.sqlite")
    # Keep the first pages (the index still opens and names its schema) and overwrite the
    # rest, where the words are: the damage shows only when a search reads them.
    content = index.read_bytes()
    keep = len(content) // 2
    damaged = content[:keep] + b"\xff" * (len(content) - keep)
    index.write_bytes(damaged)
    assert invoke("search", "missile", "--json", "--data", str(big)) == first
    assert not index.exists() or index.read_bytes() != damaged
    assert invoke("search", "missile", "--json", "--data", str(big)) == first
    assert index.exists()  # built afresh


def test_a_search_with_no_results_says_the_same_with_the_index(big: Path) -> None:
    indexed = invoke("search", "zzqx", "--data", str(big))
    assert indexed == invoke("search", "zzqx", "--data", str(big), "--no-cache")
    assert indexed[2] == 'No results for "zzqx".\n'
    assert invoke("search", "piracx", "--data", str(big))[2].startswith(
        'No results for "piracx". Did you mean "piracy"?\n'
    )


def index_of(dataset: Dataset) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    fts.fill(db, dataset)
    return db


def everything_in(db: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of an index, its words with their positions included (the text itself is not
    stored, so fts5vocab is the way to read what was indexed)."""
    db.execute("create virtual table temp.stored using fts5vocab(main, words, instance)")
    queries = {
        "words": "select term, doc, col, offset from temp.stored",
        "records": "select * from records order by rowid",
        "links": "select * from links order by rowid, kind, value",
        "vocabulary": "select word from vocabulary order by word",
    }
    return {name: db.execute(sql).fetchall() for name, sql in queries.items()}


def test_the_index_is_the_same_whatever_the_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # The fixture's records and the generated events interleave in date order: small batches
    # mix record types (regrouped by type, then put back in rowid order) or hold one type.
    dataset = generated_dataset(4, size=120)
    whole = everything_in(index_of(dataset))
    assert len(whole["records"]) == sum(len(r) for r in dataset.records.values())
    for batch in (1, 7, 64):
        monkeypatch.setattr(fts, "BATCH", batch)
        assert everything_in(index_of(dataset)) == whole, batch


def dataset_with_titles(*titles: str) -> Dataset:
    raw = [r for path in sorted(FIXTURE_DATA.glob("*.yaml")) for r in read_records(path)]
    for i, title in enumerate(titles):
        values = {
            "id": f"titled-{i}",
            "title": title,
            "date": "2001",
            "summary": "x",
            "period": "early",
            "sources": ["test-source"],
        }
        raw.append(RawRecord("event", "generated", values, i))
    return build_dataset(raw)


# New Tai Lue vowel signs and a Vedic sign: letters to Python (so the scan keeps "a\u19b0b" one
# word), separators to the unicode61 tokenizer's older Unicode tables.
@pytest.mark.parametrize("char", ["\u19b0", "\u19c8", "\u1cf2"])
def test_a_word_is_one_token_whatever_its_letters(char: str) -> None:
    dataset = dataset_with_titles(f"summit{char}missile", "missile crisis", f"nato{char}ukraine")
    db = index_of(dataset)
    expected = {
        "missile": "titled-1",
        f"summit{char}missile": "titled-0",
        "ukraine": None,
        f"nato{char}ukraine": "titled-2",
    }
    for text, wanted in expected.items():
        query = parse_query(text)
        scan, indexed = search(dataset, query), search(dataset, query, index=db)
        scanned = [(h.record.id, h.score) for h in scan.hits]
        assert scanned == [(h.record.id, h.score) for h in indexed.hits]
        # The hits shown are scored again from the records, so a false match shows in the total
        assert scan.total == indexed.total, text
        found = {record_id for record_id, _ in scanned if record_id.startswith("titled-")}
        assert found == ({wanted} if wanted else set()), text


def test_suggestions_from_the_index_are_the_scans() -> None:
    dataset = generated_dataset(5)
    db = index_of(dataset)
    assert vocabulary(dataset, db) == vocabulary(dataset)
    # Read from the index, not from the records (a no-result search at 100,000 events spent
    # seconds tokenising them all):
    assert vocabulary(Dataset({}), db) == vocabulary(dataset)
    surface, _ = vocabulary(dataset)
    assert {"wörner", "café", "o'brien"} & surface == set()  # folded, as the scan has them
    assert {"worner", "cafe", "obrien", "missiles", "russia"} <= surface
    for text in ["missle defense", "wornr", "cafw", "obrein", "partnershp"]:
        query = parse_query(text)
        assert suggestions(dataset, query, index=db) == suggestions(dataset, query), text
        assert suggestions(dataset, query), text


def test_an_index_without_its_vocabulary_falls_back_to_the_records() -> None:
    dataset = generated_dataset(5)
    db = index_of(dataset)
    db.execute("drop table vocabulary")
    assert fts.vocabulary(db) is None
    assert vocabulary(dataset, db) == vocabulary(dataset)
