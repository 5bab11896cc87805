"""Shell completion answered without importing Typer, Rich or YAML.

Every TAB press runs nrr again, and through Typer that costs many times a bare Python start. So
the common cases are answered here, in the formats Typer's completion scripts expect for bash,
zsh and fish: an id after a detail command, `nrr cite` (TYPE:ID too), `--period` or `--actor`;
a format after `--format`/`-f`; a topic after `--topic`; the value of an `actor:`, `period:`,
`topic:` or `type:` word of a search query. Ids match whatever their case, as lookups do.
Anything else (commands, options, datasets from --data or NRR_DATA) falls through to Typer.

The ids come from a plain scan of the bundled files' `- id: ...` lines; tests check that it
finds what the real loader does, and that the copies below agree with the model and the CLI.
"""

from __future__ import annotations

# Only modules Python has already loaded at start-up: re, shlex and pathlib would each add
# milliseconds to every TAB press.
import os
import sys

COMPLETE_VAR = "_NRR_COMPLETE"
TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable

# The record types (model.RECORD_TYPES' keys, in order): the detail command of each is its name
# with '-' for '_' (nrr state-change ID), its bundled file data/<name>s.yaml. A copy, since
# importing the model costs a TAB press milliseconds; a test keeps the two the same.
TYPE_NAMES: tuple[str, ...] = ("source", "dataset", "period", "actor", "term", "topic")
TYPE_NAMES += ("agreement", "principle", "area", "event", "channel", "state_change", "quotation")
ID_COMMANDS = {name.replace("_", "-"): f"{name}s" for name in TYPE_NAMES}
# Options whose value is an id, by the command they belong to: (command, option) -> command
# whose ids complete it.
ID_OPTIONS = {(c, f"--{t}"): t for c in ("timeline", "export") for t in ("period", "actor")}
TOPIC_OPTIONS = frozenset({("timeline", "--topic"), ("export", "--topic"), ("chart", "--topic")})
# render.formats.Format, and the commands that take --format (detail and list commands,
# timeline, search, status): copies, kept the same by tests.
FORMATS = ("table", "json", "jsonl", "csv", "tsv", "markdown")
FORMAT_OPTIONS = ("--format", "-f")
LIST_COMMANDS = tuple(f"{command}s" for command in ID_COMMANDS)
FORMAT_COMMANDS = frozenset(
    {*ID_COMMANDS, *LIST_COMMANDS, "timeline", "search", "compare", "status"}
)
# The search filters whose values can be listed (`type:` takes TYPE_NAMES).
SEARCH_FIELDS = {field: field for field in ("actor", "period", "topic", "type")}
ID_PREFIX = "- id:"
# Options of a detail command that take a value (`nrr topic ID --from 2010`): their values are
# not the ID.
VALUE_OPTIONS = (*FORMAT_OPTIONS, "--from", "--to")
# nrr cite ID [--style STYLE]: the option with a value (Typer lists the styles), and the
# spellings of the type in TYPE:ID as cite.find_record reads them (state-change or state_change).
CITE_VALUE_OPTIONS = ("--style", "-s")
CITE_TYPES = {spelling: c for c in ID_COMMANDS for spelling in (c, c.replace("-", "_"))}


def bundled_ids(command: str) -> list[str]:
    """The ids in the bundled data file of a detail command's type, read from its `- id: ...`
    lines; found as loader.bundled_data_dir finds it, with os.path rather than pathlib (see
    the imports); none if it is missing."""
    package_dir = os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(package_dir, "data")
    if not os.path.isdir(data):
        data = os.path.join(os.path.dirname(package_dir), "data")
    try:
        with open(os.path.join(data, f"{ID_COMMANDS[command]}.yaml"), encoding="utf-8") as file:
            lines = file.read().splitlines()
    except OSError:
        return []
    ids = (line[len(ID_PREFIX) :] for line in lines if line.startswith(ID_PREFIX))
    return [text.strip().strip("'\"") for text in ids]


def cite_ids() -> list[str]:
    """Every bundled record's id, each once (an agreement and a channel share founding-act),
    sorted: what `nrr cite` takes."""
    return sorted({i for command in ID_COMMANDS for i in bundled_ids(command)})


def bundled_topics() -> list[str]:
    """The ids of the bundled topics, sorted (as query.topics gives them)."""
    return sorted(bundled_ids("topic"))


def _words(shell: str) -> tuple[list[str], str] | None:
    """(words before the cursor after the program name, the word being completed)."""
    bash = shell == "complete_bash"
    try:
        line = os.environ["COMP_WORDS" if bash else "_TYPER_COMPLETE_ARGS"]
        cword = int(os.environ["COMP_CWORD"]) if bash else None
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


def matching(values: list[str] | tuple[str, ...], incomplete: str) -> list[str]:
    """The values that complete `incomplete`, whatever the case, as lookups forgive it
    (`nrr agreement F` offers founding-act)."""
    start = incomplete.casefold()
    return [value for value in values if value.casefold().startswith(start)]


def _positional(rest: list[str]) -> list[str]:
    """The words of a detail command that are not options or the values of --format/-f and
    --from/--to (its value options besides --data, which leaves completion to Typer anyway)."""
    words, following = [], iter(rest)
    for word in following:
        if word in VALUE_OPTIONS:
            next(following, None)
        elif not word.startswith("-"):
            words.append(word)
    return words


