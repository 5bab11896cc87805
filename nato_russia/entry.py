"""The `nrr` console script. Kept free of heavy imports so that TAB completion of ids can be
answered before Typer, Rich or YAML are loaded, and a piped `nrr TYPE ID` without Typer
(fastpath.py); everything else goes to the Typer app."""

from __future__ import annotations

import sys

INTERRUPTED = 130  # errors.ExitCode.INTERRUPTED, without importing it before it is needed


def main() -> None:
    try:
        from nato_russia.completion import answer_early

        if answer_early():
            return
        from nato_russia.fastpath import answer

        code = answer(sys.argv[1:])
        if code is not None:
            sys.exit(code)
        from nato_russia.cli.app import main as run_cli
    except KeyboardInterrupt:
        # Ctrl-C while Python is still importing nrr, or during a lookup of the fast path: as
        # quiet as one later on.
        sys.stderr.write("Interrupted.\n")
        sys.exit(INTERRUPTED)
    run_cli()
