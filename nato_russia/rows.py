"""A compact form of a validated dataset for the load cache, read lazily.

Each record becomes a tuple of plain values. A record type is stored in date order as its ids,
the date bounds of each record (day ordinals) and its tuples marshalled in chunks of CHUNK
records, each chunk with its own CRC-32. Loading reads only the small index (ids, bounds, where
each chunk lies); a chunk is read, checked and turned back into frozen dataclasses when a
command first touches one of its records. A date filter such as `nrr timeline --to 1991`
therefore reads the few chunks that hold those years, not all of a 100,000-event dataset.

A chunk that fails its check (a damaged cache file) is never decoded: the records are rebuilt
from the data files instead, through the `on_damage` callback the loader supplies.
"""

from __future__ import annotations

import bisect
import datetime as dt
import marshal
import operator
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from nato_russia.dates import EdtfDate, parse_date
from nato_russia.model import (
    RECORD_TYPES,
    Correction,
    Dataset,
    Record,
    field_schemas,
    in_date_order,
)

FORMAT = 4
CHUNK = 128
UNDATED = dt.date.max.toordinal() + 1  # undated records sort last and always match a filter

ReadChunk = Callable[[int, int], bytes]  # (offset, length) -> bytes from the chunk area


class _Codec:
    """Converts the records of one type to plain tuples and back."""

    def __init__(self, type_name: str) -> None:
        schemas = field_schemas(RECORD_TYPES[type_name])
        self.cls = RECORD_TYPES[type_name]
        self.names = list(schemas)
        self.getter = operator.attrgetter(*self.names)
        self.dates = [i for i, s in enumerate(schemas.values()) if s.kind == "date"]
        self.corrections = [i for i, s in enumerate(schemas.values()) if s.kind == "corrections"]
        self.date_text: dict[int, str] = {}  # str() once per distinct (shared) date object

    def encode(self, record: Record) -> tuple[Any, ...]:
        values = list(self.getter(record))
        for i in self.dates:
            date = values[i]
            if date is not None:
                text = self.date_text.get(id(date))
                values[i] = (
                    text if text is not None else self.date_text.setdefault(id(date), str(date))
                )
        for i in self.corrections:
            if values[i]:
                values[i] = tuple((c.says, c.finding, c.sources) for c in values[i])
        return tuple(values)

    def decode(self, row: tuple[Any, ...]) -> Record:
        values = list(row)
        for i in self.dates:
            if values[i] is not None:
                values[i] = parse_date(values[i])  # memoised: equal dates share one object
        for i in self.corrections:
            values[i] = tuple(Correction(says=s, finding=f, sources=r) for s, f, r in values[i])
        record = object.__new__(self.cls)  # the values were validated when the cache was made
        for name, value in zip(self.names, values, strict=True):
            object.__setattr__(record, name, value)
        return record


def _bounds(records: list[Record]) -> tuple[list[int], list[int]]:
    spans: dict[int, tuple[int, int]] = {}
    earliest, latest = [], []
    for record in records:
        date = getattr(record, "date", None)
        if not isinstance(date, EdtfDate):
            earliest.append(UNDATED)
            latest.append(UNDATED)
            continue
        span = spans.get(id(date))
        if span is None:
            span = spans[id(date)] = (date.earliest().toordinal(), date.latest().toordinal())
        earliest.append(span[0])
        latest.append(span[1])
    return earliest, latest


def encode(dataset: Dataset) -> tuple[bytes, list[bytes]]:
    """The index and the chunks of a dataset, to be stored one after the other."""
    types: dict[str, Any] = {}
    chunks: list[bytes] = []
    offset = 0
    for type_name, by_id in dataset.records.items():
        codec = _Codec(type_name)
        records = in_date_order(by_id.values())
        earliest, latest = _bounds(records)
        spans = []
        for start in range(0, len(records), CHUNK):
            # Version 2 keeps no back-references: quicker both ways for unshared strings.
            blob = marshal.dumps([codec.encode(r) for r in records[start : start + CHUNK]], 2)
            spans.append((offset, len(blob), zlib.crc32(blob)))
            chunks.append(blob)
            offset += len(blob)
        ids = "\n".join(record.id for record in records)
        types[type_name] = (ids, earliest, latest, spans)
    index = marshal.dumps({"format": FORMAT, "chunk": CHUNK, "types": types})
    return index, chunks


