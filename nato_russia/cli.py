"""The nrr command line: arguments, options and exit codes. The work happens elsewhere.

Exit codes: 0 success (an empty result included), 1 an expected failure (unknown id, broken
data), 2 a usage error, 130 interrupted.
"""

import datetime as dt
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from nato_russia import __version__
from nato_russia.dates import DateFormatError, parse_bound
from nato_russia.errors import DataError, ExitCode, NrrError, visible
from nato_russia.loader import DataSelection, load
from nato_russia.model import PLURALS, RECORD_TYPES, Dataset, Event
from nato_russia.render.formats import ExportFormat, Format
from nato_russia.status import coverage

app = typer.Typer(
    name="nrr",
    help="A cited reference on NATO-Russia relations from 1990 to today, from NATO's 2015 "
    "backgrounder, the official texts and news agencies. nrr status tells where things stand "
    "on any day.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
)

_state = {"no_color": False}


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


def _selection(data: list[str] | None, no_bundled: bool, no_cache: bool) -> DataSelection:
    if any(not path for path in data or ()):
        # Path("") would quietly mean the current directory.
        raise typer.BadParameter("give a path; an empty one names nothing", param_hint="--data")
    paths = [Path(path) for path in data or ()]
    return DataSelection.from_options(paths, no_bundled=no_bundled, no_cache=no_cache)


def _dataset(
    data: list[str] | None = None, no_bundled: bool = False, no_cache: bool = False
) -> Dataset:
    return load(_selection(data, no_bundled, no_cache))


def _say(message: str) -> None:
    """A note, warning or error for people, on stderr and on one line: whatever it quotes
    (a path, an id, a query) shows its control characters as escapes, never raw."""
    typer.echo(visible(message), err=True)


@contextmanager
def _reporting_errors() -> Iterator[None]:
    """Expected failures (NrrError) become one line on stderr and their exit code; anything
    else is a bug, which main() reports (and which tests see raised)."""
    try:
        yield
    except BrokenPipeError:
        # The reader of a pipe has gone (`nrr timeline | head -1`): that is not a failure.
        _silence_stdout()
        raise typer.Exit(ExitCode.OK) from None
    except NrrError as exc:
        _say(f"Error: {exc.summary() if isinstance(exc, DataError) else exc}")
        raise typer.Exit(exc.exit_code) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nrr {__version__}")
        with _reporting_errors():
            covered = coverage(load(DataSelection()))
        if covered is not None:
            typer.echo(f"bundled data: {covered.describe()}")
        raise typer.Exit()


def _note_coverage(dataset: Dataset, *days: dt.date | None) -> None:
    """Say what the data covers when a command asks about days past it, so that an empty or
    short answer is never read as "nothing happened"."""
    covered = coverage(dataset)
    if covered is None:
        return
    if any(day is not None and day > covered.last for day in days):
        later = f"nothing after {covered.last_wording} is recorded"
        _say(f"note: the data {covered.describe()}; {later}")


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour, even at a terminal (also NO_COLOR).")
    ] = False,
) -> None:
    _state["no_color"] = no_color or bool(os.environ.get("NO_COLOR"))


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


def _output_format(fmt: Format | None, as_json: bool) -> Format | None:
    if as_json and fmt not in (None, Format.json):
        raise typer.BadParameter(
            f"--json is short for --format json; it cannot go with --format {fmt}",
            param_hint="--json",
        )
    return Format.json if as_json else fmt


def _completer(type_name: str) -> Callable[[typer.Context, str], list[str]]:
    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        params = ctx.params
        try:
            dataset = _dataset(
                params.get("data"), bool(params.get("no_bundled")), bool(params.get("no_cache"))
            )
        except NrrError:
            return []
        return [i for i in dataset.of_type(type_name) if i.startswith(incomplete)]

    return complete


def _bound(text: str | None, option: str, *, upper: bool) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_bound(text, upper=upper)
    except DateFormatError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


FromOption = Annotated[
    str | None,
    typer.Option(
        "--from", metavar="DATE", help="Only events on or after DATE (1994, 1994-06, 1994-06-22)."
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
        autocompletion=_completer("period"),
    ),
]
ActorOption = Annotated[
    str | None,
    typer.Option(
        metavar="ID",
        help="Only events this person or body took part in (see nrr actors).",
        autocompletion=_completer("actor"),
    ),
]
TopicOption = Annotated[
    str | None, typer.Option(metavar="TOPIC", help="Only events tagged with this topic.")
]


