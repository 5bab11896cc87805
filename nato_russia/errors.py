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
    """One thing wrong in a data file."""

    file: str
    record_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        parts = [self.file]
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
        first = str(problems[0]) if problems else "invalid data"
        more = len(problems) - 1
        suffix = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
        super().__init__(first + suffix)
