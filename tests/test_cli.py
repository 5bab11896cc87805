"""Every command, its JSON shape and its error paths, on the small fixture dataset."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nato_russia import __version__
from nato_russia.cli.app import app
from nato_russia.model import Dataset

pytestmark = pytest.mark.usefixtures("use_mini")


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_version(runner: CliRunner) -> None:
    coverage = "bundled data: covers 1990 to February 2026 (last checked 1 December 2026)\n"
    assert run(runner, "--version") == (0, f"nrr {__version__}\n{coverage}", "")


def test_timeline_is_plain_tab_separated_when_piped(runner: CliRunner) -> None:
    code, out, err = run(runner, "timeline")
    assert code == 0, err
    assert out == (
        "Date\tID\tEvent\tPlace\n"
        "5\u20136 July 1990\tsummit-1990\t[bold]x[/] summit\tLondon\n"
        "1994\tyear-only-1994\tSomething in 1994\t\n"
        "June 1994\tjoins-1994\tAlice joins the partnership\t\n"
        "27 May 1997\tact-signed\tExample Act signed\tParis\n"
    )
    assert "\x1b[" not in out


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["--from", "1994"], ["year-only-1994", "joins-1994", "act-signed"]),
        (["--from", "1994-06-15", "--to", "1994-06-20"], ["year-only-1994", "joins-1994"]),
        (["--to", "1990"], ["summit-1990"]),
        (["--period", "Later Years"], ["act-signed"]),
        (["--actor", "ALICE"], ["summit-1990", "joins-1994", "act-signed"]),
        (["--topic", "missile-defence"], ["act-signed"]),
        (["--from", "2000"], []),
    ],
)
def test_timeline_filters(runner: CliRunner, args: list[str], ids: list[str]) -> None:
    code, out, err = run(runner, "timeline", "--json", *args)
    assert code == 0, err
    assert [e["id"] for e in json.loads(out)] == ids


def test_timeline_json_shape(runner: CliRunner) -> None:
    events = json.loads(run(runner, "timeline", "--json")[1])
    june = next(e for e in events if e["id"] == "joins-1994")
    assert june == {
        "id": "joins-1994",
        "title": "Alice joins the partnership",
        "aliases": [],
        "date": "1994-06",
        "date_start": "1994-06-01",
        "date_end": "1994-06-30",
        "precision": "month",
        "date_display": None,
        "place": None,
        "summary": "Alice's country joined in June.",
        "note": None,
        "period": "early",
        "actors": ["alice"],
        "meeting_of": None,
        "agreements": [],
        "topics": ["partnership"],
        "sources": ["test-source"],
        "corrections": [],
        "quotations": [],
        "state_changes": [],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "1994-13"], "month 13 does not exist"),
        (["--to", "soon"], "is not a date"),
        (["--from", "1990/1991"], "give a single date"),
    ],
)
def test_bad_dates_are_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    code, out, err = run(runner, "timeline", *args)
    assert code == 2
    assert message in err
    assert out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["timeline", "--period", "erly"],
            "Error: no period 'erly'. Did you mean: early? (nrr periods lists them all; "
            "nrr search erly searches everything)\n",
        ),
        (
            ["timeline", "--actor", "bob"],
            "Error: no actor 'bob'. (nrr actors lists them all; "
            "nrr search bob searches everything)\n",
        ),
        (
            ["timeline", "--topic", "partnershp"],
            "Error: no topic 'partnershp'. Did you mean: partnership?\n",
        ),
        (
            ["agreement", "example-akt"],
            "Error: no agreement 'example-akt'. Did you mean: example-act? "
            "(nrr agreements lists them all; nrr search example-akt searches everything)\n",
        ),
        (
            ["event", "nothing-here"],
            "Error: no event 'nothing-here'. (nrr events lists them all; nrr search nothing-here "
            "searches everything)\n",
        ),
    ],
)
def test_unknown_ids_exit_1_with_one_line(runner: CliRunner, args: list[str], message: str) -> None:
    assert run(runner, *args) == (1, "", message)


@pytest.mark.parametrize("args", [["agreement"], ["timeline", "--bogus"], ["nonsense"], ["search"]])
def test_usage_errors_exit_2(runner: CliRunner, args: list[str]) -> None:
    code, _, _ = run(runner, *args)
    assert code == 2


def test_blank_search_is_a_usage_error(runner: CliRunner) -> None:
    code, _, err = run(runner, "search", "  ")
    assert code == 2
    assert "at least one word" in err


@pytest.mark.parametrize(
    "wanted",
    ["example-act", "Example Act", "EXAMPLE ACT", " example_act ", "Example Act on Cooperation"],
)
def test_ids_are_forgiving(runner: CliRunner, wanted: str) -> None:
    code, out, _ = run(runner, "agreement", wanted, "--json")
    assert code == 0
    assert json.loads(out)["id"] == "example-act"


def test_agreement_detail_shows_links_by_id_and_title(runner: CliRunner) -> None:
    code, out, _ = run(runner, "agreement", "example-act")
    assert code == 0
    assert out.splitlines()[0] == "agreement example-act: Example Act"
    for line in (
        "Title: Example Act on Cooperation",
        "Date: 27 May 1997 (1997-05-27)",
        "Place: Paris",
        "  alice \u2014 Alice Example",
        "  council \u2014 Example Council",
        "  no-force \u2014 Refraining from force",
        "  peacekeeping \u2014 Peacekeeping",
        "  act-signed \u2014 Example Act signed (27 May 1997)",
        "  act-quote \u2014 \u201cbuild together a lasting peace\u201d",
        "  test-official \u2014 Official text, NATO, 27 May 1997 <https://example.org/official>"
        " [official-text; official]",
    ):
        assert line in out.splitlines()


def test_agreement_json_has_every_field_and_its_links(runner: CliRunner, mini: Dataset) -> None:
    data = json.loads(run(runner, "agreement", "example-act", "--json")[1])
    links = ("issued_by", "signatories", "creates", "sources", "events", "principles", "areas")
    plain = {k: v for k, v in data.items() if k not in (*links, "quotations")}
    assert plain == {
        "id": "example-act",
        "title": "Example Act on Cooperation",
        "short_title": "Example Act",
        "aliases": [],
        "kind": "act",
        "date": "1997-05-27",
        "date_start": "1997-05-27",
        "date_end": "1997-05-27",
        "precision": "day",
        "place": "Paris",
        "summary": "Sets out cooperation on theatre missile defence and peacekeeping.",
        "topics": [],
        "corrections": [],
    }
    assert {k: [link["id"] for link in data[k]] for k in links} == {
        "issued_by": [],
        "signatories": ["alice"],
        "creates": ["council"],
        "sources": ["test-source", "test-official"],
        "events": ["act-signed"],
        "principles": ["no-force"],
        "areas": ["peacekeeping"],
    }
    # A linked record carries what the view shows of it: a script needs no second call.
    assert data["events"][0] == {
        "type": "event",
        "id": "act-signed",
        "title": "Example Act signed",
        "date": "1997-05-27",
        "date_start": "1997-05-27",
        "date_end": "1997-05-27",
        "precision": "day",
        "date_display": None,
        "place": "Paris",
    }
    assert data["quotations"][0]["text"] == "build together a lasting peace"


def test_corrections_are_visible_in_detail_and_json(runner: CliRunner) -> None:
    out = run(runner, "actor", "alice")[1]
    assert "Correction of the backgrounder:" in out
    assert "  The 2015 backgrounder says: \u201cAlyce\u201d" in out
    assert "  What the official record shows: Her name is spelled Alice." in out
    data = json.loads(run(runner, "actor", "alice", "--json")[1])
    ((correction,),) = (data["corrections"],)
    assert (correction["says"], correction["finding"]) == ("Alyce", "Her name is spelled Alice.")
    assert [source["id"] for source in correction["sources"]] == ["test-official"]


@pytest.mark.parametrize(
    ("command", "first_id"),
    [
        ("agreements", "example-act"),
        ("principles", "no-force"),
        ("areas", "peacekeeping"),
        ("periods", "early"),
        ("actors", "alice"),
        ("quotations", "act-quote"),
        ("sources", "test-official"),
        ("events", "summit-1990"),
    ],
)
def test_list_commands_print_json_arrays(runner: CliRunner, command: str, first_id: str) -> None:
    code, out, _ = run(runner, command, "--json")
    assert code == 0
    data = json.loads(out)
    assert isinstance(data, list)
    assert data[0]["id"] == first_id
    code, out, _ = run(runner, command)
    assert code == 0
    assert first_id in out


@pytest.mark.parametrize(
    "command",
    ["event", "agreement", "principle", "area", "period", "actor", "quotation", "source"],
)
def test_every_detail_command_prints_a_json_object(
    runner: CliRunner, mini: Dataset, command: str
) -> None:
    record_id = next(iter(mini.of_type(command)))
    code, out, _ = run(runner, command, record_id, "--json")
    assert code == 0
    assert json.loads(out)["id"] == record_id


def test_search_ranks_title_matches_first(runner: CliRunner) -> None:
    code, out, _ = run(runner, "search", "example", "act", "--json")
    assert code == 0
    hits = json.loads(out)
    assert hits[0]["type"] == "agreement"
    assert hits[0]["id"] == "example-act"
    assert hits[0]["matched_fields"][0] == "short_title"


def test_search_json_shape(runner: CliRunner) -> None:
    hits = json.loads(run(runner, "search", "lasting", "--json")[1])
    assert hits == [
        {
            "type": "quotation",
            "id": "act-quote",
            "date": "1997-05-27",
            "date_start": "1997-05-27",
            "date_end": "1997-05-27",
            "precision": "day",
            "title": "build together a lasting peace",
            "score": 3.0,
            "matched_fields": ["text"],
            "snippet": "build together a lasting peace",
            "matches": [[17, 24]],
        }
    ]


def test_search_table_when_piped(runner: CliRunner) -> None:
    code, out, _ = run(runner, "search", "MISSILE")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Type\tID\tDate\tTitle\tFields\tMatch"
    # The topic matches in its title and ranks first; equal scores (both summary matches)
    # fall back to date order; a pipe gets whole fields.
    assert lines[1].startswith("topic\tmissile-defence\t\tMissile defence\ttitle, summary\t")
    assert lines[2] == (
        "event\tsummit-1990\t5\u20136 July 1990\t[bold]x[/] summit\tsummary\t"
        "Leaders met :smile: and spoke of [red]missiles[/] \\ and more."
    )
    assert lines[3].startswith("agreement\texample-act\t27 May 1997\tExample Act\tsummary\t")


def test_empty_search_says_so_on_stderr_and_exits_1(runner: CliRunner) -> None:
    # As grep and ripgrep do, so that `nrr search x && ...` means "found".
    assert run(runner, "search", "zebra") == (1, "", 'No results for "zebra".\n')
    assert run(runner, "search", "zebra", "--json") == (1, "[]\n", 'No results for "zebra".\n')


@pytest.mark.parametrize("args", [["timeline"], ["event", "summit-1990"], ["search", "summit"]])
def test_data_is_never_markup(runner: CliRunner, args: list[str]) -> None:
    out = run(runner, *args)[1]
    assert "[bold]x[/] summit" in out


def test_no_color_environment_is_honoured(runner: CliRunner) -> None:
    result = runner.invoke(app, ["timeline"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout


def test_every_command_has_help(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in (
        "timeline",
        "search",
        "agreement",
        "agreements",
        "principle",
        "period",
        "actor",
    ):
        assert command in result.stdout
        sub = runner.invoke(app, [command, "--help"])
        assert sub.exit_code == 0
        assert "--json" in sub.stdout


def test_every_command_is_documented_in_the_readme() -> None:
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert len(names) > 10
    for name in names:
        assert f"nrr {name}" in readme, name
