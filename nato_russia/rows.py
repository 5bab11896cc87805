"""A compact, fast-to-load form of a validated dataset, for the load cache.

Each record becomes a tuple of plain values. A record type is stored in date order as its ids,
the date bounds of each record (day ordinals, 0 when undated) and its tuples marshalled in
chunks of CHUNK records. Loading unmarshals only the ids and bounds; a chunk is decoded, and
its records turned back into frozen dataclasses, when a command first touches one of them. A
date filter such as `nrr timeline --to 1991` therefore decodes the few chunks that hold those
years, not the whole of a 100,000-event dataset.
"""

from __future__ import annotations

import datetime as dt
import marshal
import operator
from collections.abc import Iterator, Mapping
from typing import Any

from nato_russia.dates import parse_date
from nato_russia.model import (
    RECORD_TYPES,
    Correction,
    Dataset,
    Record,
    field_schemas,
    in_date_order,
)

FORMAT = 3
CHUNK = 128
NO_DATE = 0


class _Codec:
    """Converts the records of one type to plain tuples and back."""

    def __init__(self, type_name: str) -> None:
        schemas = field_schemas(RECORD_TYPES[type_name])
        self.cls = RECORD_TYPES[type_name]
        self.names = list(schemas)
        self.getter = operator.attrgetter(*self.names)
        self.dates = [i for i, s in enumerate(schemas.values()) if s.kind == "date"]
        self.corrections = [i for i, s in enumerate(schemas.values()) if s.kind == "corrections"]

    def encode(self, record: Record) -> tuple[Any, ...]:
        values = list(self.getter(record))
        for i in self.dates:
            if values[i] is not None:
                values[i] = str(values[i])
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


def encode(dataset: Dataset) -> bytes:
    types: dict[str, Any] = {}
    for type_name, by_id in dataset.records.items():
        codec = _Codec(type_name)
        records = in_date_order(by_id.values())
        ids = [record.id for record in records]
        dates = [getattr(record, "date", None) for record in records]
        spans: dict[int, tuple[int, int]] = {}
        for date in dates:
            if date is not None and id(date) not in spans:
                spans[id(date)] = (date.earliest().toordinal(), date.latest().toordinal())
        earliest = [spans[id(d)][0] if d is not None else NO_DATE for d in dates]
        latest = [spans[id(d)][1] if d is not None else NO_DATE for d in dates]
        rows = [codec.encode(record) for record in records]
        # marshal version 2 keeps no back-references: quicker both ways for unshared strings.
        chunks = [marshal.dumps(rows[i : i + CHUNK], 2) for i in range(0, len(rows), CHUNK)]
        types[type_name] = (ids, earliest, latest, chunks)
    return marshal.dumps({"format": FORMAT, "chunk": CHUNK, "types": types})


class LazyRecords(Mapping[str, Record]):
    """The records of one type, by id, decoded chunk by chunk on first access."""

    def __init__(
        self,
        type_name: str,
        ids: list[str],
        earliest: list[int],
        latest: list[int],
        chunks: list[bytes],
    ) -> None:
        self._codec = _Codec(type_name)
        self._ids = ids
        self._index = {record_id: i for i, record_id in enumerate(ids)}
        self._earliest = earliest
        self._latest = latest
        self._chunks = chunks
        self._built: dict[int, list[Record]] = {}

    def _at(self, i: int) -> Record:
        number = i // CHUNK
        chunk = self._built.get(number)
        if chunk is None:
            rows = marshal.loads(self._chunks[number])
            chunk = self._built[number] = [self._codec.decode(row) for row in rows]
        return chunk[i % CHUNK]

    def __getitem__(self, record_id: str) -> Record:
        return self._at(self._index[record_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._index

    def overlapping(self, earliest: dt.date | None, latest: dt.date | None) -> Iterator[Record]:
        """Records whose date overlaps [earliest, latest], or that have no date; only their
        chunks are decoded."""
        low = earliest.toordinal() if earliest else NO_DATE
        high = latest.toordinal() if latest else dt.date.max.toordinal()
        for i, (first, last) in enumerate(zip(self._earliest, self._latest, strict=True)):
            if first == NO_DATE or (last >= low and first <= high):
                yield self._at(i)


def decode(payload: bytes | memoryview) -> Dataset | None:
    content = marshal.loads(payload)
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        return None
    if content.get("chunk") != CHUNK or set(content["types"]) != set(RECORD_TYPES):
        return None
    types = content["types"]
    return Dataset({name: LazyRecords(name, *types[name]) for name in RECORD_TYPES})
