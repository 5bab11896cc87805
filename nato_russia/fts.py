"""An SQLite FTS5 index for searching large datasets, giving the same results as the scan.

Past FTS_THRESHOLD records, scanning every record for every query is too slow, so the search
index is built once (in the load cache, next to the dataset it indexes) and queried instead.
To give exactly the results of the in-memory scan (search.py), the index holds nrr's own stems
rather than letting SQLite tokenise and stem: each record's fields are stored by weight class
(one column per weight), fields separated by a run of SEPARATOR tokens longer than the proximity
window, so that neither a phrase nor a NEAR group can reach across two fields. A term is then an
FTS5 phrase of stems; which columns contain it gives its weight; NEAR gives the proximity bonus.
User words never reach FTS5 as syntax: every stem is quoted. Stop words are dropped and named
records found before a query gets here (search.py), so both backends see the same terms.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from nato_russia.model import Dataset, Record, actor_fields
from nato_russia.querylang import Query

FTS_THRESHOLD = 1_000  # records; at or below it, scanning every record is quick enough
SEPARATOR = "_sep_"  # our stems never contain '_', so this token never matches a word
WEIGHT_COLUMNS = (("w5", 5.0), ("w3", 3.0), ("w2", 2.0), ("w1", 1.0))
SCHEMA_VERSION = "5"  # bump whenever text.py, the weights or the layout change (5: aliases)
UNDATED = 10**7  # after every day ordinal: undated records sort last, as in search.py
# SQLite's LIMIT takes a signed 64-bit integer (and we ask for one row more than shown); no
# index holds more rows than this, so a larger --limit means the same as this one.
MAX_LIMIT = 2**62


def available() -> bool:
    """Whether this Python's SQLite has FTS5 (it is a compile-time option)."""
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as db:
            db.execute("create virtual table probe using fts5(x)")
    except sqlite3.Error:
        return False
    return True


def _column(weight: float) -> str:
    return next(name for name, w in WEIGHT_COLUMNS if w == weight)


def _phrase(stems: Iterable[str]) -> str:
    return '"' + " ".join(s.replace('"', '""') for s in stems) + '"'


