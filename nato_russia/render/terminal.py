"""The terminal nrr prints to, as one object: is it a terminal, how big, colour, pager.

Everything that depends on where the output goes is read here once, from the options and the
environment, so that the rest of the code (and the tests, which build their own Terminal, as
httpie's tests build a MockEnvironment) never asks sys.stdout or os.environ itself.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any, Literal, NamedTuple, TextIO

ColorChoice = Literal["auto", "always", "never"]
DEFAULT_PAGER = "less -FRX"  # as git: quit if one screen, keep colours, leave the screen as is


class Terminal(NamedTuple):
    """What a run prints to. (A named tuple: the dataclass decorator compiles six methods for
    it, most of a millisecond of every run.)"""

    is_tty: bool  # stdout is a terminal (a person is reading)
    width: int
    height: int
    color: bool  # draw colours and styles
    # The command long output goes through at a terminal; None for none. The default, less,
    # is looked for only when output is about to be paged (see page).
    pager: str | None
    # Lists at a terminal: every column with every character (--wide), rather than a line
    # per record with the titles cut.
    wide: bool = False

    @classmethod
    def detect(
        cls,
        *,
        color: ColorChoice = "auto",
        no_color: bool = False,
        no_pager: bool = False,
        stdout: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> Terminal:
        """The terminal as the options and the environment describe it: NO_COLOR and
        --no-color (or --color never) turn colour off, FORCE_COLOR and --color always turn it
        on even in a pipe; NRR_PAGER, else PAGER, else `less -FRX` pages long output at a
        terminal, and --no-pager or an empty NRR_PAGER turns that off."""
        stream = stdout if stdout is not None else sys.stdout
        env = os.environ if environ is None else environ
        overrides = overrides or {}
        try:
            is_tty = bool(overrides.get("is_tty", stream.isatty()))
        except (AttributeError, ValueError):
            is_tty = False
        columns, lines = _size(env)
        off = no_color or color == "never" or env.get("NO_COLOR")
        use_color = not off and (color == "always" or bool(env.get("FORCE_COLOR")) or is_tty)
        terminal = cls(is_tty, columns, lines, use_color, _pager(no_pager, env))
        return terminal._replace(**overrides)

    def console(self, file: TextIO | None = None) -> Any:
        """A Rich console for this terminal (built per call: a module-level one would freeze
        the width and colour at import)."""
        from rich.console import Console

        return Console(
            file=file,
            width=self.width if (self.is_tty or file is not None) else None,
            force_terminal=True if self.color else None,
            no_color=not self.color,
            color_system="auto" if self.color else None,
            highlight=False,
            emoji=False,
        )


FALLBACK_SIZE = (80, 24)


def _size(env: Mapping[str, str]) -> tuple[int, int]:
    """Columns and lines as shutil.get_terminal_size finds them (shutil is not imported: it
    brings bz2, lzma and fnmatch, 2 ms of every run): COLUMNS and LINES where they are
    positive numbers, else the terminal on stdout, else 80x24."""
    columns, lines = _positive(env, "COLUMNS"), _positive(env, "LINES")
    if not (columns and lines):
        stdout = sys.__stdout__
        try:
            size = os.get_terminal_size(stdout.fileno()) if stdout else None
        except (ValueError, OSError):  # closed, detached, or not a terminal
            size = None
        found = size or os.terminal_size(FALLBACK_SIZE)
        columns = columns or found.columns or FALLBACK_SIZE[0]
        lines = lines or found.lines or FALLBACK_SIZE[1]
    return columns, lines


def _positive(env: Mapping[str, str], name: str) -> int:
    try:
        return max(int(env.get(name, "")), 0)
    except ValueError:
        return 0


def _pager(no_pager: bool, env: Mapping[str, str]) -> str | None:
    if no_pager:
        return None
    for name in ("NRR_PAGER", "PAGER"):
        if name in env:
            return env[name].strip() or None
    return DEFAULT_PAGER


# How a POSIX shell exits when it cannot run the command: found but not runnable, not found.
_NOT_STARTED = (126, 127)


def page(text: str, command: str) -> bool:
    """Show text through a pager; False when the pager could not be started (the shell said
    why on stderr) or, as the default pager, less is not installed, so that the caller prints
    the text itself rather than lose it. A pager that quits before reading it all (q in less)
    is the reader's choice, not an error; Ctrl-C belongs to the pager while it runs."""
    import contextlib
    import shutil
    import signal
    import subprocess  # only when paging: most runs never start a pager

    if command == DEFAULT_PAGER and shutil.which("less") is None:
        return False

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        try:
            process = subprocess.Popen(
                command, shell=True, stdin=subprocess.PIPE, encoding="utf-8", errors="replace"
            )
        except OSError:  # no shell to start it with
            return False
        assert process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            process.stdin.write(text)
            process.stdin.close()
        return process.wait() not in _NOT_STARTED
    finally:
        signal.signal(signal.SIGINT, previous)
