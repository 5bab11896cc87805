"""Which files hold records, and which record files a --data path names.

The file name says the record type and the format: events.json holds events, as JSON; YAML
(.yaml/.yml), JSON (a list of records) and JSON Lines (.jsonl, one record per line). Apart
from readers.py, which parses the files: a warm run finds its files here and reads none of
them, so it never imports the parsers.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nato_russia.errors import DataError, Problem
from nato_russia.model import PLURALS

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl"}
TYPES_BY_PLURAL = {plural: type_name for type_name, plural in PLURALS.items()}
EXAMPLES = "events.yaml, agreements.json, ..."


def record_type_of(path: Path) -> str | None:
    """events.yaml -> 'event'; None for a file that is not a record file."""
    return TYPES_BY_PLURAL.get(path.stem) if path.suffix in SUFFIXES else None


# A name's first word, lower-cased with '-' as '_', -> the plural it was meant to be: how a file
# meant as a record file but misnamed (event.json, Events.yaml, events.txt) is recognised.
_MEANT_PLURALS = {
    word: plural for type_name, plural in PLURALS.items() for word in (type_name, plural)
}


def _misnamed(path: Path) -> str | None:
    """Why a file that looks meant to hold records is not read, or None for any other file."""
    name = path.name
    # Hidden files and editor backups (.events.json.swp, events.json~) are nobody's data.
    if name.startswith(".") or name.endswith("~"):
        return None
    word, _, rest = name.partition(".")
    plural = _MEANT_PLURALS.get(word.lower().replace("-", "_"))
    if plural is None:
        return None
    suffix, *more = rest.lower().split(".")
    if f".{suffix}" in SUFFIXES:
        # A copy kept beside a record file (events.yaml.bak, events.json.orig) is no record file.
        return None if more else f"not read: a file of {plural} must be named {plural}.{suffix}"
    return f"not read: a file of {plural} must be named {plural}.yaml, .yml, .json or .jsonl"


def data_files(path: Path) -> list[Path]:
    """The record files a --data PATH names: the file itself, or those in a directory. A file
    that looks meant as a record file but is misnamed, and a directory without one, are
    problems: silently leaving them out would show the user less data than they gave."""
    if path.is_dir():
        files: list[Path] = []
        problems: list[Problem] = []
        for entry in sorted(path.iterdir()):
            if not entry.is_file():
                # A named pipe or a link to a device named as a record file is never read
                # (it could block or never end), and never silently left out either.
                if record_type_of(entry) and not entry.is_dir():
                    problems.append(Problem(str(entry), None, None, _not_regular(entry)))
            elif record_type_of(entry):
                files.append(entry)
            elif (why := _misnamed(entry)) is not None:
                problems.append(Problem(str(entry), None, None, why))
        if problems:
            raise DataError(problems)
        if not files:
            raise file_problem(path, f"no record files in this directory ({EXAMPLES})")
        return files
    if path.is_file():
        if record_type_of(path) is None:
            names = ", ".join(f"{p}.json" for p in PLURALS.values())
            why = _misnamed(path) or f"the file name must say the record type: {names}"
            raise file_problem(path, why)
        return [path]
    if os.path.lexists(path):
        raise file_problem(path, _not_regular(path))
    raise file_problem(path, "no such file or directory")


def _not_regular(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError:
        return "not a regular file (a symbolic link to nothing)"
    kinds = [
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    kind = next((name for test, name in kinds if test(mode)), "not a file")
    return f"not a regular file ({kind}); a record file must be one"


def file_problem(path: Path, message: str, line: int | None = None) -> DataError:
    return DataError([Problem(str(path), None, None, message, line)])
