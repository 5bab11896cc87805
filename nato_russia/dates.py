"""Partial dates in a strict subset of EDTF (Level 0).

Accepted forms: ``1990``, ``1994-06``, ``1997-05-27`` and intervals of two of those joined by
``/`` (``1990-07-05/1990-07-06``). Anything else -- approximate (``~``), uncertain (``?``),
unspecified digits (``X``), open ends (``..``) -- is rejected, because the dataset never needs
it and a reference tool must not pretend to more (or less) precision than its sources give.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Literal

Precision = Literal["year", "month", "day"]

_SINGLE = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")
_PRECISION_RANK = {"year": 0, "month": 1, "day": 2}
_MONTHS = "January February March April May June July August September October November December"
MONTH_NAMES = ("", *_MONTHS.split())  # English month names by number (1-12); index 0 unused
EN_DASH = "\u2013"


class DateFormatError(ValueError):
    """A string is not a date in nrr's EDTF subset."""


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date known to the year, the month or the day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    def earliest(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        month = self.month or 12
        return dt.date(self.year, month, self.day or _last_day(self.year, month))

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


@dataclass(frozen=True, slots=True)
class EdtfDate:
    """A partial date, or an interval between two partial dates."""

    start: PartialDate
    end: PartialDate | None = None

    @property
    def is_range(self) -> bool:
        return self.end is not None

    @property
    def precision(self) -> Precision:
        """The coarser precision of the two ends."""
        ends = (self.start, self.end or self.start)
        return min((end.precision for end in ends), key=_PRECISION_RANK.__getitem__)

    def earliest(self) -> dt.date:
        return self.start.earliest()

    def latest(self) -> dt.date:
        return (self.end or self.start).latest()

    def sort_key(self) -> tuple[dt.date, dt.date]:
        return (self.earliest(), self.latest())

    def overlaps(self, earliest: dt.date | None, latest: dt.date | None) -> bool:
        """True when this date's span and the closed interval [earliest, latest] share a day."""
        # A cache entry applies the same rule to day numbers (cache.StoredRecords.overlapping);
        # tests/test_load_rules.py holds the two equal.
        after = earliest is None or self.latest() >= earliest
        return after and (latest is None or self.earliest() <= latest)

    def __str__(self) -> str:
        return str(self.start) if self.end is None else f"{self.start}/{self.end}"

    def display(self) -> str:
        """Human wording that keeps the precision: 'June 1994', '5-6 July 1990' (en dash)."""
        return _wording(self.start, self.end, short=False)

    def compact(self) -> str:
        """The same wording with months cut to three letters and no spaces around a range's
        en dash ('Jun 1994', '14 Jun-2 Jul 2003'): short enough for a list's date column,
        where a date must never wrap."""
        return _wording(self.start, self.end, short=True)


def _month(number: int | None, short: bool) -> str:
    name = MONTH_NAMES[number or 0]
    return name[:3] if short else name


def _display_single(value: PartialDate, *, with_year: bool = True, short: bool = False) -> str:
    parts = (
        "" if value.day is None else str(value.day),
        "" if value.month is None else _month(value.month, short),
        str(value.year) if with_year else "",
    )
    return " ".join(part for part in parts if part)


def _wording(start: PartialDate, end: PartialDate | None, *, short: bool) -> str:
    if end is None:
        return _display_single(start, short=short)
    same_precision = start.precision == end.precision
    dash = EN_DASH if short else f" {EN_DASH} "
    if same_precision and start.year == end.year:
        if start.precision == "day" and start.month == end.month:
            return f"{start.day}{EN_DASH}{end.day} {_month(end.month, short)} {end.year}"
        if start.precision == "month":
            first, last = _month(start.month, short), _month(end.month, short)
            return f"{first}{EN_DASH}{last} {end.year}"
        if start.precision == "day":
            first = _display_single(start, with_year=False, short=short)
            return f"{first}{dash}{_display_single(end, short=short)}"
    if same_precision and start.precision == "year":
        return f"{start.year}{EN_DASH}{end.year}"
    return f"{_display_single(start, short=short)}{dash}{_display_single(end, short=short)}"


def _parse_single(text: str, whole: str) -> PartialDate:
    match = _SINGLE.fullmatch(text)
    if match is None:
        raise DateFormatError(
            f"{whole!r} is not a date: use YYYY, YYYY-MM, YYYY-MM-DD or START/END"
        )
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if year == 0:
        raise DateFormatError(f"{whole!r}: year 0000 is not supported")
    if month is not None and not 1 <= month <= 12:
        raise DateFormatError(f"{whole!r}: month {month:02d} does not exist")
    if day is not None and month is not None and not 1 <= day <= _last_day(year, month):
        raise DateFormatError(f"{whole!r}: day {day:02d} does not exist in that month")
    return PartialDate(year, month, day)


def _last_day(year: int, month: int) -> int:
    """The number of days in a month (calendar.monthrange would import locale, 1 ms)."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


@functools.lru_cache(maxsize=65536)
def parse_date(text: str) -> EdtfDate:
    """Parse nrr's EDTF subset; raise DateFormatError with a one-line reason otherwise.

    Dates are immutable and repeat a lot in large datasets, so parses are memoised: equal
    dates then also share one object, which keeps memory down."""
    if not isinstance(text, str):
        raise DateFormatError(f"{text!r} is not a date string")
    if text.count("/") > 1:
        raise DateFormatError(f"{text!r} is not a date: an interval has exactly one '/'")
    if "/" not in text:
        return EdtfDate(_parse_single(text, text))
    left, right = text.split("/")
    start, end = _parse_single(left, text), _parse_single(right, text)
    if start == end:
        raise DateFormatError(f"{text!r}: an interval needs two different ends")
    if runs_backwards(start, end):
        raise DateFormatError(f"{text!r}: the interval ends before it starts")
    return EdtfDate(start, end)


# Dates people type are often copied from what nrr shows ("27 May 1997", "June 1994"), so a
# bound also takes that wording: English month names in full or cut to three letters, any
# case. Data files stay strict (parse_date): there, one spelling per date keeps them diffable.
BOUND_FORMS = (
    "1997, 1997-05, 1997-05-27, May 1997 or 27 May 1997 (month names in English, in full or "
    "as three letters)"
)
_MONTH_NUMBERS = {
    key: number
    for number, name in enumerate(MONTH_NAMES)
    if name
    for key in (name.casefold(), name[:3].casefold())
}
# The patterns of typed dates are compiled when a bound is first parsed (by re's cache), not at
# import: a lookup parses none.
_WORDED = r"(?:(?P<day>[0-9]{1,2}) )?(?P<month>[^\W\d_]+) (?P<year>[0-9]{4})"
# "5-6 July 1990" (nrr prints an en dash there): a range as nrr shows it, which a bound
# cannot be.
_WORDED_RANGE = rf"[0-9]{{1,2}} ?[-{EN_DASH}] ?[0-9]{{1,2}} [^\W\d_]+ [0-9]{{4}}"
# Spaces as typed or pasted (a no-break space from a web page) are one space; other
# whitespace (a line break, a control character) is not taken for one.
_SPACES = "[ \\t\\u00a0]+"


def _worded(text: str) -> str | None:
    """'27 May 1997' -> '1997-05-27', 'may 1997' -> '1997-05'; None if not in that wording."""
    match = re.fullmatch(_WORDED, text)
    if match is None:
        return None
    month = _MONTH_NUMBERS.get(match["month"].casefold())
    if month is None:
        return None
    iso = f"{match['year']}-{month:02d}"
    return iso if match["day"] is None else f"{iso}-{int(match['day']):02d}"


def parse_bound(text: str, *, upper: bool) -> dt.date:
    """Parse a single date where one is asked for (--from, --to, nrr status DATE, a search's
    date:), taken at its earliest or latest day. Takes the EDTF forms and the wording nrr
    shows (see BOUND_FORMS); raises DateFormatError naming the accepted forms otherwise."""
    typed = re.sub(_SPACES, " ", text).strip(" ")
    if "/" in typed or EN_DASH in typed or re.fullmatch(_WORDED_RANGE, typed):
        raise DateFormatError(f"{text!r}: give a single date here, not an interval")
    iso = _worded(typed) or typed
    if _SINGLE.fullmatch(iso) is None:
        raise DateFormatError(f"{text!r} is not a date: use {BOUND_FORMS}")
    value = EdtfDate(_parse_single(iso, text))
    return value.latest() if upper else value.earliest()


def runs_backwards(start: PartialDate | EdtfDate, end: PartialDate | EdtfDate) -> bool:
    """Whether a span from `start` to `end` ends before it starts: the end's first or last
    possible day comes before the start's ('2000-05' to '2000-05-01' does too). The rule of an
    interval's two ends, and of a term's start and end."""
    return start.earliest() > end.earliest() or start.latest() > end.latest()
