"""The dataset as a SQLite database, for `sqlite3`, Datasette and any SQL tool.

One table per record type (named as the list commands: events, agreements, ...), with the
date split as in CSV; a link table per list of references (events_actors: event_id, actor_id,
position) with foreign keys both ways; the corrections of the backgrounder in their own table;
indexes on dates. Two kinds of full-text index: `search`, one FTS5 table over every text of
every record (`select type, id from search where search match 'missile'`), and a `<table>_fts`
beside each table in the layout Datasette looks for, which gives its pages a search box.

A `<table>_fts` keeps no text of its own: it indexes its table's columns (content=) and reads
them back from there. The two kinds are still two indexes, so each text is tokenised twice:
Datasette finds a table's index only as a virtual table declared with content="<table>", and
`search` cannot instead be a view over those indexes, since SQLite refuses MATCH through a
UNION ALL view as soon as the query counts or ranks (`select count(*) ...`, `order by rank`).

The file is written in one transaction, without journal or fsync (see _PRAGMAS), and never
vacuumed: a database written from empty has no free pages to give back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from nato_russia import __version__
from nato_russia.export.documents import SCHEMA_VERSION, corrections, ordered
from nato_russia.model import PLURALS, RECORD_TYPES, Dataset, Record, field_schemas
from nato_russia.render.flat import date_part_names, date_values
from nato_russia.search import text_fields

TOKENIZER = "porter unicode61 remove_diacritics 2"
# The file is a scratch file of write_atomically, which fsyncs it, renames it into place and
# deletes it after a failure: SQLite need not guard it against a crash, so it keeps no journal
# and never waits for the disk. The foreign keys are checked once, all together, at the end
# (see _check_references), and the cache holds the indexes that rows go into in no order.
_PRAGMAS = (
    "PRAGMA journal_mode = OFF",
    "PRAGMA synchronous = OFF",
    "PRAGMA foreign_keys = OFF",
    "PRAGMA cache_size = -65536",  # KiB
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# The column type of each scalar kind of field.
_SQL_TYPES = {"text": "TEXT", "enum": "TEXT", "slug": "TEXT", "int": "INTEGER"}


def _columns(type_name: str) -> list[tuple[str, str]]:
    """(name, definition) of each column of a record type's own table, in field order."""
    columns: list[tuple[str, str]] = []
    for name, schema in field_schemas(RECORD_TYPES[type_name]).items():
        null = "" if schema.optional else " NOT NULL"
        if schema.kind == "id":
            columns.append((name, "TEXT PRIMARY KEY"))
        elif schema.kind in _SQL_TYPES:
            columns.append((name, _SQL_TYPES[schema.kind] + null))
        elif schema.kind == "date":
            parts = date_part_names(name)
            columns.append((name, f"TEXT{null}"))
            columns += [(part, "TEXT") for part in parts[:3]]
            columns += [(part, "INTEGER") for part in parts[3:]]
        elif schema.kind == "ref" and len(schema.targets) == 1:
            columns.append((name, f"TEXT{null} REFERENCES {PLURALS[schema.targets[0]]}(id)"))
        elif schema.kind == "ref":
            # A reference to one of several tables cannot be a foreign key: the type says which.
            columns += [(name, f"TEXT{null}"), (f"{name}_type", f"TEXT{null}")]
    # "order" is a field name and an SQL keyword
    return [(name, f"{_quote(name)} {definition}") for name, definition in columns]


_SINGULAR = {"aliases": "alias"}  # the column of a list of tags names one of them


class _Link(NamedTuple):
    """A list field stored as a link table: events_actors (event_id, actor_id, position)."""

    field: str
    table: str
    owner: str  # the owner's id column
    value: str  # the value's column
    definition: str  # and its definition


def _link_tables(type_name: str) -> Iterator[_Link]:
    for name, schema in field_schemas(RECORD_TYPES[type_name]).items():
        if schema.kind not in ("refs", "tags") or schema.derived:
            continue
        table = f"{PLURALS[type_name]}_{name}"
        if schema.kind == "tags":
            value = _SINGULAR.get(name, name.removesuffix("s"))
            definition = f"{value} TEXT NOT NULL"
        else:
            (target,) = schema.targets
            value = f"{target}_id"
            definition = f"{value} TEXT NOT NULL REFERENCES {PLURALS[target]}(id)"
        yield _Link(name, table, f"{type_name}_id", value, definition)


def schema_sql() -> list[str]:
    """Every CREATE statement of the database: the tables, then the indexes."""
    return _tables_sql() + _indexes_sql()


def _indexes_sql() -> list[str]:
    # Made once the rows are in: sorting the rows into an index in one go is quicker than
    # inserting into its B-tree row by row.
    statements = []
    for type_name, cls in RECORD_TYPES.items():
        table = PLURALS[type_name]
        if "date" in field_schemas(cls):
            statements.append(f"CREATE INDEX {table}_date ON {table}(date)")
            statements.append(f"CREATE INDEX {table}_days ON {table}(date_start, date_end)")
        statements += (
            f"CREATE INDEX {link.table}_value ON {link.table}({link.value})"
            for link in _link_tables(type_name)
        )
    statements.append("CREATE INDEX corrections_record ON corrections(record_type, record_id)")
    return statements


