"""Data files -> raw records, and back from a record to its line for error messages.

Formats: YAML (.yaml/.yml), JSON (a list of records) and JSON Lines (one record per line); the
file name says the record type and the format (datafiles.py). The only module that knows YAML.

Safety: only safe YAML (no tags that construct objects), no anchors or aliases (never needed
in a data file, and the stuff of "billion laughs" bombs), nothing larger than MAX_FILE_BYTES.
Every fault in a file is one DataError problem with the file and, where it can be found, the
line: bytes that are not UTF-8, syntax, values the YAML constructors cannot build, repeated keys
(both parsers would otherwise keep the last value), integers too long to convert, and lone
surrogates. A file that does not parse gives that one problem and no records.
"""

from __future__ import annotations

import bisect
import codecs
import functools
import json
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

from nato_russia.datafiles import EXAMPLES, SUFFIXES, file_problem, record_type_of
from nato_russia.errors import ARGUMENT_LIMIT, DataError, quoted, shortened

# A data file larger than this is refused unread. 100,000 events as JSON take about 40 MB.
MAX_FILE_BYTES = 256 * 1024 * 1024


class RawRecord(NamedTuple):
    """One mapping as read from a file, before validation; position is its place in the file."""

    type_name: str
    file: str
    values: Any
    position: int = 0


def _clip(text: str, limit: int = 2 * ARGUMENT_LIMIT) -> str:
    return shortened(" ".join(text.split()), limit)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def read_bytes(path: Path) -> bytes:
    """A data file's bytes; refused unread when larger than MAX_FILE_BYTES."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            raise file_problem(path, f"file is larger than the {limit} MiB limit")
        return path.read_bytes()
    except OSError as exc:
        raise file_problem(path, f"cannot read file: {exc.strerror or exc}") from exc


def _decode(path: Path, data: bytes) -> str:
    """UTF-8, with a leading byte-order mark dropped in every format alike (editors on Windows
    write one; json.loads would refuse it and YAML would skip it)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig counts from after the byte-order mark, when there is one.
        start = exc.start + (len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, start) + 1
        message = f"cannot read file: not UTF-8 (byte 0x{data[start]:02x}: {exc.reason})"
        raise file_problem(path, message, line) from exc


def read_records(path: Path, data: bytes | None = None) -> list[RawRecord]:
    """Read one record file (or its bytes, already read). Raises DataError naming the file,
    and the line where known, when it cannot be read: one problem, the first, per file."""
    type_name = record_type_of(path)
    if type_name is None:
        raise file_problem(path, f"not a record file ({EXAMPLES})")
    text = _decode(path, read_bytes(path) if data is None else data)
    fmt = SUFFIXES[path.suffix]
    if fmt == "jsonl":
        # "\n" alone ends a record: str.splitlines() would also split at U+2028, U+0085 and
        # others, which JSON allows unescaped inside strings.
        return [
            RawRecord(type_name, str(path), _load_json(path, line, number), number)
            for number, line in enumerate(text.split("\n"), start=1)
            if line.strip(" \t\r")
        ]
    content = _load_json(path, text) if fmt == "json" else _parse_yaml(path, text)
    if content is None and fmt == "yaml":
        return []  # an empty YAML file (or one of comments only) holds no records
    if not isinstance(content, list):
        raise file_problem(path, "expected a list of records", 1)
    return [RawRecord(type_name, str(path), item, i) for i, item in enumerate(content)]


# --- YAML -------------------------------------------------------------------------------------

# PyYAML, like YAML 1.1, also ends lines at these; editors and `grep -n` count only "\n".
_OTHER_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_YAML_TAG = "tag:yaml.org,2002:"


class _Refused(Exception):
    """A YAML value the data loader will not construct: (message, its mark, and for a repeated
    key the mark of the first)."""


def _short_tag(tag: str | None) -> str:
    tag = tag or "?"
    return "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag


