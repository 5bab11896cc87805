"""Ctrl-C and SIGTERM held back while a temporary file comes into being (temporary_file).

Both arrive as exceptions (KeyboardInterrupt; cli/app.py and fastpath.py raise one for
SIGTERM). One that lands after a temporary file is made but before the `try` that removes it
leaves the file behind. Made with the signals held, and released as the first step inside that
`try`, the file is always removed: a signal that came meanwhile is delivered there.
"""

from __future__ import annotations

import signal
from pathlib import Path

_HELD = {signal.SIGINT, signal.SIGTERM}
Mask = set[int | signal.Signals] | None  # what hold() returns and release() restores


def hold() -> Mask:
    """Hold Ctrl-C and SIGTERM; returns what release() restores (None where no signal can be
    held, as on Windows)."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)


def release(previous: Mask) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def temporary_file(directory: Path, prefix: str) -> tuple[int, str, Mask]:
    """tempfile.mkstemp with the signals held: its descriptor and name, and what to give
    release() as the first step inside the `try` that removes the file."""
    import tempfile  # only when writing: a warm run reads

    held = hold()
    try:
        handle, name = tempfile.mkstemp(prefix=prefix, dir=directory)
    except BaseException:
        release(held)
        raise
    return handle, name, held