@dataclass(frozen=True)
class _EventChoice:
    """The timeline filters as given on the command line, before the data is loaded."""

    date_from: str | None
    date_to: str | None
    period: str | None
    actor: str | None
    topic: str | None

    @property
    def is_everything(self) -> bool:
        # `is None`, not falsiness: --topic '' is a filter (and an error), not "everything".
        filters = (self.date_from, self.date_to, self.period, self.actor, self.topic)
        return all(f is None for f in filters)

    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        earliest = _bound(self.date_from, "--from", upper=False)
        latest = _bound(self.date_to, "--to", upper=True)
        if earliest is not None and latest is not None and earliest > latest:
            raise typer.BadParameter(
                f"--from {self.date_from} comes after --to {self.date_to}: nothing lies between",
                param_hint="--from",
            )
        return earliest, latest

    def events(self, dataset: Dataset) -> list[Event]:
        from nato_russia import query

        earliest, latest = self.bounds()
        where = query.TimelineFilter(
            earliest=earliest,
            latest=latest,
            period=query.require_id(dataset, "period", self.period),
            actor=query.require_id(dataset, "actor", self.actor),
            topic=query.resolve_topic(dataset, self.topic),
        )
        return query.timeline(dataset, where)


@app.command()
def timeline(
    date_from: FromOption = None,
    date_to: ToOption = None,
    period: PeriodOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    fmt: FormatOption = None,
    as_json: JsonFlag = False,
    data: DataPaths = None,
    no_bundled: NoBundled = False,
    no_cache: NoCache = False,
) -> None:
    """Events in date order. Partial dates are shown as known ("June 1994")."""
    from nato_russia.render import output, views

    fmt = _output_format(fmt, as_json)
    choice = _EventChoice(date_from, date_to, period, actor, topic)
    choice.bounds()  # a malformed date is a usage error, found before any data is read
    with _reporting_errors():
        dataset = _dataset(data, no_bundled, no_cache)
        events = choice.events(dataset)
        _note_coverage(dataset, *choice.bounds())
        output.show_records(
            fmt,
            "event",
            events,
            lambda: views.timeline_table(dataset, events),
            no_color=_state["no_color"],
        )


def _show_record(
    type_name: str,
    record_id: str,
    fmt: Format | None,
    dataset_options: tuple[list[str] | None, bool, bool],
) -> None:
    from nato_russia import query
    from nato_russia.render import output, views

    with _reporting_errors():
        dataset = _dataset(*dataset_options)
        record = query.lookup(dataset, type_name, record_id)
        output.show_record(
            fmt,
            dataset,
            record,
            lambda: views.detail_view(dataset, record),
            no_color=_state["no_color"],
        )


def _list_records(
    type_name: str, fmt: Format | None, dataset_options: tuple[list[str] | None, bool, bool]
) -> None:
    from nato_russia import query
    from nato_russia.render import output, views

    with _reporting_errors():
        dataset = _dataset(*dataset_options)
        records = query.sorted_records(dataset, type_name)
        output.show_records(
            fmt,
            type_name,
            records,
            lambda: views.list_table(dataset, type_name, records),
            no_color=_state["no_color"],
        )


def _add_record_commands(type_name: str) -> None:
    """`nrr <type> ID` shows one record; `nrr <types>` lists them all."""
    cls = RECORD_TYPES[type_name]

    def show(
        record_id: Annotated[
            str,
            typer.Argument(
                metavar="ID",
                help=f"The {cls.noun}'s id or title; case and spaces do not matter.",
                autocompletion=_completer(type_name),
            ),
        ],
        fmt: FormatOption = None,
        as_json: JsonFlag = False,
        data: DataPaths = None,
        no_bundled: NoBundled = False,
        no_cache: NoCache = False,
    ) -> None:
        fmt = _output_format(fmt, as_json)
        _show_record(type_name, record_id, fmt, (data, no_bundled, no_cache))

    def list_all(
        fmt: FormatOption = None,
        as_json: JsonFlag = False,
        data: DataPaths = None,
        no_bundled: NoBundled = False,
        no_cache: NoCache = False,
    ) -> None:
        fmt = _output_format(fmt, as_json)
        _list_records(type_name, fmt, (data, no_bundled, no_cache))

    show.__doc__ = f"Show one {cls.noun} with every field, its links and its sources."
    list_all.__doc__ = f"List all {cls.nouns}."
    app.command(name=cls.command())(show)
    app.command(name=cls.list_command())(list_all)


