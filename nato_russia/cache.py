"""A cache of validated datasets, so that a dataset's files are read and checked once.

Entries live in $XDG_CACHE_HOME/nrr (default ~/.cache/nrr; none without a usable home: see
cache_dir), one file per key. The key (made by the loader: the nrr version, the schema of the
records, every input file's content digest) is written into the entry in full, so an edited
file, a new field or a new nrr never meets an old entry. An entry is a header line (MAGIC and
the CRC-32 of the rest), the key, an index (per type: field names, ids, where each record's
line starts and, for a type with dates, each record's day span and the records in date order)
and one line per record: its field values as plain JSON, never anything that runs code. An
entry whose header, checksum, key or field names do not match is a miss: the dataset is built
from the files again and the entry rewritten, atomically (a temporary file, then a rename). A
cache that cannot be read or written is not used: never worth an error.
Records are decoded when first asked for: a lookup decodes the few it shows, and a date filter
picks records by the index's day spans before decoding them.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import errno
import functools
import gc
import itertools
import json
import operator
import os
import stat
import sys
import time
import zlib
from collections.abc import Callable, ItemsView, Iterable, Iterator, Sequence, ValuesView
from pathlib import Path
from typing import Any, BinaryIO, Literal

from nato_russia import signals
from nato_russia.dates import EdtfDate, parse_date
from nato_russia.errors import NrrError
from nato_russia.model import (
    RECORD_TYPES,
    Correction,
    Dataset,
    DatedRecords,
    Record,
    field_schemas,
)

# The index holds its numbers as machine integers (see _packed): in this machine's byte order,
# which the header names, so that another machine's entry (a shared home) is a miss.
MAGIC = f"nrr-cache 8 {sys.byteorder}"
_ALWAYS = dt.date.max.toordinal()
RACY_SECONDS = 2
KEEP_ENTRIES = 8  # older entries (other datasets, other versions) are pruned beyond this
KEEP_CONTENTS = 128 * 1024 * 1024
ENV_CACHE_HOME = "XDG_CACHE_HOME"


def cache_dir() -> Path | None:
    """Where the cache lives, by the XDG Base Directory rule: $XDG_CACHE_HOME/nrr where that
    is an absolute path (a relative one is ignored, as the specification says), else
    ~/.cache/nrr. None, and no cache at all, where the home directory is empty, relative or
    missing (Debian's system users have /nonexistent): rather than a cache in whatever
    directory nrr runs in, or in the root directory."""
    base = os.environ.get(ENV_CACHE_HOME, "")
    if os.path.isabs(base):
        return Path(base) / "nrr"
    # $HOME as it is: expanduser makes an empty one "/". Unset, the password database says.
    home = os.environ["HOME"] if "HOME" in os.environ else os.path.expanduser("~")
    if not os.path.isabs(home) or not os.path.isdir(home):
        return None
    return Path(home) / ".cache" / "nrr"


def _directory() -> Path:
    # The loader asks cache_dir() first and uses no cache without one.
    directory = cache_dir()
    if directory is None:
        raise FileNotFoundError(errno.ENOENT, "no place for a cache")
    return directory


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
    # Imported here: a warm run reuses remembered digests, and OpenSSL's import is 2 ms.
    import hashlib

    return hashlib.sha256(data).digest()


def checksum(body: bytes | memoryview) -> str:
    """What an entry's header says of the rest: CRC-32 catches the damage a disk or an
    interrupted copy does (nothing here guards against a forger: the entry is the user's own
    file) and, unlike a cryptographic digest, needs no OpenSSL import on a warm run."""
    return f"{zlib.crc32(body):08x}"


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
    memo_path = _directory() / "digests.json"
    try:
        with open_regular(memo_path) as file:
            memo = json.loads(file.read().decode("utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    digests: dict[Path, bytes] = {}
    changed = False
    kept = 0
    now = time.time_ns()
    for path in files:
        name = str(path.resolve())
        info = path.stat()
        signature = [info.st_size, info.st_ino, info.st_mtime_ns, info.st_ctime_ns]
        entry = memo.get(name)
        if isinstance(entry, list) and entry[:4] == signature and entry[5:] == [DIGEST]:
            with contextlib.suppress(TypeError, ValueError):
                digests[path] = bytes.fromhex(entry[4])
                continue
        data = read(path)
        digests[path] = content_digest(data)
        if kept + len(data) <= KEEP_CONTENTS:
            contents[path] = data
            kept += len(data)
        if now - max(signature[2], signature[3]) > RACY_SECONDS * 10**9:
            memo[name] = [*signature, digests[path].hex(), DIGEST]
            changed = True
    if changed:
        _write_atomically(memo_path, json.dumps(memo).encode())
    return digests


def entry_path(key: str) -> Path:
    # The name only finds the entry: a name two keys share is a miss (the entry holds its key).
    return _directory() / f"dataset-{checksum(key.encode())}.json"


def read(key: str) -> Dataset | None:
    """The cached dataset for this key, or None if there is none or it cannot be trusted."""
    try:
        with open_regular(entry_path(key)) as file:
            blob = file.read()
        # Found by position rather than split into lines: the records stay one bytes object.
        after_header = blob.index(b"\n") + 1
        after_key = blob.index(b"\n", after_header) + 1
        after_index = blob.index(b"\n", after_key) + 1
        if blob[after_header : after_key - 1] != key.encode():
            return None
        body = memoryview(blob)[after_header:]
        if blob[: after_header - 1] != f"{MAGIC} {checksum(body)}".encode():
            return None
        index = json.loads(blob[after_key:after_index])
        return _from_index(index, blob, after_index, entry_path(key))
    except Exception:  # unreadable, damaged or undecodable: a miss, never a failure
        return None


def write(key: str, dataset: Dataset) -> bool:
    """Store a dataset atomically; give up silently (False) where the cache cannot be written."""
    # Records hold no cycles: the encoder need not look for them.
    encoder = json.JSONEncoder(
        ensure_ascii=False, check_circular=False, separators=(",", ":"), default=_plain
    )
    index: dict[str, list[Any]] = {}
    rows: list[bytes] = []
    for type_name, by_id in dataset.records.items():
        names = list(field_schemas(RECORD_TYPES[type_name]))
        values = map(operator.attrgetter(*names), by_id.values())
        encoded = [encoder.encode(row).encode() for row in values]
        starts = itertools.accumulate((len(row) + 1 for row in encoded), initial=0)
        dated = _dated(by_id.values()) if "date" in names else None
        # Ids are slugs (validation.SLUG): a space parts them, and one JSON string of them
        # reads at once, where a list of 10,000 strings took a millisecond.
        index[type_name] = [names, " ".join(by_id), _packed("q", starts), dated]
        rows += encoded
    body = b"\n".join([key.encode(), encoder.encode(index).encode(), *rows, b""])  # each line ends
    if _write_atomically(entry_path(key), f"{MAGIC} {checksum(body)}\n".encode() + body):
        _prune(_directory())
        return True
    return False


def _packed(code: Literal["i", "q"], numbers: Iterable[int]) -> str:
    """Numbers as machine integers in hex (q: 8 bytes, i: 4): what the index holds by the
    thousand reads back with bytes.fromhex in a fraction of the time json.loads takes to
    read them as JSON numbers (a third of reading a 10,000-event entry's index)."""
    from array import array  # only when writing

    return array(code, numbers).tobytes().hex()


def _unpacked(code: Literal["i", "q"], text: str) -> memoryview[int]:
    return memoryview(bytes.fromhex(text)).cast(code)


def _dated(records: Iterable[Record]) -> list[str]:
    """The first and the last day of each record's `date` (day numbers of dt.date), and the
    records' places in date order (by first day, then last), packed: what
    Dataset.overlapping asks of a type with dates. An undated record overlaps every span:
    from day 0 to the last day dt.date knows."""
    dates: list[EdtfDate | None] = [getattr(record, "date", None) for record in records]
    spans = [
        (0, _ALWAYS) if d is None else (d.earliest().toordinal(), d.latest().toordinal())
        for d in dates
    ]
    order = sorted(range(len(spans)), key=spans.__getitem__)
    return [
        _packed("i", (span[0] for span in spans)),
        _packed("i", (span[1] for span in spans)),
        _packed("i", order),
    ]


def _plain(value: object) -> object:
    """What JSON cannot write as it is: a date as its EDTF text, a correction as [says,
    finding, sources]."""
    if isinstance(value, EdtfDate):
        return str(value)
    if isinstance(value, Correction):
        return [value.says, value.finding, value.sources]
    raise TypeError(f"{type(value).__name__} has no place in the cache")


def _from_index(index: dict[str, list[Any]], blob: bytes, start: int, path: Path) -> Dataset:
    """The records of an entry whose records begin at `start`, each decoded when asked for;
    raises (ValueError, KeyError, ...) on an index that does not fit the entry or this nrr's
    record types and fields."""
    if list(index) != list(RECORD_TYPES):
        raise ValueError("not the record types of this nrr")
    records: dict[str, StoredRecords] = {}
    for type_name, cls in RECORD_TYPES.items():
        names, ids, starts, dated = index[type_name]
        if names != list(field_schemas(cls)):
            raise ValueError(f"{type_name}: not the fields of this nrr")
        spans = None if dated is None else [_unpacked("i", packed) for packed in dated]
        stored = StoredRecords(cls, ids, blob, start, _unpacked("q", starts), spans, path)
        records[type_name] = stored
        start = stored.end
    if start != len(blob):
        raise ValueError("not as many records as the index lists")
    return Dataset(records)


class StoredRecords(DatedRecords):
    """One type's records in a cache entry, by id in file order; a record is decoded when
    first asked for. They were built and checked when the entry was written, and the checksum
    vouches that these are the bytes written, so each is made without running its __init__
    again: its fields are set in its __dict__ (four times faster)."""

    def __init__(
        self,
        cls: type[Record],
        ids: str,
        blob: bytes,
        start: int,
        starts: memoryview[int],
        spans: list[memoryview[int]] | None,
        path: Path,
    ) -> None:
        # ids: parted by spaces; starts: where each record's line starts, counted from
        # `start`, and (past its newline) where the next one does; spans: each record's first
        # day, its last day, and the records' places in date order.
        count = len(starts) - 1
        if (ids.count(" ") + 1 if ids else 0) != count:
            raise ValueError("an index that does not fit its records")
        if spans is not None and [len(column) for column in spans] != [count] * 3:
            raise ValueError("an index that does not fit its records")
        self._id_text = ids
        self._blob = blob
        self._start = start
        self._starts = starts
        self._done: list[Record | None] = [None] * count
        self._spans = spans
        self._build = _builder(cls)
        self._path = path
        self.end = start + starts[count]

    @functools.cached_property
    def _ids(self) -> list[str]:
        # Not split before an id is asked for: a date filter needs none.
        return self._id_text.split(" ") if self._id_text else []

    @functools.cached_property
    def _at(self) -> dict[str, int]:
        # Not made before a record is asked for by id: a date filter needs none.
        return {record_id: at for at, record_id in enumerate(self._ids)}

    def __getitem__(self, record_id: str) -> Record:
        return self._decode([self._at[record_id]])[0]

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._at

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._done)

    def values(self) -> ValuesView[Record]:
        self._decode(range(len(self)))  # all at once, not one json.loads each
        return super().values()

    def items(self) -> ItemsView[str, Record]:
        self._decode(range(len(self)))
        return super().items()

    def overlapping(self, earliest: dt.date | None, latest: dt.date | None) -> list[Record]:
        if self._spans is None:  # no `date`: all of them, as Dataset.overlapping says
            return list(self.values())
        # Day numbers, as the index holds each record's first and last day; those that begin
        # by the last day asked for are the first in date order, found by bisection.
        firsts, lasts, order = self._spans
        low = 0 if earliest is None else earliest.toordinal()
        high = _ALWAYS if latest is None else latest.toordinal()
        begun = order[: bisect.bisect_right(order, high, key=firsts.__getitem__)]
        return self._decode(sorted(at for at in begun if lasts[at] >= low))  # in file order

    def _decode(self, places: Sequence[int]) -> list[Record]:
        """The records at these places; those not decoded yet, in one json.loads (a line of
        JSON holds no newline: json.dumps writes one inside a string as \\n)."""
        done, blob, start, starts = self._done, self._blob, self._start, self._starts
        todo = [at for at in places if done[at] is None]
        if todo:
            if len(todo) == len(done):  # all: the lines as they lie together
                text = blob[start : self.end - 1].replace(b"\n", b",")
            else:
                lines = [blob[start + starts[at] : start + starts[at + 1] - 1] for at in todo]
                text = b",".join(lines)
            try:
                with collection_paused():
                    rows = json.loads(b"[" + text + b"]")
                    for at, row in zip(todo, rows, strict=True):
                        done[at] = self._build(row)
            except (ValueError, TypeError, KeyError, IndexError) as exc:
                # The checksum matched, yet a record does not decode: an entry written by
                # hand. Too late to rebuild in this run; removed, the next run rebuilds it.
                try:
                    self._path.unlink()
                    then = "is removed; run the command again"
                except OSError:
                    then = "cannot be removed; delete it"
                raise NrrError(
                    f"the cache entry {self._path} is damaged and {then} (or use --no-cache)"
                ) from exc
        return [record for at in places if (record := done[at]) is not None]


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No garbage collection meanwhile, where many objects are made and none forms a cycle
    (records, their tuples and dicts): each collection would scan them all again, a tenth of
    a first load of 10,000 events and a sixth of decoding them from the cache."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _corrections(value: list[list[Any]]) -> tuple[Correction, ...]:
    return tuple(Correction(says=s, finding=f, sources=tuple(c)) for s, f, c in value)


# How a field of each kind is stored where JSON has no such value (see _plain); other kinds
# are stored as they are.
_DECODE: dict[str, Callable[[Any], Any]] = {
    "date": parse_date,
    "refs": tuple,
    "tags": tuple,
    "corrections": _corrections,
}
_BUILDERS: dict[type[Record], Callable[[list[Any]], Record]] = {}


def _builder(cls: type[Record]) -> Callable[[list[Any]], Record]:
    """A function making a record of this type from its stored values, in field order."""
    if cls in _BUILDERS:
        return _BUILDERS[cls]
    schemas = field_schemas(cls)
    names = list(schemas)
    decoded = [(at, _DECODE[s.kind]) for at, s in enumerate(schemas.values()) if s.kind in _DECODE]

    def build(values: list[Any]) -> Record:
        for at, decode in decoded:
            value = values[at]
            if value:
                values[at] = decode(value)
            elif value == []:
                values[at] = ()
        record = object.__new__(cls)
        record.__dict__.update(zip(names, values, strict=True))
        return record

    _BUILDERS[cls] = build
    return build


def _write_atomically(path: Path, content: bytes) -> bool:
    """Write a file by way of a temporary file and a rename, so no reader sees half of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary, held = signals.temporary_file(path.parent, ".tmp-")
    except OSError:
        return False
    try:
        signals.release(held)  # a signal that came meanwhile arrives here, inside the try
        with os.fdopen(handle, "wb") as out:
            out.write(content)
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
        # Entries of earlier formats (.bin, search-*.sqlite) are never read again: pruned too.
        for pattern in ("dataset-*", "search-*.sqlite"):
            entries = sorted(directory.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in entries[KEEP_ENTRIES if pattern == "dataset-*" else 0 :]:
                old.unlink()
        # A process killed outright (SIGKILL, power loss) can still leave a temporary file;
        # one old enough cannot belong to a write still under way.
        now = time.time()
        for stray in directory.glob(".tmp-*"):
            if now - stray.lstat().st_mtime > STRAY_SECONDS:
                stray.unlink()
    except OSError:
        pass
