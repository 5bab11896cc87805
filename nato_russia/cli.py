"""The nrr command line: arguments, options and exit codes. The work happens elsewhere.

Exit codes: 0 success (an empty result included), 1 an expected failure (unknown id, broken
data), 2 a usage error, 130 interrupted.
"""

import copy
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
from typing import Annotated, Any

import typer

from nato_russia import __version__
from nato_russia.dates import DateFormatError, parse_bound
from nato_russia.errors import DataError, ExitCode, NrrError, visible
from nato_russia.loader import DataSelection, load
from nato_russia.model import PLURALS, RECORD_TYPES, Dataset, Event
from nato_russia.render.formats import ExportFormat, Format
from nato_russia.render.terminal import ColorChoice, Terminal

# How `nrr -h` groups the commands: the questions people come with, in the order they come.
COMMAND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Where things stand", ("status", "compare", "timeline", "chart", "search")),
    (
        "Read one record",
        tuple(cls.command() for cls in RECORD_TYPES.values()),
    ),
    ("List records", tuple(cls.list_command() for cls in RECORD_TYPES.values())),
    ("Cite it, check your data, or have everything in one file", ("cite", "validate", "export")),
)


class GroupedCommands(typer.core.TyperGroup):
    """`nrr -h` with its commands in groups (COMMAND_GROUPS), not one flat list of 30."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        listed: set[str] = set()
        for title, names in COMMAND_GROUPS:
            rows = []
            for name in names:
                command = self.get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(limit=formatter.width)))
                    listed.add(name)
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        rest = [(n, self.get_command(ctx, n)) for n in self.list_commands(ctx) if n not in listed]
        if rest:
            with formatter.section("Other commands"):
                formatter.write_dl([(n, c.get_short_help_str()) for n, c in rest if c is not None])


app = typer.Typer(
    name="nrr",
    help="A cited reference on NATO-Russia relations from 1990 to today, from NATO's 2015 "
    "backgrounder, the official texts and news agencies. nrr status tells where things stand "
    "on any day.",
    invoke_without_command=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    cls=GroupedCommands,
)

# The terminal every command prints to, set by the callback from the global options. Tests may
# fill TERMINAL_OVERRIDES (is_tty, width, height, color, pager) to reach the terminal paths.
_state: dict[str, Terminal] = {}
TERMINAL_OVERRIDES: dict[str, Any] = {}


def _terminal() -> Terminal:
    return _state.get("terminal") or Terminal.detect(overrides=TERMINAL_OVERRIDES)


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


def _help_man(value: bool) -> None:
    if value:
        from nato_russia.manpage import manpage

        typer.echo(manpage(typer.main.get_command(app)), nl=False)
        raise typer.Exit()


def _version(value: bool) -> None:
    if value:
        from nato_russia.status import coverage

        typer.echo(f"nrr {__version__}")
        with _reporting_errors():
            covered = coverage(load(DataSelection()))
        if covered is not None:
            typer.echo(f"bundled data: {covered.describe()}")
        raise typer.Exit()


def _note_coverage(dataset: Dataset, *days: dt.date | None) -> None:
    """Say what the data covers when a command asks about days past it, so that an empty or
    short answer is never read as "nothing happened"."""
    note = _coverage_note(dataset, *days)
    if note:
        _say(note)


def _coverage_note(dataset: Dataset, *days: dt.date | None) -> str | None:
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


OVERVIEW = """nrr: a cited reference on NATO-Russia relations, 1990 to today.

  nrr timeline --from 2014            events in date order (--to, --period, --actor, --topic)
  nrr status 1999-06-01               where every channel stood on a day (default: today)
  nrr agreement founding-act          one record in full, with its sources
  nrr search "who signed the founding act"
  nrr export sqlite -o nrr.db         everything in one file (json, csv, markdown, ...)

