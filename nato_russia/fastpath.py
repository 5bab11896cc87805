"""A piped `nrr TYPE ID` answered without Typer.

Scripts look records up one at a time (`nrr agreement founding-act | grep ...`), and importing
Typer and click is most of such a run. This path is taken only where its output is the app's
by construction: stdout is not a terminal (so the app, too, would print plain text, through
the same render.output.show_record), the command line is exactly a detail command and an id,
no dataset comes from NRR_DATA, and the record exists in the data as loaded. Anything else
(an option, a miss, broken data, a topic's thread, completion) returns None before a byte is
written, and the Typer app runs the command line as it always has, with its own messages.
tests/test_fastpath.py compares the two paths' stdout, stderr and exit codes.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys

# The app's exit codes (errors.ExitCode), and the variables whose presence hands the command
# line to the app: the user's datasets (read with notes that must not be printed twice) and
# Typer's completion.
OK, FAILURE, TERMINATED = 0, 1, 143
HANDED_ON = ("NRR_DATA", "_NRR_COMPLETE")


class _Terminated(BaseException):
    """SIGTERM, raised where the lookup is, as the app does (cli/app.py)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def answer(args: list[str]) -> int | None:
    """The exit code of a lookup answered here, or None: the app is to run this command line."""
    handed_on = any(os.environ.get(name) for name in HANDED_ON)
    if len(args) != 2 or args[1].startswith("-") or handed_on or not _plain_pipe():
        return None
    from nato_russia.model import RECORD_TYPES

    # A topic's command tells its thread (cli/topics.py), not a detail view.
    detail = {cls.command(): name for name, cls in RECORD_TYPES.items() if name != "topic"}
    type_name = detail.get(args[0])
    if type_name is None:
        return None
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _show(type_name, args[1])
    except _Terminated:
        _say("Terminated.")
        return TERMINATED
    finally:
        signal.signal(signal.SIGTERM, previous)


def _plain_pipe() -> bool:
    """Standard output and error are open, stdout is no terminal, and both take any character
    (the app escapes what an encoding cannot show; that case is left to it)."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None or "utf" not in (getattr(stream, "encoding", None) or "").lower():
            return False
    try:
        return not sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _show(type_name: str, wanted: str) -> int | None:
    from nato_russia import loader, query
    from nato_russia.render import output, views
    from nato_russia.render.terminal import Terminal

    terminal = Terminal.detect()
    text = io.StringIO()
    try:
        dataset = loader.load(
            loader.DataSelection.from_options([], no_bundled=False, no_cache=False)
        )
        record = query.lookup(dataset, type_name, wanted)
        with contextlib.redirect_stdout(text):
            output.show_record(
                None, dataset, record, lambda: views.detail_view(dataset, record), terminal=terminal
            )
    except Exception:
        # A miss, broken data, or a bug: nothing is written yet, and the app says it in its
        # own words (and reports a bug as one).
        return None
    try:
        # In one go: one write, not one per line (PYTHONUNBUFFERED would make each a syscall).
        sys.stdout.write(text.getvalue())
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (`| head -1`): no failure, as in the app
    except OSError as exc:
        _say(f"Error: cannot write the output: {exc.strerror or exc}")
        _silence_stdout()
        return FAILURE
    return OK


def _say(message: str) -> None:
    from nato_russia.errors import visible

    sys.stderr.write(visible(message) + "\n")
    sys.stderr.flush()


def _silence_stdout() -> None:
    # As cli.common.silence_stdout (which imports Typer): the interpreter's last flush goes to
    # devnull instead of failing again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    with contextlib.suppress(OSError, ValueError):  # stdout may be gone altogether
        os.dup2(devnull, sys.stdout.fileno())
