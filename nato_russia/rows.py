"""Validated tables -> the body of a load-cache entry, and back to records, read lazily.

A record type is stored in date order, in parts, each with its own CRC-32:

- chunks of CHUNK records, column by column: a column of strings as one string joined by NUL
  (validated values never hold control characters), a column of id lists the same way with
  SOH between ids, anything else (numbers, corrections, a column with a gap) marshalled as
  is, and a column of nothing but the field's default as None. Joining is a copy in C, so
  writing costs about what reading does;
- the id table: every id with its position in date order, in id order, in parts of
  ID_CHUNK ids (the positions as an array, then the ids), and `fences`, the first id of
  each part, to find the part an id must be in;
- the ids and each record's position in date order, both in the order of the files (the order
  records are listed in, cached or not), and each record's first and last day in date order
  (`bounds`, as arrays).

Loading reads only the small index; a part is read and checked when first used, and a record
becomes a frozen dataclass when a command first touches it. `nrr event ID` therefore reads one
fence list, one part of the id table and one chunk, and a date filter such as `nrr timeline
--to 1991` the bounds and the chunks that hold those years. A part that fails its check (a
damaged cache file), or an id table that points at another record, is never trusted: the
records are rebuilt from the data files, through the `on_damage` callback the loader supplies.
"""

from __future__ import annotations

import array
import bisect
import marshal
import sys
import zlib
from collections.abc import Callable, ItemsView, Iterator, Mapping, Sequence, ValuesView
from typing import Any

from nato_russia.dates import parse_date
from nato_russia.model import (
    RECORD_TYPES,
    Correction,
    Dataset,
    FieldSchema,
    Record,
    field_schemas,
    in_date_order,
)
from nato_russia.validation import UNDATED, Linked, Table, plain_default

FORMAT = 5
CHUNK = 128
ID_CHUNK = 1024
_EXTRA_PARTS = 4  # after the chunks and the id table: ids, bounds, fences, positions
NUL, SOH = "\x00", "\x01"
MARSHAL_VERSION = 4  # chunks hold few, large objects: the version with references costs nothing

ReadPart = Callable[[int, int], memoryview]  # (offset, length) -> bytes of the entry
WritePart = Callable[[bytes], int]  # writes a part, returns its offset in the entry
PartRef = tuple[int, int, int]  # offset, length, CRC-32


class _Codec:
    """How the fields of one record type are stored, column by column, and made records."""

    def __init__(self, type_name: str) -> None:
        self.cls = RECORD_TYPES[type_name]
        schemas = field_schemas(self.cls)
        self.names = list(schemas)
        self.schemas = list(schemas.values())
        self.id_column = self.names.index("id")
        self.lists = [i for i, schema in enumerate(self.schemas) if schema.kind in _LIST_KINDS]
        self.build = _builder(self.cls, self.names)

    def encode(self, columns: Sequence[list[Any] | None]) -> bytes:
        """One chunk: its columns, in field order."""
        stored = tuple(map(_encode_column, self.schemas, columns))
        return marshal.dumps(stored, MARSHAL_VERSION)

    def decode(self, blob: memoryview, size: int) -> tuple[list[list[Any]], list[int]]:
        """A chunk's columns as record values, and the columns of ids left as stored, to be
        split record by record (see `record`); ValueError if the chunk does not fit."""
        stored = marshal.loads(blob)
        if not isinstance(stored, tuple) or len(stored) != len(self.schemas):
            raise ValueError("not a chunk of this record type")
        columns = [_decode_column(s, v, size) for s, v in zip(self.schemas, stored, strict=True)]
        if any(len(column) != size for column in columns):
            raise ValueError("a column of the wrong length")
        unsplit = [i for i in self.lists if isinstance(stored[i], str)]
        small = [i for i in unsplit if len(stored[i]) <= _SPLIT_AT_ONCE]
        for i in small:
            columns[i] = [tuple(ids.split(SOH)) if ids else () for ids in columns[i]]
        return columns, [i for i in unsplit if i not in small]

    def values(self, schema: FieldSchema, column: list[Any]) -> list[Any]:
        """A column of plain values (a Table's, or a chunk's) as the record's values."""
        return _record_values(schema, column)

    def record(self, row: tuple[Any, ...], unsplit: list[int]) -> Record:
        """A record from a decoded chunk's row, splitting the lists of ids `decode` left."""
        if not unsplit:
            return self.build(*row)
        values = list(row)
        for i in unsplit:
            ids = values[i]
            values[i] = tuple(ids.split(SOH)) if ids else ()
        return self.build(*values)