for _type_name in RECORD_TYPES:
    _add_record_commands(_type_name)


PIPED_LIMIT = 20  # results a search prints into a pipe unless --limit says otherwise


class SortOrder(StrEnum):
    relevance = "relevance"
    date = "date"


@app.command(
    epilog="Query language: bare words must all occur (any case, any form: missiles finds "
    'missile); "a phrase" in quotes; -word leaves out records with it; filters type:event, '
    "year:2014, date:1997..2002 (open ends: date:2014-03.. or date:..1991), period:ID, "
    "actor:ID, topic:T, id:ID. Example: nrr search 'cooperation -afghanistan type:event'."
)
def search(
    words: Annotated[
        list[str],
        typer.Argument(metavar="QUERY", help="Words, phrases and filters (see below)."),
    ],
    limit: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Show at most N results; 0 for all (default: a screenful at a terminal, "
            f"{PIPED_LIMIT} in a pipe, all with --json or any --format but table).",
        ),
    ] = None,
    sort: Annotated[SortOrder, typer.Option(help="Best match first, or date order.")] = (
        SortOrder.relevance
    ),
    fmt: FormatOption = None,
    as_json: JsonFlag = False,
    data: DataPaths = None,
    no_bundled: NoBundled = False,
    no_cache: NoCache = False,
) -> None:
    """Search every record type and text field; title matches rank above quotations, which
    rank above summaries. Each hit shows which fields matched."""
    from nato_russia import query as lookups
    from nato_russia.querylang import QueryError, parse_query
    from nato_russia.render import output, views
    from nato_russia.search import clear_choice, open_index, suggestions
    from nato_russia.search import search as run_search

    fmt = _output_format(fmt, as_json)
    query_text = " ".join(words)
    try:
        query = parse_query(query_text)
    except QueryError as exc:
        raise typer.BadParameter(str(exc), param_hint="QUERY") from None
    if query.is_empty:
        raise typer.BadParameter(
            "give at least one word or filter to search for", param_hint="QUERY"
        )
    with _reporting_errors():
        dataset = _dataset(data, no_bundled, no_cache)
        query = lookups.resolve_query_filters(dataset, query)
        index, notice = open_index(dataset)
        if notice:
            _say(notice)
        if limit is None and fmt in (None, Format.table):
            limit = _screenful() if output.stdout_is_terminal() else PIPED_LIMIT
        results = run_search(dataset, query, sort=sort.value, limit=limit or None, index=index)
        if not results.hits:
            options = suggestions(dataset, query) if query.terms else {}
            message = f'No results for "{query_text}".'
            offered = [o[0] for o in options.values() if o]
            if offered:
                message += " Did you mean " + " or ".join(f'"{o}"' for o in offered) + "?"
            _say(message)
            if len(options) == 1:
                ((word, choices),) = options.items()
                choice = clear_choice(choices, word)
                if choice is not None:
                    query_text = lookups.replace_word(query_text, word, choice)
                    _say(f'showing results for "{query_text}"')
                    query = lookups.resolve_query_filters(dataset, parse_query(query_text))
                    results = run_search(
                        dataset, query, sort=sort.value, limit=limit or None, index=index
                    )
        if results.more:
            _say(f"showing the first {len(results.hits)} results; --limit 0 shows all")
        hits = results.hits
        output.show_hits(
            fmt, hits, lambda: views.search_table(query_text, hits), no_color=_state["no_color"]
        )


def _screenful() -> int:
    return max(5, shutil.get_terminal_size().lines - 8)


