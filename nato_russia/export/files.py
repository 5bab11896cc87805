"""Writing an export file so that nothing is ever half-written or clobbered by accident.

The content goes to a temporary file beside the target, which then takes the target's name in
one step: a reader sees the old file or the new one, never a mix, and an interrupted export
leaves the old file as it was. Without --force the last step is a hard link, which fails if
the name exists, so even a file created meanwhile is not overwritten.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from nato_russia.errors import NrrError


class ExportTargetError(NrrError):
    """The export cannot be written where asked."""


def _check_target(target: Path, force: bool) -> None:
    if target.is_dir():
        raise ExportTargetError(f"{target} is a directory; give a file name")
    if target.exists() and not force:
        raise ExportTargetError(f"{target} exists; add --force to replace it")
    if not target.parent.is_dir():
        raise ExportTargetError(f"cannot write {target}: {target.parent} is not a directory")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomically(target: Path, write: Callable[[Path], None], *, force: bool) -> None:
    """Call write(temporary path), then put the result at target."""
    _check_target(target, force)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise ExportTargetError(f"cannot write {target}: {exc.strerror}") from None
    os.close(handle)
    temporary = Path(name)
    try:
        # mkstemp makes a private file; an export is an ordinary one.
        os.chmod(temporary, 0o666 & ~_umask())
        write(temporary)
        _move_into_place(temporary, target, force)
    except OSError as exc:
        raise ExportTargetError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _move_into_place(temporary: Path, target: Path, force: bool) -> None:
    with open(temporary, "rb") as written:
        os.fsync(written.fileno())
    if force:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise ExportTargetError(f"{target} exists; add --force to replace it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
            raise
        # A file system without hard links: fall back to a check and a rename.
        if target.exists():
            raise ExportTargetError(f"{target} exists; add --force to replace it") from None
        os.replace(temporary, target)
