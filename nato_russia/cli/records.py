"""`nrr <type> ID` shows one record; `nrr <types>` lists them all (`nrr sources --kind`).

The commands are made from the record types (model.RECORD_TYPES), two for each; a topic's
detail command is its thread instead (topics.py).
"""

import functools
from collections.abc import Callable
from typing import Annotated, Any

import typer

from nato_russia.cli.common import (
    Commands,
    Data,
    LimitOption,
    Output,
    WideFlag,
    completer,
    examples,
    limited,
    terminal,
)
from nato_russia.model import RECORD_TYPES
from nato_russia.render.formats import Format


def list_records(
    type_name: str,
    fmt: Format | None,
    data: Data,
    limit: int | None = None,
    kind: str | None = None,
    tier: str | None = None,
    wide: bool = False,
) -> None:
    from nato_russia import query
    from nato_russia.render import output, views

    # The kind and tier first: a mistyped one is a usage error, found before any data is read.
    of_kind, of_tier = _kind_filter(kind, "kind"), _kind_filter(tier, "tier")
    dataset = data()
    records = limited(of_tier(of_kind(query.sorted_records(dataset, type_name))), limit)
    view = functools.partial(views.list_table, dataset, type_name, records)
    output.show_records(fmt, type_name, records, view, terminal=terminal(wide=wide))


def _kind_filter(kind: str | None, field_name: str) -> Callable[[list[Any]], list[Any]]:
    """The sources of one kind or tier (nrr sources --kind/--tier), or everything; checked at
    once."""
    if kind is None:
        return lambda records: records
    from nato_russia import cite

    wanted = cite.resolve_kind(kind, field_name)
    return lambda records: cite.of_kind(records, wanted, field_name)


def _completing(words: str) -> Callable[[str], list[str]]:
    """Typer's completion of --kind (words: "SOURCE_KINDS") or --tier ("SOURCE_TIERS")."""

    def complete(incomplete: str) -> list[str]:
        from nato_russia import cite

        return [word for word in getattr(cite, words) if word.startswith(incomplete)]

    return complete


SourceKindOption = Annotated[
    str | None,
    typer.Option(
        "--kind",
        metavar="KIND",
        help="Only sources of this kind: official-text, official-page (NATO's pages), "
        "government-page, reprint, news or backgrounder.",
        autocompletion=_completing("SOURCE_KINDS"),
    ),
]
SourceTierOption = Annotated[
    str | None,
    typer.Option(
        "--tier",
        metavar="TIER",
        help="Only sources whose publisher is of this tier: official, international-organisation, "
        "news-agency, newspaper, archive, research-institute, state-media or other.",
        autocompletion=_completing("SOURCE_TIERS"),
    ),
]


def _add_record_commands(commands: Commands, type_name: str) -> None:
    cls = RECORD_TYPES[type_name]

    def show(
        record_id: Annotated[
            str,
            typer.Argument(
                metavar="ID",
                help=f"The {cls.noun}'s id or title; case and spaces do not matter.",
                autocompletion=completer(type_name),
            ),
        ],
        *,
        fmt: Output,
        data: Data,
    ) -> None:
        from nato_russia import query
        from nato_russia.render import output, views

        dataset = data()
        record = query.lookup(dataset, type_name, record_id)
        view = functools.partial(views.detail_view, dataset, record)
        output.show_record(fmt, dataset, record, view, terminal=terminal())

    def list_all(
        limit: LimitOption = None, wide: WideFlag = False, *, fmt: Output, data: Data
    ) -> None:
        list_records(type_name, fmt, data, limit, wide=wide)

    def list_sources(
        kind: SourceKindOption = None,
        tier: SourceTierOption = None,
        limit: LimitOption = None,
        wide: WideFlag = False,
        *,
        fmt: Output,
        data: Data,
    ) -> None:
        list_records(type_name, fmt, data, limit, kind=kind, tier=tier, wide=wide)

    # Only sources have a kind and a tier a reader weighs them by, so only `nrr sources` takes
    # --kind and --tier.
    listing = list_sources if type_name == "source" else list_all
    show.__doc__ = f"Show one {cls.noun} with every field, its links and its sources."
    listing.__doc__ = f"List all {cls.nouns}."
    list_examples = [f"nrr {cls.list_command()}", f"nrr {cls.list_command()} --format csv"]
    if type_name == "source":
        list_examples += ["nrr sources --kind news", "nrr sources --tier state-media"]
    example = cls.example_id  # a real id: a test runs every example
    commands.command(
        name=cls.command(),
        short_help=f"One {cls.noun}, in full.",
        epilog=examples(
            f"nrr {cls.command()} {example}", f"nrr {cls.command()} {example} --format json"
        ),
    )(show)
    commands.command(
        name=cls.list_command(),
        short_help=f"All {cls.plural.replace('_', ' ')}.",
        epilog=examples(*list_examples),
    )(listing)


def commands_named(name: str) -> Commands:
    """The commands of the record type that has a command of this name (none for another
    name): all that a command line naming it needs. Building a type's two commands reads their
    signatures; for all 12 types that was a millisecond of every lookup."""
    registry = Commands()
    for type_name, cls in RECORD_TYPES.items():
        if name in (cls.command(), cls.list_command()) and type_name != "topic":
            _add_record_commands(registry, type_name)
    return registry


@functools.cache
def _every_command() -> Commands:
    registry = Commands()
    for type_name in RECORD_TYPES:
        if type_name != "topic":  # nrr topic tells a topic's thread (topics.py)
            _add_record_commands(registry, type_name)
    return registry


def __getattr__(name: str) -> Commands:
    # `commands`, as every module of commands has: here built when first asked for (the whole
    # app), as a command line naming one record command builds only its type's (commands_named).
    if name == "commands":
        return _every_command()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
