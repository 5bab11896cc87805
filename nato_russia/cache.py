"""A cache of validated datasets, so that big user datasets are parsed once.

Entries live in $XDG_CACHE_HOME/nrr (default ~/.cache/nrr), one file per key. The key (made by
the loader) covers the nrr version and the content of every input file, so an edited file or a
new nrr never meets an old entry. Each file carries a header with that key and a digest of its
payload: a truncated, corrupted or misplaced file is detected before it is decoded, ignored
and rebuilt. Writes are atomic (a temporary file, then a rename). A cache that cannot be read
or written is simply not used: it is never worth an error.

The cache directory is the user's own, like any other dot-cache; it is trusted the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from nato_russia import rows
from nato_russia.model import Dataset

MAGIC = b"NRRCACHE3\n"
RACY_SECONDS = 2
KEEP_ENTRIES = 8  # older entries (other datasets, other versions) are pruned beyond this
KEY_BYTES = 32
DIGEST_BYTES = 4
ENV_CACHE_HOME = "XDG_CACHE_HOME"


def cache_dir() -> Path:
    base = os.environ.get(ENV_CACHE_HOME) or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nrr"


def content_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def content_digests(
    files: list[Path], read: Callable[[Path], bytes], contents: dict[Path, bytes]
) -> dict[Path, bytes]:
    """The content digest of each input file, for the cache key.

    Hashing a large dataset on every run costs more than the rest of a warm run, so a digest is
    remembered together with the file's size, inode, modification and change times, and reused
    while all four are unchanged: any write to a file changes its change time, which no user can
    set back. As git does for its index, a digest is remembered only for a file last changed
    more than RACY_SECONDS ago, so that two writes within one tick of the file system's clock
    cannot leave a stale digest behind. Files read here are left in `contents` for the caller.
    """
    memo_path = cache_dir() / "digests.json"
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    digests: dict[Path, bytes] = {}
    changed = False
    now = time.time_ns()
    for path in files:
        name = str(path.resolve())
        info = path.stat()
        signature = [info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]
        entry = memo.get(name)
        if isinstance(entry, list) and entry[:4] == signature and len(entry) == 5:
            try:
                digests[path] = bytes.fromhex(entry[4])
                continue
            except (TypeError, ValueError):
                pass
        contents[path] = read(path)
        digests[path] = content_digest(contents[path])
        if now - max(info.st_mtime_ns, info.st_ctime_ns) > RACY_SECONDS * 10**9:
            memo[name] = [*signature, digests[path].hex()]
            changed = True
    if changed:
        _write_atomically(memo_path, json.dumps(memo).encode())
    return digests


def entry_path(key: str) -> Path:
    return cache_dir() / f"dataset-{key}.bin"


def _digest(payload: bytes | memoryview) -> bytes:
    # A checksum against accidental damage (truncation, bit rot, a half-written file); the key
    # in the header, not this, is what ties an entry to its inputs. CRC-32 is twice as fast as
    # a cryptographic hash on the tens of megabytes of a large dataset.
    return zlib.crc32(payload).to_bytes(DIGEST_BYTES, "big")


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
    payload = memoryview(blob)[header:]  # a view: no copy of a large entry
    if stored_key != bytes.fromhex(key) or _digest(payload) != stored_digest:
        return None
    try:
        return rows.decode(payload)
    except Exception:
        return None


def write(key: str, dataset: Dataset) -> None:
    """Store a dataset atomically; give up silently where the cache cannot be written."""
    payload = rows.encode(dataset)
    header = MAGIC + bytes.fromhex(key) + _digest(payload)
    if _write_atomically(entry_path(key), header, payload):
        _prune(cache_dir())


def _write_atomically(path: Path, *parts: bytes) -> bool:
    """Write a file by way of a temporary file and a rename, so no reader sees half of it.
    The parts are written one after the other, not joined: no copy of tens of megabytes."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                out.write(part)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True


def _prune(directory: Path) -> None:
    try:
        entries = sorted(
            directory.glob("dataset-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        for old in entries[KEEP_ENTRIES:]:
            old.unlink()
    except OSError:
        pass
