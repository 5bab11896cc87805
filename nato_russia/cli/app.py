"""The nrr app: its commands (from the modules of this package), the global options, and
`main`, which turns every way a run can end into a documented exit code.

Exit codes: 0 success (an empty result included), 1 an expected failure (unknown id, broken
data), 2 a usage error, 130 interrupted, 143 terminated.
"""

import copy
import functools
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from nato_russia import __version__
from nato_russia.cli.common import choose_terminal, reporting_errors, say, silence_stdout
from nato_russia.errors import ExitCode, short_arguments
from nato_russia.loader import DataSelection, load
from nato_russia.model import RECORD_TYPES
from nato_russia.render.terminal import ColorChoice

# How `nrr -h` groups the commands: the questions people come with, in the order they come.
COMMAND_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Where things stand", ("status", "compare", "timeline", "chart", "search")),
    ("Read one record", tuple(cls.command() for cls in RECORD_TYPES.values())),
    ("List records", tuple(cls.list_command() for cls in RECORD_TYPES.values())),
    ("Cite it, check your data, or have everything in one file", ("cite", "validate", "export")),
)


class GroupedCommands(typer.core.TyperGroup):
    """`nrr -h` with its commands in groups (COMMAND_GROUPS), not one flat list of 30."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        commands = self.commands
        listed: set[str] = set()
        for title, names in (*COMMAND_GROUPS, ("Other commands", tuple(commands))):
            shown = [name for name in names if name in commands and name not in listed]
            listed.update(shown)
            if shown:
                with formatter.section(title):
                    formatter.write_dl(
                        [(n, commands[n].get_short_help_str(formatter.width)) for n in shown]
                    )


# The app without its commands: the global options and the overview. `app` (the whole app) and
# app_for add the commands to a copy of it.
_root = typer.Typer(
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

# The modules of commands (in nato_russia/cli), in the order `nrr --help-man` lists their
# commands.
COMMAND_MODULES = ("timeline", "records", "search", "status", "export", "chart", "cite", "topics")
# Which module declares each command, so that a command line that names one imports only that
# module: records.py makes the two commands of each record type but topics (its detail
# command is the topic's thread), and these the rest. tests/test_startup.py holds the table to
# what the modules declare.
MODULE_OF_COMMAND = {
    **{
        name: "records"
        for type_name, cls in RECORD_TYPES.items()
        if type_name != "topic"
        for name in (cls.command(), cls.list_command())
    },
    "timeline": "timeline",
    "search": "search",
    "status": "status",
    "compare": "status",
    "validate": "export",
    "export": "export",
    "chart": "chart",
    "cite": "cite",
    "topics": "topics",
    "topic": "topics",
}


def _with_commands(modules: Sequence[str]) -> typer.Typer:
    """The app holding the commands of these modules, in their order."""
    built = copy.copy(_root)
    built.registered_commands = [
        info
        for module in modules
        for info in importlib.import_module(
            f"nato_russia.cli.{module}"
        ).commands.registered_commands
    ]
    return built


@functools.cache
def whole_app() -> typer.Typer:
    """The app with every command (`app`), built once, when first asked for."""
    return _with_commands(COMMAND_MODULES)


def __getattr__(name: str) -> typer.Typer:
    # `app` is the whole app, made on first use: a command line that names a command builds
    # only that command's module (app_for).
    if name == "app":
        return whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _help_man(value: bool) -> None:
    if value:
        from nato_russia.manpage import manpage

        typer.echo(manpage(typer.main.get_command(whole_app())), nl=False)
        raise typer.Exit()


def _version(value: bool) -> None:
    if value:
        from nato_russia.status import coverage

        typer.echo(f"nrr {__version__}")
        with reporting_errors():
            covered = coverage(load(DataSelection()))
        if covered is not None:
            typer.echo(f"bundled data: {covered.describe()}")
        raise typer.Exit()


OVERVIEW = """nrr: a cited reference on NATO-Russia relations, 1990 to today.

  nrr timeline --from 2014            events in date order (--to, --period, --actor, --topic)
  nrr status 1999-06-01               where every channel stood on a day (default: today)
  nrr agreement founding-act          one record in full, with its sources
  nrr search "who signed the founding act"
  nrr export sqlite -o nrr.db         everything in one file (json, csv, markdown, ...)

