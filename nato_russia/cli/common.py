"""What every command shares: the option types, loading the datasets the options name, the
terminal, and turning expected failures into one line on stderr.

A command module makes its registry with `Commands()` and declares each command as a plain
decorated function. Two parameter types stand for groups of options most commands take:
`Output` (--format/-f and --json, given as one `Format | None`) and `Data` (--data,
--no-bundled, --no-cache, given as a function that reads the datasets they name);
`Commands.command` puts the options themselves into the signature Typer reads.
"""

import datetime as dt
import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from nato_russia.dates import DateFormatError, parse_bound
from nato_russia.errors import DataError, ExitCode, NrrError, visible
from nato_russia.loader import DataSelection, load
from nato_russia.model import Dataset
from nato_russia.render.formats import Format
from nato_russia.render.terminal import ColorChoice, Terminal

# A command that filters builds a Selection; a lookup does not, and leaves the module unloaded.
if TYPE_CHECKING:
    from nato_russia.selection import Selection

# The terminal every command prints to, set by the callback from the global options. Tests may
# fill TERMINAL_OVERRIDES (is_tty, width, height, color, pager) to reach the terminal paths.
_state: dict[str, Terminal] = {}
TERMINAL_OVERRIDES: dict[str, Any] = {}


def terminal(*, wide: bool = False) -> Terminal:
    """The terminal of this run; with `wide` (--wide), lists drawn with every column."""
    chosen = _state.get("terminal") or Terminal.detect(overrides=TERMINAL_OVERRIDES)
    return chosen._replace(wide=True) if wide else chosen


def choose_terminal(*, color: ColorChoice, no_color: bool, no_pager: bool) -> None:
    """The terminal the global options describe, for the commands of this run."""
    _state["terminal"] = Terminal.detect(
        color=color, no_color=no_color, no_pager=no_pager, overrides=TERMINAL_OVERRIDES
    )


def say(message: str) -> None:
    """A note, warning or error for people, on stderr and on one line: whatever it quotes
    (a path, an id, a query) shows its control characters as escapes, never raw."""
    typer.echo(visible(message), err=True)


def silence_stdout() -> None:
    # As the Python docs advise for SIGPIPE: point stdout at devnull so that the interpreter's
    # final flush cannot print "Exception ignored ... BrokenPipeError" (or a full disk's error).
    devnull = os.open(os.devnull, os.O_WRONLY)
    with suppress(OSError, ValueError):  # stdout may be gone altogether
        os.dup2(devnull, sys.stdout.fileno())


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Expected failures (NrrError) become one line on stderr and their exit code; anything
    else is a bug, which main() reports (and which tests see raised)."""
    try:
        yield
    except BrokenPipeError:
        # The reader of a pipe has gone (`nrr timeline | head -1`): that is not a failure.
        silence_stdout()
        raise typer.Exit(ExitCode.OK) from None
    except NrrError as exc:
        say(f"Error: {exc.summary() if isinstance(exc, DataError) else exc}")
        raise typer.Exit(exc.exit_code) from None


def examples(*commands: str) -> str:
    # \b keeps click from re-wrapping the lines of this paragraph into one.
    return "Examples:\n\n\b\n" + "\n".join(f"  {command}" for command in commands)


# --- the datasets to read ---------------------------------------------------------------------

DataPaths = Annotated[
    list[str] | None,
    typer.Option(
        "--data",
        metavar="PATH",
        help="Also read this dataset: a directory or a record file (events.yaml, events.json, "
        "events.jsonl, ...). Repeatable; NRR_DATA adds more, separated by ':'.",
    ),
]
NoBundled = Annotated[
    bool, typer.Option("--no-bundled", help="Leave out the bundled data; use only --data.")
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the load cache.")]


def data_selection(data: list[str] | None, no_bundled: bool, no_cache: bool) -> DataSelection:
    if any(not path for path in data or ()):
        # Path("") would quietly mean the current directory.
        raise typer.BadParameter("give a path; an empty one names nothing", param_hint="--data")
    paths = [Path(path) for path in data or ()]
    return DataSelection.from_options(paths, no_bundled=no_bundled, no_cache=no_cache)


def load_dataset(
    data: list[str] | None = None, no_bundled: bool = False, no_cache: bool = False
) -> Dataset:
    return load(data_selection(data, no_bundled, no_cache))


def note_coverage(dataset: Dataset, *days: dt.date | None) -> None:
    """Say what the data covers when a command asks about days past it, so that an empty or
    short answer is never read as "nothing happened"."""
    note = coverage_note(dataset, *days)
    if note:
        say(note)


def coverage_note(dataset: Dataset, *days: dt.date | None) -> str | None:
    """The note note_coverage says, for a command that places it itself (nrr status, at the
    foot of its tables at a terminal)."""
    if all(day is None for day in days):
        return None  # nothing asked of any day: no need to load the status code to say so
    from nato_russia.status import coverage

    covered = coverage(dataset)
    if covered is None:
        return None
    if any(day is not None and day > covered.last for day in days):
        later = f"nothing after {covered.last_wording} is recorded"
        return f"note: the data {covered.describe()}; {later}"
    return None


# --- output -----------------------------------------------------------------------------------

JsonFlag = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        case_sensitive=False,
        help="table, json, jsonl, csv, tsv or markdown. Default: a table at a terminal, "
        "tab-separated columns in a pipe.",
    ),
]
WideFlag = Annotated[
    bool,
    typer.Option(
        "--wide",
        help="At a terminal, every column with every character (by default a list is a line "
        "per record, its titles cut to fit).",
    ),
]
LimitOption = Annotated[
    int | None,
    typer.Option("--limit", "-n", metavar="N", min=0, help="Show at most N records (0: all)."),
]


def limited(records: list[Any], limit: int | None) -> list[Any]:
    return records[:limit] if limit else records


def output_format(fmt: FormatOption = None, as_json: JsonFlag = False) -> Format | None:
    if as_json and fmt not in (None, Format.json):
        raise typer.BadParameter(
            f"--json is short for --format json; it cannot go with --format {fmt}",
            param_hint="--json",
        )
    return Format.json if as_json else fmt


def data_options(
    data: DataPaths = None, no_bundled: NoBundled = False, no_cache: NoCache = False
) -> Callable[[], Dataset]:
    """What reads the datasets the options name, when the command calls it."""
    return functools.partial(load_dataset, data, no_bundled, no_cache)


# Parameter types that stand for a group of options: the group's function (output_format,
# data_options) takes the options and makes the one value the command is given.
Output = Annotated[Format | None, output_format]
Data = Annotated[Callable[[], Dataset], data_options]
F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def _group_params(group: Callable[..., Any]) -> tuple[inspect.Parameter, ...]:
    # Read once per group, not once per command that takes it (twice each for 24 record
    # commands, at every start-up).
    return tuple(inspect.signature(group).parameters.values())


def _as_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """The function Typer runs for `func`: the options of each group in the signature, and
    `func` called with the group's value, under reporting_errors()."""
    params: list[inspect.Parameter] = []
    groups: dict[str, Callable[..., Any]] = {}
    for param in inspect.signature(func, eval_str=True).parameters.values():
        group = getattr(param.annotation, "__metadata__", (None,))[0]
        if group in (output_format, data_options):
            groups[param.name] = group
            params += _group_params(group)
        else:
            params.append(param)
    params = [param.replace(kind=inspect.Parameter.KEYWORD_ONLY) for param in params]

    @functools.wraps(func)
    def run(**given: Any) -> Any:
        # Every group first: a usage error (--json with --format csv) before any work.
        values = {
            name: group(**{p.name: given.pop(p.name) for p in _group_params(group)})
            for name, group in groups.items()
        }
        with reporting_errors():
            return func(**given, **values)

    run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    run.__annotations__ = {param.name: param.annotation for param in params}
    return run