@functools.cache
def _yaml_loader() -> type[Any]:
    """The safe loader (libyaml's when installed: about ten times faster), made strict: values
    its constructors cannot build, repeated keys and unknown tags become _Refused with their
    place, instead of a ValueError without one or a silently dropped value."""
    import yaml
    from yaml.constructor import SafeConstructor
    from yaml.nodes import MappingNode, Node, ScalarNode

    base: type[Any] = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    c_parser = base is not yaml.SafeLoader
    unbuildable = (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError)
    not_keys = {_YAML_TAG + "merge", _YAML_TAG + "value"}  # '<<' and '=' are not keys as such

    class Strict(SafeConstructor):
        def construct_object(self, node: Node, deep: bool = False) -> Any:
            try:
                return super().construct_object(node, deep)
            except unbuildable as exc:  # `!!int abc`, `!!bool maybe`, 5,000 digits, ...
                raise _Refused(_unbuildable(node), node.start_mark) from exc

        def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
            # PyYAML keeps the last of repeated keys: a second `id:` would replace the first.
            if isinstance(node, MappingNode):
                first: dict[Any, Any] = {}
                for key_node, _ in node.value:
                    if key_node.tag in not_keys:
                        continue
                    # Built once: construct_object remembers it for the real construction below.
                    key = self.construct_object(key_node, deep=True)
                    try:
                        earlier = first.get(key)
                    except TypeError:
                        continue  # an unhashable key: PyYAML's own check explains it
                    if earlier is not None:
                        raise _Refused(f"duplicate key {quoted(key)}", key_node.start_mark, earlier)
                    first[key] = key_node.start_mark
            return super().construct_mapping(node, deep)

        def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
            try:
                return super().construct_yaml_timestamp(node)
            except (ValueError, AttributeError):
                value = self.construct_scalar(node)
                if self.timestamp_regexp.match(value):
                    # A date that does not exist (2014-02-30): kept as written, so that
                    # validation says what is wrong with it as for any other bad date.
                    return value
                raise _Refused(f"{quoted(value)} is not a !!timestamp", node.start_mark) from None

        def construct_undefined(self, node: Node) -> Any:
            tag = _clip(_short_tag(node.tag), ARGUMENT_LIMIT)
            raise _Refused(f"the tag {tag} is not allowed in data files", node.start_mark)

        if not c_parser:

            def construct_scalar(self, node: ScalarNode | MappingNode) -> str:
                # libyaml refuses "\ud800"; PyYAML's own scanner makes it a lone surrogate.
                value = super().construct_scalar(node)
                if _SURROGATE.search(value):
                    message = f"{quoted(value)} holds a lone surrogate, which is not text"
                    raise _Refused(message, node.start_mark)
                return value

    loader: type[Any] = type("StrictSafeLoader", (Strict, base), {"c_parser": c_parser})
    loader.add_constructor(_YAML_TAG + "timestamp", Strict.construct_yaml_timestamp)
    loader.add_constructor(None, Strict.construct_undefined)
    return loader


def _unbuildable(node: Any) -> str:
    tag = _short_tag(node.tag)
    value = node.value
    if not isinstance(value, str):
        return f"cannot read this {tag} value"
    digits = sum(char.isdigit() for char in value)
    limit = sys.get_int_max_str_digits()
    if tag == "!!int" and limit and digits > limit:
        return f"a number of {digits} digits (at most {limit})"
    return f"{quoted(value)} is not a valid {tag}"


def _mark_line(text: str, mark: Any) -> int | None:
    # Counted from the index: libyaml puts the end of a file without a final newline on a
    # line of its own, past the last.
    return None if mark is None else _line(text, mark.index)


