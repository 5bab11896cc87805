"""`nrr chart`: the relationship as one picture, in the terminal, a pipe or an SVG file."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from nato_russia.cli.common import (
    Commands,
    Data,
    complete_topic,
    examples,
    filters,
    note_coverage,
    say,
    terminal,
)

commands = Commands()


@commands.command(
    short_help="The relationship as one picture: channels, periods and events by year.",
    epilog="A cell of the picture shows the state that holds for most of its days; the SVG "
    "is exact to the day. A change known only to its month or year is drawn from that "
    "month's or year's first day.\n\n"
    + examples(
        "nrr chart",
        "nrr chart --from 2008 --to 2016",
        "nrr chart --topic arms-control",
        "nrr chart --svg chart.svg",
        "nrr chart --width 100 > chart.txt",
    ),
)
def chart(
    # Not common.FromOption/ToOption: their help speaks of filtering events, and here the
    # dates bound the whole picture.
    date_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="DATE",
            help="Begin the picture at DATE (1994, 1994-06, 1994-06-22, June 1994). "
            "Default: where the data begins.",
        ),
    ] = None,
    date_to: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="End it at DATE. Default: where the data ends."),
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option(
            metavar="TOPIC",
            help="Count only the events of this topic, and draw only the channels whose "
            "changes link to it.",
            autocompletion=complete_topic,
        ),
    ] = None,
    svg: Annotated[
        str | None,
        typer.Option(
            "--svg",
            metavar="FILE",
            help="Write the picture as a standalone SVG file (atomically; - for standard "
            "output) instead of drawing it.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    width: Annotated[
        int | None,
        typer.Option(
            "--width",
            metavar="COLUMNS",
            min=40,
            max=300,
            help="Draw this many columns wide (40 to 300). Default: the terminal's width.",
        ),
    ] = None,
    *,
    data: Data,
) -> None:
    """The relationship as one picture: a lane per channel of nrr status showing when it
    was active, limited, suspended or closed; the periods as coloured bands; the events
    counted per year. Colour at a terminal, plain characters in a pipe, SVG with --svg."""
    from nato_russia import chart as charts
    from nato_russia import query

    if svg is not None and svg.endswith(("/", os.sep)):
        raise typer.BadParameter(f"{svg} names a directory; give a file name", param_hint="--svg")
    chosen = filters(date_from, date_to, topic=topic)
    dataset = data()
    picture = charts.build(
        dataset,
        earliest=chosen.earliest,
        latest=chosen.latest,
        events=query.timeline(dataset, chosen),
        topic=query.resolve_topic(dataset, topic),
    )
    # After build, which refuses a span wholly outside the data in one line.
    note_coverage(dataset, chosen.earliest, chosen.latest)
    if svg is None:
        from nato_russia.render import chart_text
        from nato_russia.render.output import draw_rich

        shown_at = terminal()
        if shown_at.is_tty or shown_at.color:
            draw_rich(lambda console: chart_text.draw(picture, console, width), shown_at)
        else:
            chart_text.write_plain(picture, width or shown_at.width, sys.stdout)
        return
    from nato_russia.export.files import write_atomically
    from nato_russia.render import chart_svg
    from nato_russia.render.output import use_utf8_stdout

    document = chart_svg.render(picture)
    if svg == "-":
        use_utf8_stdout()  # the file says it is UTF-8, whatever the locale
        sys.stdout.write(document)
        return

    def write(path: Path) -> None:
        path.write_bytes(document.encode("utf-8"))

    write_atomically(Path(svg), write, force=force)
    say(f"wrote {Path(svg)}")