@app.command()
def status(
    day: Annotated[
        str | None,
        typer.Argument(
            metavar="[DATE]",
            help="The day to tell (1999-06-01); a month or year means its last day. "
            "Default: today.",
        ),
    ] = None,
    fmt: FormatOption = None,
    as_json: JsonFlag = False,
    data: DataPaths = None,
    no_bundled: NoBundled = False,
    no_cache: NoCache = False,
) -> None:
    """Where NATO and Russia stood on a day: each channel's state (councils, missions, practical
    cooperation, treaties), since when, by whose decision and on which record; the councils'
    last meetings; the latest events. Worked out from the dated state changes."""
    from nato_russia.render import output, views
    from nato_russia.status import status_on

    fmt = _output_format(fmt, as_json)
    when = dt.date.today() if day is None else _bound(day, "DATE", upper=True)
    assert when is not None
    with _reporting_errors():
        dataset = _dataset(data, no_bundled, no_cache)
        covered = coverage(dataset)
        begins = covered.first if covered is not None else dt.date(1990, 1, 1)
        if when < begins:
            _say(f"note: nothing to tell yet: the data begins in {begins.year}")
        _note_coverage(dataset, when)
        found = status_on(dataset, when)
        output.show_status(
            fmt,
            found,
            covered,
            lambda: views.status_views(dataset, found),
            no_color=_state["no_color"],
        )


@app.command()
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Datasets to check with the bundled data: directories or record files. "
            "Without PATH: the bundled data, NRR_DATA and --data.",
        ),
    ] = None,
    data: DataPaths = None,
    no_bundled: NoBundled = False,
) -> None:
    """Check datasets and report every problem, one per line (FILE:LINE: record ID: field: ...).

    Exits 1 if there is any problem, 0 with a one-line summary otherwise.
    """
    from nato_russia.loader import check
    from nato_russia.validation import warnings

    dataset, problems = check(_selection([*(data or []), *(paths or [])], no_bundled, True))
    for problem in problems:
        typer.echo(str(problem))
    if dataset is None:
        count = len(problems)
        _say(f"{count} problem{'s' if count != 1 else ''} found")
        raise typer.Exit(ExitCode.FAILURE)
    for warning in warnings(dataset):
        _say(f"warning: {warning}")
    counts = ", ".join(f"{n} {PLURALS[t]}" for t, n in dataset.counts().items() if n)
    typer.echo(f"ok: {counts}")


@app.command(
    epilog="Formats: json (every record type, with schema_version), jsonl (one record a line), "
    "csv (a zip with one file per record type), markdown (a chronology), timelinejs "
    "(TimelineJS3 JSON), timelinejs-csv (TimelineJS's Google Sheets layout), sqlite (tables, "
    "link tables, FTS5 search). Example: nrr export sqlite -o nrr.db"
)
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Argument(metavar="FORMAT", case_sensitive=False, help="What to write (see below)."),
    ],
    output_file: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write FILE (atomically) instead of standard output; needed for csv and sqlite.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    date_from: FromOption = None,
    date_to: ToOption = None,
    period: PeriodOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    data: DataPaths = None,
    no_bundled: NoBundled = False,
    no_cache: NoCache = False,
) -> None:
    """The whole dataset in one file; with timeline filters, the events they select and every
    record those refer to."""
    from nato_russia import query
    from nato_russia.export.writer import export as write_export
    from nato_russia.render.output import use_utf8_stdout

    if output_file is not None and output_file.endswith(("/", os.sep)):
        raise typer.BadParameter(
            f"{output_file} names a directory; give a file name", param_hint="--output"
        )
    target = None if output_file is None or output_file == "-" else Path(output_file)
    if target is None and fmt.is_binary:
        raise typer.BadParameter(
            f"{fmt} export writes a file; give one with -o FILE", param_hint="--output"
        )
    choice = _EventChoice(date_from, date_to, period, actor, topic)
    choice.bounds()
    if target is None:
        use_utf8_stdout()
    with _reporting_errors():
        dataset = _dataset(data, no_bundled, no_cache)
        _note_coverage(dataset, *choice.bounds())
        if not choice.is_everything:
            dataset = query.subset(dataset, choice.events(dataset))
        if fmt in (ExportFormat.timelinejs, ExportFormat.timelinejs_csv) and not (
            dataset.of_type("event")
        ):
            _say("warning: no events; TimelineJS refuses a timeline without one")
        write_export(dataset, fmt, target, force=force, stdout=sys.stdout)
    if target is not None:
        _say(f"wrote {target}")