class LazyRecords(Mapping[str, Record]):
    """The records of one type, by id, read and decoded chunk by chunk on first access."""

    def __init__(
        self,
        type_name: str,
        stored: tuple[str, list[int], list[int], list[tuple[int, int, int]]],
        read_chunk: ReadChunk,
        on_damage: Callable[[], Dataset],
    ) -> None:
        self._type_name = type_name
        self._ids_text, self._earliest, self._latest, self._spans = stored
        self._read_chunk = read_chunk
        self._on_damage = on_damage
        self._codec = _Codec(type_name)
        self._chunks_read: dict[int, list[tuple[Any, ...]]] = {}
        self._built: dict[int, Record] = {}
        self._ids: list[str] | None = None
        self._index: dict[str, int] | None = None
        self._replacement: Mapping[str, Record] | None = None

    @property
    def ids(self) -> list[str]:
        if self._ids is None:
            self._ids = self._ids_text.split("\n") if self._ids_text else []
        return self._ids

    def _position(self, record_id: str) -> int | None:
        if self._index is None:
            self._index = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self._index.get(record_id)

    def _rows(self, number: int) -> list[tuple[Any, ...]] | None:
        """A chunk's rows (plain tuples), checked; None if the chunk is damaged."""
        rows = self._chunks_read.get(number)
        if rows is None:
            offset, length, crc = self._spans[number]
            blob = self._read_chunk(offset, length)
            if len(blob) != length or zlib.crc32(blob) != crc:
                return None
            rows = self._chunks_read[number] = marshal.loads(blob)
        return rows

    def _at(self, i: int) -> Record:
        if self._replacement is None:
            record = self._built.get(i)
            if record is not None:
                return record
            record = self._decoded(i)
            if record is not None:
                return record
            # A damaged cache file: never trust it; rebuild these records from the data files.
            self._replacement = self._on_damage().records[self._type_name]
        return self._replacement[self.ids[i]]

    def _decoded(self, i: int) -> Record | None:
        """Record i from its chunk; None if the chunk is damaged or its rows do not fit the
        record type (a cache from another schema that slipped past the key)."""
        try:
            rows = self._rows(i // CHUNK)
            if rows is None:
                return None
            # Only the record asked for becomes a dataclass, not its whole chunk.
            record = self._built[i] = self._codec.decode(rows[i % CHUNK])
        except (ValueError, TypeError, IndexError, EOFError):
            return None
        return record

    def __getitem__(self, record_id: str) -> Record:
        position = self._position(record_id)
        if position is None:
            raise KeyError(record_id)
        return self._at(position)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self._earliest)

    def __contains__(self, record_id: object) -> bool:
        return isinstance(record_id, str) and self._position(record_id) is not None

    def overlapping(self, earliest: dt.date | None, latest: dt.date | None) -> Iterator[Record]:
        """Records whose date overlaps [earliest, latest], and undated ones, in date order.
        Rows are stored by earliest day, so those starting after the range are never looked at."""
        low = earliest.toordinal() if earliest else 0
        high = latest.toordinal() if latest else UNDATED - 1
        starts = self._earliest
        end = bisect.bisect_right(starts, high)
        for i in range(end):
            if self._latest[i] >= low:
                yield self._at(i)
        for i in range(bisect.bisect_left(starts, UNDATED), len(starts)):
            yield self._at(i)


def decode(index: bytes, read_chunk: ReadChunk, on_damage: Callable[[], Dataset]) -> Dataset | None:
    content = marshal.loads(index)
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        return None
    if content.get("chunk") != CHUNK or set(content["types"]) != set(RECORD_TYPES):
        return None
    types = content["types"]
    return Dataset(
        {name: LazyRecords(name, types[name], read_chunk, on_damage) for name in RECORD_TYPES}
    )