nrr -h lists every command; nrr COMMAND -h explains one."""


@app.callback()
def _main(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colour, even at a terminal (also NO_COLOR).")
    ] = False,
    color: Annotated[
        ColorChoice,
        typer.Option(
            "--color",
            metavar="WHEN",
            help="auto (colour at a terminal), always (also into a pager or file, as FORCE_COLOR "
            "does) or never.",
        ),
    ] = "auto",
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help="Never page long output (also NRR_PAGER=, empty)."),
    ] = False,
    help_man: Annotated[
        bool,
        typer.Option(
            "--help-man",
            callback=_help_man,
            is_eager=True,
            help="Print the manual page (nrr --help-man > nrr.1; man -l nrr.1).",
        ),
    ] = False,
) -> None:
    """Global options may come before or after the command (nrr timeline --no-color)."""
    _state["terminal"] = Terminal.detect(
        color=color, no_color=no_color, no_pager=no_pager, overrides=TERMINAL_OVERRIDES
    )
    if ctx.invoked_subcommand is None:
        typer.echo(OVERVIEW)
        raise typer.Exit()


JsonFlag = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
LimitOption = Annotated[
    int | None,
    typer.Option("--limit", "-n", metavar="N", min=0, help="Show at most N records (0: all)."),
]


def _limited(records: list[Any], limit: int | None) -> list[Any]:
    return records[:limit] if limit else records


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


def _completion_dataset(ctx: typer.Context) -> Dataset | None:
    params = ctx.params
    try:
        return _dataset(
            params.get("data"), bool(params.get("no_bundled")), bool(params.get("no_cache"))
        )
    except NrrError:
        return None


def _completer(type_name: str) -> Callable[[typer.Context, str], list[str]]:
    """Typer's completion of ids, for what completion.py leaves to it (--data, NRR_DATA)."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        from nato_russia.completion import matching

        dataset = _completion_dataset(ctx)
        return [] if dataset is None else matching(list(dataset.of_type(type_name)), incomplete)

    return complete


def _complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    from nato_russia import query
    from nato_russia.completion import matching

    dataset = _completion_dataset(ctx)
    return [] if dataset is None else matching(query.topics(dataset), incomplete)


def _complete_query(ctx: typer.Context, args: list[str], incomplete: str) -> list[str]:
    from nato_russia import completion, query

    found = completion.search_field(args, incomplete, bash=False)
    dataset = _completion_dataset(ctx) if found is not None else None
    if found is None or dataset is None:
        return []
    field, typed, reply = found
    if field == "type":
        values = list(RECORD_TYPES)
    elif field == "topic":
        values = query.topics(dataset)
    else:
        values = list(dataset.of_type(field))
    return [reply + value for value in completion.matching(values, typed)]


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
    str | None,
    typer.Option(
        metavar="TOPIC",
        help="Only events tagged with this topic.",
        autocompletion=_complete_topic,
    ),
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


def _examples(*commands: str) -> str:
    # \b keeps click from re-wrapping the lines of this paragraph into one.
    return "Examples:\n\n\b\n" + "\n".join(f"  {command}" for command in commands)


@app.command(
    short_help="Events in date order, filtered by date, period, actor or topic.",
    epilog=_examples(
        "nrr timeline --from 2014",
        "nrr timeline --from 1998 --to 2001",
        "nrr timeline --actor putin --format json",
        "nrr timeline --period georgia-2008 --format csv > georgia.csv",
    ),
)
def timeline(
    date_from: FromOption = None,
    date_to: ToOption = None,
    period: PeriodOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    limit: LimitOption = None,
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
        events = _limited(choice.events(dataset), limit)
        _note_coverage(dataset, *choice.bounds())
        output.show_records(
            fmt,
            "event",
            events,
            lambda: views.timeline_table(dataset, events),
            terminal=_terminal(),
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
            terminal=_terminal(),
        )


def _list_records(
    type_name: str,
    fmt: Format | None,
    dataset_options: tuple[list[str] | None, bool, bool],
    limit: int | None = None,
    kind: str | None = None,
) -> None:
    from nato_russia import query
    from nato_russia.render import output, views

    with _reporting_errors():
        # The kind first: a mistyped one is a usage error, found before any data is read.
        of_kind = _kind_filter(kind)
        dataset = _dataset(*dataset_options)
        records = _limited(of_kind(query.sorted_records(dataset, type_name)), limit)
        output.show_records(
            fmt,
            type_name,
            records,
            lambda: views.list_table(dataset, type_name, records),
            terminal=_terminal(),
        )


def _kind_filter(kind: str | None) -> Callable[[list[Any]], list[Any]]:
    """The sources of one kind (nrr sources --kind), or everything; checked at once."""
    if kind is None:
        return lambda records: records
    from nato_russia import cite

    wanted = cite.resolve_kind(kind)
    return lambda records: cite.of_kind(records, wanted)


def _complete_source_kind(incomplete: str) -> list[str]:
    from nato_russia.cite import SOURCE_KINDS

    return [kind for kind in SOURCE_KINDS if kind.startswith(incomplete)]


SourceKindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        metavar="KIND",
        help="Only sources of this kind: official-text, official-page (NATO's pages), "
        "government-page, reprint, news or backgrounder.",
        autocompletion=_complete_source_kind,
    ),
]


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
        limit: LimitOption = None,
        fmt: FormatOption = None,
        as_json: JsonFlag = False,
        data: DataPaths = None,
        no_bundled: NoBundled = False,
        no_cache: NoCache = False,
    ) -> None:
        fmt = _output_format(fmt, as_json)
        _list_records(type_name, fmt, (data, no_bundled, no_cache), limit)

    def list_sources(
        kind: SourceKindOption = None,
        limit: LimitOption = None,
        fmt: FormatOption = None,
        as_json: JsonFlag = False,
        data: DataPaths = None,
        no_bundled: NoBundled = False,
        no_cache: NoCache = False,
    ) -> None:
        fmt = _output_format(fmt, as_json)
        _list_records(type_name, fmt, (data, no_bundled, no_cache), limit, kind=kind)

    # Only sources have a kind a reader weighs them by, so only `nrr sources` takes --kind.
    listing = list_sources if type_name == "source" else list_all
    show.__doc__ = f"Show one {cls.noun} with every field, its links and its sources."
    listing.__doc__ = f"List all {cls.nouns}."
    list_examples = [f"nrr {cls.list_command()}", f"nrr {cls.list_command()} --format csv"]
    if type_name == "source":
        list_examples.append("nrr sources --kind news")
    example = EXAMPLE_IDS[type_name]
    app.command(
        name=cls.command(),
        short_help=f"One {cls.noun}, in full.",
        epilog=_examples(
            f"nrr {cls.command()} {example}", f"nrr {cls.command()} {example} --format json"
        ),
    )(show)
    app.command(
        name=cls.list_command(),
        short_help=f"All {cls.plural.replace('_', ' ')}.",
        epilog=_examples(*list_examples),
    )(listing)