def _parse_yaml(path: Path, text: str) -> Any:
    import yaml

    loader = _yaml_loader()
    line: int | None = None
    try:
        # Anchors and aliases need '&' and '*'; only files that contain one pay for the check.
        for event in yaml.parse(text, Loader=loader) if "&" in text or "*" in text else ():
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                message = "YAML anchors and aliases are not allowed in data files"
                raise file_problem(path, message, _mark_line(text, event.start_mark))
        return yaml.load(text, Loader=loader)
    except _Refused as exc:
        message, mark, *earlier = exc.args
        line = _mark_line(text, mark)
        if earlier:
            message += f" (first on line {_mark_line(text, earlier[0])})"
    except yaml.reader.ReaderError as exc:
        # libyaml counts the position in bytes of UTF-8, PyYAML in characters.
        read = text.encode()[: exc.position] if loader.c_parser else text[: exc.position].encode()
        message, line = _clip(exc.reason), read.count(b"\n") + 1
    except yaml.MarkedYAMLError as exc:
        message, line = _clip(exc.problem or str(exc)), _mark_line(text, exc.problem_mark)
    except yaml.YAMLError as exc:
        message = _clip(str(exc))
    except RecursionError:
        # PyYAML's own parser recurses once per level; libyaml stops at its depth limit.
        message = "nested too deeply"
    raise file_problem(path, f"not valid YAML: {message}", line)


# --- JSON and JSON Lines --------------------------------------------------------------------

# A \uD800-\uDFFF escape, and a high-low pair of them: json.loads makes an escape in no pair a
# lone surrogate, which is not a character, cannot be written as UTF-8 and breaks every writer.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_PAIR = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")


class _DuplicateKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of repeated keys: a second "id" would replace the first.
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _DuplicateKey
    return mapping


# One decoder for every text: json.loads with a hook would build a new one for each JSON line.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def _escapes(text: str, at: int) -> bool:
    """Whether the backslash at `at` starts an escape, rather than being escaped itself."""
    run = 0
    while at - run > 0 and text[at - run - 1] == "\\":
        run += 1
    return run % 2 == 0


def _json_flaw(text: str) -> tuple[int, str, int | None] | None:
    """The offset and description of the first repeated key (and the offset of its first
    use) or over-long integer in a JSON text json.loads refused for one of those: only then is
    the text walked again, in Python."""
    decoder = json.JSONDecoder(parse_int=str)  # str: an integer too long to convert is kept
    limit = sys.get_int_max_str_digits()
    keys: list[dict[str, int] | None] = []  # per open object its keys so far; None for a list
    position, end = 0, len(text)
    while position < end:
        char = text[position]
        if char in " \t\r\n,:":
            position += 1
        elif char in "{[":
            keys.append({} if char == "{" else None)
            position += 1
        elif char in "}]":
            if keys:
                keys.pop()
            position += 1
        else:
            try:
                value, after = decoder.raw_decode(text, position)
            except (ValueError, RecursionError):
                return None
            if char == '"' and keys and keys[-1] is not None:
                following = after
                while following < end and text[following] in " \t\r\n":
                    following += 1
                if following < end and text[following] == ":":
                    seen = keys[-1]
                    if value in seen:
                        return position, f"duplicate key {quoted(value)}", seen[value]
                    seen[value] = position
            elif isinstance(value, str) and char != '"' and limit:
                digits = len(value.lstrip("-"))
                if digits > limit:
                    return position, f"a number of {digits} digits (at most {limit})", None
            position = after
    return None


