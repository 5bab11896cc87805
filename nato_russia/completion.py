"""Shell completion answered without importing Typer, Rich or YAML.

Every TAB press runs nrr again. Through Typer that costs many times a bare Python start, so the
common cases are answered here, before anything heavy is imported, in the same formats Typer's
completion scripts (`nrr --install-completion`) expect for bash, zsh and fish:

- an id after `nrr agreement`, `nrr event`, ..., or after `--period`/`--actor`;
- any record's id after `nrr cite`, or one of a type after its `TYPE:` (channel:founding-act);
- a format after `--format`/`-f` of a command that has one;
- a topic after `--topic`;
- the value of an `actor:`, `period:`, `topic:` or `type:` word of a `nrr search` query.

Ids match whatever their case, as lookups do. Anything else (commands, options, user datasets
from --data or NRR_DATA) falls through to Typer, which answers it fully.

The ids come from a plain scan of the bundled YAML files (their `- id: ...` lines; topics are
records too, in data/topics.yaml); tests check that this scan finds exactly what the real
loader does, and that the copies below agree with the model and the command line.
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
    "topic": "topics",
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
ID_OPTIONS = {
    ("timeline", "--period"): "period",
    ("timeline", "--actor"): "actor",
    ("export", "--period"): "period",
    ("export", "--actor"): "actor",
}
TOPIC_OPTIONS = frozenset({("timeline", "--topic"), ("export", "--topic"), ("chart", "--topic")})
# render.formats.Format, and the commands that take --format (detail and list commands,
# timeline, search, status): copies, kept the same by tests.
FORMATS = ("table", "json", "jsonl", "csv", "tsv", "markdown")
FORMAT_OPTIONS = ("--format", "-f")
FORMAT_COMMANDS = frozenset(
    {
        *ID_COMMANDS,
        *(plural.replace("_", "-") for plural in ID_COMMANDS.values()),
        "timeline",
        "search",
        "compare",
        "status",
    }
)
# The search filters whose values can be listed, and the record type names `type:` takes
# (querylang accepts model.RECORD_TYPES' keys, the commands with '_' for '-').
SEARCH_FIELDS = ("actor", "period", "topic", "type")
TYPE_NAMES = tuple(command.replace("-", "_") for command in ID_COMMANDS)
ID_PREFIX = "- id:"
# Options of a detail command that take a value (`nrr topic ID --from 2010`): their values are
# not the ID.
VALUE_OPTIONS = (*FORMAT_OPTIONS, "--from", "--to")
# nrr cite ID [--style STYLE]: the option with a value (Typer lists the styles), and the
# spellings of the type in TYPE:ID as cite.find_record reads them (state-change or state_change).
CITE_VALUE_OPTIONS = ("--style", "-s")
CITE_TYPES = {
    **{command: command for command in ID_COMMANDS},
    **{command.replace("-", "_"): command for command in ID_COMMANDS},
}


def _bundled_lines(plural: str) -> list[str]:
    """The lines of a bundled data file (data/<plural>.yaml), found as loader.bundled_data_dir
    finds them, with os.path rather than pathlib (see the imports); none if it is missing."""
    package_dir = os.path.dirname(os.path.abspath(__file__))
    data = os.path.join(package_dir, "data")
    if not os.path.isdir(data):
        data = os.path.join(os.path.dirname(package_dir), "data")
    try:
        with open(os.path.join(data, f"{plural}.yaml"), encoding="utf-8") as file:
            return file.read().splitlines()
    except OSError:
        return []


def _scalar(text: str) -> str:
    return text.strip().strip("'\"")


def bundled_ids(command: str) -> list[str]:
    """The ids in the bundled data file of a detail command's type, read from its `- id: ...`
    lines."""
    lines = _bundled_lines(ID_COMMANDS[command])
    return [_scalar(line[len(ID_PREFIX) :]) for line in lines if line.startswith(ID_PREFIX)]


def cite_ids() -> list[str]:
    """Every bundled record's id, each once (an agreement and a channel share founding-act),
    sorted: what `nrr cite` takes."""
    return sorted({i for command in ID_COMMANDS for i in bundled_ids(command)})


def bundled_topics() -> list[str]:
    """The ids of the bundled topics, sorted (as query.topics gives them)."""
    return sorted(bundled_ids("topic"))


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


def matching(values: list[str] | tuple[str, ...], incomplete: str) -> list[str]:
    """The values that complete `incomplete`, whatever the case, as lookups forgive it
    (`nrr agreement F` offers founding-act)."""
    start = incomplete.casefold()
    return [value for value in values if value.casefold().startswith(start)]


def _positional(rest: list[str]) -> list[str]:
    """The words of a detail command that are not options or the values of --format/-f and
    --from/--to (its value options besides --data, which leaves completion to Typer anyway)."""
    words = []
    after_option = False
    for word in rest:
        if after_option:
            after_option = False
        elif word in VALUE_OPTIONS:
            after_option = True
        elif not word.startswith("-"):
            words.append(word)
    return words


def _field_values(field: str) -> list[str]:
    if field == "type":
        return list(TYPE_NAMES)
    if field == "topic":
        return bundled_topics()
    return bundled_ids(field)


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


def search_field(args: list[str], incomplete: str, *, bash: bool) -> tuple[str, str, str] | None:
    """Where the word being completed is the value of an `actor:`, `period:`, `topic:` or
    `type:` filter of a search query (see `prefixed`). Typer's completer for the query uses
    this too."""
    return prefixed(args, incomplete, {f: f for f in SEARCH_FIELDS}, bash=bash)


def cite_word(
    args: list[str], incomplete: str, *, bash: bool
) -> tuple[str | None, str, str] | None:
    """Where the word being completed is an ID of `nrr cite ID [ID ...]` (args: the words after
    `cite`): (the command of the type its `TYPE:` names, or None for every type; the id typed
    so far; what each reply starts with). None where the word is no ID (the value of --style)."""
    if args and args[-1] in CITE_VALUE_OPTIONS:
        return None
    return prefixed(args, incomplete, CITE_TYPES, bash=bash) or (None, incomplete, "")


def _cite_values(rest: list[str], incomplete: str, *, bash: bool) -> list[str] | None:
    found = cite_word(rest, incomplete, bash=bash)
    if found is None:
        return None
    command, typed, reply = found
    ids = cite_ids() if command is None else bundled_ids(command)
    return [reply + value for value in matching(ids, typed)]


def _search_values(rest: list[str], incomplete: str, *, bash: bool) -> list[str] | None:
    found = search_field(rest, incomplete, bash=bash)
    if found is None:
        return None
    field, typed, reply = found
    return [reply + value for value in matching(_field_values(field), typed)]


def _completions(shell: str, args: list[str], incomplete: str) -> list[str] | None:
    """What completes this word, or None if Typer must answer."""
    if not args or incomplete.startswith("-") or os.environ.get("NRR_DATA"):
        return None
    command, rest = args[0], args[1:]
    if any(word in ("--data", "--no-bundled") or word.startswith("--data=") for word in rest):
        return None
    previous = (command, rest[-1] if rest else "")
    if previous[1] in FORMAT_OPTIONS:
        return matching(FORMATS, incomplete) if command in FORMAT_COMMANDS else None
    if previous in ID_OPTIONS:
        return matching(bundled_ids(ID_OPTIONS[previous]), incomplete)
    if previous in TOPIC_OPTIONS:
        return matching(bundled_topics(), incomplete)
    if command == "search":
        return _search_values(rest, incomplete, bash=shell == "complete_bash")
    if command == "cite":
        return _cite_values(rest, incomplete, bash=shell == "complete_bash")
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
    if shell == "complete_bash" and (
        not _is_number(os.environ.get("COMP_CWORD", "")) or "COMP_WORDS" not in os.environ
    ):
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
