"""Plain text for pipes: tab-separated rows, no colour, no box art, nothing cut short."""

from __future__ import annotations

from typing import TextIO

from nato_russia.render.views import DetailView, TableView


def _clean(text: str) -> str:
    # One record per line, one field per tab: keep both separators out of the values.
    return " ".join(text.split())


def write_table(view: TableView, out: TextIO) -> None:
    out.write("\t".join(c.header for c in view.columns) + "\n")
    for row in view.rows:
        # A pipe gets whole values, never an excerpt: nothing is cut short for grep or cut.
        out.write("\t".join(_clean(cell.uncut or cell.text) for cell in row) + "\n")


def write_detail(view: DetailView, out: TextIO) -> None:
    out.write(f"{view.type_name} {view.record_id}: {_clean(view.heading)}\n")
    for section in view.sections:
        if len(section.lines) == 1 and section.kind in ("text", "url"):
            out.write(f"{section.label}: {_clean(section.lines[0])}\n")
            continue
        out.write(f"{section.label}:\n")
        for line in section.lines:
            out.write(f"  {_clean(line)}\n")