def _load_json(path: Path, text: str, line: int | None = None) -> Any:
    """json.loads, refusing what it accepts that a data file must not hold. `line` is the line
    of a JSON Lines record; without it, lines are counted in the text."""

    def line_at(offset: int | None) -> int | None:
        return line if line is not None or offset is None else _line(text, offset)

    def problem(message: str, offset: int | None = None) -> DataError:
        return file_problem(path, f"not valid JSON: {message}", line_at(offset))

    try:
        content = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise problem(exc.msg, exc.pos) from None
    except RecursionError:
        raise problem("nested too deeply") from None
    except (_DuplicateKey, ValueError) as exc:  # ValueError: an integer too long to convert
        flaw = _json_flaw(text)
        if flaw is None:
            message = "duplicate key" if isinstance(exc, _DuplicateKey) else _clip(str(exc))
            raise problem(message) from None
        offset, message, earlier = flaw
        if earlier is not None:
            message += f" (first on line {line_at(earlier)})"
        raise problem(message, offset) from None
    # One regular-expression pass over the text (a fiftieth of the time json.loads takes)
    # rather than a look at every string parsed.
    for match in _SURROGATE_ESCAPE.finditer(text):
        at = match.start()
        paired = _PAIR.match(text, at) or (
            _PAIR.fullmatch(text, at - 6, at + 6) and _escapes(text, at - 6)
        )
        if _escapes(text, at) and not paired:
            raise problem(f"{match[0]} is a lone surrogate, not a character", at)
    return content


# --- line numbers, worked out only when there is a problem to report -----------------------


def line_of(file: str, index: int, field: str | None) -> int | None:
    """The line of a record (or of one of its fields) in its file, or None if unknown."""
    fmt = SUFFIXES.get(Path(file).suffix)
    try:
        if fmt == "jsonl":
            return index  # JSON Lines records carry their line number as their index
        if fmt == "yaml":
            found = _yaml_lines(file).get((index, field)) or _yaml_lines(file).get((index, None))
            return found[0] if found else None
        if fmt == "json":
            text, spans = _json_spans(file)
            start, end = spans[index]
            found_at = -1 if field is None else text.find(json.dumps(field), start, end)
            return _line(text, start if found_at == -1 else found_at)
    except Exception:
        return None
    return None


@functools.cache
def _yaml_lines(file: str) -> dict[tuple[int, str | None], tuple[int, str | None]]:
    """(record index, field name, or None for the record) -> its line, and for a field with a
    plain scalar value that value's text as written."""
    import yaml

    text = Path(file).read_bytes().decode("utf-8-sig")
    root = yaml.compose(text, Loader=_yaml_loader())
    # PyYAML's own line count is right unless the text has one of the other line breaks; then
    # marks are placed by their index among the "\n"s.
    breaks = None
    if _OTHER_LINE_BREAKS.search(text):
        breaks = [found.start() for found in re.finditer("\n", text)]

    def line(mark: Any) -> int:
        return mark.line + 1 if breaks is None else bisect.bisect_left(breaks, mark.index) + 1

    found: dict[tuple[int, str | None], tuple[int, str | None]] = {}
    for index, node in enumerate(root.value if isinstance(root, yaml.SequenceNode) else ()):
        found[(index, None)] = (line(node.start_mark), None)
        for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
            scalar = isinstance(value, yaml.ScalarNode)
            as_written = text[value.start_mark.index : value.end_mark.index] if scalar else None
            found[(index, str(key.value))] = (line(key.start_mark), as_written)
    return found


@functools.cache
def _json_spans(file: str) -> tuple[str, list[tuple[int, int]]]:
    """The text of a JSON list file and the [start, end) offsets of each element."""
    text = Path(file).read_bytes().decode("utf-8-sig")
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


def written(file: str, index: int, field: str, value: Any) -> str:
    """A field's value as its file has it (`yes`, `1994-06-22T10:00:00`, `true`), for a message
    about a value of the wrong type: PyYAML and json build Python values (True, a datetime),
    whose repr is not what the user wrote. Falls back to the repr."""
    if SUFFIXES.get(Path(file).suffix) == "yaml":
        try:
            found = _yaml_lines(file).get((index, field), (0, None))[1]
        except Exception:
            found = None
        return repr(value) if found is None else found
    if isinstance(value, bool | int | float) or value is None:
        return json.dumps(value)  # JSON writes these one way only: true, null, 12
    return repr(value)