def _builder(cls: type[Record], names: list[str]) -> Callable[..., Record]:
    """A function of a record's values, in field order, that makes the record.

    The values were validated when the table was made, so it skips __init__ and sets each slot
    through its descriptor (as a frozen dataclass's __init__ does), one statement per field: as
    dataclasses does for __init__, the function is compiled, a quarter quicker than a loop."""
    setters = {f"set_{i}": getattr(cls, name).__set__ for i, name in enumerate(names)}
    values = ", ".join(f"v{i}" for i in range(len(names)))
    body = "".join(f"    set_{i}(record, v{i})\n" for i in range(len(names)))
    source = f"def build({values}):\n    record = new(cls)\n{body}    return record\n"
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls, **setters}
    exec(source, scope)
    build: Callable[..., Record] = scope["build"]
    return build


_TEXT_KINDS = frozenset({"id", "text", "slug", "enum", "ref", "date"})
_LIST_KINDS = frozenset({"refs", "tags"})


def _encode_column(schema: FieldSchema, column: list[Any] | None) -> Any:
    if column is None or column.count(plain_default(schema)) == len(column):
        return None  # every value the default: stored as nothing
    if schema.kind in _LIST_KINDS:
        return NUL.join(map(SOH.join, column))
    if schema.kind in _TEXT_KINDS and None not in column:
        return NUL.join(column)
    return column


# A chunk's column of id lists longer than this is split record by record, as records are
# used: a list derived from links can hold a million ids, and the chunk's other records' lists
# are seldom wanted with it.
_SPLIT_AT_ONCE = 64 * 1024


def _decode_column(schema: FieldSchema, stored: Any, size: int) -> list[Any]:
    if schema.kind in _LIST_KINDS:  # each record's ids, joined by SOH
        if stored is None:
            return [()] * size
        if not isinstance(stored, str):
            raise ValueError("not a stored column of ids")
        return stored.split(NUL)
    if stored is None:
        column = [plain_default(schema)] * size
    elif isinstance(stored, str):
        column = stored.split(NUL)
    elif isinstance(stored, list):
        column = stored
    else:
        raise ValueError("not a stored column")
    return _record_values(schema, column)


def _record_values(schema: FieldSchema, column: list[Any]) -> list[Any]:
    if schema.kind == "date":
        if None in column:
            return [None if text is None else parse_date(text) for text in column]
        return list(map(parse_date, column))  # memoised: equal dates share one object
    if schema.kind == "corrections":
        return [
            tuple(Correction(says=s, finding=f, sources=r) for s, f, r in fixes) if fixes else ()
            for fixes in column
        ]
    return column


# --- writing ------------------------------------------------------------------------------


def _part(write: WritePart, blob: bytes) -> PartRef:
    return write(blob), len(blob), zlib.crc32(blob)


def encode(linked: Linked, write: WritePart) -> bytes:
    """Write every record type's parts through `write`; the index to store with them."""
    types = {name: _encode_type(linked, table, write) for name, table in linked.tables.items()}
    content = {
        "format": FORMAT,
        "chunk": CHUNK,
        "id_chunk": ID_CHUNK,
        "byteorder": sys.byteorder,
        "types": types,
    }
    return marshal.dumps(content)


