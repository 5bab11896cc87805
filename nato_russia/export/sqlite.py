"""The dataset as a SQLite database, for `sqlite3`, Datasette and any SQL tool.

One table per record type (named as the list commands: events, agreements, ...), with the
date split as in CSV; a link table per list of references (events_actors: event_id, actor_id,
position) with foreign keys both ways; the corrections of the backgrounder in their own table;
indexes on dates. Two kinds of full-text index: `search`, one FTS5 table over every text of
every record (`select type, id from search where search match 'missile'`), and a `<table>_fts`
beside each table in the layout Datasette looks for, which gives its pages a search box.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from nato_russia import __version__
from nato_russia.export.documents import SCHEMA_VERSION, ordered
from nato_russia.model import PLURALS, RECORD_TYPES, Dataset, FieldSchema, Record, field_schemas
from nato_russia.render.flat import date_part_names, date_parts
from nato_russia.search import text_fields

TOKENIZER = "porter unicode61 remove_diacritics 2"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _link_table(type_name: str, name: str) -> str:
    return f"{PLURALS[type_name]}_{name}"


def _is_link(schema: FieldSchema) -> bool:
    return schema.kind in ("refs", "tags") and not schema.derived


def _columns(type_name: str) -> list[str]:
    """Column definitions of a record type's own table."""
    columns = []
    for field_name, schema in field_schemas(RECORD_TYPES[type_name]).items():
        name = _quote(field_name)  # "order" is a field name and an SQL keyword
        null = " NOT NULL" if not schema.optional else ""
        if schema.kind == "id":
            columns.append(f"{name} TEXT PRIMARY KEY")
        elif schema.kind in ("text", "enum", "slug"):
            columns.append(f"{name} TEXT{null}")
        elif schema.kind == "int":
            columns.append(f"{name} INTEGER{null}")
        elif schema.kind == "date":
            start, end, precision, year, month, day = (
                _quote(part) for part in date_part_names(field_name)
            )
            columns += [f"{name} TEXT{null}", f"{start} TEXT", f"{end} TEXT", f"{precision} TEXT"]
            columns += [f"{year} INTEGER", f"{month} INTEGER", f"{day} INTEGER"]
        elif schema.kind == "ref" and len(schema.targets) == 1:
            target = PLURALS[schema.targets[0]]
            columns.append(f"{name} TEXT{null} REFERENCES {target}(id)")
        elif schema.kind == "ref":
            # A reference to one of several tables cannot be a foreign key: the type says which.
            columns += [f"{name} TEXT{null}", f"{_quote(field_name + '_type')} TEXT{null}"]
    return columns


_SINGULAR = {"aliases": "alias"}  # the column of a list of tags names one of them


def _link_columns(type_name: str, name: str, schema: FieldSchema) -> tuple[str, str, str]:
    """A link table's two columns (the owner's id, the value) and the value's definition."""
    owner = f"{type_name}_id"
    if schema.kind == "tags":
        value = _SINGULAR.get(name, name.removesuffix("s"))
        return owner, value, f"{value} TEXT NOT NULL"
    (target,) = schema.targets
    value = f"{target}_id"
    return owner, value, f"{value} TEXT NOT NULL REFERENCES {PLURALS[target]}(id)"


