"""docs/milestones.md: every milestone the references name maps to a record of the bundled
data, or says why it is left out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from nato_russia.dates import DateFormatError, parse_date
from nato_russia.model import PLURALS, Dataset, Event, StateChange, Term
from tests.conftest import ROOT

CHECKLIST = ROOT / "docs" / "milestones.md"
HEADER = ["milestone", "date", "listed by", "record", "reason"]
NONE = "—"
TYPE_OF_PLURAL = {plural: name for name, plural in PLURALS.items()}
RECORD = re.compile(r"`([a-z_]+)/([a-z0-9-]+)`")
CRIMEA = dt.date(2014, 3, 18)


@dataclass(frozen=True)
class Row:
    line: int
    milestone: str
    date: str
    listed_by: tuple[str, ...]
    record: str
    reason: str


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def reference_codes(text: str) -> set[str]:
    """The codes of the references table: its first column, in backticks."""
    section = text.split("## References", 1)[1].split("\n## ", 1)[0]
    return {m.group(1) for m in re.finditer(r"^\| `([a-z0-9-]+)` \|", section, re.MULTILINE)}


def parse_checklist(text: str) -> list[Row]:
    """The rows of the table under '## Checklist'; a row of the wrong width is an error."""
    lines = text.splitlines()
    start = lines.index("## Checklist")
    rows: list[Row] = []
    in_table = False
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        if not line.startswith("|"):
            if in_table:
                break
            continue
        cells = _cells(line)
        if not in_table:
            assert cells == HEADER, f"line {number}: the header must be {HEADER}"
            in_table = True
            continue
        if set(line) <= set("|-: "):
            continue
        assert len(cells) == len(HEADER), f"line {number}: {len(cells)} cells, not {len(HEADER)}"
        milestone, date, listed_by, record, reason = cells
        codes = tuple(code.strip() for code in listed_by.split(",") if code.strip())
        rows.append(Row(number, milestone, date, codes, record, reason))
    return rows


def problems(rows: list[Row], codes: set[str], dataset: Dataset) -> list[str]:
    """Every way a row fails the checklist's contract, one line each."""
    found: list[str] = []
    for row in rows:
        where = f"line {row.line} ({row.milestone})"
        if not row.milestone:
            found.append(f"{where}: no milestone")
        try:
            parse_date(row.date)
        except DateFormatError as error:
            found.append(f"{where}: {error}")
        if not row.listed_by:
            found.append(f"{where}: no reference lists it")
        found += [f"{where}: unknown reference {c!r}" for c in row.listed_by if c not in codes]
        has_reason = row.reason not in ("", NONE)
        if row.record in ("", NONE):
            if not has_reason:
                found.append(f"{where}: neither a record nor a reason")
            continue
        match = RECORD.fullmatch(row.record)
        if match is None:
            found.append(f"{where}: record {row.record!r} is not `TYPE/ID`")
            continue
        plural, record_id = match.groups()
        type_name = TYPE_OF_PLURAL.get(plural)
        record = dataset.get(type_name, record_id) if type_name else None
        if record is None:
            found.append(f"{where}: no record {plural}/{record_id} in the bundled data")
        elif (expected := _date_of(record)) is not None and expected != row.date:
            found.append(f"{where}: the record is dated {expected}, the row {row.date}")
    return found


def _date_of(record: object) -> str | None:
    """The date a row must give for its record, where the record has one."""
    if isinstance(record, (Event, StateChange)):
        return str(record.date)
    if isinstance(record, Term):
        return f"{record.start}/{record.end}" if record.end else str(record.start)
    return None


@pytest.fixture(scope="module")
def text() -> str:
    return CHECKLIST.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rows(text: str) -> list[Row]:
    return parse_checklist(text)


def test_every_row_maps_to_a_record_or_gives_a_reason(
    text: str, rows: list[Row], bundled: Dataset
) -> None:
    assert rows
    assert problems(rows, reference_codes(text), bundled) == []


def test_every_office_holder_is_listed(rows: list[Row], bundled: Dataset) -> None:
    listed = {row.record for row in rows}
    for term_id in bundled.of_type("term"):
        assert f"`terms/{term_id}`" in listed, term_id


def test_the_eleven_nrc_meetings_after_crimea_are_listed_and_recorded(
    rows: list[Row], bundled: Dataset
) -> None:
    meetings = [
        e
        for e in bundled.events()
        if isinstance(e, Event)
        and e.meeting_of == "nato-russia-council"
        and e.date.earliest() >= dt.date(2016, 1, 1)
    ]
    assert len(meetings) == 11, sorted(str(e.date) for e in meetings)
    listed = {row.record for row in rows}
    for event in meetings:
        assert f"`events/{event.id}`" in listed, event.id
    crimea = bundled.get("event", "crimea-annexation-2014")
    assert isinstance(crimea, Event) and crimea.date.earliest() == CRIMEA


@pytest.mark.parametrize(
    ("row", "complaint"),
    [
        ("| A | 1999-03-12 | issue-17 | `events/no-such-event` | — |", "no record events/no-such"),
        ("| A | 1999-03-12 | issue-17 | — | — |", "neither a record nor a reason"),
        ("| A | 1999-03-12 | issue-17 | — | |", "neither a record nor a reason"),
        ("| A | 12 March 1999 | issue-17 | — | gone |", "not a date"),
        ("| A | 1999-03-12 | rumour | — | gone |", "unknown reference 'rumour'"),
        ("| A | 1999-03-12 | issue-17 | events/enlargement-1999 | — |", "is not `TYPE/ID`"),
        ("| A | 1999-03-13 | issue-17 | `events/enlargement-1999` | — |", "the row 1999-03-13"),
        ("| A | 1999-03-12 | issue-17 | `widgets/enlargement-1999` | — |", "no record widgets/"),
    ],
)
def test_a_bad_row_is_reported(row: str, complaint: str, bundled: Dataset) -> None:
    text = f"## Checklist\n\n| {' | '.join(HEADER)} |\n|---|---|---|---|---|\n{row}\n"
    found = problems(parse_checklist(text), {"issue-17"}, bundled)
    assert len(found) == 1 and complaint in found[0], found


def test_a_row_of_the_wrong_width_is_an_error() -> None:
    text = f"## Checklist\n\n| {' | '.join(HEADER)} |\n|---|---|---|---|---|\n| A | 1999 | x |\n"
    with pytest.raises(AssertionError, match="3 cells"):
        parse_checklist(text)


def test_the_checklist_lives_where_the_docs_say() -> None:
    assert Path(CHECKLIST).is_file()
