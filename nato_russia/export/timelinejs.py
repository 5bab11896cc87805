"""Knight Lab's TimelineJS3: its JSON format, and the Google Sheets layout it also reads.

A title slide, one slide per event (unique_id = the nrr id, group = the period), the periods as
eras. Partial dates stay partial: a month-only date has no day, and display_date shows it as
nrr does ("June 1994"). Every piece of data is HTML-escaped, since TimelineJS shows text fields
as HTML; only links nrr builds itself are markup.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html import escape as esc  # quotes too: every piece of data becomes HTML
from typing import Any

from nato_russia import __version__
from nato_russia.dates import PartialDate
from nato_russia.model import Dataset, Event, Period, Quotation, Source, date_text, is_web_address
from nato_russia.query import sorted_records
from nato_russia.render.delimited import looks_like_formula
from nato_russia.render.json_out import json_text

TITLE = "NATO\u2013Russia relations"
TITLE_ID = "nrr:title"  # ids in nrr never contain ':', so this cannot clash with an event's
# The column layout of Knight Lab's Google Sheets template, which TimelineJS reads by name.
_WHEN = ("Year", "Month", "Day", "Time")
SHEET_COLUMNS = (
    *_WHEN,
    *(f"End {part}" for part in _WHEN),
    *("Display Date", "Headline", "Text"),
    *("Media", "Media Credit", "Media Caption", "Media Thumbnail"),
    *("Type", "Group", "Background"),
)


def esc_stripped(text: str) -> str:
    """For display_date and group, which TimelineJS first strips of markup (decoding entities
    once) and then shows as HTML: escaped twice, they still show as plain text."""
    return esc(esc(text))


def _link(source: Source) -> str:
    # Validation refuses other addresses; user code may not validate.
    if source.url and is_web_address(source.url):
        return f'<a href="{esc(source.url)}">{esc(source.title)}</a>'
    return esc(source.title)


def _date(value: PartialDate | dt.date) -> dict[str, int]:
    parts = {"year": value.year, "month": value.month, "day": value.day}
    return {name: part for name, part in parts.items() if part is not None}


def slide_text(dataset: Dataset, event: Event) -> str:
    """The slide's body: summary, quotations, corrections of the backgrounder, sources."""
    parts = [f"<p>{esc(event.summary)}</p>"]
    if event.place:
        parts.append(f"<p>Place: {esc(event.place)}</p>")
    for quotation_id in event.quotations:
        quotation = dataset.get("quotation", quotation_id)
        if isinstance(quotation, Quotation):
            document = dataset.find(quotation.document, ("agreement", "source"))
            origin = esc(document.label if document else quotation.document)
            parts.append(
                f"<blockquote>\u201c{esc(quotation.text)}\u201d \u2014 {origin}</blockquote>"
            )
    parts += (
        f"<p>The 2015 backgrounder says: \u201c{esc(correction.says)}\u201d. "
        f"The official record shows: {esc(correction.finding)}</p>"
        for correction in event.corrections
    )
    sources = [dataset.get("source", s) for s in event.sources]
    links = [_link(s) for s in sources if isinstance(s, Source)]
    if links:
        parts.append(f"<p>Sources: {'; '.join(links)}</p>")
    return "".join(parts)


def title_text(events: list[Event]) -> str:
    made = f"Made with nrr {esc(__version__)}"
    if not events:
        return f"<p>No events. {made}.</p>"
    first = date_text(events[0])
    last = date_text(max(events, key=lambda e: (e.date.latest(), e.date.earliest())))
    count = "1 event" if len(events) == 1 else f"{len(events)} events"
    span = esc(first) if first == last else f"{esc(first)} to {esc(last)}"
    return f"<p>{count}, {span}. {made}; every slide names its sources.</p>"


