"""Shell completion of record ids without importing Typer, Rich or YAML.

Every TAB press runs nrr again. Through Typer that costs many times a bare Python start, so the
common case -- an id after `nrr agreement`, `nrr event`, ..., or after `--period`/`--actor` --
is answered here, before anything heavy is imported, in the same formats Typer's completion
scripts (`nrr --install-completion`) expect for bash, zsh and fish. Anything else (commands,
options, user datasets from --data or NRR_DATA) falls through to Typer, which answers it fully.

The ids come from a plain scan of the bundled YAML files for `- id: ...` lines; a test checks
that this scan finds exactly the ids the real loader does.
"""

from __future__ import annotations

# Only modules Python has already loaded at start-up: re, shlex and pathlib would each add
# milliseconds to every TAB press.
import os
import sys

COMPLETE_VAR = "_NRR_COMPLETE"
# The detail commands that take an id (nrr <type> ID), and the bundled file of each type's
# records. A copy of what model.RECORD_TYPES says, since importing it costs a TAB press
# milliseconds; a test keeps the two the same.
ID_COMMANDS = {
    "source": "sources",
    "dataset": "datasets",
    "period": "periods",
    "actor": "actors",
    "term": "terms",
    "agreement": "agreements",
    "principle": "principles",
    "area": "areas",
    "event": "events",
    "channel": "channels",
    "state-change": "state_changes",
    "quotation": "quotations",
}
# Options whose value is an id, by the command they belong to: (command, option) -> command
# whose ids complete it.
ID_OPTIONS = {("timeline", "--period"): "period", ("timeline", "--actor"): "actor"}
ID_PREFIX = "- id:"


def bundled_ids(command: str) -> list[str]:
    """The ids in the bundled data file of a detail command's type, read from its `- id: ...`
    lines. Finds the data as loader.bundled_data_dir does, with os.path rather than pathlib
    (see the imports)."""
    package_dir = os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(package_dir, "data")
    if not os.path.isdir(data):
        data = os.path.join(os.path.dirname(package_dir), "data")
    try:
        with open(os.path.join(data, f"{ID_COMMANDS[command]}.yaml"), encoding="utf-8") as file:
            lines = file.read().splitlines()
    except OSError:
        return []
    return [
        line[len(ID_PREFIX) :].strip().strip("'\"") for line in lines if line.startswith(ID_PREFIX)
    ]


def _words(shell: str) -> tuple[list[str], str] | None:
    """(words before the cursor after the program name, the word being completed)."""
    try:
        line = (
            os.environ["COMP_WORDS"]
            if shell == "complete_bash"
            else os.environ["_TYPER_COMPLETE_ARGS"]
        )
        cword = int(os.environ["COMP_CWORD"]) if shell == "complete_bash" else None
    except (KeyError, ValueError):
        return None
    if any(char in line for char in "'\"\\"):
        return None  # quoting: Typer's own shell-style splitting deals with it
    if cword is not None:
        if cword < 1:  # the program name itself, or nonsense: leave it to Typer
            return None
        words = line.split()
        incomplete = words[cword] if cword < len(words) else ""
        return words[1:cword], incomplete
    words = line.split()[1:]
    if words and not line.endswith(" "):
        return words[:-1], words[-1]
    return words, ""


def _is_number(text: str) -> bool:
    return text.strip().lstrip("-").isdigit()


def _wanted_type(args: list[str], incomplete: str) -> str | None:
    """The record type whose ids complete this word, or None if this is not an id word."""
    if not args or incomplete.startswith("-") or os.environ.get("NRR_DATA"):
        return None
    command, rest = args[0], args[1:]
    if any(word in ("--data", "--no-bundled") or word.startswith("--data=") for word in rest):
        return None
    if rest and (command, rest[-1]) in ID_OPTIONS:
        return ID_OPTIONS[(command, rest[-1])]
    positional = [w for w in rest if not w.startswith("-")]
    if command in ID_COMMANDS and not positional:
        return command
    return None


def _format(shell: str, ids: list[str]) -> str:
    if shell == "complete_zsh":
        if not ids:
            return "_files"
        quoted = "\n".join(f'"{i}"' for i in ids)
        return f"_arguments '*: :(({quoted}))'"
    return "\n".join(ids)


def answer_early() -> bool:
    """Answer a completion request for ids, if that is what this run is. True if answered."""
    shell = os.environ.get(COMPLETE_VAR)
    if shell not in ("complete_bash", "complete_zsh", "complete_fish"):
        return False
    if shell == "complete_bash" and not _is_number(os.environ.get("COMP_CWORD", "")):
        return True  # nonsense from the shell: offer nothing rather than fail in Typer
    parsed = _words(shell)
    if parsed is None:
        return False
    args, incomplete = parsed
    type_name = _wanted_type(args, incomplete)
    if type_name is None:
        return False
    ids = [i for i in bundled_ids(type_name) if i.startswith(incomplete)]
    if shell == "complete_fish" and os.environ.get("_TYPER_COMPLETE_FISH_ACTION") == "is-args":
        sys.exit(0 if ids else 1)
    output = _format(shell, ids)
    if output:
        sys.stdout.write(output + "\n")
    return True