# A real id of each type, for the examples in each command's help (a test runs them all).
EXAMPLE_IDS = {
    "source": "nato-nrc-topic-2022",
    "dataset": "nrr-bundled",
    "period": "georgia-2008",
    "actor": "putin",
    "term": "worner-secretary-general-1988",
    "agreement": "founding-act",
    "principle": "non-use-of-force",
    "area": "arms-control",
    "event": "russia-joins-pfp-1994",
    "channel": "nrc",
    "state_change": "nrc-reported-dissolved-2025",
    "quotation": "lisbon-new-stage",
}


for _type_name in RECORD_TYPES:
    if _type_name != "topic":  # nrr topic tells a topic's thread (commands/topics.py)
        _add_record_commands(_type_name)


PIPED_LIMIT = 20  # results a search prints into a pipe unless --limit says otherwise


class SortOrder(StrEnum):
    relevance = "relevance"
    date = "date"


@app.command(
    short_help="Search every record and field; a question works too.",
    epilog="Query language: bare words must all occur (any case, any form: missiles finds "
    'missile); "a phrase" in quotes; -word leaves out records with it; filters type:event, '
    "year:2014, date:1997..2002 (open ends: date:2014-03.. or date:..1991), period:ID, "
    "actor:ID, topic:T, id:ID. Exits 1 when nothing matches, as grep does.\n\n"
    + _examples(
        'nrr search "who signed the founding act"',
        "nrr search crimea",
        "nrr search 'cooperation -afghanistan type:event'",
        "nrr search missile --format jsonl | jq -r .id",
    ),
)
def search(
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY",
            help="Words, phrases and filters (see below).",
            autocompletion=_complete_query,
        ),
    ],
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit",
            "-n",
            metavar="N",
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
    from nato_russia.querylang import QueryError, parse_query
    from nato_russia.render import output, views
    from nato_russia.search import open_index
    from nato_russia.search import run as run_search

    fmt = _output_format(fmt, as_json)
    query_text = " ".join(words)
    try:
        query = parse_query(query_text)  # a malformed query is a usage error, before any data
    except QueryError as exc:
        raise typer.BadParameter(str(exc), param_hint="QUERY") from None
    if query.is_empty:
        raise typer.BadParameter(
            "give at least one word or filter to search for", param_hint="QUERY"
        )
    with _reporting_errors():
        dataset = _dataset(data, no_bundled, no_cache)
        index, notice = open_index(dataset)
        if notice:
            _say(notice)
        if limit is None and fmt in (None, Format.table):
            limit = _screenful() if _terminal().is_tty else PIPED_LIMIT
        outcome = run_search(dataset, query_text, sort=sort.value, limit=limit or None, index=index)
        for line in outcome.notices:  # a typo fixed, the any-word fallback: what is shown
            _say(line)
        hits = outcome.results
        output.show_hits(
            fmt,
            hits,
            lambda: views.search_table(outcome.shown_query, hits),
            terminal=_terminal(),
        )
        if outcome.more_notice:  # after the table, where it is read last, as gh does
            _say(outcome.more_notice)
    if not hits:
        raise typer.Exit(ExitCode.FAILURE)  # as grep and ripgrep do: nothing matched


