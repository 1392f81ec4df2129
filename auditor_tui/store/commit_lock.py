"""Readers and multi-file commits of one store folder, kept apart: `<folder>/commit.lock`,
a kernel flock taken shared by a read-only reader for as long as it reads, and exclusive by a
writer only while it applies a commit of several audit files (an import, a batch marked: the
journal, the renames, the journal removed). A reader thus sees every such commit whole or not
at all, and never waits for the app, whose saves each replace one file atomically (readers see
each audit as it was saved). The session lock (lock.py's StoreLock, `store.lock`) still allows
one writing process at a time. docs/reliability.md, « Readers and writers ».
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from auditor_tui.store.atomic import FILE_MODE
from auditor_tui.store.errors import StoreError, describe_oserror

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; one process at a time anyway
    fcntl = None  # type: ignore[assignment]

NAME: Final = "commit.lock"
READ_WAIT: Final = 60.0  # seconds a reader waits for a commit being applied
WRITE_WAIT: Final = 120.0  # seconds a commit waits for the readers reading
_STEP: Final = 0.02
_FLAGS: Final = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


def pause() -> None:
    """Between two tries of a lock another process holds (a test may watch it)."""
    time.sleep(_STEP)


def _take(fd: int, mode: int, seconds: float) -> bool:
    """Take the flock `mode` on `fd` within `seconds`, trying without blocking: a process
    stopped while holding it must not hang the other forever. False if it could not."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            pause()
        except OSError as exc:
            if exc.errno in (errno.ENOLCK, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL):
                return True  # a file system without locks: the session lock refuses it already
            raise


class CommitLock:
    """The commit lock of one store folder (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / NAME
        self._reader: int | None = None

    def share(self) -> None:
        """As a reader: wait (READ_WAIT at most) until no commit is being applied, and keep it
        so until `release`. Nothing is written: a folder whose lock file is missing (never
        opened for writing by this version) or cannot be opened is read without it."""
        if fcntl is None or self._reader is not None:
            return
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | _FLAGS)
        except OSError:
            return
        try:
            taken = _take(fd, fcntl.LOCK_SH, READ_WAIT)
        except OSError:
            taken = True  # cannot lock here: read as before
        if not taken:
            os.close(fd)
            raise StoreError(
                f"un import est en cours d'écriture dans {self.path.parent} depuis plus de "
                f"{READ_WAIT:.0f} s : réessayez quand il sera fini",
                self.path.parent,
            )
        self._reader = fd

    def release(self) -> None:
        fd, self._reader = self._reader, None
        if fd is not None:
            os.close(fd)  # closing releases the flock

    def create(self) -> None:
        """As a writer opening the folder: make sure the lock file exists (owner only), for
        the readers to come."""
        if fcntl is None:
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _FLAGS, FILE_MODE)
        except OSError as exc:
            raise StoreError(
                f"Impossible de créer {self.path} : {describe_oserror(exc)}.", self.path
            ) from exc
        os.close(fd)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """As a writer, around the application of a commit: wait (WRITE_WAIT at most) for the
        readers reading to finish. StoreError if they do not: raised before the commit
        point, so nothing has changed."""
        if fcntl is None:
            yield
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _FLAGS, FILE_MODE)
        except OSError as exc:
            raise StoreError(
                f"Impossible d'ouvrir {self.path} : {describe_oserror(exc)}.", self.path
            ) from exc
        try:
            if not _take(fd, fcntl.LOCK_EX, WRITE_WAIT):
                raise StoreError(
                    f"des lectures (export, report) occupent {self.path.parent} depuis plus de "
                    f"{WRITE_WAIT:.0f} s : rien n'a été écrit, réessayez",
                    self.path.parent,
                )
            yield
        finally:
            os.close(fd)
