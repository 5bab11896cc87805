"""Errors nrr expects, and the exit codes it documents for them."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # success; also when the reader of a pipe goes away (`nrr timeline | head -1`)
    FAILURE = 1  # an unknown id, broken data, an unwritable output, a bug (reported as one)
    USAGE = 2  # a bad option or argument
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + SIGTERM)


# What must never reach a terminal raw from data, paths or arguments: C0 and C1 controls (an
# escape sequence can retitle or recolour a terminal), bidirectional overrides and isolates
# (they reorder what is shown), zero-width and other invisible format characters, line and
# paragraph separators, and lone surrogates (they cannot even be encoded). Compiled when first
# needed (half a millisecond, which a run that shows no message never spends); every one of
# these characters is one that str.isprintable() refuses, so printable text needs no search.
@functools.cache
def _invisible() -> re.Pattern[str]:
    return re.compile(
        "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
    )


def visible(text: str) -> str:
    """Text made safe to show on one line: every character above as an escape (\\x1b,
    \\u202e), so that a message can name a hostile file, id or query without obeying it."""
    return text if text.isprintable() else _invisible().sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# How much of an argument an error line quotes: a 5,000-character argument would otherwise
# make a 5,000-character line, and the start is enough to know it again.
ARGUMENT_LIMIT = 80
# A quoted value, or a run without spaces, beyond the limit (with room for the quotes and a
# full stop around one that has been shortened already).
_LONG_QUOTED = f"'([^']{{{ARGUMENT_LIMIT + 1},}})'"
_LONG_RUN = f"\\S{{{ARGUMENT_LIMIT + 4},}}"


def shortened(text: str, limit: int = ARGUMENT_LIMIT) -> str:
    """An argument as an error line quotes it: whole up to `limit` characters, else as many
    less one, then "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def quoted(value: object) -> str:
    """A value as an error line quotes it: its repr, shortened (a bad value may be megabytes)."""
    try:
        return shortened(repr(value))
    except ValueError:  # an int too long to convert to text
        return "a number too long to show"


def short_arguments(message: str) -> str:
    """A message about the command line (a usage error) with every long argument it quotes
    shortened: quoted values, and runs without spaces."""
    # Patterns compiled here (by re's cache), not at import: only a usage error needs them.
    message = re.sub(_LONG_QUOTED, lambda m: f"'{shortened(m[1])}'", message)
    return re.sub(_LONG_RUN, lambda m: shortened(m[0]), message)


class NrrError(Exception):
    """An expected failure, shown to the user as one line on stderr; `exit_code` says how
    nrr exits for it. Every failure nrr expects is one of these."""

    exit_code: ExitCode = ExitCode.FAILURE


class UsageError(NrrError):
    """Options that ask for something impossible though each parses (a span wholly outside the
    data, a source kind the schema does not have): a usage error, as `--from` after `--to` is."""

    exit_code = ExitCode.USAGE


class NotFound(NrrError):
    """No record (or topic) by that name. `hint` says where to look next (the list command,
    a search), so that a miss without suggestions is never a dead end."""

    def __init__(
        self, type_name: str, wanted: str, suggestions: list[str], hint: str | None = None
    ) -> None:
        self.suggestions = suggestions
        message = f"no {type_name} {shortened(wanted)!r}."
        if suggestions:
            message += f" Did you mean: {', '.join(suggestions)}?"
        if hint:
            message += f" {hint}"
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a data file: FILE:LINE: record ID: field: what is wrong."""

    file: str
    record_id: str | None
    field: str | None
    message: str
    line: int | None = None
    index: int | None = None  # the record's place in its file, to find its line later

    def __str__(self) -> str:
        parts = [self.file if self.line is None else f"{self.file}:{self.line}"]
        if self.record_id is not None:
            parts.append(f"record {self.record_id}")
        if self.field is not None:
            parts.append(self.field)
        parts.append(self.message)
        return visible(": ".join(parts))


class DataError(NrrError):
    """The data files are broken. Carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(str(problems[0]) if problems else "invalid data")

    def summary(self) -> str:
        """The first problem, and where to see them all: what commands other than validate say."""
        more = len(self.problems) - 1
        count = f" (and {more} more)" if more > 0 else ""
        return f"{self}{count}; run nrr validate for all of them"