ENV_DEBUG = "NRR_DEBUG"


class _Terminated(BaseException):
    """SIGTERM, raised where the program is, so that its clean-ups (temporary files) run."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def main() -> None:
    """Console entry point: run the app and turn every way it can end into one line on
    stderr and a documented exit code (see errors.ExitCode and the README)."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    if sys.stdout is None or sys.stderr is None:
        # Started with stdout or stderr closed (`nrr timeline >&-`): nowhere to write.
        if sys.stderr is not None:
            sys.stderr.write("Error: standard output is closed\n")
        sys.exit(ExitCode.FAILURE)
    _printable_streams()
    sys.exit(_run())


def _run() -> int:
    stdout_before = _identity(sys.stdout)
    try:
        # Not standalone, so that usage errors come here instead of becoming Typer's
        # multi-line boxes; exit codes are returned rather than raised in this mode.
        outcome = app(prog_name="nrr", standalone_mode=False)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return ExitCode.OK
    except SystemExit:
        # Rich meets a closed pipe (`nrr --help | head -1`) by pointing stdout at /dev/null
        # and exiting 1; for nrr the reader going away is no failure.
        if _identity(sys.stdout) != stdout_before and _identity(sys.stdout) == _devnull():
            return ExitCode.OK
        raise
    except (KeyboardInterrupt, typer.Abort) as exc:
        # Click turns Ctrl-C (and end of input at a prompt) into Abort.
        _say("Interrupted." if _was_interrupt(exc) else "Aborted.")
        return ExitCode.INTERRUPTED if _was_interrupt(exc) else ExitCode.FAILURE
    except _Terminated:
        _say("Terminated.")
        return ExitCode.TERMINATED
    except typer.TyperException as exc:
        return _report_usage_error(exc)
    except OSError as exc:
        # Writing the output failed: a full disk (`> /dev/full`), a closed descriptor.
        _say(f"Error: cannot write the output: {exc.strerror or exc}")
        _silence_stdout()
        return ExitCode.FAILURE
    except Exception as exc:
        if os.environ.get(ENV_DEBUG):
            raise
        _say(
            f"Error: nrr hit a bug ({type(exc).__name__}: {exc}); please report it. "
            f"{ENV_DEBUG}=1 shows the traceback."
        )
        return ExitCode.FAILURE
    return outcome if isinstance(outcome, int) else ExitCode.OK


def _identity(stream: object) -> tuple[int, int] | None:
    try:
        info = os.fstat(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino)


def _devnull() -> tuple[int, int]:
    info = os.stat(os.devnull)
    return (info.st_dev, info.st_ino)


def _was_interrupt(exc: BaseException) -> bool:
    return isinstance(exc, KeyboardInterrupt) or isinstance(exc.__context__, KeyboardInterrupt)


def _printable_streams() -> None:
    """Output in an encoding that cannot show every character (PYTHONIOENCODING=latin-1, an
    old terminal) gets escapes for those characters rather than a crash half-way through."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and "utf" not in (stream.encoding or "").lower():
            reconfigure(errors="backslashreplace")


def _report_usage_error(exc: typer.TyperException) -> int:
    """One line on stderr, as for every other error, with where to find help."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # the help has been shown already
        return int(ExitCode.USAGE)
    format_message = getattr(exc, "format_message", None)
    message = " ".join((format_message() if format_message else str(exc)).split())
    context = getattr(exc, "ctx", None)
    hint = f" (see {context.command_path} --help)" if context is not None else ""
    _say(f"Error: {message}{hint}")
    return int(getattr(exc, "exit_code", ExitCode.USAGE))


def _silence_stdout() -> None:
    # As the Python docs advise for SIGPIPE: point stdout at devnull so that the interpreter's
    # final flush cannot print "Exception ignored ... BrokenPipeError" (or a full disk's error).
    devnull = os.open(os.devnull, os.O_WRONLY)
    with suppress(OSError, ValueError):  # stdout may be gone altogether
        os.dup2(devnull, sys.stdout.fileno())
