"""A record type says everything the rest of the code asks about it, on its class: each type
declares each such ClassVar itself, and what it declares fits the type's own fields."""

from __future__ import annotations

import pytest

from nato_russia import model
from nato_russia.model import RECORD_TYPES, RecordType, field_schemas

# The per-type declarations that have no default on RecordType: a type that leaves one out
# would otherwise fall through a table silently (the source view without its citing records,
# an export without the type, a chronology without it). Those with a default (same_day_rank,
# internal_fields) are checked against the type's fields below.
DECLARED = (
    "type_name",
    "plural",
    "noun",
    "nouns",
    "list_title",
    "list_columns",
    "example_id",
    "link_fields",
    "cite_rank",
    "brought_along",
    "search_weights",
    "chronology",
)


def test_the_declarations_are_all_the_classvars_without_a_default() -> None:
    undefaulted = {
        name
        for name, annotation in RecordType.__annotations__.items()
        if "ClassVar" in str(annotation) and not hasattr(RecordType, name)
    }
    assert undefaulted == set(DECLARED)


@pytest.mark.parametrize("type_name", list(RECORD_TYPES))
def test_every_type_declares_every_declaration_itself(type_name: str) -> None:
    cls = RECORD_TYPES[type_name]
    missing = [name for name in DECLARED if name not in vars(cls)]
    assert not missing, f"{cls.__name__} does not declare {missing}"


@pytest.mark.parametrize("type_name", list(RECORD_TYPES))
def test_what_a_type_declares_fits_its_fields(type_name: str) -> None:
    cls = RECORD_TYPES[type_name]
    schemas = field_schemas(cls)
    assert set(cls.link_fields) <= set(schemas)
    assert set(cls.search_weights) <= set(schemas)
    assert set(cls.internal_fields) <= set(schemas)
    for name in cls.brought_along:
        assert schemas[name].derived and schemas[name].kind == "refs", name
    # A type a topic links to is in topics' threads, and so needs its place within a day.
    assert (cls.same_day_rank is not None) == ("topics" in schemas)


def test_ranks_and_places_are_each_given_once() -> None:
    types = RECORD_TYPES.values()
    cite_ranks = [cls.cite_rank for cls in types]
    assert sorted(cite_ranks) == list(range(len(RECORD_TYPES)))
    days = [cls.same_day_rank for cls in types if cls.same_day_rank is not None]
    assert len(days) == len(set(days))
    places = [cls.chronology[0] for cls in types if cls.chronology is not None]
    assert len(places) == len(set(places))


def test_a_field_weighs_the_same_in_every_type() -> None:
    # Search (and its FTS5 twin) weigh a match by the field's name alone.
    seen: dict[str, float] = {}
    for cls in RECORD_TYPES.values():
        for name, weight in cls.search_weights.items():
            assert seen.setdefault(name, weight) == weight, (cls.type_name, name)


def test_links_declared_on_the_derived_fields_are_the_backlinks() -> None:
    for target_type, derived, source_type, source_field in model.BACKLINKS:
        assert source_field in field_schemas(RECORD_TYPES[source_type]), (target_type, derived)
    derived_refs = {
        (type_name, name)
        for type_name, cls in RECORD_TYPES.items()
        for name, schema in field_schemas(cls).items()
        if schema.derived and schema.kind == "refs" and name != "cited_by"
    }
    assert derived_refs == {(target, name) for target, name, _, _ in model.BACKLINKS}


def test_every_type_that_cites_sources_can_be_named_by_cited_by() -> None:
    citing = [t for t, cls in RECORD_TYPES.items() if "sources" in field_schemas(cls)]
    assert list(model.CITING_TYPES) == citing
    assert field_schemas(model.Source)["cited_by"].targets == model.CITING_TYPES
