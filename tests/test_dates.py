from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nato_russia.dates import DateFormatError, EdtfDate, PartialDate, parse_bound, parse_date


@pytest.mark.parametrize(
    ("text", "precision", "start", "end"),
    [
        ("1990", "year", "1990-01-01", "1990-12-31"),
        ("1994-06", "month", "1994-06-01", "1994-06-30"),
        ("1996-02", "month", "1996-02-01", "1996-02-29"),
        ("1997-05-27", "day", "1997-05-27", "1997-05-27"),
        ("1990-07-05/1990-07-06", "day", "1990-07-05", "1990-07-06"),
        ("2013/2014", "year", "2013-01-01", "2014-12-31"),
        ("2013-12/2014-03-05", "month", "2013-12-01", "2014-03-05"),
    ],
)
def test_parse_keeps_precision(text: str, precision: str, start: str, end: str) -> None:
    value = parse_date(text)
    assert str(value) == text
    assert value.precision == precision
    assert value.earliest().isoformat() == start
    assert value.latest().isoformat() == end


@pytest.mark.parametrize(
    "text",
    [
        "",
        "90",
        "1994-6",
        "1994-13",
        "1994-02-30",
        "1994-06-00",
        "0000",
        "1994~",
        "1994?",
        "199X",
        "1985-04-12/..",
        "/1985",
        "1990/1990",
        "1991/1990",
        "1990-07-06/1990-07-05",
        "1990/1991/1992",
        " 1990",
        "1990-01-01T00:00",
        "١٩٩٠",
    ],
)
def test_parse_rejects_everything_outside_the_subset(text: str) -> None:
    with pytest.raises(DateFormatError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("1990", "1990"),
        ("1994-06", "June 1994"),
        ("1997-05-27", "27 May 1997"),
        ("1990-07-05/1990-07-06", "5\u20136 July 1990"),
        ("2002-05-28/2002-06-02", "28 May \u2013 2 June 2002"),
        ("2013/2014", "2013\u20132014"),
        ("2004-06/2004-08", "June\u2013August 2004"),
        ("2013-12-04/2014-04-01", "4 December 2013 \u2013 1 April 2014"),
        ("2013/2014-03", "2013 \u2013 March 2014"),
    ],
)
def test_display_is_honest_about_precision(text: str, shown: str) -> None:
    assert parse_date(text).display() == shown


def test_sorting_puts_coarser_dates_first() -> None:
    values = [parse_date(t) for t in ("1994-06-22", "1994", "1994-06", "1993/1995")]
    ordered = sorted(values, key=lambda d: d.sort_key())
    assert [str(v) for v in ordered] == ["1993/1995", "1994", "1994-06", "1994-06-22"]


def test_overlap_matches_partial_dates() -> None:
    june = parse_date("1994-06")
    assert june.overlaps(dt.date(1994, 6, 22), dt.date(1994, 6, 22))
    assert june.overlaps(None, dt.date(1994, 6, 1))
    assert not june.overlaps(dt.date(1994, 7, 1), None)
    assert not june.overlaps(None, dt.date(1994, 5, 31))


def test_bounds_take_the_earliest_or_latest_day() -> None:
    assert parse_bound("1994", upper=False) == dt.date(1994, 1, 1)
    assert parse_bound("1994-02", upper=True) == dt.date(1994, 2, 28)
    with pytest.raises(DateFormatError):
        parse_bound("1990/1991", upper=True)


partial_dates = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).flatmap(
    lambda d: st.sampled_from(
        [PartialDate(d.year), PartialDate(d.year, d.month), PartialDate(d.year, d.month, d.day)]
    )
)


@given(partial_dates)
def test_single_dates_round_trip(value: PartialDate) -> None:
    parsed = parse_date(str(value))
    assert parsed == EdtfDate(value)
    assert parsed.earliest() <= parsed.latest()


@given(partial_dates, partial_dates)
def test_intervals_round_trip_or_are_rejected(a: PartialDate, b: PartialDate) -> None:
    text = f"{a}/{b}"
    try:
        parsed = parse_date(text)
    except DateFormatError:
        assert a == b or a.earliest() > b.earliest() or a.latest() > b.latest()
    else:
        assert str(parsed) == text
        assert parsed.earliest() <= parsed.latest()


@given(st.text(max_size=30))
def test_any_string_parses_or_gives_a_clear_error(text: str) -> None:
    try:
        parsed = parse_date(text)
    except DateFormatError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert str(parsed) == text
