"""nrr status DATE: each channel's state on a day, worked out from the dated state changes.

The expected answers are those a reader of ../shared/sources/facts.md (7.4, with its reading
rule) gives for these days, not a copy of what the data files say.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nato_russia.cli import common
from nato_russia.cli.app import app
from nato_russia.model import Dataset, Term
from nato_russia.status import coverage, status_on


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    # catch_exceptions=False: a bug raises here instead of passing as exit 1.
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# Day -> channel -> (state, since as EDTF, settled). Channels left out have no state yet.
ANSWERS: dict[str, dict[str, tuple[str, str, bool]]] = {
    "1996-06-01": {
        "nacc-eapc": ("member", "1991-12-20", True),
        "pfp": ("member", "1994-06-22", True),
        # Russian troops in IFOR/SFOR are dated only to the year: on a day inside it the
        # change may or may not have happened yet.
        "russian-forces-in-nato-operations": ("deployed", "1996", False),
        "cfe": ("in-force", "1992", True),
        "inf": ("in-force", "1988-06-01", True),
    },
    "1999-06-01": {
        "pfp": ("halted", "1999-03-24", True),
        "pjc": ("suspended-by-russia", "1999-03-24", True),
        "russian-mission": ("reduced", "1999-03-24", True),
        "military-contacts": ("frozen-by-russia", "1999-03-24", True),
        "russian-forces-in-nato-operations": ("deployed", "1996", True),
        "founding-act": ("in-force", "1997-05-27", True),
    },
    "2000-06-01": {
        "pjc": ("active", "2000-02-16", True),
        "russian-forces-in-nato-operations": ("deployed", "1999-06-19", True),
    },
    "2003-01-01": {
        "pjc": ("replaced", "2002-05-28", True),
        "nrc": ("active", "2002-05-28", True),
        "nio": ("open", "2001-02-20", True),
        "mlm": ("open", "2002-05-27", True),
        "open-skies": ("in-force", "2002-01-01", True),
        "practical-cooperation": ("active", "2002-05-28", True),
        "military-contacts": ("resumed", "2000-06-09", True),
        "russian-mission": ("present", "2000-03-30", True),
        # No longer "halted since 1999": Russia hosted Bogorodsk 2002, a Partnership Work
        # Programme exercise (nato.int/eadrcc/bogorodsk).
        "pfp": ("member", "2002-09-25", True),
    },
    "2008-10-01": {
        "nrc": ("formal-meetings-suspended", "2008-08-19", True),
        "military-contacts": ("frozen-by-russia", "2008-08-20", True),
        "russian-forces-in-nato-operations": ("withdrawn", "2003-07-02", True),
        "cfe": ("suspended-by-russia", "2007-12-12", True),
    },
    "2009-07-01": {
        "nrc": ("active", "2009-06-27", True),
        "russian-mission": ("reduced", "2009-04", True),
    },
    "2014-06-01": {
        "nrc": ("political-dialogue-only", "2014-04-01", True),
        "practical-cooperation": ("suspended-by-nato", "2014-04-01", True),
        "russian-mission": ("restricted", "2014-04-08", True),
    },
    "2019-01-01": {
        "russian-mission": ("restricted", "2018-03-27", True),
        "inf": ("breach-found", "2018-12-04", True),
        "cfe": ("suspended-by-russia", "2015-03-11", True),
    },
    "2022-06-01": {
        "russian-mission": ("suspended-by-russia", "2021-11", True),
        "nio": ("closed", "2021-11-01", True),
        "mlm": ("closed", "2021-11-01", True),
        "inf": ("terminated", "2019-08-02", True),
        "open-skies": ("russia-withdrawn", "2021-12-18", True),
        "founding-act": ("in-force", "1997-05-27", True),
    },
    "2026-12-01": {
        "nrc": ("reported-dissolved", "2025-12-03", True),
        "founding-act": ("reported-not-in-effect", "2025-12-03", True),
        "cfe": ("suspended-by-united-states", "2023-12-07", True),
        "inf": ("moratorium-ended", "2025-08-04", True),
        "open-skies": ("russia-withdrawn", "2021-12-18", True),
        "new-start": ("expired", "2026-02-05", True),
    },
}
NOT_YET = {
    "1996-06-01": {"pjc", "nrc", "nio", "mlm", "founding-act", "open-skies", "new-start"},
    "1999-06-01": {"nrc", "nio", "mlm", "practical-cooperation"},
    "2003-01-01": {"new-start"},
}
LAST_MEETINGS = {
    "1996-06-01": {},
    "1999-06-01": {"pjc": "pjc-last-before-kosovo-1999"},
    "2000-06-01": {"pjc": "pjc-florence-2000"},
    "2008-10-01": {"nrc": "bucharest-nrc-summit-2008"},
    "2009-07-01": {"nrc": "nrc-corfu-2009"},
    "2014-06-01": {"nrc": "nrc-meeting-2014-03-05"},
    "2019-01-01": {"nrc": "nrc-2018-10-31"},
    "2026-12-01": {"nrc": "nrc-2022-01-12", "pjc": "pjc-last-ministerial-2002"},
}


@pytest.mark.parametrize("day", sorted(ANSWERS))
def test_the_state_of_each_channel_on_a_day(bundled: Dataset, day: str) -> None:
    found = status_on(bundled, dt.date.fromisoformat(day))
    states = {s.channel.id: (s.change.state, str(s.change.date), s.settled) for s in found.channels}
    for channel, answer in ANSWERS[day].items():
        assert states.get(channel) == answer, channel
    assert not NOT_YET.get(day, set()) & set(states)


@pytest.mark.parametrize("day", sorted(LAST_MEETINGS))
def test_the_councils_last_meetings(bundled: Dataset, day: str) -> None:
    found = status_on(bundled, dt.date.fromisoformat(day))
    settled = {m.channel.id: m.event.id for m in found.meetings if m.settled}
    for channel, event in LAST_MEETINGS[day].items():
        assert settled[channel] == event
    if not LAST_MEETINGS[day]:
        assert not found.meetings


def test_a_meeting_known_only_to_the_month_is_not_placed_before_a_day_inside_it(
    bundled: Dataset,
) -> None:
    found = status_on(bundled, dt.date(2014, 6, 1))
    unsettled = [m.event.id for m in found.meetings if not m.settled]
    assert unsettled == ["nrc-meeting-2014-06"]


def test_a_day_inside_a_changes_year_or_a_meetings_month_is_told_as_open(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Russian troops in IFOR are dated to 1996 and an NRC meeting to June 2014: on a day
    # inside either, the answer must say the change or the meeting may come after it.
    code, out, _ = run(runner, "status", "1996-06-01")
    assert code == 0
    forces = first_table(out)["Russian forces in NATO-led operations"]
    assert forces[1:3] == [
        "deployed (the change's day is not known and may fall after this date;"
        " before it: no recorded state)",
        "during 1996",
    ]
    code, out, _ = run(runner, "status", "2014-06-15")
    assert code == 0
    assert "\nNATO-Russia Council\tduring June 2014 (may fall after this date)\t" in out
    # At a terminal, status fits one screen with the short wording of both.
    monkeypatch.setattr(common, "TERMINAL_OVERRIDES", {"is_tty": True, "width": 200, "height": 50})
    code, out, _ = run(runner, "--no-pager", "status", "1996-06-01")
    assert code == 0
    assert "deployed (or still no recorded state)" in out
    assert "during 1996" in out


def test_a_change_inside_its_year_keeps_the_state_before_it(bundled: Dataset) -> None:
    found = status_on(bundled, dt.date(1996, 6, 1))
    (forces,) = [s for s in found.channels if s.channel.id == "russian-forces-in-nato-operations"]
    assert not forces.settled
    assert forces.previous is None  # nothing recorded before it


def test_status_1999_the_permanent_joint_council_suspended_over_kosovo(
    runner: CliRunner,
) -> None:
    code, out, err = run(runner, "status", "1999-06-01")
    assert (code, err) == (0, "")
    channels = first_table(out)
    assert channels["NATO-Russia Permanent Joint Council"] == [
        "NATO-Russia Permanent Joint Council",
        "suspended by Russia",
        "24 March 1999",
        "24 March 1999",
        "Russia suspends its part in the Permanent Joint Council over the Kosovo air campaign",
        "Boris Yeltsin; Russian Federation",
        "pjc-suspended-1999",
    ]


def first_table(out: str) -> dict[str, list[str]]:
    """The channels table of a piped status: its rows by their first cell."""
    table = out.split("\n\n")[0].splitlines()
    assert table[0] == "Channel\tState\tSince\tLast confirmed\tWhat changed\tBy\tRecord"
    return {line.split("\t")[0]: line.split("\t") for line in table[1:]}


def test_status_2014_practical_cooperation_suspended_dialogue_open(runner: CliRunner) -> None:
    code, out, _ = run(runner, "status", "2014-06-01")
    assert code == 0
    lines = first_table(out)
    assert lines["Practical cooperation"][1:3] == ["suspended by NATO", "1 April 2014"]
    nrc = lines["NATO-Russia Council"]
    assert nrc[1:3] == ["political dialogue only", "1 April 2014"]
    assert "ambassador level" in nrc[4]
    assert nrc[6] == "nrc-political-dialogue-only-2014"


def test_status_today_where_things_stand(runner: CliRunner) -> None:
    code, out, err = run(runner, "status", "2026-12-01", "--format", "json")
    assert code == 0
    answer = json.loads(out)
    channels = {c["channel"]: c for c in answer["channels"]}
    nrc = channels["nrc"]
    assert (nrc["state"], nrc["since"]) == ("reported-dissolved", "2025-12-03")
    assert "Sikorski" in nrc["attribution"] and "TASS" in nrc["attribution"]
    assert "not confirmed" in nrc["attribution"]
    meetings = {m["channel"]: m for m in answer["last_meetings"]}
    assert (meetings["nrc"]["id"], meetings["nrc"]["date"]) == ("nrc-2022-01-12", "2022-01-12")
    for closed in ("russian-mission", "nio", "mlm"):
        assert channels[closed]["since"].startswith("2021-1"), closed
    assert channels["russian-mission"]["state"] == "suspended-by-russia"
    assert channels["nio"]["state"] == channels["mlm"]["state"] == "closed"
    for treaty in ("cfe", "inf", "open-skies", "new-start"):
        assert channels[treaty]["state"], treaty
    # Every line names the record it rests on, and that record exists.
    for channel in answer["channels"]:
        code, _, _ = run(runner, "state-change", channel["record"], "--format", "json")
        assert code == 0
    assert "covers 1990 to February 2026" in err


def test_status_without_a_date_is_today(runner: CliRunner) -> None:
    today = dt.date.today().isoformat()
    assert run(runner, "status", "--format", "json") == run(
        runner, "status", today, "--format", "json"
    )


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv", "markdown", "table"])
def test_status_speaks_every_format(runner: CliRunner, fmt: str) -> None:
    code, out, _ = run(runner, "status", "2014-06-01", "--format", fmt)
    assert code == 0
    # The table for people is a line a channel, its state in words; who decided and on which
    # record are in every other format.
    assert (
        "political dialogue only" if fmt == "table" else "nrc-political-dialogue-only-2014"
    ) in out
    if fmt == "jsonl":
        lines = [json.loads(line) for line in out.splitlines()]
        assert {"state", "since", "by", "record"} <= set(lines[0])
        assert len(lines) == len(status_on_bundled("2014-06-01"))


def status_on_bundled(day: str) -> list[str]:
    from nato_russia.loader import load_bundled

    return [s.channel.id for s in status_on(load_bundled(), dt.date.fromisoformat(day)).channels]


@pytest.mark.parametrize("day", ["2014-02-30", "tomorrow", "2014-13", "1999/2000"])
def test_a_malformed_or_impossible_date_is_a_one_line_usage_error(
    runner: CliRunner, day: str
) -> None:
    code, out, err = run(runner, "status", day)
    assert (code, out) == (2, "")
    assert day in err


def test_a_day_before_1990_has_nothing_to_tell_yet(runner: CliRunner) -> None:
    code, out, err = run(runner, "status", "1985-01-01", "--format", "json")
    assert code == 0
    assert json.loads(out)["channels"] == []
    assert err == "note: nothing to tell yet: the data begins in 1990\n"


@pytest.mark.parametrize(
    "args",
    [("timeline", "--from", "2026-06"), ("status", "2026-12-01"), ("timeline", "--to", "2030")],
)
def test_dates_past_the_coverage_say_what_the_data_covers(
    runner: CliRunner, args: tuple[str, ...]
) -> None:
    code, _, err = run(runner, *args)
    assert code == 0
    assert err == (
        "note: the data covers 1990 to February 2026 (last checked 1 December 2026); "
        "nothing after February 2026 is recorded\n"
    )


def test_dates_inside_the_coverage_say_nothing_of_it(runner: CliRunner) -> None:
    assert run(runner, "timeline", "--from", "2016", "--to", "2026-02")[2] == ""


def test_a_user_dataset_declares_its_own_coverage(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "datasets.yaml").write_text(
        "- id: mine\n  title: Mine\n  covers: '2026/2027-03'\n  checked: '2027-04-01'\n"
        "  summary: A later dataset.\n  sources: [backgrounder-2015-12]\n",
        encoding="utf-8",
    )
    code, _, err = run(runner, "timeline", "--from", "2026-06", "--data", str(tmp_path))
    assert (code, err) == (0, "")
    code, _, err = run(runner, "status", "2027-06-01", "--data", str(tmp_path))
    assert "covers 1990 to March 2027 (last checked 1 April 2027)" in err


def test_coverage_of_the_bundled_data(bundled: Dataset) -> None:
    covered = coverage(bundled)
    assert covered is not None
    assert (covered.first, covered.last) == (dt.date(1990, 1, 1), dt.date(2026, 2, 28))
    last_event = max(e.date.latest() for e in bundled.events())
    assert last_event <= covered.last


def test_every_secretary_general_since_1988_with_a_term(bundled: Dataset) -> None:
    terms = [t for t in bundled.of_type("term").values() if isinstance(t, Term)]
    secretaries = sorted(
        (t for t in terms if t.office == "NATO Secretary General"), key=lambda t: t.start.earliest()
    )
    assert [t.actor for t in secretaries] == [
        "worner",
        "claes",
        "solana",
        "robertson",
        "de-hoop-scheffer",
        "rasmussen",
        "stoltenberg",
        "rutte",
    ]
    # One term follows another: no gap of more than the months an acting head filled.
    for before, after in itertools.pairwise(secretaries):
        assert before.end is not None
        assert 0 <= (after.start.earliest() - before.end.latest()).days < 80, after.actor
    assert secretaries[-1].end is None  # Rutte is in office


def test_nrr_actors_shows_the_terms(runner: CliRunner) -> None:
    code, out, _ = run(runner, "actors")
    assert code == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in out.splitlines()}
    assert rows["worner"][4] == "NATO Secretary General, 1 July 1988 \u2013 13 August 1994"
    assert rows["rutte"][4] == "NATO Secretary General, 1 October 2024 \u2013 today"
    assert rows["putin"][4].split("; ") == [
        "Acting President of the Russian Federation, 31 December 1999 \u2013 7 May 2000",
        "President of the Russian Federation, 7 May 2000 \u2013 7 May 2008",
        "President of the Russian Federation, 7 May 2012 \u2013 today",
    ]
    assert rows["lavrov"][4].startswith("Foreign Minister of the Russian Federation, 9 March 2004")


def test_compare_shows_each_channel_that_changed_with_its_events(runner: CliRunner) -> None:
    code, out, _ = run(runner, "compare", "2013-01-01", "2023-01-01", "--format", "json")
    assert code == 0
    answer = json.loads(out)
    channels = {c["channel"]: c for c in answer["channels"]}
    for channel in ("nrc", "practical-cooperation", "russian-mission", "inf", "open-skies"):
        assert channels[channel]["changes"], channel
    # The US exit from Open Skies (22 November 2020) has no event of its own on record.
    for channel in ("nrc", "practical-cooperation", "russian-mission", "inf"):
        assert all(change["event"] for change in channels[channel]["changes"]), channel
    assert (channels["nrc"]["before"]["state"], channels["nrc"]["after"]["state"]) == (
        "active",
        "political-dialogue-only",
    )
    assert channels["inf"]["before"]["state"] == "in-force"  # since 1 June 1988
    assert "new-start" not in channels  # its changes come after 1 January 2023
    # Suspended by Russia on both days: what changed in between does not make it a difference.
    assert "cfe" not in channels


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown", "jsonl"])
def test_compare_speaks_every_format(runner: CliRunner, fmt: str) -> None:
    code, out, _ = run(runner, "compare", "2013", "2023-01-01", "--format", fmt)
    assert code == 0
    assert "cooperation-suspended-2014" in out


def test_compare_wants_the_earlier_day_first(runner: CliRunner) -> None:
    code, out, _ = run(runner, "compare", "2023", "2013")
    assert (code, out) == (2, "")


STALE_DATA = {
    "channels.yaml": """
