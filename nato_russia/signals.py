"""Ctrl-C and SIGTERM held back while a temporary file comes into being.

Both arrive as exceptions (KeyboardInterrupt; cli/app.py and fastpath.py raise one for
SIGTERM). One that lands after a temporary file is made but before the `try` that removes it
leaves the file behind. Made with the signals held, and released as the first step inside that
`try`, the file is always removed: a signal that came meanwhile is delivered there.
"""

from __future__ import annotations

import signal

_HELD = {signal.SIGINT, signal.SIGTERM}


def hold() -> set[int | signal.Signals] | None:
    """Hold Ctrl-C and SIGTERM; returns what release() restores (None where no signal can be
    held, as on Windows)."""
    if not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)


def release(previous: set[int | signal.Signals] | None) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
