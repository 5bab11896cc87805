"""Which records a command is about: the one filter type of the timeline, export, chart and
search filters (--from/--to, --period, --actor, --topic; a search's type:, id:, year:, date:,
period:, actor:, topic:), and the one rule of what each lets through, for a record of any type.
Ids are as given until query.resolve_filters makes them real ids against a dataset.

- dates: the record's `date` overlaps [earliest, latest] ("June 1994" is in --to 1994-06-10);
- period: the record belongs to the period (an event's `period`), or is the period itself;
- actor: a field that names actors (model.actor_fields: an event's `actors`, an agreement's
  `signatories`, a quotation's `speaker`, ...) names it, or the record is the actor itself;
- topic: the record is tagged with the topic (its `topics`);
- types and record_id: the record is of one of the types, and has the id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from nato_russia.model import Record, actor_fields


@dataclass(frozen=True, slots=True, kw_only=True)
class Selection:
    types: tuple[str, ...] = ()
    record_id: str | None = None
    earliest: dt.date | None = None
    latest: dt.date | None = None
    period: str | None = None
    actor: str | None = None
    topic: str | None = None

    @property
    def is_everything(self) -> bool:
        # `is None`, not falsiness: --topic '' is a filter (and an error), not "everything".
        given = (self.record_id, self.earliest, self.latest, self.period, self.actor, self.topic)
        return not self.types and all(value is None for value in given)

    def matches(self, record: Record) -> bool:
        if self.types and record.type_name not in self.types:
            return False
        if self.record_id is not None and record.id != self.record_id:
            return False
        if self.earliest is not None or self.latest is not None:
            date = getattr(record, "date", None)
            if date is None or not date.overlaps(self.earliest, self.latest):
                return False
        if self.period is not None and not (
            getattr(record, "period", None) == self.period
            or (record.type_name == "period" and record.id == self.period)
        ):
            return False
        if self.actor is not None and not (
            self.actor in names_of_actors(record)
            or (record.type_name == "actor" and record.id == self.actor)
        ):
            return False
        return self.topic is None or self.topic in getattr(record, "topics", ())


def names_of_actors(record: Record) -> list[str]:
    values = (getattr(record, name) for name in actor_fields(type(record)))
    return [actor for v in values for actor in ((v,) if isinstance(v, str) else v or ())]
