"""The bundled dataset: complete, cited, cross-linked, and faithful to its sources."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest

from nato_russia.model import (
    CARRYING_TIERS,
    Agreement,
    Dataset,
    Period,
    Quotation,
    RecordType,
    Source,
    schema_of,
)
from nato_russia.validation import warnings
from tests.conftest import BACKGROUNDER, FACTS, shared_text

CHECKED_ADDRESSES = Path(__file__).with_name("addresses-checked.md")

BACKGROUNDER_ID = "backgrounder-2015-12"
FIXED_AGREEMENT_IDS = [
    "london-declaration",
    "brussels-summit-declaration",
    "partnership-for-peace",
    "founding-act",
    "rome-declaration",
    "lisbon-nrc-statement",
]


def test_bundled_data_loads_without_warnings(bundled: Dataset) -> None:
    assert warnings(bundled) == []


def test_every_reference_resolves(bundled: Dataset) -> None:
    checked = 0
    for record in bundled.all_records():
        for f in dataclasses.fields(record):
            schema = schema_of(f)
            value = getattr(record, f.name)
            refs: list[tuple[str, tuple[str, ...]]]
            if schema.kind == "corrections":
                refs = [(s, ("source",)) for c in value for s in c.sources]
            elif schema.kind in ("ref", "refs"):
                ids = (value,) if isinstance(value, str) else (value or ())
                refs = [(i, schema.targets) for i in ids]
            else:
                continue
            for ref, targets in refs:
                assert bundled.find(ref, targets) is not None, f"{record.id}.{f.name} -> {ref}"
                checked += 1
    assert checked > 200


def test_every_record_cites_a_source(bundled: Dataset) -> None:
    for record in bundled.all_records():
        if isinstance(record, Source):
            continue
        assert record.sources, f"{record.type_name} {record.id} cites no source"


# Where a record says in its own words which state's media it rests on (see the test below).
_STATE_MEDIA_SAID = re.compile(r"\bstate (?:news agency|media)\b")
_WORD_FIELDS = ("title", "summary", "context", "attribution", "note")


def _cited_sources(bundled: Dataset, record: RecordType) -> list[Source]:
    ids = list(getattr(record, "sources", ()))
    ids += [s for c in getattr(record, "corrections", ()) for s in c.sources]
    found = [bundled.find(i, ("source",)) for i in ids]
    return [s for s in found if isinstance(s, Source)]


def _rests_on_own_state_media(record: RecordType, cited: list[Source]) -> bool:
    state_media = [s for s in cited if s.tier == "state-media"]
    if not state_media or len({s.state for s in state_media}) != 1:
        return False
    words = " ".join(str(getattr(record, f, None) or "") for f in _WORD_FIELDS)
    names = {n.strip() for s in state_media for n in re.split(r"[();,]", s.publisher) if n.strip()}
    return bool(_STATE_MEDIA_SAID.search(words)) and any(n in words for n in names)


def test_every_record_rests_on_a_carrying_source(bundled: Dataset) -> None:
    """A fact rests on at least one source whose tier is in CARRYING_TIERS (official,
    international organisation, news agency, newspaper, archive, research institute); the sources
    of a record's corrections count with its own. Sources of tier `other` (blogs, aggregators,
    unknown sites) never carry a fact.

    One exception: a state's own statement may rest on that state's media alone if the record
    says so. The rule, kept simple: every state-media source it cites names one and the same
    `state`, and the record's title, summary, context, attribution or note names one of those
    publishers (e.g. "TASS") and calls it state media ("state news agency" or "state media"), as
    in "TASS, a Russian state news agency, reported ..."."""
    failures = []
    for record in bundled.all_records():
        if isinstance(record, Source):
            continue
        cited = _cited_sources(bundled, record)
        if any(s.tier in CARRYING_TIERS for s in cited):
            continue
        if _rests_on_own_state_media(record, cited):
            continue
        tiers = ", ".join(f"{s.id} ({s.tier})" for s in cited)
        failures.append(f"{record.type_name} {record.id}: {tiers}")
    assert failures == []


def test_state_media_name_their_state(bundled: Dataset) -> None:
    """Every state-media source names the state whose media it is, and no other source names one."""
    for source in bundled.of_type("source").values():
        assert isinstance(source, Source)
        assert (source.tier == "state-media") == bool(source.state), source.id


def test_fixed_agreement_ids_exist(bundled: Dataset) -> None:
    assert set(FIXED_AGREEMENT_IDS) <= set(bundled.of_type("agreement"))


def test_seven_periods_of_the_backgrounder_and_the_datasets_own(bundled: Dataset) -> None:
    periods = sorted(
        (p for p in bundled.of_type("period").values() if isinstance(p, Period)),
        key=lambda p: p.order,
    )
    assert [p.id for p in periods if p.origin == "backgrounder"] == [
        "london-1990",
        "partnership-for-peace-1994",
        "founding-act-1997",
        "nrc-2002-2008",
        "georgia-2008",
        "new-stage-2010-2014",
        "ukraine-2014-2015",
    ]
    assert [p.id for p in periods if p.origin != "backgrounder"] == [
        "after-the-cold-war-1991-1993",
        "bosnia-1995-1996",
        "kosovo-1998-2001",
        "dialogue-without-cooperation-2016-2021",
        "war-in-ukraine-2022",
    ]
    assert all(p.events for p in periods)
    # Periods in order follow one another in time.
    starts = [p.date.earliest() for p in periods]
    assert starts == sorted(starts)


def test_every_event_lies_within_its_period(bundled: Dataset) -> None:
    for event in bundled.events():
        period = bundled.get("period", event.period)
        assert isinstance(period, Period)
        assert period.date.earliest() <= event.date.earliest(), event.id
        assert event.date.latest() <= period.date.latest(), event.id


def test_timeline_covers_1990_to_2026(bundled: Dataset) -> None:
    events = bundled.events()
    years = {e.date.earliest().year for e in events}
    assert min(years) == 1990
    assert max(years) == 2026
    assert set(range(1990, 2027)) - years <= {1992, 1993, 1998, 2005, 2006, 2017, 2020}


def test_events_since_2016_cite_a_source_with_an_address(bundled: Dataset) -> None:
    recent = [e for e in bundled.events() if e.date.earliest().year >= 2016]
    assert len(recent) >= 25
    for event in recent:
        sources = [bundled.get("source", s) for s in event.sources]
        assert any(isinstance(s, Source) and s.url for s in sources), event.id


def test_founding_act(bundled: Dataset) -> None:
    act = bundled.get("agreement", "founding-act")
    assert isinstance(act, Agreement)
    assert act.title == (
        "Founding Act on Mutual Relations, Cooperation and Security"
        " between NATO and the Russian Federation"
    )
    assert str(act.date) == "1997-05-27"
    assert act.place == "Paris"
    assert "yeltsin" in act.signatories
    assert "permanent-joint-council" in act.creates
    assert len(act.principles) >= 4
    assert len(act.areas) >= 5
    assert BACKGROUNDER_ID in act.sources


@pytest.mark.parametrize(
    ("type_name", "record_id", "date"),
    [
        ("agreement", "london-declaration", "1990-07-06"),
        ("agreement", "rome-declaration", "2002-05-28"),
        ("agreement", "lisbon-nrc-statement", "2010-11-20"),
        ("agreement", "brussels-summit-declaration", "1994-01-11"),
    ],
)
def test_checked_dates(bundled: Dataset, type_name: str, record_id: str, date: str) -> None:
    record = bundled.get(type_name, record_id)
    assert str(getattr(record, "date", None)) == date


def _corrections(bundled: Dataset) -> list[tuple[str, str, str]]:
    return [
        (record.id, c.says, c.finding)
        for record in bundled.all_records()
        for c in getattr(record, "corrections", ())
    ]


@pytest.mark.parametrize(
    ("says_fragment", "finding_fragment"),
    [
        ("first country", "Romania"),
        ("Mikheil", "Mikhail"),
        ("4 April 2009", "5 March 2009"),
        ("ISIL", "6 October 2015"),
    ],
)
def test_known_errors_of_the_backgrounder_are_noted(
    bundled: Dataset, says_fragment: str, finding_fragment: str
) -> None:
    matches = [c for c in _corrections(bundled) if says_fragment in c[1]]
    assert matches, f"no correction quotes the backgrounder's {says_fragment!r}"
    assert any(finding_fragment in c[2] for c in matches)


def test_known_errors_are_not_repeated_as_facts(bundled: Dataset) -> None:
    gorbachev = bundled.get("actor", "gorbachev")
    assert gorbachev is not None
    assert gorbachev.label == "Mikhail Gorbachev"
    summaries = " ".join(getattr(r, "summary", "") for r in bundled.all_records())
    assert "Mikheil" not in summaries
    assert "first country to join" not in summaries


def test_quotations_from_the_backgrounder_are_verbatim(bundled: Dataset) -> None:
    text = " ".join(shared_text(BACKGROUNDER).split())
    quotations = [q for q in bundled.of_type("quotation").values() if isinstance(q, Quotation)]
    from_backgrounder = [q for q in quotations if BACKGROUNDER_ID in q.sources]
    assert len(from_backgrounder) >= 7
    for quotation in from_backgrounder:
        assert " ".join(quotation.text.split()) in text, quotation.id


def test_corrections_quote_the_backgrounder_verbatim(bundled: Dataset) -> None:
    text = " ".join(shared_text(BACKGROUNDER).split())
    for record_id, says, _ in _corrections(bundled):
        assert " ".join(says.split()) in text, record_id


def test_every_web_address_was_checked(bundled: Dataset) -> None:
    """An address is in facts.md, or was seen with the search tool and listed, with what it
    showed, in tests/addresses-checked.md: never made up."""
    checked = shared_text(FACTS) + CHECKED_ADDRESSES.read_text(encoding="utf-8")
    urls = [s.url for s in bundled.of_type("source").values() if isinstance(s, Source) and s.url]
    assert urls
    for url in urls:
        assert url in checked, url


def test_summaries_do_not_copy_backgrounder_sentences(bundled: Dataset) -> None:
    text = " ".join(shared_text(BACKGROUNDER).split())
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 8]
    prose = [
        (record.id, value)
        for record in bundled.all_records()
        for f in dataclasses.fields(record)
        if f.name in ("summary", "context", "role", "finding")
        and isinstance(value := getattr(record, f.name), str)
    ]
    for record_id, value in prose:
        for sentence in sentences:
            # Any run of eight words copied from a backgrounder sentence is too close.
            words = sentence.split()
            for i in range(len(words) - 7):
                assert " ".join(words[i : i + 8]) not in value, (record_id, sentence)


def test_events_have_honest_dates(bundled: Dataset) -> None:
    june_1994 = [e for e in bundled.events() if e.date.earliest() == dt.date(1994, 6, 22)]
    assert june_1994, "Russia's signature of the PfP Framework Document on 22 June 1994"


def test_schema_doc_names_every_type_and_field() -> None:
    """data/SCHEMA.md is written by hand: it must keep up with the model."""
    from nato_russia.model import RECORD_TYPES, field_schemas
    from tests.conftest import ROOT

    doc = (ROOT / "data" / "SCHEMA.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line for line in doc.splitlines() if line.startswith("| ")}
    for type_name, cls in RECORD_TYPES.items():
        assert f"`{cls.plural}`" in doc, cls.plural
        for name in field_schemas(cls):
            assert f"`{name}`" in rows[type_name], (type_name, name)


def test_the_kosovo_freeze_and_the_thaw_are_in_the_timeline(bundled: Dataset) -> None:
    ids = {e.id for e in bundled.events() if 1998 <= e.date.earliest().year <= 2001}
    assert {"russia-freezes-1999", "robertson-moscow-2000", "pjc-resumes-kosovo-1999"} <= ids