nrr -h lists every command; nrr COMMAND -h explains one."""


@_root.callback()
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
    choose_terminal(color=color, no_color=no_color, no_pager=no_pager)
    if ctx.invoked_subcommand is None:
        typer.echo(OVERVIEW)
        raise typer.Exit()


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
GLOBAL_OPTION = "--color"  # with a value


def split_global_options(args: list[str]) -> tuple[list[str], list[str]]:
    """The global options wherever a user put them (nrr timeline --no-color), and the rest
    of the command line in its order."""
    moved: list[str] = []
    rest: list[str] = []
    words = iter(args)
    for arg in words:
        if arg == "--":
            rest += [arg, *words]
        elif arg in GLOBAL_FLAGS or arg.startswith(f"{GLOBAL_OPTION}="):
            moved.append(arg)
        elif arg == GLOBAL_OPTION and (value := next(words, None)) is not None:
            moved += [arg, value]
        else:
            rest.append(arg)
    return moved, rest


def global_options_first(args: list[str]) -> list[str]:
    """The global options moved in front of the command, where the parser looks for them."""
    moved, rest = split_global_options(args)
    return moved + rest


def _name_of(info: typer.models.CommandInfo) -> str:
    return info.name or typer.main.get_command_name(getattr(info.callback, "__name__", ""))


def app_for(args: list[str]) -> typer.Typer:
    """The app to run a command line with: one holding only the command it names, if it
    names one before any other option (`nrr -h timeline` asks for the overview).

    Before parsing, Typer turns every registered command into a click command, reading each
    function's signature: for 30-odd commands, a fifth of a lookup's time went on commands
    that were not run. The overview, help and completion, or a command that does not exist,
    get the whole app (they list or suggest commands).
    """
    from nato_russia.completion import COMPLETE_VAR

    _, rest = split_global_options(args)
    module = MODULE_OF_COMMAND.get(rest[0]) if rest else None
    if module is None or rest[0].startswith("-") or os.environ.get(COMPLETE_VAR):
        return whole_app()
    if module == "records":
        # Twelve types' commands are read from their signatures at import of the whole set;
        # a record command needs only its own type's.
        from nato_russia.cli.records import commands_named

        narrowed = copy.copy(_root)
        narrowed.registered_commands = list(commands_named(rest[0]).registered_commands)
    else:
        narrowed = _with_commands([module])
    narrowed.registered_commands = [
        info for info in narrowed.registered_commands if _name_of(info) == rest[0]
    ]
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
        silence_stdout()
        return ExitCode.OK
    except SystemExit as exc:
        # Rich and click meet a closed pipe (`nrr --help | head -1`) by exiting 1, Rich after
        # pointing stdout at /dev/null; for nrr the reader going away is no failure.
        if isinstance(exc.__context__, BrokenPipeError):
            silence_stdout()
            return ExitCode.OK
        if _identity(sys.stdout) != stdout_before and _identity(sys.stdout) == _identity():
            return ExitCode.OK
        raise
    except (KeyboardInterrupt, typer.Abort) as exc:
        # Click turns Ctrl-C (and end of input at a prompt) into Abort.
        interrupted = any(isinstance(e, KeyboardInterrupt) for e in (exc, exc.__context__))
        say("Interrupted." if interrupted else "Aborted.")
        return ExitCode.INTERRUPTED if interrupted else ExitCode.FAILURE
    except _Terminated:
        say("Terminated.")
        return ExitCode.TERMINATED
    except typer.TyperException as exc:
        return _report_usage_error(exc, args)
    except OSError as exc:
        # Writing the output failed: a full disk (`> /dev/full`), a closed descriptor.
        say(f"Error: cannot write the output: {exc.strerror or exc}")
        silence_stdout()
        return ExitCode.FAILURE
    except Exception as exc:
        if os.environ.get(ENV_DEBUG):
            raise
        say(
            f"Error: nrr hit a bug ({type(exc).__name__}: {exc}); please report it. "
            f"{ENV_DEBUG}=1 shows the traceback."
        )
        return ExitCode.FAILURE
    return outcome if isinstance(outcome, int) else ExitCode.OK


def _identity(stream: Any = None) -> tuple[int, int] | None:
    """Which file a stream writes to (without one: the null device)."""
    try:
        info = os.fstat(stream.fileno()) if stream else os.stat(os.devnull)
    except (AttributeError, OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino)


def _printable_streams() -> None:
    """Output in an encoding that cannot show every character (PYTHONIOENCODING=latin-1, an
    old terminal) gets escapes for those characters rather than a crash half-way through."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and "utf" not in (stream.encoding or "").lower():
            reconfigure(errors="backslashreplace")