def _screenful() -> int:
    return max(5, shutil.get_terminal_size().lines - 8)


@app.command(
    short_help="Where every channel of the relationship stood on a day.",
    epilog=_examples("nrr status", "nrr status 1999-06-01", "nrr status 2014-06 --format json"),
)
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
    from nato_russia.status import coverage, status_on

    fmt = _output_format(fmt, as_json)
    when = dt.date.today() if day is None else _bound(day, "DATE", upper=True)
    assert when is not None
    with _reporting_errors():
        dataset = _dataset(data, no_bundled, no_cache)
        covered = coverage(dataset)
        begins = covered.first if covered is not None else dt.date(1990, 1, 1)
        notes = [f"note: nothing to tell yet: the data begins in {begins.year}"] * (when < begins)
        notes += filter(None, [_coverage_note(dataset, when)])
        found = status_on(dataset, when)
        output.show_status(
            fmt,
            found,
            covered,
            lambda: views.status_views(dataset, found),
            screen=lambda: views.status_screen(dataset, found),
            notes=notes,
            terminal=_terminal(),
        )


@app.command(
    short_help="What changed between two days: channels, and the events that did it.",
    epilog=_examples(
        "nrr compare 2013-01-01 2023-01-01",
        "nrr compare 1999-01 2000-06 --format json",
    ),
)
def compare(
    first: Annotated[str, typer.Argument(metavar="DATE1", help="The earlier day.")],
    second: Annotated[str, typer.Argument(metavar="DATE2", help="The later day.")],
    fmt: FormatOption = None,
    as_json: JsonFlag = False,
    data: DataPaths = None,
    no_bundled: NoBundled = False,
    no_cache: NoCache = False,
) -> None:
    """The channels of the relationship whose state changed between two days, their state on
    each, and the changes in between with the events they belong to."""
    from nato_russia.render import compare_view, output
    from nato_russia.status import compare as compare_days

    fmt = _output_format(fmt, as_json)
    earlier = _bound(first, "DATE1", upper=True)
    later = _bound(second, "DATE2", upper=True)
    assert earlier is not None and later is not None
    if earlier > later:
        raise typer.BadParameter(f"{first} comes after {second}", param_hint="DATE1")
    with _reporting_errors():
        dataset = _dataset(data, no_bundled, no_cache)
        _note_coverage(dataset, later)
        found = compare_days(dataset, earlier, later)
        output.show_compare(
            fmt,
            lambda: compare_view.compare_tables(found, earlier, later),
            lambda: compare_view.compare_to_dict(found, earlier, later),
            compare_view.ROW_COLUMNS,
            lambda: compare_view.compare_rows(found),
            terminal=_terminal(),
        )


@app.command(
    short_help="Check datasets and list every problem.",
    epilog=_examples("nrr validate", "nrr validate my-events/", "nrr validate extra/events.json"),
)
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
    short_help="The whole dataset (or a filtered part) in one file.",
    epilog="Formats: json (every record type, with schema_version), jsonl (one record a line), "
    "csv (a zip with one file per record type), markdown (a chronology), timelinejs "
    "(TimelineJS3 JSON), timelinejs-csv (TimelineJS's Google Sheets layout), timelinejs-html "
    "(a page that shows the timeline: open it in a browser), sqlite (tables, link tables, FTS5 "
    "search).\n\n"
    + _examples(
        "nrr export sqlite -o nrr.db",
        "nrr export csv -o nrr.zip",
        "nrr export timelinejs --from 2014 -o timeline.json",
        "nrr export timelinejs-html -o timeline.html",
    ),
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
    if target is not None and fmt.file_suffix and target.suffix.lower() != fmt.file_suffix:
        # A CSV export is a zip of files: named x.csv it would fool the next program to open it.
        raise typer.BadParameter(
            f"{fmt} export writes a {fmt.file_suffix} file; name it so (e.g. nrr{fmt.file_suffix})",
            param_hint="--output",
        )
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
        timelines = (
            ExportFormat.timelinejs,
            ExportFormat.timelinejs_csv,
            ExportFormat.timelinejs_html,
        )
        if fmt in timelines and not (dataset.of_type("event")):
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


