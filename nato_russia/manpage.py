"""nrr(1): a man page made from the commands' own help, so it never drifts from `nrr -h`.

`nrr --help-man > nrr.1` writes it; `man -l nrr.1` reads it.
"""

from __future__ import annotations

import datetime as dt
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
    ]
    out += _options(group, context)
    out.append(".SH COMMANDS")
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        sub = command.make_context(name, [], parent=context, resilient_parsing=True)
        usage = " ".join(command.collect_usage_pieces(sub))
        out += [".SS " + roff(f"nrr {name} {usage}".strip())]
        out.append(roff(" ".join((command.help or "").split())))
        out += _options(command, sub)
    out += _examples(group, context)
    out.append(SECTIONS_AFTER.rstrip("\n"))
    return "\n".join(out) + "\n"


def _options(command: Any, context: Any) -> list[str]:
    lines = []
    for param in command.get_params(context):
        record = param.get_help_record(context)
        if record is None:
            continue
        names, help_text = record
        lines += [".TP", ".B " + roff(names), roff(" ".join(help_text.split()))]
    return lines


# How a command's help sets out its examples (cli.common.examples): this heading, then a
# paragraph that click must not re-wrap (a "\b" line), one command line per line.
EXAMPLES_HEADING = "Examples:"


def examples_in(epilog: str | None) -> list[str]:
    """The example command lines of a command's help epilog, in its order."""
    lines = (epilog or "").splitlines()
    if EXAMPLES_HEADING not in lines:
        return []
    found: list[str] = []
    for line in lines[lines.index(EXAMPLES_HEADING) + 1 :]:
        if line.startswith("  "):
            found.append(line.strip())
        elif found:
            break  # the paragraph after the examples
    return found


def _examples(group: Any, context: Any) -> list[str]:
    """EXAMPLES: each command's examples from its -h, under its one-line summary. Hyphens as
    \\- so that a pasted line has ASCII '-', never the hyphen groff may print for '-'."""
    out = [".SH EXAMPLES"]
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        lines = [] if command is None or command.hidden else examples_in(command.epilog)
        if not lines:
            continue
        summary = command.get_short_help_str(limit=200)
        out += [".PP", roff(summary), ".RS 4", ".nf"]
        out += [roff(line).replace("-", "\\-") for line in lines]
        out += [".fi", ".RE"]
    return out if len(out) > 1 else []