def timeline_document(dataset: Dataset) -> dict[str, Any]:
    events = [e for e in sorted_records(dataset, "event") if isinstance(e, Event)]
    slides = []
    for event in events:
        slide: dict[str, Any] = {"unique_id": event.id, "start_date": _date(event.date.start)}
        if event.date.end is not None:
            slide["end_date"] = _date(event.date.end)
        period = dataset.get("period", event.period)
        slide["display_date"] = esc_stripped(date_text(event))
        slide["text"] = {"headline": esc(event.title), "text": slide_text(dataset, event)}
        slide["group"] = esc_stripped(period.label if period is not None else event.period)
        # Data is text: an address in a summary stays text; nrr's own source links remain.
        slide["autolink"] = False
        slides.append(slide)
    eras = []
    for period in sorted_records(dataset, "period"):
        assert isinstance(period, Period)
        # An era needs an extent to draw: it runs from the first to the last day the period's
        # partial dates allow ("2008/2009" is 1 January 2008 to 31 December 2009).
        first, last = _date(period.date.earliest()), _date(period.date.latest())
        text = {"headline": esc(period.title)}
        eras.append({"start_date": first, "end_date": last, "text": text})
    return {
        "title": {
            "unique_id": TITLE_ID,
            "text": {"headline": esc(TITLE), "text": title_text(events)},
            "autolink": False,
        },
        "events": slides,
        "eras": eras,
    }


def _sheet_safe(text: str) -> str:
    # A sheet runs a cell starting with = + - @ as a formula. An HTML entity for that first
    # character keeps it text in the sheet, and TimelineJS (which reads HTML) still shows it.
    return f"&#{ord(text[0])};{text[1:]}" if looks_like_formula(text) else text


def timeline_json(dataset: Dataset) -> str:
    return json_text(timeline_document(dataset))


def sheet_csv(dataset: Dataset) -> str:
    document = timeline_document(dataset)
    title = document["title"]["text"]
    rows = [{"Headline": title["headline"], "Text": title["text"], "Type": "title"}]
    for kind, items in (("", document["events"]), ("era", document["eras"])):
        rows += (
            {
                f"{prefix}{part.capitalize()}": str(value)
                for prefix, key in (("", "start_date"), ("End ", "end_date"))
                for part, value in item.get(key, {}).items()
            }
            | {
                "Display Date": item.get("display_date", ""),
                "Headline": item["text"]["headline"],
                "Text": item["text"].get("text", ""),
                "Group": item.get("group", ""),
                "Type": kind,
            }
            for item in items
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SHEET_COLUMNS)
    writer.writerows([_sheet_safe(row.get(column, "")) for column in SHEET_COLUMNS] for row in rows)
    return out.getvalue()


# Knight Lab's own address for the library, as its instructions for putting a timeline in a
# page give it, at the version tests/e2e checks the exports against (never "latest", which
# could change under a page written years ago). The page loads it when opened in a browser;
# nrr itself fetches nothing.
LIBRARY_VERSION = "3.9.11"
LIBRARY = f"https://cdn.knightlab.com/libs/timeline3/{LIBRARY_VERSION}"
# The message stays on the page unless the library loaded (offline, a blocked address) or
# scripts ran at all: a white page would not say what went wrong.
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link title="timeline-styles" rel="stylesheet" href="{library}/css/timeline.css">
<script src="{library}/js/timeline.js"></script>
<style>html, body {{ height: 100%; margin: 0; }} #timeline-embed {{ height: 100%; }}
#timeline-missing {{ font: 16px/1.5 sans-serif; max-width: 40em; margin: 2em auto; }}</style>
</head>
<body>
<div id="timeline-missing">
<p><strong>The timeline could not be shown.</strong></p>
<p>This page draws it with TimelineJS {library_version}, which it loads from {library}
when it is opened. That needs an internet connection and JavaScript; one of them is missing
here (offline, a blocked address, or scripts turned off).</p>
<p>The same events are in nrr itself: <code>nrr timeline</code>.</p>
</div>
<div id="timeline-embed"></div>
<script>
// The timeline's data, written by nrr {version}.
var data = {data};
if (window.TL) {{
  document.getElementById("timeline-missing").hidden = true;
  new TL.Timeline("timeline-embed", data, {{ autolink: false }});
}}
</script>
</body>
</html>
"""


def timeline_page(dataset: Dataset) -> str:
    """A one-page HTML file that shows the TimelineJS export: open it in a browser."""
    data = json.dumps(timeline_document(dataset), ensure_ascii=False, indent=1)
    # Inside <script>, "</" could end the element early and "<!--" open a comment: data that
    # holds them (already HTML-escaped in the slides, but titles come from users) is escaped
    # the JSON way, which JavaScript reads back as the same characters.
    data = data.replace("</", "<\\/").replace("<!--", "<\\!--")
    data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return PAGE.format(
        title=esc(TITLE),
        library=LIBRARY,
        library_version=LIBRARY_VERSION,
        version=__version__,
        data=data,
    )
