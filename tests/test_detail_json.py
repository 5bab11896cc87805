"""A detail command's JSON carries what its view shows: each linked record as an object with
its id, its label and its dates, so that a script needs no second call."""

from __future__ import annotations

import json

import pytest

from nato_russia.cli.app import app
from nato_russia.model import RECORD_TYPES, Dataset, field_schemas
from nato_russia.render.json_out import detail_to_dict, record_to_dict
from tests.conftest import StrictRunner


def _ids(value: object) -> object:
    """A detail value with its link objects turned back into ids."""
    if isinstance(value, dict) and "type" in value:
        return value["id"]
    if isinstance(value, list):
        return [_ids(v) for v in value]
    return value


def test_every_type_says_its_label_and_every_date_of_a_link() -> None:
    for type_name, cls in RECORD_TYPES.items():
        schemas = field_schemas(cls)
        chosen = cls.link_fields
        assert set(chosen) <= set(schemas)
        if cls.label_field in schemas:
            assert cls.label_field in chosen, type_name
        dates = [name for name, schema in schemas.items() if schema.kind == "date"]
        assert set(dates) <= set(chosen), type_name


def test_detail_keeps_record_to_dict_with_links_as_objects(bundled: Dataset) -> None:
    for record in bundled.all_records():
        flat = record_to_dict(record)
        detail = detail_to_dict(bundled, record)
        assert list(detail) == list(flat)
        json.dumps(detail)  # plain JSON, nothing else
        for name, schema in field_schemas(type(record)).items():
            if schema.kind in ("ref", "refs"):
                assert _ids(detail[name]) == flat[name], (record.id, name)
            elif schema.kind == "corrections":
                for shown, stored in zip(detail[name], flat[name], strict=True):
                    assert {**shown, "sources": _ids(shown["sources"])} == stored
            elif schema.kind != "date":
                assert detail[name] == flat[name]


def test_record_to_dict_still_links_by_id(bundled: Dataset) -> None:
    flat = record_to_dict(bundled.of_type("agreement")["founding-act"])
    assert all(isinstance(i, str) for i in flat["signatories"])


def test_linked_records_carry_their_label_and_dates(bundled: Dataset) -> None:
    act = detail_to_dict(bundled, bundled.of_type("agreement")["founding-act"])
    yeltsin = next(a for a in act["signatories"] if a["id"] == "yeltsin")
    assert yeltsin["type"] == "actor"
    assert yeltsin["name"] == "Boris Yeltsin"
    signed = next(e for e in act["events"] if e["id"] == "founding-act-signed-1997")
    assert signed["title"] == "NATO-Russia Founding Act signed in Paris"
    assert (signed["date"], signed["date_start"], signed["date_end"], signed["precision"]) == (
        "1997-05-27",
        "1997-05-27",
        "1997-05-27",
        "day",
    )
    quotation = act["quotations"][0]
    record = bundled.of_type("quotation")[quotation["id"]]
    assert quotation["text"] == record.text  # type: ignore[union-attr]
    assert {"date", "date_start", "date_end", "precision"} <= set(quotation)
    for source in act["sources"]:
        assert {"id", "title", "publisher", "kind", "url", "date"} <= set(source)


def test_a_link_to_one_of_several_types_says_which(bundled: Dataset) -> None:
    quotation = next(iter(bundled.of_type("quotation").values()))
    document = detail_to_dict(bundled, quotation)["document"]
    assert document["type"] in ("agreement", "source")
    assert document["id"] == quotation.document  # type: ignore[union-attr]


def test_a_term_link_gives_the_office_and_both_ends(bundled: Dataset) -> None:
    putin = detail_to_dict(bundled, bundled.of_type("actor")["putin"])
    term = putin["terms"][0]
    assert {"office", "start", "start_start", "end", "end_precision", "actor"} <= set(term)
    assert term["actor"] == "putin"  # links inside a link stay ids


def test_a_missing_optional_link_stays_null(bundled: Dataset) -> None:
    event = next(e for e in bundled.events() if e.meeting_of is None)
    assert detail_to_dict(bundled, event)["meeting_of"] is None


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_the_detail_command_prints_the_detail_object(fmt: str, bundled: Dataset) -> None:
    # Needs output.show_record to build its objects with detail_to_dict.
    result = StrictRunner().invoke(
        app, ["agreement", "founding-act", "--format", fmt], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    record = bundled.of_type("agreement")["founding-act"]
    assert printed == json.loads(json.dumps(detail_to_dict(bundled, record)))