def prefixed(
    args: list[str], incomplete: str, names: dict[str, str], *, bash: bool
) -> tuple[str, str, str] | None:
    """Where the word being completed is the value after a `NAME:` (a search filter, a cite
    type): (names[NAME], the value typed so far, what each reply starts with); None if it is
    no such word. `args` are the words before it; NAME matches whatever its case.

    zsh and fish hand over the word whole (actor:pu -> replies actor:putin), and so does bash
    without ':' in COMP_WORDBREAKS; with it (the default) bash splits the word into actor, :,
    pu and replaces only the last piece, so that piece is what is offered (putin; :putin when
    the cursor is just after the colon)."""
    field, colon, value = incomplete.partition(":")
    if colon and field.lower() in names:
        return names[field.lower()], value, f"{field}:"
    if not bash:
        return None
    if incomplete == ":" and args and args[-1].lower() in names:
        return names[args[-1].lower()], "", ":"
    if len(args) >= 2 and args[-1] == ":" and args[-2].lower() in names:
        return names[args[-2].lower()], incomplete, ""
    return None


def search_values(
    args: list[str], incomplete: str, values_of: Callable[[str], list[str]], *, bash: bool
) -> list[str] | None:
    """The replies where the word being completed is the value of an `actor:`, `period:`,
    `topic:` or `type:` filter of a search query (see `prefixed`): what completes it among
    values_of(the filter); None where the word is no such value. Typer's completer for the
    query uses this too, with the values of the loaded data."""
    found = prefixed(args, incomplete, SEARCH_FIELDS, bash=bash)
    if found is None:
        return None
    field, typed, reply = found
    return [reply + value for value in matching(values_of(field), typed)]


def cite_values(
    args: list[str], incomplete: str, values_of: Callable[[str | None], list[str]], *, bash: bool
) -> list[str] | None:
    """The replies where the word being completed is an ID of `nrr cite ID [ID ...]` (args: the
    words after `cite`): what completes it among values_of(the command of the type its `TYPE:`
    names, or None for every type); None where the word is no ID (the value of --style)."""
    if args and args[-1] in CITE_VALUE_OPTIONS:
        return None
    found = prefixed(args, incomplete, CITE_TYPES, bash=bash)
    command, typed, reply = found or (None, incomplete, "")
    return [reply + value for value in matching(values_of(command), typed)]


def _bundled_field(field: str) -> list[str]:
    if field == "type":
        return list(TYPE_NAMES)
    return bundled_topics() if field == "topic" else bundled_ids(field)


def _completions(shell: str, args: list[str], incomplete: str) -> list[str] | None:
    """What completes this word, or None if Typer must answer."""
    if not args or incomplete.startswith("-") or os.environ.get("NRR_DATA"):
        return None
    command, rest = args[0], args[1:]
    if any(word in ("--data", "--no-bundled") or word.startswith("--data=") for word in rest):
        return None
    previous = (command, rest[-1] if rest else "")
    bash = shell == "complete_bash"
    if previous[1] in FORMAT_OPTIONS:
        return matching(FORMATS, incomplete) if command in FORMAT_COMMANDS else None
    if previous in ID_OPTIONS:
        return matching(bundled_ids(ID_OPTIONS[previous]), incomplete)
    if previous in TOPIC_OPTIONS:
        return matching(bundled_topics(), incomplete)
    if command == "search":
        return search_values(rest, incomplete, _bundled_field, bash=bash)
    if command == "cite":
        return cite_values(
            rest, incomplete, lambda c: bundled_ids(c) if c else cite_ids(), bash=bash
        )
    if previous[1] in VALUE_OPTIONS:
        return None  # a date after --from/--to: nothing to list
    if command in ID_COMMANDS and not _positional(rest):
        return matching(bundled_ids(command), incomplete)
    return None


def _zsh_escape(text: str) -> str:
    # As Typer's ZshComplete escapes a value: a ':' would otherwise end it (actor:putin).
    return (
        text.replace('"', '""')
        .replace("'", "''")
        .replace("$", "\\$")
        .replace("`", "\\`")
        .replace(":", r"\\:")
    )


def _format(shell: str, values: list[str]) -> str:
    if shell == "complete_zsh":
        if not values:
            return "_files"
        quoted = "\n".join(f'"{_zsh_escape(v)}"' for v in values)
        return f"_arguments '*: :(({quoted}))'"
    return "\n".join(values)


def answer_early() -> bool:
    """Answer a completion request, if this run is one that can be answered here. True if
    answered."""
    shell = os.environ.get(COMPLETE_VAR)
    if shell not in ("complete_bash", "complete_zsh", "complete_fish"):
        return False
    cword = os.environ.get("COMP_CWORD", "").strip().lstrip("-")
    if shell == "complete_bash" and (not cword.isdigit() or "COMP_WORDS" not in os.environ):
        return True  # nonsense from the shell: offer nothing rather than fail in Typer
    parsed = _words(shell)
    if parsed is None:
        return False
    values = _completions(shell, *parsed)
    if values is None:
        return False
    if shell == "complete_fish" and os.environ.get("_TYPER_COMPLETE_FISH_ACTION") == "is-args":
        sys.exit(0 if values else 1)
    output = _format(shell, values)
    if output:
        sys.stdout.write(output + "\n")
    return True
