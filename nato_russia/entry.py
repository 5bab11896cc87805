"""The `nrr` console script. Kept free of heavy imports so that TAB completion of ids can be
answered before Typer, Rich or YAML are loaded, and a piped `nrr TYPE ID` without Typer
(fastpath.py); everything else goes to the Typer app."""

from __future__ import annotations

import os  # loaded already by Python's start-up
import signal
import sys

INTERRUPTED = 130  # errors.ExitCode.INTERRUPTED, without importing it before it is needed


def _interrupted_early(signum: int, frame: object) -> None:
    # Ctrl-C while Python is still importing nrr: as quiet as one later on. A
    # KeyboardInterrupt raised here could land in any import's frame, outside every `try`,
    # and end in a traceback; nothing has been printed yet, so there is nothing to flush.
    os.write(2, b"Interrupted.\n")
    os._exit(INTERRUPTED)


# From the first moment this module runs, unless Ctrl-C is ignored (a background job).
_EARLY = signal.getsignal(signal.SIGINT) is signal.default_int_handler
if _EARLY:
    signal.signal(signal.SIGINT, _interrupted_early)


def main() -> None:
    from nato_russia.completion import answer_early

    if answer_early():
        return
    from nato_russia.fastpath import answer

    # A piped `nrr TYPE ID` is answered without Typer (Ctrl-C meanwhile: the early handler).
    code = answer(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from nato_russia.cli.app import main as run_cli

    if _EARLY:
        # From here cli.main turns Ctrl-C into "Interrupted." and exit 130 itself, after
        # removing its temporary files.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    run_cli()
