"""nrr(1): a man page made from the commands' own help, so it never drifts from `nrr -h`.

`nrr --help-man > nrr.1` writes it; `man -l nrr.1` reads it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from nato_russia import __version__

SECTIONS_AFTER = """.SH EXIT STATUS
.TP
.B 0
success, including an empty list, and the reader of a pipe going away
.TP
.B 1
an expected failure (an unknown id, broken data, an unwritable output), a search that
matches nothing, or a bug (reported as one line)
.TP
.B 2
a usage error
.TP
.B 130
interrupted (Ctrl-C)
.TP
.B 143
terminated (SIGTERM)
.SH ENVIRONMENT
.TP
.B NRR_DATA
more datasets to read, separated by ':'
.TP
.B NRR_PAGER, PAGER
the pager for long output at a terminal (default: less -FRX); empty for none
.TP
.B NO_COLOR, FORCE_COLOR
no colour; colour even where it would not be used
.TP
.B XDG_CACHE_HOME
where the load cache lives (nrr/ below it; default ~/.cache)
.TP
.B NRR_DEBUG
show the traceback of a bug instead of one line
.SH FILES
.TP
.I ~/.cache/nrr
validated datasets and search indexes; always safe to delete
"""


def roff(text: str) -> str:
    """Text as roff shows it literally: backslashes escaped, no line read as a request."""
    lines = text.replace("\\", "\\e").splitlines()
    return "\n".join("\\&" + line if line.startswith((".", "'")) else line for line in lines)


def manpage(group: Any, today: dt.date | None = None) -> str:
    """The page for a click group (typer.main.get_command(app)) and its commands."""
    day = (today or dt.date.today()).isoformat()
    # resilient_parsing: contexts to read the commands from, without running or checking them.
    context = group.make_context("nrr", [], resilient_parsing=True)
    commands = [
        (name, command, command.make_context(name, [], parent=context, resilient_parsing=True))
        for name, command in group.commands.items()
        if not command.hidden
    ]
    out = [
        f'.TH NRR 1 "{day}" "nrr {__version__}" "User Commands"',
        ".SH NAME",
        "nrr \\- a cited reference on NATO\\-Russia relations, 1990 to today",
        ".SH SYNOPSIS",
        ".B nrr",
        "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]...",
        ".SH DESCRIPTION",
        roff(" ".join((group.help or "").split())),
        ".SH OPTIONS",
        *_options(group, context),
        ".SH COMMANDS",
    ]
    for name, command, sub in commands:
        usage = " ".join(command.collect_usage_pieces(sub))
        out += [".SS " + roff(f"nrr {name} {usage}".strip())]
        out += [roff(" ".join((command.help or "").split())), *_options(command, sub)]
    # Each command's examples from its -h, under its one-line summary. Hyphens as \- so that
    # a pasted line has ASCII '-', never the hyphen groff may print for '-'.
    out.append(".SH EXAMPLES")
    for _, command, _ in commands:
        if lines := examples_in(command.epilog):
            out += [".PP", roff(command.get_short_help_str(limit=200)), ".RS 4", ".nf"]
            out += [roff(line).replace("-", "\\-") for line in lines] + [".fi", ".RE"]
    out.append(SECTIONS_AFTER.rstrip("\n"))
    return "\n".join(out) + "\n"


def _options(command: Any, context: Any) -> list[str]:
    lines = []
    for param in command.get_params(context):
        if record := param.get_help_record(context):
            names, help_text = record
            lines += [".TP", ".B " + roff(names), roff(" ".join(help_text.split()))]
    return lines


def examples_in(epilog: str | None) -> list[str]:
    """The example command lines of a command's help epilog, as cli.common.examples sets
    them out: after an "Examples:" line, a paragraph of lines indented by two spaces."""
    lines = (epilog or "").splitlines()
    if "Examples:" not in lines:
        return []
    rest = lines[lines.index("Examples:") + 1 :]
    after = itertools.dropwhile(lambda line: not line.startswith("  "), rest)
    return [line.strip() for line in itertools.takewhile(lambda line: line.startswith("  "), after)]