def _encode_type(linked: Linked, table: Table, write: WritePart) -> tuple[int, int, int, PartRef]:
    codec = _Codec(table.type_name)
    count = len(table)
    fences, id_parts = _id_table(table)  # the last use of the records in reading order
    # A column of defaults only (a field no record sets) is not even put in date order. Each
    # other column, once in date order, is let go in reading order: never both at once.
    columns: list[list[Any] | None] = []
    for name, schema in zip(codec.names, codec.schemas, strict=True):
        if table.columns[name].count(plain_default(schema)) == count:
            columns.append(None)
        else:
            columns.append(table.in_order(name))
            table.forget_reading_order(name)
    parts = []
    for start in range(0, count, CHUNK):
        chunk = [None if column is None else column[start : start + CHUNK] for column in columns]
        parts.append(_part(write, codec.encode(chunk)))
    chunks = len(parts)
    parts += [_part(write, blob) for blob in id_parts]
    dated = "date" in field_schemas(codec.cls)
    dates = table.in_order("date") if dated else [None] * count
    parts += [
        _part(write, "\n".join(table.ids).encode()),
        _part(write, _bounds(dates, linked.spans)),
        _part(write, "\n".join(fences).encode()),
        _part(write, array.array("I", table.rank).tobytes()),
    ]
    offsets, lengths, crcs = zip(*parts, strict=True)
    directory = b"".join(
        array.array(code, values).tobytes()
        for code, values in (("Q", offsets), ("Q", lengths), ("I", crcs))
    )
    return count, chunks, len(id_parts), _part(write, directory)


def _id_table(table: Table) -> tuple[list[str], list[bytes]]:
    """The id table's fences and parts. A part is, for ID_CHUNK ids in id order, each one's
    position in date order (an array), then the ids themselves, joined by NUL."""
    ids, count, position = table.ids, len(table), table.rank
    fences, parts = [], []
    for start in range(0, count, ID_CHUNK):
        indices = table.by_id[start : start + ID_CHUNK]
        some = list(map(ids.__getitem__, indices))
        fences.append(some[0])
        positions = array.array("I", map(position.__getitem__, indices))
        parts.append(positions.tobytes() + NUL.join(some).encode())
    return fences, parts


def _bounds(dates: list[str | None], spans: Mapping[str | None, tuple[int, int] | None]) -> bytes:
    """First days, then last days, of a type's records in date order (UNDATED if none)."""
    distinct = {text: spans[text] or (UNDATED, UNDATED) for text in set(dates)}
    first = {text: span[0] for text, span in distinct.items()}
    last = {text: span[1] for text, span in distinct.items()}
    earliest = array.array("i", map(first.__getitem__, dates))
    latest = array.array("i", map(last.__getitem__, dates))
    return earliest.tobytes() + latest.tobytes()


# --- records built at once, without the cache ------------------------------------------------


def eager(linked: Linked) -> Dataset:
    """Every record as a frozen dataclass, by type and id, in the order of the files."""
    return Dataset({name: _eager_records(table) for name, table in linked.tables.items()})


def _eager_records(table: Table) -> dict[str, Record]:
    codec = _Codec(table.type_name)
    columns = [
        codec.values(schema, table.column(name))
        for name, schema in zip(codec.names, codec.schemas, strict=True)
    ]
    records = map(codec.build, *columns)
    return {record.id: record for record in records}


# --- reading ------------------------------------------------------------------------------


class _Damaged(Exception):
    """A part of the entry failed its check."""