class Commands(typer.Typer):
    """The commands of one module of the command line, which app.py adds to the app."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        register = super().command(*args, **kwargs)

        def decorator(func: F) -> F:
            register(_as_command(func))
            return func

        return decorator


# --- completion of option values through Typer ------------------------------------------------


def completion_dataset(ctx: typer.Context) -> Dataset | None:
    params = ctx.params
    try:
        return load_dataset(
            params.get("data"), bool(params.get("no_bundled")), bool(params.get("no_cache"))
        )
    except NrrError:
        return None


def completer(type_name: str) -> Callable[[typer.Context, str], list[str]]:
    """Typer's completion of ids, for what completion.py leaves to it (--data, NRR_DATA)."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from nato_russia.completion import matching

        dataset = completion_dataset(ctx)
        return [] if dataset is None else matching(list(dataset.of_type(type_name)), incomplete)

    return complete


def complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    from nato_russia import query
    from nato_russia.completion import matching

    dataset = completion_dataset(ctx)
    return [] if dataset is None else matching(query.topics(dataset), incomplete)


# --- dates and the filters of the timeline, export and chart ---------------------------------


def bound(text: str | None, option: str, *, upper: bool) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_bound(text, upper=upper)
    except DateFormatError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


FromOption = Annotated[
    str | None,
    typer.Option(
        "--from",
        metavar="DATE",
        help="Only events on or after DATE (1994, 1994-06, 1994-06-22, June 1994, 22 June 1994).",
    ),
]
ToOption = Annotated[
    str | None, typer.Option("--to", metavar="DATE", help="Only events on or before DATE.")
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        metavar="ID",
        help="Only events of this period (see nrr periods).",
        autocompletion=completer("period"),
    ),
]
ActorOption = Annotated[
    str | None,
    typer.Option(
        metavar="ID",
        help="Only events that name this person, body or state: among their actors, or as the "
        "council that met (see nrr actors).",
        autocompletion=completer("actor"),
    ),
]
TopicOption = Annotated[
    str | None,
    typer.Option(
        metavar="TOPIC",
        help="Only events tagged with this topic.",
        autocompletion=complete_topic,
    ),
]


def filters(
    date_from: str | None,
    date_to: str | None,
    period: str | None = None,
    actor: str | None = None,
    topic: str | None = None,
) -> "Selection":
    """The filters as given on the command line (ids as typed, resolved against the data
    later); a malformed date or an empty range is a usage error, found before any data."""
    earliest = bound(date_from, "--from", upper=False)
    latest = bound(date_to, "--to", upper=True)
    if earliest is not None and latest is not None and earliest > latest:
        raise typer.BadParameter(
            f"--from {date_from} comes after --to {date_to}: nothing lies between",
            param_hint="--from",
        )
    from nato_russia.selection import Selection

    return Selection(earliest=earliest, latest=latest, period=period, actor=actor, topic=topic)
