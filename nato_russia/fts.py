"""An SQLite FTS5 index for searching large datasets, giving the same results as the scan.

Past FTS_THRESHOLD records, scanning every record for every query costs more than asking an
index (at the bundled data's size, a scan took a quarter of a search's run), so the search
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
import gc
import operator
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

from nato_russia.model import Dataset, Record, actor_fields
from nato_russia.querylang import Query

if TYPE_CHECKING:
    from nato_russia.text import Stems

FTS_THRESHOLD = 200  # records; at or below it, scanning every record is quicker than the index
SEPARATOR = "_sep_"  # our stems never contain '_', so this token never matches a word
WEIGHT_COLUMNS = (("w5", 5.0), ("w3", 3.0), ("w2", 2.0), ("w1", 1.0))
# Bump whenever text.py, the weights or the layout change (5: aliases; 6: the ascii tokenizer,
# no stored text, the vocabulary table).
SCHEMA_VERSION = "6"
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
    # Building makes millions of small objects and no cycles: the collector would walk the
    # whole dataset again and again for nothing (a tenth of the build at 100,000 events).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _fill(db, dataset)
    finally:
        if collecting:
            gc.enable()


def _fill(db: sqlite3.Connection, dataset: Dataset) -> None:
    from nato_russia.search import PROXIMITY_WINDOW
    from nato_russia.text import Stems

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
        create table vocabulary (word text);
        create virtual table words using fts5(
            w5, w3, w2, w1, tokenize = "ascii tokenchars '_'", content = '', columnsize = 0
        );
        """
    )
    # The words are searched, never read back (snippets come from the records), and nothing
    # ranks by column length: so no copy of the text and no sizes (content, columnsize). The
    # text holds our stems, one space apart; the ascii tokenizer cuts at those spaces and
    # nowhere else (every non-ASCII character is part of a token), so each stem is one token,
    # as in the scan. unicode61 cut some words that Python counts as one (a few letters newer
    # than its Unicode tables), and then "missile" matched where the scan saw another word.
    with contextlib.suppress(sqlite3.OperationalError):
        # Pending words are written out as a segment each time they outgrow the hash, and the
        # segments then merged, again and again: with the default 1 MB, that merging was half
        # of SQLite's work. The option is not in SQLite's documentation, hence the fallback.
        db.execute("insert into words (words, rank) values ('hashsize', ?)", (HASH_SIZE,))
    db.execute("insert into meta values ('schema', ?)", (SCHEMA_VERSION,))
    ordered = _in_tie_order(dataset)
    db.executemany("insert into records values (?, ?, ?, ?, ?, ?, ?)", _record_rows(ordered))
    db.executemany("insert into links values (?, ?, ?)", _links(ordered))
    # Built once the rows are in: one sort, rather than a tree kept sorted row by row.
    db.execute("create index links_by_value on links (kind, value)")
    stems = Stems()
    gap = " ".join([SEPARATOR] * (PROXIMITY_WINDOW + 2))
    db.executemany(
        "insert into words (rowid, w5, w3, w2, w1) values (?, ?, ?, ?, ?)",
        _word_rows(ordered, stems, f" {gap} "),
    )
    db.executemany("insert into vocabulary values (?)", ((word,) for word in stems))


HASH_SIZE = 16 << 20  # bytes of pending words; 64 MB is no quicker at 100,000 events
BATCH = 2_048  # records tokenised in one pass: enough to amortise the calls, little memory

# (earliest day, latest day, type, id, record): rowid n is the nth of them, from 1
_Keyed = tuple[int, int, str, str, Record]


def _in_tie_order(dataset: Dataset) -> list[_Keyed]:
    """The records in the order search.py breaks ties in (earliest, latest, type, id; undated
    last): rowids follow it, so that SQLite can order matches by rowid without reading the
    records table."""
    keyed: list[_Keyed] = []
    spans: dict[int, tuple[int, int]] = {}  # equal dates are one shared object: bounds once
    for type_name, by_id in dataset.records.items():
        records = list(by_id.values())
        dates = [getattr(record, "date", None) for record in records]
        for date in {id(d): d for d in dates if d is not None}.values():
            if id(date) not in spans:
                spans[id(date)] = (date.earliest().toordinal(), date.latest().toordinal())
        bounds = [spans[id(d)] if d is not None else _UNDATED for d in dates]
        ids = map(operator.attrgetter("id"), records)
        keyed += zip(
            (b[0] for b in bounds), (b[1] for b in bounds), repeat(type_name), ids, records
        )
    keyed.sort(key=operator.itemgetter(0, 1, 2, 3))  # (type, id) is unique
    return keyed


_UNDATED = (UNDATED, UNDATED)
_RECORD = operator.itemgetter(4)