def _report_usage_error(exc: typer.TyperException, args: Sequence[str] = ()) -> int:
    """One line on stderr, as for every other error, with where to find help."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # the help has been shown already
        return int(ExitCode.USAGE)
    format_message = getattr(exc, "format_message", None)
    message = " ".join((format_message() if format_message else str(exc)).split())
    context = getattr(exc, "ctx", None)
    if message.startswith("No such command"):
        message = _no_such_command(message)
    elif type(exc).__name__ == "NoSuchOption" and context is not None:
        message = _no_such_option(exc, context, args)
    hint = f" (see {context.command_path} --help)" if context is not None else ""
    # Click quotes the argument whole: a 5,000-character date would be a 5,000-character line.
    say(f"Error: {short_arguments(message)}{hint}")
    return int(getattr(exc, "exit_code", ExitCode.USAGE))


# What people type for a date or a span of years, and which of --from/--to each means.
DATE_OPTIONS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("--year", "--years", "--date", "--on", "--in"), ("--from", "--to")),
    **dict.fromkeys(("--since", "--start", "--after"), ("--from",)),
    **dict.fromkeys(("--until", "--end", "--before"), ("--to",)),
}
# Click offers every option difflib finds 0.6 alike: --year gets --actor, --date --data. Only
# one this close is likely to be what was meant ("--limt" for --limit is 0.91).
OPTION_CUTOFF = 0.8


def _no_such_option(exc: typer.TyperException, context: Any, args: Sequence[str]) -> str:
    """An unknown option, with what it was most likely meant as: a date option for a command
    that takes --from/--to or a DATE argument, else only a really close option name."""
    import difflib

    name: str = getattr(exc, "option_name", "")
    value = _value_after(args, name) or "DATE"
    command = context.command
    options = {opt for param in command.params for opt in getattr(param, "opts", ())}
    path = context.command_path
    meant = DATE_OPTIONS.get(name.lower())
    if meant is not None:
        if all(opt in options for opt in meant):
            example = " ".join(f"{opt} {value}" for opt in meant)
            return f"No such option: {name}; use {'/'.join(meant)}, as in {path} {example}"
        arguments = [
            p.human_readable_name for p in command.params if p.param_type_name == "argument"
        ]
        if any("DATE" in argument.upper() for argument in arguments):
            return (
                f"No such option: {name}; {command.name} takes the date as an argument: "
                f"{path} {value}"
            )
    possible = sorted(getattr(exc, "possibilities", None) or ())
    close = difflib.get_close_matches(name, possible, n=3, cutoff=OPTION_CUTOFF)
    hint = f" (Possible options: {', '.join(sorted(close))})" if close else ""
    return f"No such option: {name}{hint}"


def _value_after(args: Sequence[str], name: str) -> str | None:
    """What was typed as the unknown option's value: --year 2014 or --year=2014."""
    for i, arg in enumerate(args):
        if arg.startswith(name + "="):
            return arg.partition("=")[2] or None
        if arg == name and i + 1 < len(args) and not args[i + 1].startswith("-"):
            return args[i + 1]
    return None


def _no_such_command(message: str) -> str:
    """Click offers any command for a mistyped one (`nrr version`: "Did you mean 'period'?");
    offer only those that are really close, and where to look otherwise."""
    import difflib

    wanted = message.split("'")[1] if message.count("'") >= 2 else ""
    names = [_name_of(info) for info in whole_app().registered_commands]
    close = difflib.get_close_matches(wanted, sorted(set(names)), n=3, cutoff=0.75)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return f"No such command '{wanted}'.{hint}"
