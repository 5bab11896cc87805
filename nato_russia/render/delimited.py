"""CSV (RFC 4180) and TSV for spreadsheets and scripts. No Rich anywhere near.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula,
which lets data take over a user's sheet (CSV injection). Such cells get a leading apostrophe,
which spreadsheets hide and scripts can take off again with `restore_cell`; the README says how.
A leading double quote counts too: TSV is not quoted, and an importer that strips quotes
would otherwise find the formula behind it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", '"')


def looks_like_formula(value: str) -> bool:
    # Apostrophes already in front of a formula character get one more, so that restore_cell
    # gives back exactly what was written, whatever the value.
    return value.lstrip("'").startswith(FORMULA_STARTS)


def neutralise_cell(value: str) -> str:
    return "'" + value if looks_like_formula(value) else value


def restore_cell(value: str) -> str:
    """The inverse of neutralise_cell: the value as it is in the dataset."""
    if value.startswith("'") and looks_like_formula(value):
        return value[1:]
    return value


def _tsv_value(value: str) -> str:
    # One record per line and one field per tab: whitespace runs inside a value become a space.
    return " ".join(value.split()) if any(c in value for c in "\t\n\r") else value


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, str]], out: TextIO) -> None:
    """RFC 4180: comma-separated, double quotes where needed, CRLF line ends, a header row."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(neutralise_cell(row[c]) for c in columns)


def write_tsv(columns: Sequence[str], rows: Iterable[Mapping[str, str]], out: TextIO) -> None:
    out.write("\t".join(columns) + "\n")
    for row in rows:
        out.write("\t".join(neutralise_cell(_tsv_value(row[c])) for c in columns) + "\n")