- id: test-office
  title: A test office
  order: 99
  summary: An office that opened and later closed.
  states: [open, closed]
  final_states: [closed]
  sources: [backgrounder-2015-12]
- id: test-treaty
  title: A test treaty
  order: 100
  summary: A treaty in force, last seen so in 2012.
  states: [in-force]
  sources: [backgrounder-2015-12]
""",
    "state_changes.yaml": """
- id: test-office-open
  channel: test-office
  date: '2001-02-20'
  state: open
  title: The office opens
  summary: It opened.
  sources: [backgrounder-2015-12]
- id: test-office-closed
  channel: test-office
  date: '2005-01-01'
  state: closed
  title: The office closes
  summary: It closed.
  sources: [backgrounder-2015-12]
- id: test-treaty-in-force
  channel: test-treaty
  date: '2002-01-01'
  state: in-force
  confirmed: '2012-06'
  title: The treaty enters into force
  summary: In force.
  sources: [backgrounder-2015-12]
""",
}


@pytest.mark.parametrize(
    ("day", "office", "treaty"),
    [
        # Four years after its opening nothing has confirmed the office open: marked.
        ("2004-12-31", (True, 3, "2001-02-20"), (False, 0, "2012-06")),
        # A closed office stays closed: a final state is never marked, however old.
        ("2020-01-01", (False, 0, "2005-01-01"), (True, 7, "2012-06")),
        # The treaty's confirmation of June 2012 counts from the month's last day.
        ("2015-06-30", (False, 0, "2005-01-01"), (True, 3, "2012-06")),
        ("2015-06-29", (False, 0, "2005-01-01"), (False, 2, "2012-06")),
    ],
)
def test_status_marks_a_state_whose_last_confirmation_is_years_old(
    runner: CliRunner,
    tmp_path: Path,
    day: str,
    office: tuple[bool, int, str],
    treaty: tuple[bool, int, str],
) -> None:
    for name, text in STALE_DATA.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    code, out, _ = run(runner, "status", day, "--data", str(tmp_path), "--format", "json")
    assert code == 0
    channels = {c["channel"]: c for c in json.loads(out)["channels"]}
    for channel, (stale, _years, confirmed) in (("test-office", office), ("test-treaty", treaty)):
        assert (channels[channel]["stale"], channels[channel]["confirmed"]) == (stale, confirmed)
    code, out, _ = run(runner, "status", day, "--data", str(tmp_path))
    rows = first_table(out)
    office_years, treaty_years = office[1], treaty[1]
    for title, stale, years in (
        ("A test office", office[0], office_years),
        ("A test treaty", treaty[0], treaty_years),
    ):
        assert rows[title][3].endswith(f"(unconfirmed for {years} years)") == stale, rows[title]


def test_compare_with_one_date_ends_where_the_data_ends_when_today_is_later(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nato_russia.cli import status as status_command

    monkeypatch.setattr(status_command, "today", lambda: dt.date(2026, 12, 6))
    code, out, err = run(runner, "compare", "2014", "--format", "json")
    assert code == 0
    answer = json.loads(out)
    # The data's coverage ends in February 2026, before the day the clock gives.
    assert (answer["from"], answer["to"]) == ("2014-12-31", "2026-02-28")
    assert err == (
        "note: comparing with 28 February 2026, where the data ends (today is 6 December 2026)\n"
    )
    channels = {c["channel"] for c in answer["channels"]}
    assert "nrc" in channels  # political dialogue only in 2014, reported dissolved in 2025
    # The same answer as with the day written out.
    code, same, _ = run(runner, "compare", "2014", "2026-02-28", "--format", "json")
    assert (code, same) == (0, out)


def test_compare_with_one_date_takes_today_inside_the_data(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nato_russia.cli import status as status_command

    monkeypatch.setattr(status_command, "today", lambda: dt.date(2020, 6, 1))
    code, out, err = run(runner, "compare", "2013", "--format", "json")
    assert code == 0
    assert json.loads(out)["to"] == "2020-06-01"
    assert err == "note: comparing with today, 1 June 2020\n"


def test_compare_with_one_date_after_the_data_is_a_usage_error(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nato_russia.cli import status as status_command

    monkeypatch.setattr(status_command, "today", lambda: dt.date(2026, 12, 6))
    code, out, err = run(runner, "compare", "2026-06")
    assert (code, out) == (2, "")
    assert "2026-06 comes after 28 February 2026, where the data ends" in err


def test_compare_lists_the_changes_in_date_order_with_states_in_words(bundled: Dataset) -> None:
    from nato_russia.model import StateChange
    from nato_russia.render.compare_view import compare_tables
    from nato_russia.status import compare

    first, second = dt.date(2013, 1, 1), dt.date(2023, 12, 31)
    _, changes = compare_tables(compare(bundled, first, second), first, second)
    # The table words its dates; each row's change (by its title) gives the day to sort by.
    day_of = {
        c.title: c.date.earliest()
        for c in bundled.of_type("state_change").values()
        if isinstance(c, StateChange)
    }
    days = [day_of[row[2].text] for row in changes.rows]
    assert days == sorted(days) and len(days) > 10
    states = [row[3].text for row in changes.rows]
    assert "suspended by Russia" in states and "political dialogue only" in states
    assert not any("-" in state for state in states)  # words, as in the first table
