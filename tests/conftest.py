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


# The heaviest tests (fuzzing, whole processes, a wheel), by file and name: `-m "not slow"`
# leaves them out of a quick edit loop; `uv run pytest` runs them with the rest. Kept here in
# one list rather than as a decorator in each file, so that the list reads as one budget.
SLOW = {
    ("test_hostile_files.py", "test_any_file_either_loads_or_gives_data_errors"),
    ("test_load_rules.py", "test_varied_valid_data_comes_back_from_the_cache_as_it_was"),
    ("test_loader.py", "test_any_record_either_loads_or_gives_data_errors"),
    ("test_faults.py", "test_escapes_in_data_are_refused_and_shown_visibly"),
    ("test_faults.py", "test_a_narrow_terminal_loses_no_character"),
    ("test_faults.py", "test_any_argument_list_ends_in_a_documented_way"),
    ("test_faults.py", "test_sigterm_during_an_export_leaves_nothing_behind"),
    ("test_wheel.py", "test_wheel_installed_in_a_fresh_venv_prints_the_same_timeline"),
    ("test_completion.py", "test_early_answers_match_typer_and_import_nothing_heavy"),
    ("test_fastpath.py", "test_the_console_script_reads_as_the_app"),
    ("test_startup.py", "test_a_command_imports_only_what_it_runs"),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "originalname", item.name)
        if (item.path.name, name) in SLOW:
            item.add_marker(pytest.mark.slow)
