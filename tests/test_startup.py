"""Start-up: a command builds only itself, and imports only what it runs (issue 13).

The timings are the benchmark's business (bench/run.py); these tests pin the behaviour the
speed rests on, so that a change which brings the weight back fails here, naming the module.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from nato_russia.cli import app as cli
from nato_russia.completion import COMPLETE_VAR


def _names(app: typer.Typer) -> list[str]:
    return [cli._name_of(info) for info in app.registered_commands]


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["agreement", "founding-act"], "agreement"),
        (["timeline", "--from", "2014"], "timeline"),
        (["--no-color", "search", "missile"], "search"),
        (["--color", "never", "state-changes"], "state-changes"),
        (["--color=always", "topic", "ukraine"], "topic"),
        (["cite", "founding-act", "-h"], "cite"),
    ],
)
def test_a_command_line_builds_only_its_command(args: list[str], command: str) -> None:
    assert _names(cli.app_for(args)) == [command]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["-h"],
        ["--help"],
        ["-V"],
        ["--help-man"],
        ["--no-color"],
        ["nosuch"],
        ["-h", "timeline"],
    ],
)
def test_overview_help_and_unknown_commands_get_the_whole_app(args: list[str]) -> None:
    # They list or suggest commands, so they need them all.
    assert cli.app_for(args) is cli.app


def test_completion_gets_the_whole_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(COMPLETE_VAR, "complete_bash")
    assert cli.app_for(["timeline"]) is cli.app


def test_the_table_of_modules_says_where_each_command_is_declared() -> None:
    declared = {
        cli._name_of(info): module
        for module in cli.COMMAND_MODULES
        for info in importlib.import_module(
            f"nato_russia.cli.{module}"
        ).commands.registered_commands
    }
    assert declared == cli.MODULE_OF_COMMAND


def test_the_narrowed_app_leaves_the_whole_one_alone() -> None:
    before = _names(cli.app)
    cli.app_for(["timeline"])
    assert _names(cli.app) == before and len(before) > 30


@pytest.mark.parametrize("command", sorted(set(_names(cli.app))))
def test_every_command_reads_the_same_alone(runner: CliRunner, command: str) -> None:
    """Its help and its usage errors are the same whether the app holds it alone or all."""
    for args in ([command, "-h"], [command, "--no-such-option"]):
        alone = runner.invoke(cli.app_for(args), args)
        whole = runner.invoke(cli.app, args)
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args


# What a command must not import when it runs in a pipe with a warm cache: the search
# machinery, the writers of other formats, Rich (a pipe gets plain text) and YAML; and what
# only building a dataset from its files needs (the readers and the validator; tempfile, to
# write the cache; hashlib, to digest a new or changed file: a warm entry is checked with
# CRC-32).
NEVER = {
    "nato_russia.readers",
    "nato_russia.validation",
    "tempfile",
    "hashlib",
    "rich",
    "yaml",
    "csv",
    "sqlite3",
    "nato_russia.search",
    "nato_russia.querylang",
    "nato_russia.render.markdown",
    "nato_russia.render.delimited",
    "nato_russia.render.rich_out",
    "nato_russia.export",
    "nato_russia.cite",
    "nato_russia.chart",
    "nato_russia.manpage",
    "nato_russia.status",
}
RUN_AND_LIST_MODULES = """
import json, sys
from nato_russia.{module} import main
sys.argv = ["nrr", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted(sys.modules)))
"""


def _modules_after(args: list[str], module: str = "cli.app") -> set[str]:
    """The modules a run of the app (or of the console script, `entry`) has imported."""
    command = [sys.executable, "-c", RUN_AND_LIST_MODULES.format(module=module), *args]
    subprocess.run(command, capture_output=True, check=True)  # fills the load cache
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return set(json.loads(done.stderr.splitlines()[-1]))


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["agreement", "founding-act"], set()),
        (["timeline", "--to", "1991"], {"nato_russia.status"}),  # --to: it checks coverage
        (["timeline"], set()),
        (["events", "--limit", "3"], set()),
        # A search needs its query language and ranking, but no other format's writer.
        (["search", "missile"], {"nato_russia.search", "nato_russia.querylang"}),
    ],
)
def test_a_command_imports_only_what_it_runs(args: list[str], allowed: set[str]) -> None:
    loaded = _modules_after(args)
    forbidden = NEVER - allowed
    found = sorted(m for m in loaded if m in forbidden or m.split(".")[0] in forbidden)
    assert not found, f"nrr {' '.join(args)} imported {found}"


def test_a_piped_lookup_imports_neither_typer_nor_shutil() -> None:
    # The console script answers it without Typer (fastpath.py), and so without shutil,
    # which Typer imports: 2 ms of bz2, lzma and fnmatch that nrr wants only to find less
    # when it pages.
    loaded = _modules_after(["agreement", "founding-act"], module="entry")
    found = sorted(m for m in loaded if m in NEVER or m.split(".")[0] in {"typer", "shutil"})
    assert not found, f"nrr agreement founding-act imported {found}"


@pytest.mark.parametrize(
    ("args", "module"),
    [
        (["--no-pager", "agreement", "founding-act"], "records"),
        (["timeline", "--from", "2014"], "timeline"),
        (["search", "missile"], "search"),
    ],
)
def test_a_command_line_imports_only_the_module_of_its_command(
    args: list[str], module: str
) -> None:
    # Each module of commands builds its options, completers and help at import: the
    # modules of the commands not run were a tenth of a lookup's own import time.
    loaded = _modules_after(args)
    others = {f"nato_russia.cli.{name}" for name in cli.COMMAND_MODULES} - {
        f"nato_russia.cli.{module}"
    }
    assert f"nato_russia.cli.{module}" in loaded
    assert not sorted(others & loaded), f"nrr {' '.join(args)} imported {sorted(others & loaded)}"


def test_a_record_command_builds_only_its_types_commands() -> None:
    from nato_russia.cli import records

    assert _names(records.commands_named("agreement")) == ["agreement", "agreements"]
    assert _names(records.commands_named("topic")) == []  # a topic's thread (topics.py)
    # The whole set (records.commands) is built only for the whole app.
    check = (
        "from nato_russia.cli import app, records\n"
        "app.app_for(['--no-pager', 'agreement', 'founding-act'])\n"
        "print(records._every_command.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"
