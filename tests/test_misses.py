"""Helpful misses: an unknown id, topic or date says what was probably meant and where to look,
and dates may be typed as nrr shows them. Run against the bundled data, where people meet
these messages."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from nato_russia import query
from nato_russia.cli.app import app
from nato_russia.dates import DateFormatError, parse_bound, parse_date
from nato_russia.errors import NotFound
from nato_russia.model import Dataset, Event
from tests.conftest import StrictRunner


def run(*args: str) -> tuple[int, str, str]:
    result = StrictRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_a_word_of_a_short_title_finds_the_agreement() -> None:
    assert run("agreement", "rome") == (
        1,
        "",
        "Error: no agreement 'rome'. Did you mean: rome-declaration? "
        "(nrr agreements lists them all; nrr search rome searches everything)\n",
    )


def test_a_year_suggests_the_periods_of_that_year() -> None:
    code, _, err = run("period", "2008")
    assert code == 1
    assert err.startswith("Error: no period '2008'. Did you mean: georgia-2008, nrc-2002-2008? ")


def test_a_first_name_suggests_the_actor() -> None:
    code, out, err = run("timeline", "--actor", "vladimir")
    assert (code, out) == (1, "")
    assert "Did you mean: putin?" in err
    assert "nrr actors lists them all" in err


def test_a_miss_without_suggestions_still_says_where_to_look() -> None:
    assert run("event", "qqq xyz") == (
        1,
        "",
        "Error: no event 'qqq xyz'. (nrr events lists them all; "
        "nrr search 'qqq xyz' searches everything)\n",
    )


def test_inside_a_search_the_hint_does_not_suggest_searching() -> None:
    code, _, err = run("search", "actor:vladimir")
    assert code == 1
    assert err == "Error: no actor 'vladimir'. Did you mean: putin? (nrr actors lists them all)\n"


def test_an_unknown_topic_lists_the_near_ones(bundled: Dataset) -> None:
    code, _, err = run("timeline", "--topic", "arms")
    assert (code, err) == (1, "Error: no topic 'arms'. Did you mean: arms-control?\n")


def test_a_topic_with_none_near_lists_them_all(bundled: Dataset) -> None:
    code, _, err = run("timeline", "--topic", "foo")
    topics = query.topics(bundled)
    assert (code, err) == (1, f"Error: no topic 'foo'. The topics are: {', '.join(topics)}.\n")


def test_suggestions_are_few_and_close_ones_come_first(bundled: Dataset) -> None:
    with pytest.raises(NotFound) as caught:
        query.lookup(bundled, "agreement", "founding-axt")
    assert caught.value.suggestions[0] == "founding-act"
    many = query.suggest_records(bundled, "event", "nato")
    assert 0 < len(many) <= query.MAX_SUGGESTIONS


def test_words_match_whatever_their_form_and_accents(bundled: Dataset) -> None:
    assert query.suggest_records(bundled, "actor", "WÖRNER MANFRED") == ["worner"]
    assert "rome-declaration" in query.suggest_records(bundled, "agreement", "declarations rome")


def test_a_month_suggests_the_records_of_that_month(bundled: Dataset) -> None:
    found = query.suggest_records(bundled, "event", "May 1997")
    assert "founding-act-signed-1997" in found
    for record_id in found:
        event = bundled.of_type("event")[record_id]
        assert isinstance(event, Event)
        assert event.date.overlaps(dt.date(1997, 5, 1), dt.date(1997, 5, 31))


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("1997", "1997-01-01", "1997-12-31"),
        ("1997-05", "1997-05-01", "1997-05-31"),
        ("1997-05-27", "1997-05-27", "1997-05-27"),
        ("May 1997", "1997-05-01", "1997-05-31"),
        ("may 1997", "1997-05-01", "1997-05-31"),
        ("27 May 1997", "1997-05-27", "1997-05-27"),
        ("27 MAY 1997", "1997-05-27", "1997-05-27"),
        ("1 Sep 2001", "2001-09-01", "2001-09-01"),
        ("February 1996", "1996-02-01", "1996-02-29"),
        ("  27\u00a0May  1997 ", "1997-05-27", "1997-05-27"),  # pasted from a web page
    ],
)
def test_bounds_take_the_wording_nrr_shows(text: str, earliest: str, latest: str) -> None:
    assert parse_bound(text, upper=False).isoformat() == earliest
    assert parse_bound(text, upper=True).isoformat() == latest


def test_every_date_nrr_shows_for_a_day_month_or_year_reads_back() -> None:
    for text in ("1990", "1994-06", "1997-05-27", "2024-02-29"):
        value = parse_date(text)
        assert parse_bound(value.display(), upper=False) == value.earliest()
        assert parse_bound(value.display(), upper=True) == value.latest()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("tomorrow", "is not a date: use 1997, 1997-05, 1997-05-27, May 1997 or 27 May 1997"),
        ("27 Mai 1997", "is not a date: use"),
        ("May", "is not a date: use"),
        ("1997\n", "is not a date: use"),
        ("32 May 1997", "day 32 does not exist"),
        ("30 February 1996", "day 30 does not exist"),
        ("5\u20136 July 1990", "give a single date here, not an interval"),
        ("5-6 July 1990", "give a single date here, not an interval"),
        ("1990/1991", "give a single date here, not an interval"),
    ],
)
def test_bad_bounds_say_what_is_accepted(text: str, message: str) -> None:
    with pytest.raises(DateFormatError, match=message):
        parse_bound(text, upper=False)


def test_data_files_stay_strict() -> None:
    with pytest.raises(DateFormatError):
        parse_date("27 May 1997")


def test_the_timeline_takes_dates_as_shown() -> None:
    code, out, err = run("timeline", "--from", "May 1997", "--to", "27 May 1997", "--json")
    assert code == 0, err
    ids = [event["id"] for event in json.loads(out)]
    assert ids == ["founding-act-approved-1997", "founding-act-signed-1997"]


def test_status_takes_a_date_as_shown() -> None:
    assert run("status", "1 June 2014", "--json") == run("status", "2014-06-01", "--json")


def test_a_bad_date_on_the_command_line_lists_the_forms() -> None:
    code, out, err = run("timeline", "--to", "soon")
    assert (code, out) == (2, "")
    assert "May 1997 or 27 May 1997" in err
