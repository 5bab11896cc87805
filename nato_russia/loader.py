"""Which data to load, and loading it: bundled data plus user datasets, through the cache.

A dataset is the bundled data (unless left out) plus any number of user paths, each a record
file (events.json) or a directory of them. Ids must be unique across all of them; links may
cross from one to another.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from nato_russia import __version__
from nato_russia.errors import DataError, Problem
from nato_russia.model import Dataset, schema_fingerprint
from nato_russia.readers import (
    RawRecord,
    data_files,
    line_of,
    read_batches,
    read_bytes,
    read_records,
    record_type_of,
)
from nato_russia.validation import Linked, QuickBuild, build_dataset, link

ENV_DATA = "NRR_DATA"
T = TypeVar("T")

# Seconds spent in each stage of loading (digest, parse, validate, link, encode, write),
# summed over this process's loads: a small in-process timer, to see where a load's time goes.
# Reading the files counts to "parse". Timing a stage costs well under a microsecond.
STAGES: dict[str, float] = {}


@contextlib.contextmanager
def timed(stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        STAGES[stage] = STAGES.get(stage, 0.0) + time.perf_counter() - start


def _timed_items(items: Iterable[T], stage: str) -> Iterator[T]:
    """The items, the time taken to make each counted to `stage`."""
    iterator = iter(items)
    while True:
        with timed(stage):
            try:
                item = next(iterator)
            except StopIteration:
                return
        yield item


def bundled_data_dir() -> Path:
    """The data shipped with nrr: inside the package when installed from a wheel, else the
    repository's top-level data/ (an editable install or a source checkout)."""
    package_dir = Path(__file__).resolve().parent
    installed = package_dir / "data"
    if installed.is_dir():
        return installed
    return package_dir.parent / "data"


@dataclass(frozen=True, slots=True)
class DataSelection:
    """What to load: user paths (from --data and NRR_DATA), and whether to add the bundled data."""

    paths: tuple[Path, ...] = ()
    bundled: bool = True
    use_cache: bool = True

    @classmethod
    def from_options(
        cls, data: Sequence[Path], *, no_bundled: bool, no_cache: bool
    ) -> DataSelection:
        from_env = [Path(p) for p in os.environ.get(ENV_DATA, "").split(os.pathsep) if p]
        return cls(tuple(from_env) + tuple(data), not no_bundled, not no_cache)

    def files(self) -> list[Path]:
        """Every record file to read, in order: bundled first, then the user's."""
        problems: list[Problem] = []
        files: list[Path] = data_files(bundled_data_dir()) if self.bundled else []
        for path in self.paths:
            try:
                files.extend(data_files(path))
            except DataError as exc:
                problems.extend(exc.problems)
            except OSError as exc:  # a name too long, a loop of links, no permission
                name = str(path) if len(str(path)) <= 200 else str(path)[:199] + "\u2026"
                problems.append(Problem(name, None, None, f"cannot be read: {exc.strerror}"))
        if problems:
            raise DataError(problems)
        # The same file named twice (the bundled data given as --data, a path both in NRR_DATA
        # and on the command line) is read once rather than colliding with itself.
        unique = {path.resolve(): path for path in reversed(files)}
        files = [path for path in files if unique.get(path.resolve()) is path]
        if not files:
            raise DataError([Problem("(no data)", None, None, "no record files to read")])
        return files


def _with_lines(problems: list[Problem]) -> list[Problem]:
    located = []
    for p in problems:
        if p.line is None and p.index is not None:
            field = p.field.split(".")[0] if p.field else None
            p = dataclasses.replace(p, line=line_of(p.file, p.index, field))
        located.append(p)
    return located


def _read_all(files: list[Path]) -> tuple[list[RawRecord], list[Problem], frozenset[str]]:
    """Parse every file strictly, collecting the problems of unreadable files rather than
    stopping at the first; also the record types of those."""
    raw: list[RawRecord] = []
    problems: list[Problem] = []
    unread: set[str] = set()
    for path in files:
        try:
            raw.extend(read_records(path))
        except DataError as exc:
            problems.extend(exc.problems)
            type_name = record_type_of(path)
            if type_name is not None:
                unread.add(type_name)
    return raw, problems, frozenset(unread)