def _record_rows(ordered: list[_Keyed]) -> Iterator[tuple[object, ...]]:
    for rowid, (earliest, latest, type_name, record_id, record) in enumerate(ordered, start=1):
        dated = earliest != UNDATED
        yield (
            rowid,
            type_name,
            record_id,
            earliest if dated else None,
            latest if dated else None,
            getattr(record, "period", None),
            getattr(record, "speaker", None),
        )


def _links(ordered: list[_Keyed]) -> Iterator[tuple[int, str, str]]:
    actors: dict[type[Record], tuple[str, ...]] = {}
    for rowid, record in enumerate(map(_RECORD, ordered), start=1):
        cls = type(record)
        names = actors.get(cls)
        if names is None:
            names = actors[cls] = tuple(actor_fields(cls))
        for name in names:
            value = getattr(record, name)
            for actor in (value,) if isinstance(value, str) else value or ():
                yield rowid, "actor", actor
        for topic in getattr(record, "topics", ()):
            yield rowid, "topic", topic


def _word_rows(ordered: list[_Keyed], stems: Stems, gap: str) -> Iterator[tuple[object, ...]]:
    """(rowid, w5, w3, w2, w1) for every record, in rowid order: in each column the stems of
    the fields of that weight, fields `gap` apart. A batch is tokenised in one call to
    text.stem_all, field by field (each a C-level map over the records), each distinct word
    stemmed once (`stems`, which ends up holding the vocabulary)."""
    for start in range(0, len(ordered), BATCH):
        batch = list(map(_RECORD, ordered[start : start + BATCH]))
        first = start + 1
        kinds = set(map(type, batch))
        if len(kinds) == 1:  # the common case: a large dataset is mostly events
            yield from zip(
                range(first, first + len(batch)),
                *_columns(kinds.pop(), batch, stems, gap),
                strict=True,
            )
            continue
        by_type: dict[type[Record], tuple[list[int], list[Record]]] = {}
        for rowid, record in enumerate(batch, start=first):
            rowids, records = by_type.setdefault(type(record), ([], []))
            rowids.append(rowid)
            records.append(record)
        rows: list[tuple[object, ...]] = []
        for cls, (rowids, records) in by_type.items():
            rows += zip(rowids, *_columns(cls, records, stems, gap), strict=True)
        rows.sort(key=operator.itemgetter(0))  # FTS5 writes a segment at each step back
        yield from rows


def _columns(cls: type[Record], records: list[Record], stems: Stems, gap: str) -> list[list[str]]:
    """The four columns (w5, w3, w2, w1) of records of one type, each a text per record."""
    from nato_russia.search import DEFAULT_WEIGHT, FIELD_WEIGHTS, searched_fields
    from nato_russia.text import stem_all

    texts: list[str] = []  # every field's texts, one field after another, stemmed at once
    # Per field: its column, where its texts start, and for a field of several texts each
    # (aliases, corrections), how many each record has; a field of one text has one each.
    fields: list[tuple[int, int, list[int] | None]] = []
    for name, mode in searched_fields(cls):
        column = _COLUMN_OF[FIELD_WEIGHTS.get(name, DEFAULT_WEIGHT)]
        values = list(map(operator.attrgetter(name), records))
        if not any(values):
            continue  # (a text with no words adds no gap: see below)
        begin = len(texts)
        if mode == "text":
            texts += values if all(values) else [value or "" for value in values]
            fields.append((column, begin, None))
        elif mode == "tags":
            texts += [" ".join(value) if value else "" for value in values]
            fields.append((column, begin, None))
        elif mode == "aliases":
            texts += [alias for value in values for alias in value or ()]
            fields.append((column, begin, [len(value or ()) for value in values]))
        else:
            for value in values:
                for correction in value or ():
                    texts += (correction.says, correction.finding)
            fields.append((column, begin, [2 * len(value or ()) for value in values]))
    stemmed = stem_all(texts, stems)
    size = len(records)
    parts: list[list[list[str]]] = [[], [], [], []]
    for column, begin, counts in fields:
        if counts is None:
            parts[column].append(stemmed[begin : begin + size])
        else:
            grouped = []
            for count in counts:
                grouped.append(gap.join(filter(None, stemmed[begin : begin + count])))
                begin += count
            parts[column].append(grouped)
    columns = []
    for lists in parts:
        if len(lists) > 1:
            # A text with no words adds no gap: a record's columns are then the same whatever
            # the other records of its batch (a gap would only push positions further apart).
            columns.append([gap.join(filter(None, one)) for one in zip(*lists, strict=True)])
        else:
            columns.append(lists[0] if lists else [""] * size)
    return columns


_COLUMN_OF = {weight: n for n, (_, weight) in enumerate(WEIGHT_COLUMNS)}


def vocabulary(db: sqlite3.Connection) -> set[str] | None:
    """The words (folded, not stemmed) of the records an index was built from; None if the
    index cannot be read."""
    try:
        return {word for (word,) in db.execute("select word from vocabulary")}
    except sqlite3.DatabaseError:
        return None


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