def _tables_sql() -> list[str]:
    statements = ["CREATE TABLE nrr_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"]
    for type_name, cls in RECORD_TYPES.items():
        table = PLURALS[type_name]
        definitions = ", ".join(definition for _, definition in _columns(type_name))
        statements.append(f"CREATE TABLE {table} ({definitions})")
        statements += (
            f"CREATE TABLE {link.table} ({link.owner} TEXT NOT NULL REFERENCES {table}(id), "
            f"{link.definition}, position INTEGER NOT NULL, PRIMARY KEY ({link.owner}, position))"
            for link in _link_tables(type_name)
        )
        searchable = [_quote(n) for n, s in field_schemas(cls).items() if s.kind == "text"]
        statements.append(
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5({', '.join(searchable)}, "
            f"content={_quote(table)}, tokenize={_quote(TOKENIZER)})"
        )
    statements += [
        "CREATE TABLE corrections (id INTEGER PRIMARY KEY, record_type TEXT NOT NULL, "
        "record_id TEXT NOT NULL, position INTEGER NOT NULL, says TEXT NOT NULL, "
        "finding TEXT NOT NULL)",
        "CREATE TABLE corrections_sources (correction_id INTEGER NOT NULL "
        "REFERENCES corrections(id), source_id TEXT NOT NULL REFERENCES sources(id), "
        "position INTEGER NOT NULL, PRIMARY KEY (correction_id, position))",
        "CREATE VIRTUAL TABLE search USING fts5(type UNINDEXED, id UNINDEXED, title, text, "
        f"tokenize={_quote(TOKENIZER)})",
    ]
    return statements


def _row(dataset: Dataset, record: Record) -> tuple[object, ...]:
    """A record's row of its type's own table, in _columns order."""
    row: list[object] = []
    for name, schema in field_schemas(type(record)).items():
        value = getattr(record, name)
        if schema.kind == "date":
            row += (None,) * 7 if value is None else (str(value), *date_values(value))
        elif schema.kind == "ref" and len(schema.targets) > 1:
            target = dataset.find(value, schema.targets) if value is not None else None
            row += (value, target.type_name if target is not None else None)
        elif schema.kind in ("id", "text", "enum", "slug", "int", "ref"):
            row.append(value)
    return tuple(row)


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(_quote(c) for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


def _fill(db: sqlite3.Connection, dataset: Dataset) -> None:
    db.executemany(
        "INSERT INTO nrr_meta VALUES (?, ?)",
        [("schema_version", str(SCHEMA_VERSION)), ("generator", f"nrr {__version__}")],
    )
    everything = list(ordered(dataset))
    for type_name, records in everything:
        columns = [name for name, _ in _columns(type_name)]
        rows = [_row(dataset, r) for r in records]
        db.executemany(_insert_sql(PLURALS[type_name], columns), rows)
        for link in _link_tables(type_name):
            sql = _insert_sql(link.table, (link.owner, link.value, "position"))
            lists = [(r.id, getattr(r, link.field)) for r in records]
            db.executemany(sql, [(i, v, n) for i, items in lists for n, v in enumerate(items, 1)])
    numbered = list(enumerate(corrections(dataset), 1))
    fixes = [(n, kind, r.id, place, c.says, c.finding) for n, (kind, r, place, c) in numbered]
    db.executemany("INSERT INTO corrections VALUES (?, ?, ?, ?, ?, ?)", fixes)
    cited = [(n, source, i) for n, (*_, c) in numbered for i, source in enumerate(c.sources, 1)]
    db.executemany("INSERT INTO corrections_sources VALUES (?, ?, ?)", cited)
    # The indexes last, each table's own first: the order of the writes decides the file's bytes.
    for fts in (f"{PLURALS[type_name]}_fts" for type_name, _ in everything):
        db.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    for type_name, records in everything:
        bodies = ("\n".join(text for _, text in text_fields(r)) for r in records)
        texts = ((type_name, r.id, r.label, body) for r, body in zip(records, bodies, strict=True))
        db.executemany("INSERT INTO search VALUES (?, ?, ?, ?)", texts)


def _check_references(db: sqlite3.Connection) -> None:
    """Fail as SQLite would, naming the row, if any reference has no record to point to."""
    broken = db.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        table, rowid, parent, _ = broken
        # The first column is the row's record (an id, a link's owner, a correction's number).
        (key,) = db.execute(f"SELECT * FROM {table} WHERE rowid = ?", (rowid,)).fetchone()[:1]
        raise sqlite3.IntegrityError(
            f"FOREIGN KEY constraint failed: a row of {table} ({key}) refers to no row of {parent}"
        )


def write_database(dataset: Dataset, path: Path) -> None:
    """Build the database in the empty file at path, checking every foreign key.

    The file must be a scratch file that the caller deletes if this fails (write_atomically's):
    without a journal, a failed build is not rolled back."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in _PRAGMAS:
            db.execute(pragma)
        db.execute("BEGIN")
        for statement in _tables_sql():
            db.execute(statement)
        _fill(db, dataset)
        for statement in _indexes_sql():
            db.execute(statement)
        _check_references(db)
        db.execute("COMMIT")
    finally:
        db.close()
