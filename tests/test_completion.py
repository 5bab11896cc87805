"""Completion answered early (no Typer import) agrees with Typer's own completion and with
the data the real loader reads."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
import typer.main

from nato_russia import query
from nato_russia.cli import app as cli
from nato_russia.completion import (
    FORMAT_COMMANDS,
    FORMATS,
    ID_COMMANDS,
    ID_OPTIONS,
    TOPIC_OPTIONS,
    TYPE_NAMES,
    bundled_ids,
    bundled_topics,
    cite_ids,
)
from nato_russia.model import RECORD_TYPES, Dataset
from nato_russia.render.formats import Format

# Runs the console script's entry point and reports which heavy modules it imported.
FAST = """
import sys
try:
    from nato_russia.entry import main
    main()
finally:
    print(sorted(m for m in ("typer", "rich", "yaml") if m in sys.modules), file=sys.stderr)
"""
TYPER = "from nato_russia.cli.app import main; main()"


def complete(code: str, shell: str, line: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NRR_DATA"}
    env["_NRR_COMPLETE"] = f"complete_{shell}"
    if shell == "bash":
        words = line.split(" ")
        env["COMP_WORDS"] = line
        env["COMP_CWORD"] = str(len(words) - 1)
    else:
        env["_TYPER_COMPLETE_ARGS"] = line
    if shell == "fish":
        env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("type_name", sorted(RECORD_TYPES))
def test_the_id_scan_finds_exactly_the_loaded_ids(bundled: Dataset, type_name: str) -> None:
    command = RECORD_TYPES[type_name].command()
    assert sorted(bundled_ids(command)) == sorted(bundled.of_type(type_name))


def test_completion_knows_every_detail_command_and_its_file() -> None:
    # completion.py keeps its own copy so that a TAB press need not import the model.
    assert {cls.command(): cls.plural for cls in RECORD_TYPES.values()} == ID_COMMANDS


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
@pytest.mark.parametrize(
    "line",
    [
        "nrr agreement ",
        "nrr agreement f",
        "nrr agreement --json l",
        "nrr actor ",
        "nrr period ",
        "nrr timeline --period ",
        "nrr timeline --json --actor p",
        "nrr event zzz",
        "nrr agreement --format ",
        "nrr agreement -f j",
        "nrr agreements --format J",
        "nrr agreement --format json f",
        "nrr timeline -f m",
        "nrr search --format ",
        "nrr status -f c",
        "nrr export json --period ",
        "nrr export json --actor p",
        "nrr cite georgia-d",
        "nrr cite f",
        "nrr cite --style apa nrc-",
        "nrr cite channel:fo",
        "nrr cite founding-act georgia-d",
        "nrr cite state_change:nrc-r",
    ],
)
def test_early_answers_match_typer_and_import_nothing_heavy(shell: str, line: str) -> None:
    fast = complete(FAST, shell, line)
    slow = complete(TYPER, shell, line)
    assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
    assert fast.stdout.strip() == slow.stdout.strip()
    assert fast.stderr.strip() == "[]"


def test_agreement_ids_are_offered(bundled: Dataset) -> None:
    out = complete(FAST, "bash", "nrr agreement f").stdout.split()
    assert "founding-act" in out
    assert all(i.startswith("f") for i in out)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("nrr agr", "agreement"),  # command names are Typer's to complete
        ("nrr timeline --to", "--topic"),
    ],
)
def test_other_words_fall_through_to_typer(line: str, expected: str) -> None:
    result = complete(FAST, "bash", line)
    assert expected in result.stdout.split()
    assert "typer" in result.stderr


def test_user_data_falls_through_to_typer(tmp_path: object) -> None:
    result = complete(FAST, "bash", "nrr agreement ", NRR_DATA="/nonexistent")
    assert "typer" in result.stderr


@pytest.mark.parametrize(("line", "status"), [("nrr agreement f", 0), ("nrr agreement zzz", 1)])
def test_fish_is_args(line: str, status: int) -> None:
    result = complete(FAST, "fish", line, _TYPER_COMPLETE_FISH_ACTION="is-args")
    assert result.returncode == status


def _commands_with(option: str) -> set[str]:
    group = typer.main.get_command(cli.app)
    commands = getattr(group, "commands", {})
    return {
        name
        for name, command in commands.items()
        if any(option in param.opts for param in command.params)
    }


def test_the_topic_scan_finds_exactly_the_loaded_topics(bundled: Dataset) -> None:
    assert bundled_topics() == query.topics(bundled)


def test_the_copies_agree_with_the_model_and_the_command_line() -> None:
    assert tuple(Format) == FORMATS
    assert tuple(RECORD_TYPES) == TYPE_NAMES
    assert _commands_with("--format") == FORMAT_COMMANDS
    assert {c for c, option in ID_OPTIONS if option == "--period"} == _commands_with("--period")
    assert {c for c, option in ID_OPTIONS if option == "--actor"} == _commands_with("--actor")
    assert {c for c, _ in TOPIC_OPTIONS} == _commands_with("--topic")


def _offered(shell: str, line: str) -> list[str]:
    result = complete(FAST, shell, line)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "[]"  # answered early
    return result.stdout.split()


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_formats_follow_a_detail_commands_format_option(shell: str) -> None:
    assert _offered(shell, "nrr agreement --format ") == [f.value for f in Format]
    assert _offered(shell, "nrr event -f JS") == ["json", "jsonl"]


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_topics_follow_topic(shell: str, bundled: Dataset) -> None:
    assert _offered(shell, "nrr timeline --topic ") == query.topics(bundled)
    assert _offered(shell, "nrr timeline --from 2014 --topic UK") == ["ukraine"]
    assert "arms-control" in _offered(shell, "nrr export json --topic a")


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_ids_match_whatever_their_case(shell: str, bundled: Dataset) -> None:
    wanted = sorted(i for i in bundled.of_type("agreement") if i.startswith("f"))
    assert sorted(_offered(shell, "nrr agreement F")) == wanted
    assert _offered(shell, "nrr timeline --actor PUT") == ["putin"]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("actor", lambda d: sorted(d.of_type("actor"))),
        ("period", lambda d: sorted(d.of_type("period"))),
        ("topic", query.topics),
        ("type", lambda d: sorted(RECORD_TYPES)),
    ],
)
def test_search_filter_values_are_completed(
    field: str, values: Callable[[Dataset], list[str]], bundled: Dataset
) -> None:
    # zsh and fish pass the word whole; so does bash when ':' is not a word break.
    for shell in ("fish", "bash"):
        offered = _offered(shell, f"nrr search missile {field}:")
        assert sorted(offered) == [f"{field}:{v}" for v in values(bundled)]
    assert _offered("fish", "nrr search Actor:PU") == ["Actor:putin"]


def test_bash_completes_the_piece_after_a_colon_word_break() -> None:
    # Bash's default COMP_WORDBREAKS holds ':', so `actor:pu` reaches nrr as actor, :, pu and
    # the reply replaces only the last piece.
    assert _offered("bash", "nrr search actor : pu") == ["putin"]
    assert ":putin" in _offered("bash", "nrr search actor :")


def test_zsh_escapes_the_colon_as_typer_does() -> None:
    result = complete(FAST, "zsh", "nrr search actor:pu")
    assert result.stdout.strip() == "_arguments '*: :((\"actor\\\\:putin\"))'"


@pytest.mark.parametrize("line", ["nrr search missile", "nrr search foo:bar", "nrr search id:f"])
def test_other_search_words_fall_through_to_typer(line: str) -> None:
    assert "typer" in complete(FAST, "bash", line).stderr


def test_cite_offers_every_records_id_once(bundled: Dataset) -> None:
    every = sorted({i for type_name in RECORD_TYPES for i in bundled.of_type(type_name)})
    assert cite_ids() == every
    assert _offered("bash", "nrr cite ") == every
    # The audit's case: a quotation's id, which nrr cite needs most.
    assert _offered("bash", "nrr cite georgia-d") == ["georgia-disproportionate"]
    # founding-act is an agreement and a channel: offered once.
    assert _offered("fish", "nrr cite founding-a").count("founding-act") == 1


@pytest.mark.parametrize("shell", ["bash", "fish"])
def test_cite_offers_the_ids_of_the_type_its_prefix_names(shell: str, bundled: Dataset) -> None:
    channels = sorted(i for i in bundled.of_type("channel") if i.startswith("n"))
    assert sorted(_offered(shell, "nrr cite channel:n")) == [f"channel:{i}" for i in channels]
    assert _offered(shell, "nrr cite Quotation:georgia-d") == ["Quotation:georgia-disproportionate"]


def test_cite_completes_the_piece_after_a_colon_word_break() -> None:
    assert _offered("bash", "nrr cite channel : founding") == ["founding-act"]


@pytest.mark.parametrize("line", ["nrr cite founding-act --style ", "nrr cite founding-act -s a"])
def test_cite_offers_no_id_where_the_word_is_no_id(line: str) -> None:
    result = complete(FAST, "bash", line)
    assert not set(result.stdout.split()) & set(cite_ids())


def test_cite_offers_ids_for_each_of_several() -> None:
    # nrr cite ID [ID ...]: one bibliography of several records.
    assert _offered("bash", "nrr cite founding-act georgia-d") == ["georgia-disproportionate"]
    assert _offered("bash", "nrr cite -s apa nrc channel:founding") == ["channel:founding-act"]
