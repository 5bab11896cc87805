"""Errors nrr expects, and the exit codes it documents for them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # an unknown id, a broken data file, an unwritable output
    USAGE = 2  # a bad option or argument (Typer's own)
    INTERRUPTED = 130


class NrrError(Exception):
    """An expected failure, shown to the user as one line on stderr (exit 1)."""


class NotFound(NrrError):
    def __init__(self, type_name: str, wanted: str, suggestions: list[str]) -> None:
        self.type_name = type_name
        self.wanted = wanted
        self.suggestions = suggestions
        message = f"no {type_name} {wanted!r}."
        if suggestions:
            message += f" Did you mean: {', '.join(suggestions)}?"
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
        return ": ".join(parts)


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
