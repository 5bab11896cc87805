from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from nato_russia import loader
from nato_russia.cli import common
from nato_russia.model import Dataset

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DATA = Path(__file__).resolve().parent / "fixtures" / "mini"
# The shared folder beside the project (CI has it; a user's clone may not).
SHARED_SOURCES = ROOT.parent / "shared" / "sources"
BACKGROUNDER = SHARED_SOURCES / "nato-russia-backgrounder-2015-12.txt"
FACTS = SHARED_SOURCES / "facts.md"


@pytest.fixture(scope="session")
def _warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled data's load cache, built once per session (per worker under xdist): every
    test starts from a copy, so a command in a test is a warm run, as it is for a user."""
    home = tmp_path_factory.mktemp("warm-cache-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home))
        patch.delenv("NRR_DATA", raising=False)
        loader.load(loader.DataSelection())
    return home / "nrr"


@pytest.fixture(autouse=True)
def _cache_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, _warm_cache: Path
) -> Path:
    """Every test gets its own cache directory, holding a copy of the bundled data's entry
    (a copy: a test may damage its entry), and never sees the user's NRR_DATA."""
    cache_home = tmp_path_factory.mktemp("cache-home")
    shutil.copytree(_warm_cache, cache_home / "nrr")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    monkeypatch.delenv("NRR_DATA", raising=False)
    return cache_home / "nrr"


@pytest.fixture
def _private_cache(
    _cache_home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """An empty cache directory of the test's own, for tests that look inside the cache."""
    cache_home = tmp_path_factory.mktemp("empty-cache-home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))
    return cache_home / "nrr"


@pytest.fixture(autouse=True)
def _deterministic_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # Typer forces a terminal (and ANSI) when these are set, e.g. on CI services.
    for name in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERMINAL_WIDTH", "3000")
    monkeypatch.setenv("_TYPER_FORCE_DISABLE_TERMINAL", "1")


class StrictRunner(CliRunner):
    """A CliRunner under which a bug raises instead of passing as exit 1.

    CliRunner catches every exception by default and only records it, so a crash looks like
    any failure and no traceback ever reaches the captured stderr: a test could not tell a
    bug from a handled error. Here they propagate, as they do under NRR_DEBUG=1."""

    def invoke(self, *args: Any, **kwargs: Any) -> Result:
        kwargs.setdefault("catch_exceptions", False)
        return super().invoke(*args, **kwargs)


@pytest.fixture
def runner() -> CliRunner:
    return StrictRunner()


@pytest.fixture
def mini() -> Dataset:
    return loader.load_directory(FIXTURE_DATA)


@pytest.fixture
def use_mini(monkeypatch: pytest.MonkeyPatch, mini: Dataset) -> Iterator[Dataset]:
    """Run the CLI against the small fixture dataset instead of the bundled one."""
    monkeypatch.setattr(common, "load_dataset", lambda *args, **kwargs: mini)
    yield mini


@pytest.fixture(scope="session")
def bundled() -> Dataset:
    return loader.load_bundled()


def shared_text(path: Path) -> str:
    if not path.is_file():
        pytest.skip(f"{path} is absent: the check of the data against the sources needs shared/")
    return path.read_text(encoding="utf-8")


EXPECTED = Path(__file__).resolve().parent / "expected"


@pytest.fixture
def expected() -> Callable[[str, str], None]:
    """Compare a whole output with tests/expected/NAME, byte for byte (CRLF kept).

    NRR_UPDATE_EXPECTED=1 rewrites the files instead; review their diff before committing."""

    def compare(name: str, text: str) -> None:
        path = EXPECTED / name
        if os.environ.get("NRR_UPDATE_EXPECTED"):
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        assert path.is_file(), f"{path} is missing: run with NRR_UPDATE_EXPECTED=1 and review it"
        assert text == path.read_bytes().decode("utf-8")

    return compare


def render_at(width: int, draw: Callable[[Any], None]) -> str:
    """What Rich draws at this width, pinned as Rich's own tests pin it: no environment, no
    colour, a terminal of exactly this size."""
    import io

    from rich.console import Console

    file = io.StringIO()
    console = Console(
        width=width,
        file=file,
        force_terminal=True,
        color_system=None,
        legacy_windows=False,
        _environ={},
    )
    draw(console)
    return file.getvalue()


GENERATED_EVENTS = 250


def write_generated_events(
    directory: Path, words: list[str], *, seed: int, summary_words: int
) -> Path:
    """A few hundred events of random words, the same for the same seed."""
    import json
    import random

    rng = random.Random(seed)
    events = [
        {
            "id": f"big-{i}",
            "title": " ".join(rng.choices(words, k=4)),
            "date": f"{rng.randrange(1990, 2016)}",
            "summary": " ".join(rng.choices(words, k=summary_words)),
            "period": "early",
            "sources": ["test-source"],
        }
        for i in range(GENERATED_EVENTS)
    ]
    directory.mkdir()
    (directory / "events.json").write_text(json.dumps(events))
    return directory
