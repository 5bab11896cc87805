"""Writing an export file so that nothing is ever half-written or clobbered by accident.

The content goes to a temporary file beside the target, which then takes the target's name in
one step: a reader sees the old file or the new one, never a mix, and an interrupted export
leaves the old file as it was. Without --force the last step is a hard link, which fails if
the name exists, so even a file created meanwhile is not overwritten.

A symbolic link is followed (the file it points to is replaced, the link stays), and a device
or named pipe (/dev/tty, a FIFO) is written straight into: renaming over one would replace it
with an ordinary file. /dev/stdout, /dev/stderr and /dev/fd/N name a descriptor nrr already
holds, whatever it leads to (a pipe, or a file that `>>` opened to append to): the export goes
through that descriptor, never by replacing what it leads to.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from nato_russia.errors import NrrError


class ExportTargetError(NrrError):
    """The export cannot be written where asked."""


def _problem(target: Path, exc: OSError) -> ExportTargetError:
    return ExportTargetError(f"cannot write {target}: {exc.strerror or exc}")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# The names of a descriptor the process holds: resolving one (to /proc/PID/fd/pipe:[N], or to
# the file behind it) would lose the descriptor, its offset and its append mode.
_DESCRIPTOR = re.compile(r"/dev/(?:std(?P<std>out|err)|fd/(?P<fd>\d+))|/proc/self/fd/(?P<own>\d+)")


def _descriptor(target: Path) -> int | None:
    named = _DESCRIPTOR.fullmatch(os.path.normpath(target))
    if named is None:
        return None
    if named["std"]:
        return 1 if named["std"] == "out" else 2
    return int(named["fd"] or named["own"])


def write_atomically(target: Path, write: Callable[[Path], None], *, force: bool) -> None:
    """Call write(path) on a temporary file, then put the result at target."""
    descriptor = _descriptor(target)
    if descriptor is not None:
        _write_in_place(target, write, descriptor)
        return
    try:
        # The target itself first (following links): a stream's link may resolve to a name
        # that does not exist, such as /proc/PID/fd/pipe:[N].
        mode = os.stat(target).st_mode if os.path.lexists(target) else None
        resolved = Path(os.path.realpath(target))
        parent_is_dir = resolved.parent.is_dir()
    except OSError as exc:
        raise _problem(target, exc) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise ExportTargetError(f"{target} is a directory; give a file name")
    if mode is not None and not stat.S_ISREG(mode):
        _write_in_place(target, write)
        return
    if mode is not None and not force:
        raise ExportTargetError(f"{target} exists; add --force to replace it")
    if not parent_is_dir:
        raise ExportTargetError(f"cannot write {target}: no directory {resolved.parent}")
    _write_beside(resolved, target, write, force)


def _write_in_place(
    target: Path, write: Callable[[Path], None], descriptor: int | None = None
) -> None:
    # Built in a private file first (SQLite and zip need a real file), then copied through:
    # into the device or pipe the target names, or into the descriptor (a duplicate of it,
    # so that closing the copy leaves the process's own open).
    try:
        with tempfile.TemporaryDirectory(prefix="nrr-export-") as scratch:
            built = Path(scratch) / "export"
            write(built)
            if descriptor is not None:
                for stream in (sys.stdout, sys.stderr):
                    with contextlib.suppress(OSError, ValueError):
                        stream.flush()  # what nrr printed before comes first
                sink = os.fdopen(os.dup(descriptor), "wb")
            else:
                sink = open(target, "wb")  # noqa: SIM115 (closed by the with below)
            with open(built, "rb") as source, sink:
                shutil.copyfileobj(source, sink)
    except BrokenPipeError:
        raise  # the reader of a pipe has gone: not a failure (the command line says so)
    except OSError as exc:
        raise _problem(target, exc) from None


def _write_beside(resolved: Path, target: Path, write: Callable[[Path], None], force: bool) -> None:
    try:
        handle, name = tempfile.mkstemp(prefix=f".{resolved.name}.", dir=resolved.parent)
    except OSError as exc:
        raise _problem(target, exc) from None
    os.close(handle)
    temporary = Path(name)
    try:
        # mkstemp makes a private file; an export is an ordinary one.
        os.chmod(temporary, 0o666 & ~_umask())
        write(temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        _move_into_place(temporary, resolved, target, force)
        _sync_directory(resolved.parent)
    except OSError as exc:
        raise _problem(target, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _move_into_place(temporary: Path, resolved: Path, target: Path, force: bool) -> None:
    if force:
        os.replace(temporary, resolved)
        return
    try:
        os.link(temporary, resolved)
    except FileExistsError:
        raise ExportTargetError(f"{target} exists; add --force to replace it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
            raise
        # A file system without hard links: fall back to a check and a rename.
        if resolved.exists():
            raise ExportTargetError(f"{target} exists; add --force to replace it") from None
        os.replace(temporary, resolved)


def _sync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk too.
    with contextlib.suppress(OSError):
        handle = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
