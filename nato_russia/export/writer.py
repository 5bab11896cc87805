"""Which exporter makes which format, and where its output goes."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from nato_russia.errors import NrrError
from nato_russia.export import documents, sqlite, timelinejs
from nato_russia.export.files import write_atomically
from nato_russia.model import Dataset
from nato_russia.render.formats import ExportFormat

TEXT_EXPORTS: dict[ExportFormat, Callable[[Dataset], str]] = {
    ExportFormat.json: documents.json_text,
    ExportFormat.jsonl: documents.jsonl_text,
    ExportFormat.markdown: documents.markdown_text,
    ExportFormat.timelinejs: timelinejs.timeline_json,
    ExportFormat.timelinejs_csv: timelinejs.sheet_csv,
    ExportFormat.timelinejs_html: timelinejs.timeline_page,
}
FILE_EXPORTS: dict[ExportFormat, Callable[[Dataset, Path], None]] = {
    ExportFormat.csv: documents.write_csv_zip,
    ExportFormat.sqlite: sqlite.write_database,
}


def _write_text(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        # newline="" keeps CSV's CRLF line ends as they are.
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(text)

    return write


def export(
    dataset: Dataset, fmt: ExportFormat, target: Path | None, *, force: bool, stdout: TextIO
) -> None:
    """Write the export to target (atomically), or a text format to stdout when target is None."""
    if fmt in TEXT_EXPORTS:
        text = TEXT_EXPORTS[fmt](dataset)
        if target is None:
            stdout.write(text)
        else:
            write_atomically(target, _write_text(text), force=force)
        return
    if target is None:  # the command line asks for -o first; this guards other callers
        raise NrrError(f"{fmt} export writes a file; give one with -o FILE")
    build = FILE_EXPORTS[fmt]

    def write(path: Path) -> None:
        try:
            build(dataset, path)
        except sqlite3.Error as exc:
            raise NrrError(f"cannot build the SQLite database: {exc}") from None

    write_atomically(target, write, force=force)
