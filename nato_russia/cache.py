"""A cache of validated datasets, so that big user datasets are parsed once.

Entries live in $XDG_CACHE_HOME/nrr (default ~/.cache/nrr), one file per key. The key (made by
the loader) covers the nrr version and the content of every input file, so an edited file or a
new nrr never meets an old entry. Each file carries a header with that key, and every part of it
carries a CRC-32: a truncated, corrupted or misplaced file is detected before any of it is
decoded, and the dataset is rebuilt from the data files. Writes are atomic (a temporary file,
then a rename) and streamed: the parts (rows.py) go to the file as they are made, then the
index, then the header that says where the index is. A cache that cannot be read or written is
simply not used: it is never worth an error.

The cache directory is the user's own, like any other dot-cache; it is trusted the same way.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import mmap
import os
import stat
import struct
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import BinaryIO

from nato_russia import rows
from nato_russia.model import Dataset
from nato_russia.validation import Linked

MAGIC = b"NRRCACHE5\n"
RACY_SECONDS = 2
KEEP_ENTRIES = 8  # older entries (other datasets, other versions) are pruned beyond this
KEY_BYTES = 32
KEEP_CONTENTS = 128 * 1024 * 1024
ENV_CACHE_HOME = "XDG_CACHE_HOME"


def cache_dir() -> Path:
    base = os.environ.get(ENV_CACHE_HOME) or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nrr"


def open_regular(path: Path) -> BinaryIO:
    """Open a cache file for reading only if it is a regular file.

    Anything else in its place (a named pipe, a device, a directory) is treated as damage and
    never read: opening a pipe for reading would wait for a writer forever. O_NONBLOCK keeps
    even the open from waiting, and the type is checked on the open file, not on its name."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EINVAL, "not a regular file", str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


# SHA-256 runs in the processor's own instructions where it has them (most x86-64 and ARM
# chips since about 2017): twice as fast as BLAKE2b on a 60 MB file, measured on ours.
DIGEST = "sha256"


