"""A cache of validated datasets, so that big user datasets are parsed once.

Entries live in $XDG_CACHE_HOME/nrr (default ~/.cache/nrr), one file per key. The key (made by
the loader) covers the nrr version and the content of every input file, so an edited file or a
new nrr never meets an old entry. Each file carries a header with that key and a digest of its
payload: a truncated, corrupted or misplaced file is detected before it is unpickled, ignored
and rebuilt. Writes are atomic (a temporary file, then a rename). A cache that cannot be read
or written is simply not used: it is never worth an error.

The cache directory is the user's own, like any other dot-cache; it is trusted the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from nato_russia.model import Dataset

MAGIC = b"NRRCACHE1\n"
KEEP_ENTRIES = 8  # older entries (other datasets, other versions) are pruned beyond this
KEY_BYTES = 32
DIGEST_BYTES = 32
ENV_CACHE_HOME = "XDG_CACHE_HOME"


def cache_dir() -> Path:
    base = os.environ.get(ENV_CACHE_HOME) or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nrr"


def entry_path(key: str) -> Path:
    return cache_dir() / f"dataset-{key}.pickle"


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=DIGEST_BYTES).digest()


def read(key: str) -> Dataset | None:
    """The cached dataset for this key, or None if there is none or it cannot be trusted."""
    try:
        blob = entry_path(key).read_bytes()
    except OSError:
        return None
    header = len(MAGIC) + KEY_BYTES + DIGEST_BYTES
    if len(blob) < header or not blob.startswith(MAGIC):
        return None
    stored_key = blob[len(MAGIC) : len(MAGIC) + KEY_BYTES]
    stored_digest = blob[len(MAGIC) + KEY_BYTES : header]
    payload = blob[header:]
    if stored_key != bytes.fromhex(key) or _digest(payload) != stored_digest:
        return None
    try:
        dataset = pickle.loads(payload)
    except Exception:
        return None
    return dataset if isinstance(dataset, Dataset) else None


def write(key: str, dataset: Dataset) -> None:
    """Store a dataset atomically; give up silently where the cache cannot be written."""
    payload = pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL)
    blob = MAGIC + bytes.fromhex(key) + _digest(payload) + payload
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(blob)
        os.replace(temporary, entry_path(key))
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return
    _prune(directory)


def _prune(directory: Path) -> None:
    try:
        entries = sorted(
            directory.glob("dataset-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in entries[KEEP_ENTRIES:]:
            old.unlink()
    except OSError:
        pass
