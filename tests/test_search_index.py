"""The FTS5 search index of large datasets: built in the cache, same answers, safe fallbacks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nato_russia import fts, loader
from nato_russia.cli import app
from tests.conftest import FIXTURE_DATA, StrictRunner, write_generated_events

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
    ["missile", "missile defence", '"crisis piracy"', "council -treaty year:2001", "type:event"],
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
