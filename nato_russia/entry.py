"""The `nrr` console script. Kept free of heavy imports so that TAB completion of ids can be
answered before Typer, Rich or YAML are loaded; everything else goes to the Typer app."""

from __future__ import annotations


def main() -> None:
    from nato_russia.completion import answer_early

    if answer_early():
        return
    from nato_russia.cli import main as run_cli

    run_cli()