def content_digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def content_digests(
    files: list[Path], read: Callable[[Path], bytes], contents: dict[Path, bytes]
) -> dict[Path, bytes]:
    """The content digest of each input file, for the cache key.

    Hashing a large dataset on every run costs more than the rest of a warm run, so a digest is
    remembered together with the file's size, inode, modification and change times, and reused
    while all four are unchanged: any write to a file changes its change time, which no user can
    set back. As git does for its index, a digest is remembered only for a file last changed
    more than RACY_SECONDS ago, so that two writes within one tick of the file system's clock
    cannot leave a stale digest behind. Files read here are left in `contents` for the caller,
    up to KEEP_CONTENTS bytes in all: beyond that, reading a file again costs less than
    holding every file at once.
    """
    memo_path = cache_dir() / "digests.json"
    try:
        with open_regular(memo_path) as file:
            memo = json.loads(file.read().decode("utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    digests: dict[Path, bytes] = {}
    unknown: dict[Path, tuple[str, list[int]]] = {}
    for path in files:
        name = str(path.resolve())
        info = path.stat()
        signature = [info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]
        entry = memo.get(name)
        if isinstance(entry, list) and entry[:4] == signature and entry[5:] == [DIGEST]:
            try:
                digests[path] = bytes.fromhex(entry[4])
                continue
            except (TypeError, ValueError):
                pass
        unknown[path] = (name, signature)
    kept = 0
    changed = False
    now = time.time_ns()
    for path, (digest, data) in zip(unknown, _read_and_hash(list(unknown), read), strict=True):
        digests[path] = digest
        if data is not None and kept + len(data) <= KEEP_CONTENTS:
            contents[path] = data
            kept += len(data)
        name, signature = unknown[path]
        if now - max(signature[2], signature[3]) > RACY_SECONDS * 10**9:
            memo[name] = [*signature, digest.hex(), DIGEST]
            changed = True
    if changed:
        _write_atomically(memo_path, json.dumps(memo).encode())
    return digests


HASHING_THREADS = 2


def _read_and_hash(
    files: list[Path], read: Callable[[Path], bytes]
) -> Iterator[tuple[bytes, bytes | None]]:
    """Each file's digest, and its bytes unless they are more than could be kept.

    Reading and hashing release the interpreter's lock, so several files are hashed at once
    (a million records in four files: half the time on two cores)."""

    def one(path: Path) -> tuple[bytes, bytes | None]:
        data = read(path)
        return content_digest(data), data if len(data) <= KEEP_CONTENTS else None

    if len(files) < 2:
        yield from map(one, files)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(HASHING_THREADS) as pool:
        yield from pool.map(one, files)


def entry_path(key: str) -> Path:
    return cache_dir() / f"dataset-{key}.bin"


# An entry: MAGIC, the key, where the index is (offset, length) and its CRC-32; then the parts
# (rows.py), each at an offset that is a multiple of ALIGN (they hold arrays); then the index.
_HEADER = struct.Struct(f">{len(MAGIC)}s{KEY_BYTES}sQQI")
ALIGN = 8
Timer = Callable[[str], AbstractContextManager[None]]


@contextlib.contextmanager
def _untimed(stage: str) -> Iterator[None]:
    yield


def read(key: str, on_damage: Callable[[], Dataset]) -> Dataset | None:
    """The cached dataset for this key, or None if there is none or it cannot be trusted.

    Only the header and the index are read here; parts are read (and checked) when used. A
    part found damaged then is not used: `on_damage` rebuilds the dataset from the files."""
    try:
        with open_regular(entry_path(key)) as file:
            if os.fstat(file.fileno()).st_size < _HEADER.size:
                return None
            view = memoryview(mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ))
    except (OSError, ValueError):
        return None
    magic, stored_key, index_offset, index_length, index_crc = _HEADER.unpack_from(view)
    if magic != MAGIC or stored_key != bytes.fromhex(key):
        return None
    index = view[index_offset : index_offset + index_length]
    if len(index) != index_length or zlib.crc32(index) != index_crc:
        return None

    def read_part(offset: int, length: int) -> memoryview:
        return view[offset : offset + length]

    try:
        return rows.decode(index, read_part, on_damage)
    except Exception:  # an undecodable index is a miss, never a failure
        return None


def write(key: str, linked: Linked, timed: Timer = _untimed) -> bool:
    """Store a dataset atomically; give up silently (False) where the cache cannot be written.
    `timed` is told when the file itself is written, to tell that from encoding."""

    def fill(out: BinaryIO) -> None:
        out.write(bytes(_HEADER.size))  # a place for the header, written last

        def write_part(blob: bytes) -> int:
            with timed("write"):
                offset = out.tell()
                out.write(blob)
                out.write(bytes(-len(blob) % ALIGN))
            return offset

        index = rows.encode(linked, write_part)
        index_offset = write_part(index)
        header = _HEADER.pack(
            MAGIC, bytes.fromhex(key), index_offset, len(index), zlib.crc32(index)
        )
        with timed("write"):
            out.seek(0)
            out.write(header)

    if _write_atomically(entry_path(key), fill):
        _prune(cache_dir())
        return True
    return False


def discard(key: str) -> None:
    with contextlib.suppress(OSError):
        entry_path(key).unlink()


def _write_atomically(path: Path, content: bytes | Callable[[BinaryIO], None]) -> bool:
    """Write a file by way of a temporary file and a rename, so no reader sees half of it.
    `content` is the bytes, or what writes them to the open file, part by part: no copy of
    hundreds of megabytes is ever held."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(content, bytes):
                out.write(content)
            else:
                content(out)
        os.replace(temporary, path)
    except BaseException as exc:
        # Also on Ctrl-C or SIGTERM: no half-written temporary file is left behind.
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            return False
        raise
    return True


STRAY_SECONDS = 3600  # a temporary file older than this was left by a process that died


def _prune(directory: Path) -> None:
    try:
        for pattern in ("dataset-*.bin", "search-*.sqlite"):
            entries = sorted(directory.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[KEEP_ENTRIES:]:
                old.unlink()
        # A process killed outright (SIGKILL, power loss) can still leave a temporary file;
        # one old enough cannot belong to a write still under way.
        now = time.time()
        for stray in directory.glob(".tmp-*"):
            if now - stray.lstat().st_mtime > STRAY_SECONDS:
                stray.unlink()
    except OSError:
        pass