def _cache_key(files: list[Path], digests: dict[Path, bytes]) -> str:
    """The cache key: this nrr version, the schema of the records and the layout of the cached
    rows, and each input file's path and content digest. With the schema in the key, a cache
    written before a field was added is never replayed onto the new fields (the search index
    is named by this key too, so it follows)."""
    from nato_russia import rows

    layout = f"nrr {__version__} schema {schema_fingerprint()} rows {rows.FORMAT}"
    key = hashlib.blake2b(layout.encode(), digest_size=32)
    for path in files:
        key.update(str(path.resolve()).encode() + b"\0")
        key.update(digests[path])
    return key.hexdigest()


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects at once.

    Loading creates hundreds of thousands of acyclic objects; each time their count passes a
    threshold the collector rescans all of them, which took a quarter of a 100,000-event load.
    Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(selection: DataSelection) -> Dataset:
    """Load, validate and cross-link the selected data; from the cache when it is current."""
    with _no_cyclic_gc():
        return _load(selection)


def _load(selection: DataSelection) -> Dataset:
    from nato_russia import cache, rows

    files = selection.files()
    if not selection.use_cache:
        built = _build(files, {})
        return built if isinstance(built, Dataset) else rows.eager(built)
    contents: dict[Path, bytes] = {}
    with timed("digest"):
        key = _cache_key(files, cache.content_digests(files, read_bytes, contents))

    @functools.cache
    def rebuild() -> Dataset:
        # A damaged entry found while reading it: drop it and build afresh from the files.
        cache.discard(key)
        with _no_cyclic_gc():
            built = _build(files, {})
        if isinstance(built, Dataset):
            return built
        _store(key, built)
        return rows.eager(built)

    cached = cache.read(key, rebuild)
    if cached is None:
        built = _build(files, contents)
        if isinstance(built, Dataset):
            return dataclasses.replace(built, key=key)
        # Read back from the entry just written: the records a command uses are built from
        # it as in any warm run, and the tables (every value of every record) can go.
        cached = cache.read(key, rebuild) if _store(key, built) else None
        if cached is None:
            cached = rows.eager(built)
    return dataclasses.replace(cached, key=key)


def _store(key: str, linked: Linked) -> bool:
    from nato_russia import cache

    written = STAGES.get("write", 0.0)
    start = time.perf_counter()
    stored = cache.write(key, linked, timed)
    encoding = time.perf_counter() - start - (STAGES.get("write", 0.0) - written)
    STAGES["encode"] = STAGES.get("encode", 0.0) + encoding
    return stored


def _build(files: list[Path], contents: dict[Path, bytes]) -> Linked | Dataset:
    """The files' records validated and cross-linked: the quick way (validation.QuickBuild)
    when everything is valid; else record by record, which raises DataError naming every
    problem (and, were the two ways ever to disagree, gives the records after all)."""
    try:
        linked = _quick(files, contents)
    except DataError:
        linked = None  # a file that does not parse: reported below with the others
    contents.clear()
    return linked if linked is not None else _checked(files)


def _quick(files: list[Path], contents: dict[Path, bytes]) -> Linked | None:
    build = QuickBuild()
    for path in files:
        # One file at a time, its bytes and parsed values let go once its records are in
        # the tables: a million records are never all held twice.
        data = contents.pop(path, None)
        for batch in _timed_items(read_batches(path, data), "parse"):  # reading included
            with timed("validate"):
                valid = build.add(batch)
            del batch
            if not valid:
                return None
        del data
    with timed("link"):
        return link(build)


def _checked(files: list[Path]) -> Dataset:
    raw, problems, _ = _read_all(files)
    if problems:
        raise DataError(problems)
    try:
        return build_dataset(raw)
    except DataError as exc:
        raise DataError(_with_lines(exc.problems)) from None


def check(selection: DataSelection) -> tuple[Dataset | None, list[Problem]]:
    """Validate everything without the cache and return every problem found (nrr validate)."""
    try:
        files = selection.files()
    except DataError as exc:
        return None, exc.problems
    raw, problems, unread = _read_all(files)
    try:
        dataset = build_dataset(raw, unread)
    except DataError as exc:
        return None, problems + _with_lines(exc.problems)
    return (None, problems) if problems else (dataset, [])


@functools.cache
def load_bundled() -> Dataset:
    """The bundled dataset alone, loaded once per process (no cache: used by tests and tools)."""
    return load(DataSelection(use_cache=False))


def load_directory(directory: Path) -> Dataset:
    """One directory of record files on its own, without the cache."""
    return load(DataSelection(paths=(directory,), bundled=False, use_cache=False))
