"""Which data to load, and loading it: bundled data plus user datasets, through the cache.

A dataset is the bundled data (unless left out) plus any number of user paths, each a record
file (events.json) or a directory of them. Ids must be unique across all of them; links may
cross from one to another.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nato_russia import __version__
from nato_russia.datafiles import data_files, record_type_of
from nato_russia.errors import DataError, Problem
from nato_russia.model import Dataset, schema_fingerprint

# A warm run reads the cache and nothing else: the strict reading (readers.py) and the
# validator are imported where a dataset is built from its files.
if TYPE_CHECKING:
    from nato_russia.readers import RawRecord

ENV_DATA = "NRR_DATA"
# Past this many bytes of data to read and check, a first load takes seconds rather than a
# blink (about 30,000 events): say so on stderr, so that a wait is not taken for a hang.
NOTE_BYTES = 16 * 1024 * 1024


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
        first: dict[Path, Path] = {}
        for path in files:
            first.setdefault(path.resolve(), path)
        files = list(first.values())
        if not files:
            raise DataError([Problem("(no data)", None, None, "no record files to read")])
        return files


def _with_lines(problems: list[Problem]) -> list[Problem]:
    from nato_russia.readers import line_of

    located = []
    for p in problems:
        if p.line is None and p.index is not None:
            field = p.field.split(".")[0] if p.field else None
            p = dataclasses.replace(p, line=line_of(p.file, p.index, field))
        located.append(p)
    return located


def _read_all(
    files: list[Path], contents: dict[Path, bytes] | None = None
) -> tuple[list[RawRecord], list[Problem], frozenset[str]]:
    """Parse every file strictly, collecting the problems of unreadable files rather than
    stopping at the first; also the record types of those. `contents` holds files already
    read (for the cache key); each is let go once parsed."""
    from nato_russia.readers import read_records

    raw: list[RawRecord] = []
    problems: list[Problem] = []
    unread: set[str] = set()
    for path in files:
        try:
            raw.extend(read_records(path, (contents or {}).pop(path, None)))
        except DataError as exc:
            problems.extend(exc.problems)
            type_name = record_type_of(path)
            if type_name is not None:
                unread.add(type_name)
    return raw, problems, frozenset(unread)


def _read_bytes(path: Path) -> bytes:
    # Only for a file whose digest is not remembered: a warm run imports no reader.
    from nato_russia.readers import read_bytes

    return read_bytes(path)


def _cache_key(files: list[Path], digests: dict[Path, bytes]) -> str:
    """The cache key, one line of JSON: this nrr version, the cache format, the schema of the
    records and each input file's path and content digest. With the schema in the key, a cache
    written before a field was added is never replayed onto the new fields."""
    from nato_russia import cache

    inputs = [[str(path.resolve()), digests[path].hex()] for path in files]
    return json.dumps([__version__, cache.MAGIC, schema_fingerprint(), inputs])


def load(selection: DataSelection) -> Dataset:
    """Load, validate and cross-link the selected data; from the cache when it is current."""
    from nato_russia import cache

    files = selection.files()
    if not selection.use_cache or cache.cache_dir() is None:
        return _checked(files)
    contents: dict[Path, bytes] = {}
    key = _cache_key(files, cache.content_digests(files, _read_bytes, contents))
    cached = cache.read(key)
    if cached is not None:
        return cached
    dataset = _checked(files, contents)
    cache.write(key, dataset)
    return dataset


def _checked(files: list[Path], contents: dict[Path, bytes] | None = None) -> Dataset:
    size = sum(path.stat().st_size for path in files)
    if size > NOTE_BYTES:
        sys.stderr.write(f"note: reading and checking {size / 2**20:,.0f} MB of data once\n")
    from nato_russia.cache import collection_paused
    from nato_russia.validation import build_dataset

    with collection_paused():
        raw, problems, _ = _read_all(files, contents)
        if problems:
            raise DataError(problems)
        try:
            return build_dataset(raw)
        except DataError as exc:
            raise DataError(_with_lines(exc.problems)) from None


def check(selection: DataSelection) -> tuple[Dataset | None, list[Problem]]:
    """Validate everything without the cache and return every problem found (nrr validate)."""
    from nato_russia.validation import build_dataset

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