def schema_sql() -> list[str]:
    statements = [
        "CREATE TABLE nrr_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ]
    for type_name, cls in RECORD_TYPES.items():
        table = PLURALS[type_name]
        statements.append(f"CREATE TABLE {table} ({', '.join(_columns(type_name))})")
        schemas = field_schemas(cls)
        if "date" in schemas:
            statements.append(f"CREATE INDEX {table}_date ON {table}(date)")
            statements.append(f"CREATE INDEX {table}_days ON {table}(date_start, date_end)")
        for name, schema in schemas.items():
            if _is_link(schema):
                owner, value, value_definition = _link_columns(type_name, name, schema)
                link = _link_table(type_name, name)
                statements.append(
                    f"CREATE TABLE {link} ({owner} TEXT NOT NULL REFERENCES {table}(id), "
                    f"{value_definition}, position INTEGER NOT NULL, "
                    f"PRIMARY KEY ({owner}, position))"
                )
                statements.append(f"CREATE INDEX {link}_value ON {link}({value})")
        searchable = [_quote(n) for n, s in schemas.items() if s.kind == "text"]
        statements.append(
            f"CREATE VIRTUAL TABLE {table}_fts USING fts5({', '.join(searchable)}, "
            f"content={_quote(table)}, tokenize={_quote(TOKENIZER)})"
        )
    statements += [
        "CREATE TABLE corrections (id INTEGER PRIMARY KEY, record_type TEXT NOT NULL, "
        "record_id TEXT NOT NULL, position INTEGER NOT NULL, says TEXT NOT NULL, "
        "finding TEXT NOT NULL)",
        "CREATE INDEX corrections_record ON corrections(record_type, record_id)",
        "CREATE TABLE corrections_sources (correction_id INTEGER NOT NULL "
        "REFERENCES corrections(id), source_id TEXT NOT NULL REFERENCES sources(id), "
        "position INTEGER NOT NULL, PRIMARY KEY (correction_id, position))",
        "CREATE VIRTUAL TABLE search USING fts5(type UNINDEXED, id UNINDEXED, title, text, "
        f"tokenize={_quote(TOKENIZER)})",
    ]
    return statements


def _row(dataset: Dataset, record: Record) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, schema in field_schemas(type(record)).items():
        value = getattr(record, name)
        if schema.kind in ("id", "text", "enum", "slug", "int"):
            row[name] = value
        elif schema.kind == "date":
            row[name] = None if value is None else str(value)
            parts = date_parts(value, name)
            names = date_part_names(name)
            row.update({k: parts[k] or None for k in names[:3]})
            row.update({k: int(parts[k]) if parts[k] else None for k in names[3:]})
        elif schema.kind == "ref" and len(schema.targets) == 1:
            row[name] = value
        elif schema.kind == "ref":
            target = dataset.find(value, schema.targets) if value is not None else None
            row[name] = value
            row[f"{name}_type"] = target.type_name if target is not None else None
    return row


def _insert(db: sqlite3.Connection, table: str, row: dict[str, Any]) -> int:
    columns = ", ".join(_quote(c) for c in row)
    marks = ", ".join("?" for _ in row)
    cursor = db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))
    return cursor.lastrowid or 0


def _fill(db: sqlite3.Connection, dataset: Dataset) -> None:
    db.execute("INSERT INTO nrr_meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    db.execute("INSERT INTO nrr_meta VALUES ('generator', ?)", (f"nrr {__version__}",))
    for type_name, records in ordered(dataset):
        table = PLURALS[type_name]
        for record in records:
            _insert(db, table, _row(dataset, record))
            for name, schema in field_schemas(type(record)).items():
                if _is_link(schema):
                    owner, value, _ = _link_columns(type_name, name, schema)
                    link = _link_table(type_name, name)
                    for position, item in enumerate(getattr(record, name), 1):
                        _insert(db, link, {owner: record.id, value: item, "position": position})
            for position, correction in enumerate(getattr(record, "corrections", ()), 1):
                correction_id = _insert(
                    db,
                    "corrections",
                    {
                        "record_type": type_name,
                        "record_id": record.id,
                        "position": position,
                        "says": correction.says,
                        "finding": correction.finding,
                    },
                )
                for number, source in enumerate(correction.sources, 1):
                    db.execute(
                        "INSERT INTO corrections_sources VALUES (?, ?, ?)",
                        (correction_id, source, number),
                    )
            body = "\n".join(text for _, text in text_fields(record))
            db.execute(
                "INSERT INTO search VALUES (?, ?, ?, ?)",
                (type_name, record.id, record.label, body),
            )
        db.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")


def write_database(dataset: Dataset, path: Path) -> None:
    """Build the database in the empty file at path, checking every foreign key."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA foreign_keys = ON")
        with db:
            for statement in schema_sql():
                db.execute(statement)
            _fill(db, dataset)
        db.execute("VACUUM")
    finally:
        db.close()
