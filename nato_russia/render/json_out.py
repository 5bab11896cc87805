"""JSON for scripts. Keys are the dataclass field names. Lists and exports give linked records
by id; a detail command gives each as a small object with what its view shows of it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from nato_russia.dates import EdtfDate
from nato_russia.model import Correction, Dataset, Event, Record, Source, field_schemas

if TYPE_CHECKING:  # annotations only: the search and status code loads when it runs
    from nato_russia.search import Hit
    from nato_russia.status import Coverage, Status


def date_fields(name: str, value: EdtfDate | None) -> dict[str, Any]:
    """A date as its EDTF string plus ISO day bounds and precision, so no one parses EDTF.
    The precision of `date` is `precision`; of any other date field, `<name>_precision`."""
    precision = "precision" if name == "date" else f"{name}_precision"
    if value is None:
        return {name: None, f"{name}_start": None, f"{name}_end": None, precision: None}
    return {
        name: str(value),
        f"{name}_start": value.earliest().isoformat(),
        f"{name}_end": value.latest().isoformat(),
        precision: value.precision,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Correction):
        return {"says": value.says, "finding": value.finding, "sources": list(value.sources)}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _fields(record: Record, names: Iterable[str]) -> dict[str, Any]:
    schemas = field_schemas(type(record))
    result: dict[str, Any] = {}
    for name in names:
        value = getattr(record, name)
        date = schemas[name].kind == "date"
        result.update(date_fields(name, value) if date else {name: _plain(value)})
    return result


def record_to_dict(record: Record) -> dict[str, Any]:
    return _fields(record, field_schemas(type(record)))


def link_to_dict(dataset: Dataset, record_id: str, targets: tuple[str, ...]) -> dict[str, Any]:
    """A linked record as `type`, `id` and its type's link_fields (a date with its companions). The
    type is given because some links may point to more than one (a quotation's document)."""
    record = dataset.find(record_id, targets)
    if record is None:  # validation rules this out for loaded data; say no more than known
        return {"type": targets[0] if len(targets) == 1 else None, "id": record_id}
    return {"type": record.type_name, "id": record.id, **_fields(record, record.link_fields)}


def detail_to_dict(dataset: Dataset, record: Record) -> dict[str, Any]:
    """A detail command's JSON: record_to_dict's keys and order, but every link (stored or
    derived, and the sources of each correction) as a link_to_dict object instead of an id."""
    result = record_to_dict(record)
    for name, schema in field_schemas(type(record)).items():
        value = getattr(record, name)
        if isinstance(record, Source) and name == "cited_by":
            from nato_russia.query import citing_records  # query loads only for a source

            # Ids are unique only within a type: the citing records are found, not looked up.
            citing = citing_records(dataset, record.id)
            result[name] = [link_to_dict(dataset, r.id, (r.type_name,)) for r in citing]
        elif schema.kind == "ref":
            result[name] = None if value is None else link_to_dict(dataset, value, schema.targets)
        elif schema.kind == "refs":
            result[name] = [link_to_dict(dataset, v, schema.targets) for v in value]
        elif schema.kind == "corrections":
            result[name] = [
                {**_plain(c), "sources": [link_to_dict(dataset, s, ("source",)) for s in c.sources]}
                for c in value
            ]
    return result


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    record = hit.record
    return {
        "type": record.type_name,
        "id": record.id,
        **date_fields("date", getattr(record, "date", None)),
        "title": record.label,
        "score": hit.score,
        "matched_fields": list(hit.matched_fields),
        "snippet": hit.snippet,
        "matches": [list(span) for span in hit.spans],
    }


def json_text(value: Any) -> str:
    """The one layout of nrr's JSON documents: indented, UTF-8 as is, a final line break."""
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


# Line breaks to Python's str.splitlines() (and to JavaScript) though not to JSON: escaped, so
# that every way of splitting JSON Lines into lines finds one value per line.
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def write_json_line(value: Any, out: TextIO) -> None:
    """JSON Lines: one compact value per line; no line break can occur inside one."""
    line = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    out.write(line.translate(_LINE_BREAKS) + "\n")


def status_to_dict(status: Status, coverage: Coverage | None) -> dict[str, Any]:
    """`nrr status --json`: the day, what the data covers, and one object per channel."""
    channels = []
    for state in status.channels:
        change = state.change
        channels.append(
            {
                "channel": state.channel.id,
                "title": state.channel.title,
                "state": change.state,
                **date_fields("since", change.date),
                **date_fields("confirmed", state.confirmed),
                "stale": state.stale,
                "settled": state.settled,
                "previous_state": state.previous.state if state.previous else None,
                "by": list(change.by),
                "record": change.id,
                "event": change.event,
                "change": change.title,
                "attribution": change.attribution,
                "note": change.note,
            }
        )
    return {
        "date": status.day.isoformat(),
        "coverage": None
        if coverage is None
        else {
            "first": coverage.first.isoformat(),
            "last": coverage.last.isoformat(),
            "checked": coverage.checked,
        },
        "channels": channels,
        "last_meetings": [
            {"channel": m.channel.id, **_event_brief(m.event), "settled": m.settled}
            for m in status.meetings
        ],
        "recent_events": [_event_brief(e) for e in status.recent],
    }


def _event_brief(event: Event) -> dict[str, Any]:
    return {"id": event.id, "title": event.title, **date_fields("date", event.date)}