GLOBAL_FLAGS = ("--no-color", "--no-pager")
GLOBAL_OPTIONS = ("--color",)  # with a value


def split_global_options(args: list[str]) -> tuple[list[str], list[str]]:
    """The global options wherever a user put them (nrr timeline --no-color), and the rest
    of the command line in its order."""
    moved: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        if arg in GLOBAL_FLAGS or arg.startswith(tuple(f"{o}=" for o in GLOBAL_OPTIONS)):
            moved.append(arg)
        elif arg in GLOBAL_OPTIONS and i + 1 < len(args):
            moved.extend(args[i : i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return moved, rest


def global_options_first(args: list[str]) -> list[str]:
    """The global options moved in front of the command, where the parser looks for them."""
    moved, rest = split_global_options(args)
    return moved + rest


def command_named(args: list[str]) -> str | None:
    """The command a command line runs, if it names one before any other option (`nrr -h
    timeline` asks for the overview, not the timeline)."""
    _, rest = split_global_options(args)
    return rest[0] if rest and not rest[0].startswith("-") else None


def _name_of(info: typer.models.CommandInfo) -> str:
    if info.name:
        return info.name
    return typer.main.get_command_name(info.callback.__name__ if info.callback else "")


def app_for(args: list[str]) -> typer.Typer:
    """The app to run a command line with: one holding only the command it names.

    Before parsing, Typer turns every registered command into a click command, reading each
    function's signature: for 30-odd commands, a fifth of a lookup's time went on commands
    that were not run. The overview, help and completion, or a command that does not exist,
    get the whole app (they list or suggest commands).
    """
    from nato_russia.completion import COMPLETE_VAR

    name = command_named(args)
    if name is None or os.environ.get(COMPLETE_VAR):
        return app
    chosen = [info for info in app.registered_commands if _name_of(info) == name]
    if not chosen:
        return app
    narrowed = copy.copy(app)
    narrowed.registered_commands = chosen
    return narrowed


def _run() -> int:
    stdout_before = _identity(sys.stdout)
    args = global_options_first(sys.argv[1:])
    try:
        # Not standalone, so that usage errors come here instead of becoming Typer's
        # multi-line boxes; exit codes are returned rather than raised in this mode.
        outcome = app_for(args)(args=args, prog_name="nrr", standalone_mode=False)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return ExitCode.OK
    except SystemExit as exc:
        # Rich and click meet a closed pipe (`nrr --help | head -1`) by exiting 1, Rich after
        # pointing stdout at /dev/null; for nrr the reader going away is no failure.
        if isinstance(exc.__context__, BrokenPipeError):
            _silence_stdout()
            return ExitCode.OK
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
    if message.startswith("No such command"):
        message = _no_such_command(message)
    context = getattr(exc, "ctx", None)
    hint = f" (see {context.command_path} --help)" if context is not None else ""
    _say(f"Error: {message}{hint}")
    return int(getattr(exc, "exit_code", ExitCode.USAGE))


def _no_such_command(message: str) -> str:
    """Click offers any command for a mistyped one (`nrr version`: "Did you mean 'period'?");
    offer only those that are really close, and where to look otherwise."""
    import difflib

    wanted = message.split("'")[1] if message.count("'") >= 2 else ""
    names = [_name_of(info) for info in app.registered_commands]
    close = difflib.get_close_matches(wanted, sorted(set(names)), n=3, cutoff=0.75)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return f"No such command '{wanted}'.{hint}"


def _silence_stdout() -> None:
    # As the Python docs advise for SIGPIPE: point stdout at devnull so that the interpreter's
    # final flush cannot print "Exception ignored ... BrokenPipeError" (or a full disk's error).
    devnull = os.open(os.devnull, os.O_WRONLY)
    with suppress(OSError, ValueError):  # stdout may be gone altogether
        os.dup2(devnull, sys.stdout.fileno())


def _register_commands() -> None:
    # Commands kept in modules of their own (nato_russia/commands/), which use this module's
    # options and helpers; registered last, once those exist.
    from nato_russia.commands import chart, cite, topics

    chart.register(app)
    cite.register(app)
    topics.register(app)


_register_commands()