def build(dataset: Dataset, path: str | Path) -> None:
    """Write the index of a dataset to `path` (":memory:" is not allowed: use connect_new)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".sqlite", dir=target.parent)
    os.close(handle)
    try:
        with contextlib.closing(sqlite3.connect(temporary)) as db:
            fill(db, dataset)
            db.commit()
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def fill(db: sqlite3.Connection, dataset: Dataset) -> None:
    """Create and fill the index tables in an open database."""
    from nato_russia.search import DEFAULT_WEIGHT, FIELD_WEIGHTS, PROXIMITY_WINDOW, text_fields
    from nato_russia.text import tokens

    gap = " ".join([SEPARATOR] * (PROXIMITY_WINDOW + 2))
    db.executescript(
        """
        pragma journal_mode = off;
        pragma synchronous = off;
        create table meta (key text primary key, value text);
        create table records (
            rowid integer primary key, type text, id text, earliest integer, latest integer,
            period text, speaker text
        );
        create table links (rowid integer, kind text, value text);
        create index links_by_value on links (kind, value);
        create virtual table words using fts5(
            w5, w3, w2, w1, tokenize = "unicode61 tokenchars '_' remove_diacritics 0"
        );
        """
    )
    db.execute("insert into meta values ('schema', ?)", (SCHEMA_VERSION,))
    rows: list[tuple[object, ...]] = []
    links: list[tuple[int, str, str]] = []
    texts: list[tuple[object, ...]] = []
    # Rowids follow the order search.py breaks ties in (earliest, latest, type, id; undated
    # last), so that SQLite can order matches by rowid without reading the records table.
    ordered = sorted(dataset.all_records(), key=_tie_order)
    for rowid, record in enumerate(ordered, start=1):
        date = getattr(record, "date", None)
        rows.append(
            (
                rowid,
                record.type_name,
                record.id,
                date.earliest().toordinal() if date else None,
                date.latest().toordinal() if date else None,
                getattr(record, "period", None),
                getattr(record, "speaker", None),
            )
        )
        for name in actor_fields(type(record)):
            value = getattr(record, name)
            named = (value,) if isinstance(value, str) else value or ()
            links.extend((rowid, "actor", actor) for actor in named)
        links.extend((rowid, "topic", topic) for topic in getattr(record, "topics", ()))
        columns: dict[str, list[str]] = {name: [] for name, _ in WEIGHT_COLUMNS}
        for name, text in text_fields(record):
            column = _column(FIELD_WEIGHTS.get(name, DEFAULT_WEIGHT))
            columns[column].append(" ".join(tokens(text)))
        texts.append((rowid, *(f" {gap} ".join(columns[name]) for name, _ in WEIGHT_COLUMNS)))
    db.executemany("insert into records values (?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("insert into links values (?, ?, ?)", links)
    db.executemany("insert into words (rowid, w5, w3, w2, w1) values (?, ?, ?, ?, ?)", texts)


def _tie_order(record: Record) -> tuple[int, int, str, str]:
    date = getattr(record, "date", None)
    if date is None:
        return (UNDATED, UNDATED, record.type_name, record.id)
    return (date.earliest().toordinal(), date.latest().toordinal(), record.type_name, record.id)


def discard(db: sqlite3.Connection) -> None:
    """Close an index found damaged and delete its file."""
    try:
        rows = db.execute("pragma database_list").fetchall()
    except sqlite3.Error:
        rows = []
    db.close()
    for _, name, path in rows:
        if name == "main" and path:
            with contextlib.suppress(OSError):
                os.unlink(path)


def open_index(path: str | Path) -> sqlite3.Connection | None:
    """An index written by build(), or None if it is missing, unreadable or of another schema."""
    if not Path(path).is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        (version,) = db.execute("select value from meta where key = 'schema'").fetchone()
    except (sqlite3.Error, TypeError):
        return None
    if version != SCHEMA_VERSION:
        db.close()
        return None
    return db


def _filters(query: Query) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    if query.types:
        clauses.append(f"r.type in ({', '.join('?' * len(query.types))})")
        params.extend(query.types)
    if query.record_id is not None:
        clauses.append("r.id = ?")
        params.append(query.record_id)
    if query.earliest is not None or query.latest is not None:
        clauses.append("r.earliest is not null")
        if query.earliest is not None:
            clauses.append("r.latest >= ?")
            params.append(query.earliest.toordinal())
        if query.latest is not None:
            clauses.append("r.earliest <= ?")
            params.append(query.latest.toordinal())
    if query.period is not None:
        clauses.append("(r.period = ? or (r.type = 'period' and r.id = ?))")
        params.extend([query.period, query.period])
    if query.actor is not None:
        clauses.append(
            "((r.type = 'actor' and r.id = ?) or r.rowid in "
            "(select rowid from links where kind = 'actor' and value = ?))"
        )
        params.extend([query.actor] * 2)
    if query.topic is not None:
        clauses.append("r.rowid in (select rowid from links where kind = 'topic' and value = ?)")
        params.append(query.topic)
    return " and ".join(clauses) or "1", params


def search(
    db: sqlite3.Connection,
    query: Query,
    *,
    sort: str = "relevance",
    limit: int | None = None,
    every: bool = True,
    named: Iterable[tuple[str, str]] = (),
) -> tuple[list[tuple[str, str]], int]:
    """The (type, id) of the best `limit` matches, in order, and how many match in all.

    The score is computed in SQL exactly as search.py computes it: for each term the weight of
    the heaviest column it occurs in, a bonus for a phrase, a bonus when NEAR finds the terms
    close together, a bonus for a `named` record. With every=False a record needs one term, and
    records with more distinct terms come first. Only the rows shown ever leave SQLite."""
    from nato_russia.search import NAME_BONUS, PHRASE_BONUS, PROXIMITY_BONUS, PROXIMITY_WINDOW

    if limit is not None:
        limit = min(limit, MAX_LIMIT)
    where, params = _filters(query)
    # Rowids are in tie order (see fill), so ordering by rowid is ordering by date.
    order = "rowid" if sort == "date" else "words desc, score desc, rowid"
    ctes: list[str] = []
    cte_params: list[object] = []
    found = "0"  # how many distinct terms a row has
    if not query.terms:
        source, match_params, score = "records r", [], "0"
        rowid = "r.rowid"
    else:
        # A repeated term is matched, and looked up per column, once; it still scores each
        # time it is typed, as in search.py.
        typed = Counter(query.terms)  # in the order first typed
        distinct = list(typed)
        match = (" AND " if every else " OR ").join(_phrase(term) for term in distinct)
        for term in query.excluded:
            match = f"({match}) NOT {_phrase(term)}"
        # The records table is joined only when a filter needs it.
        source = "words join records r on r.rowid = words.rowid" if params else "words"
        where = f"words match ? and {where}"
        match_params = [match]
        rowid = "words.rowid"
        parts = []
        has: list[str] = []
        for n, term in enumerate(distinct):
            cases = []
            # With every term required, matching none of the first columns means the last; with
            # any term, a row may lack this one, so the last column is looked up too.
            columns = WEIGHT_COLUMNS[:-1] if every else WEIGHT_COLUMNS
            for column, weight in columns:
                name = f"t{n}{column}"
                ctes.append(f"{name} as (select rowid from words where words match ?)")
                cte_params.append(f"{column} : {_phrase(term)}")
                cases.append(f"when {rowid} in {name} then {weight}")
            bonus = PHRASE_BONUS if len(term) > 1 else 0.0
            if every:
                parts.append(
                    f"{typed[term]} * (case {' '.join(cases)} else {WEIGHT_COLUMNS[-1][1]} end"
                    f" + {bonus})"
                )
            else:
                present = " or ".join(f"{rowid} in t{n}{column}" for column, _ in columns)
                has.append(f"(case when {present} then 1 else 0 end)")
                parts.append(
                    f"{typed[term]} * (case {' '.join(cases)} else 0 end"
                    f" + (case when {present} then {bonus} else 0 end))"
                )
        found = " + ".join(has) if has else str(len(distinct))
        if len(distinct) > 1:
            ctes.append("near as (select rowid from words where words match ?)")
            cte_params.append(f"NEAR({' '.join(_phrase(t) for t in distinct)}, {PROXIMITY_WINDOW})")
            parts.append(f"(case when {rowid} in near then {PROXIMITY_BONUS} else 0 end)")
        elif len(query.terms) > 1:
            # One term typed again and again is always close to itself (as in search.py).
            parts.append(f"{PROXIMITY_BONUS}")
        score = " + ".join(parts)
    # Named records are few (ids the query spells) and their rowids our own integers, so they
    # go into the SQL as numbers rather than as one parameter each.
    rowids = [
        int(found_row)
        for type_name, record_id in named
        for (found_row,) in db.execute(
            "select rowid from records where type = ? and id = ?", (type_name, record_id)
        )
    ]
    if rowids:
        listed = ", ".join(str(r) for r in sorted(rowids))
        score = f"({score}) + (case when {rowid} in ({listed}) then {NAME_BONUS} else 0 end)"
    with_clause = f"with {', '.join(ctes)} " if ctes else ""
    rows = db.execute(
        # The window counts every match before the limit applies: the total the reader is told.
        f"{with_clause}select {rowid} as rowid, {score} as score, {found} as words, "
        f"count(*) over () as total from {source} where {where} "
        f"order by {order}" + (" limit ?" if limit is not None else ""),
        [*cte_params, *match_params, *params, *([limit] if limit is not None else [])],
    ).fetchall()
    total = rows[0][3] if rows else 0
    keys = dict(
        ((found, (type_name, record_id)))
        for found, type_name, record_id in db.execute(
            f"select rowid, type, id from records where rowid in ({', '.join('?' * len(rows))})",
            [r[0] for r in rows],
        )
    )
    return [keys[r[0]] for r in rows], total


def records_of(dataset: Dataset, keys: Iterable[tuple[str, str]]) -> list[Record]:
    return [dataset.records[type_name][record_id] for type_name, record_id in keys]