class LazyRecords(Mapping[str, Record]):
    """The records of one type, by id, read and decoded part by part on first access."""

    def __init__(
        self,
        type_name: str,
        stored: tuple[int, int, int, PartRef],
        read: ReadPart,
        on_damage: Callable[[], Dataset],
    ) -> None:
        self._type_name = type_name
        self._count, self._chunks, self._id_parts, self._directory_ref = stored
        self._read = read
        self._on_damage = on_damage
        self._codec = _Codec(type_name)
        self._directory: tuple[memoryview, memoryview, memoryview] | None = None
        self._checked: dict[int, memoryview] = {}
        self._rows: dict[int, tuple[list[tuple[Any, ...]], list[int]]] = {}
        self._built: dict[int, Record] = {}
        self._ids: list[str] | None = None
        self._fences: list[str] | None = None
        self._id_parts_read: dict[int, tuple[list[str], memoryview]] = {}
        self._bounds: tuple[memoryview, memoryview] | None = None
        self._reading: memoryview | None = None
        self._replacement: list[Record] | None = None
        self._replacement_by_id: Mapping[str, Record] = {}

    # The parts, checked on first use.

    def _checked_bytes(self, ref: PartRef) -> memoryview:
        offset, length, crc = ref
        blob = self._read(offset, length)
        if len(blob) != length or zlib.crc32(blob) != crc:
            raise _Damaged
        return blob

    def _part(self, number: int) -> memoryview:
        blob = self._checked.get(number)
        if blob is None:
            if self._directory is None:
                directory = self._checked_bytes(self._directory_ref)
                parts = self._chunks + self._id_parts + _EXTRA_PARTS
                if len(directory) != parts * 20:
                    raise _Damaged
                self._directory = (
                    directory[: parts * 8].cast("Q"),
                    directory[parts * 8 : parts * 16].cast("Q"),
                    directory[parts * 16 :].cast("I"),
                )
            offsets, lengths, crcs = self._directory
            ref = (offsets[number], lengths[number], crcs[number])
            blob = self._checked[number] = self._checked_bytes(ref)
        return blob

    def _extra(self, which: int) -> memoryview:
        """0: the ids, 1: the bounds, 2: the fences, 3: the positions in date order."""
        return self._part(self._chunks + self._id_parts + which)

    def _positions(self) -> memoryview:
        """Each record's position in date order, in the order of the files."""
        if self._reading is None:
            positions = self._extra(3)
            if len(positions) != 4 * self._count:
                raise _Damaged
            reading = positions.cast("I")
            if self._count and max(reading) >= self._count:
                raise _Damaged
            self._reading = reading
        return self._reading

    def _ids_in_file_order(self) -> list[str]:
        if self._ids is None:
            text = bytes(self._extra(0)).decode()
            ids = text.split("\n") if text else []
            if len(ids) != self._count:
                raise _Damaged
            self._ids = ids
        return self._ids

    def _bounds_arrays(self) -> tuple[memoryview, memoryview]:
        if self._bounds is None:
            both = self._extra(1)
            if len(both) != 8 * self._count:
                raise _Damaged
            middle = 4 * self._count
            self._bounds = (both[:middle].cast("i"), both[middle:].cast("i"))
        return self._bounds

    def _chunk_rows(self, number: int) -> tuple[list[tuple[Any, ...]], list[int]]:
        """A chunk's records as tuples of their values, in field order, and which of those
        are lists of ids not split yet."""
        found = self._rows.get(number)
        if found is None:
            size = min(CHUNK, self._count - number * CHUNK)
            try:
                columns, unsplit = self._codec.decode(self._part(number), size)
            except (ValueError, TypeError, EOFError) as exc:  # rows from another schema
                raise _Damaged from exc
            found = self._rows[number] = (list(zip(*columns, strict=True)), unsplit)
        return found

    def _position(self, record_id: str) -> int | None:
        """Where an id is in date order, from the stored id table, checked against the row."""
        if self._fences is None:
            text = bytes(self._extra(2)).decode()
            fences = text.split("\n") if text else []
            if len(fences) != self._id_parts:
                raise _Damaged
            self._fences = fences
        number = bisect.bisect_right(self._fences, record_id) - 1
        if number < 0:
            return None
        ids, positions = self._id_part(number)
        at = bisect.bisect_left(ids, record_id)
        if at == len(ids) or ids[at] != record_id:
            return None
        position = positions[at]
        if position >= self._count:
            raise _Damaged
        rows, _ = self._chunk_rows(position // CHUNK)
        if rows[position % CHUNK][self._codec.id_column] != record_id:
            raise _Damaged  # a table that points elsewhere is never trusted
        return position

    def _id_part(self, number: int) -> tuple[list[str], memoryview]:
        """Part `number` of the id table: its ids, in id order, and their positions."""
        found = self._id_parts_read.get(number)
        if found is None:
            size = min(ID_CHUNK, self._count - number * ID_CHUNK)
            blob = self._part(self._chunks + number)
            ids = bytes(blob[4 * size :]).decode().split(NUL)
            if size <= 0 or len(ids) != size:
                raise _Damaged
            found = self._id_parts_read[number] = (ids, blob[: 4 * size].cast("I"))
        return found

    # Damage: never trust the entry again; rebuild these records from the data files.

    def _replace(self) -> list[Record]:
        """The records rebuilt, in date order (positions in the entry count in that order)."""
        if self._replacement is None:
            by_id = self._on_damage().records[self._type_name]
            self._replacement_by_id = by_id
            self._replacement = in_date_order(by_id.values())
        return self._replacement

    def _at(self, i: int) -> Record:
        if self._replacement is None:
            record = self._built.get(i)
            if record is not None:
                return record
            try:
                rows, unsplit = self._chunk_rows(i // CHUNK)
            except _Damaged:
                return self._replace()[i]
            record = self._built[i] = self._codec.record(rows[i % CHUNK], unsplit)
            return record
        return self._replacement[i]

    # The Mapping.

    def __getitem__(self, record_id: str) -> Record:
        if self._replacement is None:
            try:
                position = self._position(record_id)
            except _Damaged:
                self._replace()
            else:
                if position is None:
                    raise KeyError(record_id)
                return self._at(position)
        return self._replacement_by_id[record_id]

    def __contains__(self, record_id: object) -> bool:
        if not isinstance(record_id, str):
            return False
        try:
            self[record_id]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        if self._replacement is None:
            try:
                return iter(self._ids_in_file_order())
            except _Damaged:
                self._replace()
        return iter(self._replacement_by_id)

    def __len__(self) -> int:
        return self._count

    def values(self) -> ValuesView[Record]:
        return _Values(self)

    def items(self) -> ItemsView[str, Record]:
        return _Items(self)

    def in_reading_order(self) -> Iterator[Record]:
        """Every record, in the order of the files, without looking up ids."""
        if self._replacement is None:
            try:
                return map(self._at, self._positions())
            except _Damaged:
                self._replace()
        return iter(self._replacement_by_id.values())

    def overlapping(self, earliest: Any, latest: Any) -> Iterator[Record]:
        """Records whose date overlaps [earliest, latest], and undated ones, in date order.
        Rows are stored by earliest day, so those starting after the range are never looked at."""
        low = earliest.toordinal() if earliest else 0
        high = latest.toordinal() if latest else UNDATED - 1
        if self._replacement is None:
            try:
                self._bounds_arrays()
            except _Damaged:
                self._replace()
        if self._replacement is not None:
            yield from _overlapping(self._replacement, earliest, latest)
            return
        starts, ends = self._bounds_arrays()
        end = bisect.bisect_right(starts, high)
        for i in range(end):
            if ends[i] >= low:
                yield self._at(i)
        for i in range(bisect.bisect_left(starts, UNDATED), self._count):
            yield self._at(i)


def _overlapping(records: list[Record], earliest: Any, latest: Any) -> Iterator[Record]:
    for record in records:
        date = getattr(record, "date", None)
        if date is None or date.overlaps(earliest, latest):
            yield record


class _Values(ValuesView[Record]):
    _mapping: LazyRecords

    def __iter__(self) -> Iterator[Record]:
        return self._mapping.in_reading_order()


class _Items(ItemsView[str, Record]):
    _mapping: LazyRecords

    def __iter__(self) -> Iterator[tuple[str, Record]]:
        return ((record.id, record) for record in self._mapping.in_reading_order())


def decode(
    index: bytes | memoryview, read: ReadPart, on_damage: Callable[[], Dataset]
) -> Dataset | None:
    content = marshal.loads(index)
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        return None
    layout = (content.get("chunk"), content.get("id_chunk"), content.get("byteorder"))
    if layout != (CHUNK, ID_CHUNK, sys.byteorder) or set(content["types"]) != set(RECORD_TYPES):
        return None
    types = content["types"]
    return Dataset({name: LazyRecords(name, types[name], read, on_damage) for name in RECORD_TYPES})
