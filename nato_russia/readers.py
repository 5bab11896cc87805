"""Data files -> raw records, and back from a record to its line for error messages.

Formats: YAML (.yaml/.yml), JSON (.json, a list of records) and JSON Lines (.jsonl, one record
per line). The file name says the record type: events.json holds events. This is the only
module that knows YAML.

Safety: only safe YAML is read (no tags that construct objects), anchors and aliases are refused
(they are never needed in a data file and are the stuff of "billion laughs" bombs), and files
larger than MAX_FILE_BYTES are refused before they are read.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, NamedTuple

from nato_russia.errors import DataError, Problem
from nato_russia.model import PLURALS

# A data file larger than this is refused unread. 100,000 events as JSON take about 40 MB.
MAX_FILE_BYTES = 256 * 1024 * 1024
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl"}
TYPES_BY_PLURAL = {plural: type_name for type_name, plural in PLURALS.items()}


class RawRecord(NamedTuple):
    """One mapping as read from a file, before validation; index is its place in the file.
    (A named tuple: large datasets create one per record, and tuples are built in C.)"""

    type_name: str
    file: str
    values: Any
    position: int = 0


def record_type_of(path: Path) -> str | None:
    """events.yaml -> 'event'; None for a file that is not a record file."""
    if path.suffix not in SUFFIXES:
        return None
    return TYPES_BY_PLURAL.get(path.stem)


def data_files(path: Path) -> list[Path]:
    """The record files a --data PATH names: the file itself, or those in a directory."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and record_type_of(p))
    if path.is_file():
        if record_type_of(path) is None:
            names = ", ".join(f"{p}.json" for p in PLURALS.values())
            raise DataError(
                [Problem(str(path), None, None, f"the file name must say the record type: {names}")]
            )
        return [path]
    raise DataError([Problem(str(path), None, None, "no such file or directory")])


def _file_problem(path: Path, message: str, line: int | None = None) -> DataError:
    return DataError([Problem(str(path), None, None, message, line)])


def read_bytes(path: Path) -> bytes:
    """A data file's bytes; refused unread when larger than MAX_FILE_BYTES."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise _file_problem(path, f"file is larger than the {limit} MiB limit")
        return path.read_bytes()
    except OSError as exc:
        raise _file_problem(path, f"cannot read file: {exc.strerror or exc}") from exc


def read_records(path: Path, data: bytes | None = None) -> list[RawRecord]:
    """Read one record file (or its bytes, already read). Raises DataError naming the file,
    and the line where known, when it cannot be read."""
    type_name = record_type_of(path)
    if type_name is None:
        raise _file_problem(path, "not a record file (events.yaml, agreements.json, ...)")
    try:
        text = (read_bytes(path) if data is None else data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _file_problem(path, f"cannot read file: not UTF-8 ({exc.reason})") from exc
    fmt = SUFFIXES[path.suffix]
    if fmt == "yaml":
        content = _parse_yaml(path, text)
    elif fmt == "json":
        content = _parse_json(path, text)
    else:
        return _parse_jsonl(path, text, type_name)
    if content is None:
        return []
    if not isinstance(content, list):
        raise _file_problem(path, "expected a list of records", 1)
    return [RawRecord(type_name, str(path), item, i) for i, item in enumerate(content)]


def _yaml_loader() -> type[Any]:
    import yaml

    # The C loader is about ten times faster than the Python one; both are safe loaders.
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_aliases(path: Path, text: str) -> None:
    import yaml

    for event in yaml.parse(text, Loader=_yaml_loader()):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor is not None:
            line = event.start_mark.line + 1 if event.start_mark else None
            raise _file_problem(
                path, "YAML anchors and aliases are not allowed in data files", line
            )


def _parse_yaml(path: Path, text: str) -> Any:
    import yaml

    try:
        # Anchors and aliases need '&' and '*'; only files that contain one pay for the check.
        if "&" in text or "*" in text:
            _refuse_aliases(path, text)
        return yaml.load(text, Loader=_yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise _file_problem(
            path, f"not valid YAML: {' '.join(str(problem).split())}", line
        ) from exc


def _parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _file_problem(path, f"not valid JSON: {exc.msg}", exc.lineno) from exc
    except RecursionError as exc:
        raise _file_problem(path, "not valid JSON: nested too deeply") from exc


def _parse_jsonl(path: Path, text: str, type_name: str) -> list[RawRecord]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _file_problem(path, f"not valid JSON: {exc.msg}", number) from exc
        except RecursionError as exc:
            raise _file_problem(path, "not valid JSON: nested too deeply", number) from exc
        records.append(RawRecord(type_name, str(path), value, number))
    return records


# --- line numbers, worked out only when there is a problem to report -----------------------


def line_of(file: str, index: int, field: str | None) -> int | None:
    """The line of a record (or of one of its fields) in its file, or None if unknown."""
    path = Path(file)
    fmt = SUFFIXES.get(path.suffix)
    try:
        if fmt == "jsonl":
            return index  # JSON Lines records carry their line number as their index
        if fmt == "yaml":
            return _yaml_lines(file).get((index, field)) or _yaml_lines(file).get((index, None))
        if fmt == "json":
            return _json_line(file, index, field)
    except Exception:
        return None
    return None


@functools.cache
def _yaml_lines(file: str) -> dict[tuple[int, str | None], int]:
    import yaml

    root = yaml.compose(Path(file).read_text(encoding="utf-8"), Loader=_yaml_loader())
    lines: dict[tuple[int, str | None], int] = {}
    if not isinstance(root, yaml.SequenceNode):
        return lines
    for index, node in enumerate(root.value):
        lines[(index, None)] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, _ in node.value:
                lines[(index, str(key.value))] = key.start_mark.line + 1
    return lines


@functools.cache
def _json_spans(file: str) -> tuple[str, list[tuple[int, int]]]:
    """The text of a JSON list file and the [start, end) offsets of each element."""
    text = Path(file).read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    spans: list[tuple[int, int]] = []
    position = text.index("[") + 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return text, spans
        _, end = decoder.raw_decode(text, position)
        spans.append((position, end))
        position = end


def _json_line(file: str, index: int, field: str | None) -> int | None:
    text, spans = _json_spans(file)
    if index >= len(spans):
        return None
    start, end = spans[index]
    if field is not None:
        found = text.find(json.dumps(field), start, end)
        if found != -1:
            start = found
    return text.count("\n", 0, start) + 1
