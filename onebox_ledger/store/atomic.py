"""One file written whole or not at all: temp file in the same directory, fsync, rename,
fsync of the directory; a crash at any instant leaves the old or the new file.

A write that fails (a full disk, an I/O error) removes its temp file, leaves
every file as it was and names the file it was writing:
``OSError(ENOSPC, "No space left on device", "ledger/journal/2026-11.beancount")``.

Crash points, for the crash tests only: with ``ONEBOX_CRASH_AT`` set to one of
:data:`CRASH_POINTS`, the process SIGKILLs itself the moment the write reaches
that point (``write:staged``: a single-file write's temp file, ``.commit``'s own
too, is fsynced but not renamed; ``write:renamed``: renamed, directory not yet fsynced;
``commit:staged``: every file of a multi-file write staged, no ``.commit``;
``commit:written``: ``.commit`` in place, nothing renamed; ``rename:N``: the Nth
rename done; ``commit:done``: all renamed, ``.commit`` removed). Unset (always,
outside tests), it costs one dictionary lookup per write.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import tempfile
from pathlib import Path

CRASH_ENV = "ONEBOX_CRASH_AT"


CRASH_POINTS = (
    "write:staged", "write:renamed", "commit:staged", "commit:written", "rename:1", "rename:2",
    "commit:done",
)  # fmt: skip


def read_exact(path: Path) -> str | None:
    """A file's text exactly as stored (no newline translation: a CR stays a CR), or None."""
    if not path.exists():
        return None
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def appended(old: str | None, text: str, header: str) -> str:
    """A file's new text after appending `text`: entries are separated by one blank line."""
    base = header if old is None else old
    separator = "\n" if base and not base.endswith("\n\n") else ""
    return base + separator + text


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write via a temp file in the same directory, fsync it, rename, fsync the directory.

    On failure the temp file is gone, `path` holds its old bytes, and the OSError
    names `path` (not the temp file).
    """
    tmp = _stage(path, text)
    crash_point("write:staged")
    try:
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OSError(err.errno, err.strerror, str(path)) from None
        raise
    crash_point("write:renamed")
    _fsync_dir(path.parent)


def _stage(path: Path, text: str | bytes) -> Path:
    """`text` (UTF-8, or bytes as they are) in a fsynced temp file ``.<name>.*.tmp`` beside `path`, with `path`'s mode.

    The bytes go through os.write and os.fsync themselves, so a full disk (ENOSPC
    from either) is seen here; the temp file is then removed and the OSError
    names `path`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(path)) from None
    tmp = Path(name)
    try:
        try:
            remaining = memoryview(text if isinstance(text, bytes) else text.encode("utf-8"))
            while remaining:
                remaining = remaining[os.write(fd, remaining) :]
            os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
    except BaseException as err:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise OSError(err.errno, err.strerror, str(path)) from None
        raise
    return tmp


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    except OSError as err:  # pragma: no cover - some filesystems refuse directory fsync
        if err.errno != errno.EINVAL:
            raise OSError(err.errno, err.strerror, str(folder)) from None
    finally:
        os.close(dir_fd)


def crash_point(name: str) -> None:
    """SIGKILL this process here when ``$ONEBOX_CRASH_AT`` is `name` (crash tests only)."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
