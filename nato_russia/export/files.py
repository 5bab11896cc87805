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

from nato_russia import signals
from nato_russia.errors import NrrError


class ExportTargetError(NrrError):
    """The export cannot be written where asked."""


def _problem(target: Path, exc: OSError) -> ExportTargetError:
    return ExportTargetError(f"cannot write {target}: {exc.strerror or exc}")


def _exists(target: Path) -> ExportTargetError:
    return ExportTargetError(f"{target} exists; add --force to replace it")


# The names of a descriptor the process holds: resolving one (to /proc/PID/fd/pipe:[N], or to
# the file behind it) would lose the descriptor, its offset and its append mode.
_DESCRIPTOR = re.compile(r"/dev/(?:std(?P<std>out|err)|fd/(?P<fd>\d+))|/proc/self/fd/(?P<own>\d+)")


def write_atomically(target: Path, write: Callable[[Path], None], *, force: bool) -> None:
    """Call write(path) on a temporary file, then put the result at target."""
    named = _DESCRIPTOR.fullmatch(os.path.normpath(target))
    if named is not None:
        std = {"out": 1, "err": 2}.get(named["std"] or "")
        _write_in_place(target, write, std or int(named["fd"] or named["own"]))
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
        raise _exists(target)
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
        handle, name, held = signals.temporary_file(resolved.parent, f".{resolved.name}.")
    except OSError as exc:
        raise _problem(target, exc) from None
    os.close(handle)
    temporary = Path(name)
    try:
        signals.release(held)  # a signal that came meanwhile arrives here, inside the try
        # mkstemp makes a private file; an export is an ordinary one.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        write(temporary)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        _move_into_place(temporary, resolved, target, force)
        # The rename is durable only once the directory entry is on disk too.
        with contextlib.suppress(OSError):
            directory = os.open(resolved.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
    except OSError as exc:
        raise _problem(target, exc) from None
    finally:
        temporary.unlink(missing_ok=True)


def _move_into_place(temporary: Path, resolved: Path, target: Path, force: bool) -> None:
    if not force:
        try:
            os.link(temporary, resolved)
            return
        except FileExistsError:
            raise _exists(target) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
                raise
            # A file system without hard links: fall back to a check and a rename.
            if resolved.exists():
                raise _exists(target) from None
    os.replace(temporary, resolved)
