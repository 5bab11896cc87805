"""The names of nrr's output formats and citation styles. Kept apart, importing nothing of
nrr's, so the command line can offer them without importing any renderer."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """--format of the list, detail and search commands."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    markdown = "markdown"


class ExportFormat(StrEnum):
    """The FORMAT of nrr export."""

    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"
    timelinejs = "timelinejs"
    timelinejs_csv = "timelinejs-csv"
    timelinejs_html = "timelinejs-html"
    sqlite = "sqlite"

    @property
    def is_binary(self) -> bool:
        return self in (ExportFormat.csv, ExportFormat.sqlite)

    @property
    def file_suffix(self) -> str | None:
        """The name ending an output file must have, where another would mislead: the csv
        export is a zip of CSV files."""
        return ".zip" if self is ExportFormat.csv else None


class CitationStyle(StrEnum):
    """--style of nrr cite."""

    chicago = "chicago"
    apa = "apa"
    mla = "mla"
    bibtex = "bibtex"
    csl_json = "csl-json"
