"""Durable writes of the store's files (POSIX; best effort elsewhere).

* A file written with :func:`atomic_write_bytes` holds either its previous content or the new
  content, never a mix, and once the call returns the new content survives a crash, ``kill -9``
  or a power cut (data ``fsync`` + ``rename`` + directory ``fsync``).
* The live file is never truncated or written in place.
* Every file created here is ``0600`` and every folder ``0700``, whatever the umask.
* A failed write reaches the caller as :class:`StoreWriteError` (errors.py), whose French message
  names the file.

Reading is reading.py, the TinyDB storage storage.py, the folder's lock lock.py. No UI code
here: this module must stay importable without Textual.
"""

from __future__ import annotations

import errno
import functools
import glob
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from pathlib import Path
from typing import Final, cast

from auditor_tui.store.errors import StoreWriteError

FILE_MODE: Final = 0o600
DIR_MODE: Final = 0o700

_O_CLOEXEC: Final = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY: Final = getattr(os, "O_BINARY", 0)
_TMP_MARK: Final = ".tmp-"
_TMP_RE: Final = re.compile(r"\.tmp-(\d+)-[0-9a-f]+$")


# Directory fsync is refused by some file systems (and directories we may not read):
# the rename itself has happened, so these are not worth failing a save for.
_DIR_FSYNC_UNSUPPORTED: Final = frozenset(
    {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES, errno.EPERM, errno.EISDIR}
)


def _fsync(fd: int) -> None:
    if sys.platform == "darwin":  # pragma: no cover - macOS: fsync does not flush the drive cache
        import fcntl

        try:
            fcntl.fcntl(fd, fcntl.F_FULLFSYNC)
            return
        except OSError:
            pass
    os.fsync(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename/creation/removal in ``folder`` durable. Raises OSError on real I/O errors."""
    if os.name == "nt":  # pragma: no cover - directories cannot be opened on Windows
        return
    try:
        fd = os.open(folder, os.O_RDONLY | _O_CLOEXEC | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        if exc.errno in _DIR_FSYNC_UNSUPPORTED:
            return
        raise
    try:
        _fsync(fd)
    except OSError as exc:
        if exc.errno not in _DIR_FSYNC_UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def fsync_dir(folder: str | os.PathLike[str]) -> None:
    """Make renames, creations and removals in ``folder`` durable (a no-op where folders cannot
    be synced). Raises OSError on real I/O errors."""
    _fsync_dir(Path(folder))


def _fchmod(fd: int, mode: int) -> None:
    if hasattr(os, "fchmod"):
        os.fchmod(fd, mode)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - defensive, os.write raises instead
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to the descriptor ``fd`` (os.write may write less at a time)."""
    _write_all(fd, data)


def _pid_alive(pid: int) -> bool:
    """True unless we are sure no process ``pid`` exists on this machine (conservative)."""
    if pid <= 0 or os.name == "nt":  # os.kill on Windows would terminate the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: exists, belongs to someone else
        return True
    return True


def ensure_private_dir(folder: str | os.PathLike[str]) -> None:
    """Create ``folder`` and its missing parents with mode 0700 (umask-proof).

    Folders that already exist are left alone (their permissions are the user's business).
    Raises :class:`StoreWriteError` if it cannot be created.
    """
    folder = Path(folder)
    missing: list[Path] = []
    probe = folder
    while not os.path.lexists(probe):
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for created in reversed(missing):
        try:
            os.mkdir(created, DIR_MODE)
        except FileExistsError:
            continue  # created concurrently by someone else: not ours to chmod
        except OSError as exc:
            raise StoreWriteError(created, exc, action="de créer le dossier", tail="") from exc
        try:
            os.chmod(created, DIR_MODE)
            _fsync_dir(created.parent)
        except OSError as exc:
            raise StoreWriteError(created, exc, action="de créer le dossier", tail="") from exc
    if not folder.is_dir():
        not_dir = NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
        raise StoreWriteError(folder, not_dir, action="d'utiliser le dossier", tail="")


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(6)}")


def create_synced(
    path: Path, data: bytes | Iterable[bytes], mode: int, sync: bool = True
) -> os.stat_result:
    """Create ``path`` (``O_CREAT|O_EXCL``, exactly ``mode``) with ``data``, fsync'd (unless
    ``sync`` is False) and closed; its stat. On any failure the partial file is removed and the
    error raised as is."""
    fd = -1
    created = False
    try:
        fd = os.open(
            path,
            os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC | _O_NOFOLLOW | _O_BINARY,
            FILE_MODE,
        )
        created = True
        _fchmod(fd, mode)  # the umask may have cleared bits of ``mode``; set it exactly
        for chunk in [data] if isinstance(data, bytes) else data:
            _write_all(fd, chunk)
        if sync:
            _fsync(fd)
        stat = os.fstat(fd)
        fd, closing = -1, fd
        os.close(closing)  # on NFS, close() may report deferred write errors
        return stat
    except BaseException:
        if fd >= 0:
            with suppress(OSError):
                os.close(fd)
        if created:
            with suppress(OSError):
                os.unlink(path)
        raise


def write_new_file(
    path: Path, data: bytes, *, mode: int = FILE_MODE, sync: bool = True
) -> os.stat_result:
    """Create ``path``, which must not exist, with ``data``, fsync'd: no temporary file, rename
    or folder fsync, for a file staged in a private folder that a commit point publishes later
    (the caller fsyncs the folder once, before that point). ``sync`` False: not fsync'd, for a
    caller that syncs the whole file system afterwards (:func:`sync_filesystem`). Returns the
    file's stat; on ``OSError`` the partial file is removed and :class:`StoreWriteError` raised."""
    try:
        return create_synced(path, data, mode, sync)
    except OSError as exc:
        raise StoreWriteError(path, exc) from exc


def can_sync_filesystem() -> bool:
    """Whether :func:`sync_filesystem` is available here (Linux's syncfs)."""
    return _syncfs() is not None


def sync_filesystem(folder: Path) -> None:
    """Flush to disk everything written to the file system that holds ``folder``: Linux's
    syncfs(2), one journal commit for thousands of new files where an fsync each would cost one
    commit per file (an import of 10,000 audits, docs/performance.md). Raises OSError on an I/O
    error (syncfs reports writeback errors since Linux 5.8), or ENOSYS where there is no syncfs
    (see :func:`can_sync_filesystem`)."""
    syncfs = _syncfs()
    if syncfs is None:
        raise OSError(errno.ENOSYS, "syncfs indisponible sur ce système")
    fd = os.open(folder, os.O_RDONLY | _O_CLOEXEC)
    try:
        if syncfs(fd) != 0:
            import ctypes

            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code), str(folder))
    finally:
        os.close(fd)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # only for large imports: off every start-up path

    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return cast("Callable[[int], int]", function)


def atomic_write_chunks(
    path: Path, chunks: Iterable[bytes], *, mode: int = FILE_MODE
) -> os.stat_result:
    """`atomic_write_bytes` of content made as it is written (a large cache: bounded memory)."""
    return atomic_write_bytes(path, chunks, mode=mode)


def atomic_write_bytes(
    path: Path, data: bytes | Iterable[bytes], *, mode: int = FILE_MODE
) -> os.stat_result:
    """Durably replace ``path`` with ``data``; the stat of the file now at ``path``.

    Writes a temporary file beside ``path`` (``O_CREAT|O_EXCL``, exactly ``mode``), fsyncs it,
    renames it over ``path`` and fsyncs the folder. On ``OSError`` the temporary file is removed
    and :class:`StoreWriteError` is raised; the previous content of ``path`` is then untouched
    (``previous_intact``), except for the rare failure of the final folder fsync, after the
    rename, where ``previous_intact`` is False.
    """
    path = Path(path)
    folder = path.parent
    tmp = _temp_name(path)
    try:
        stat = create_synced(tmp, data, mode)
        try:
            os.replace(tmp, path)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise StoreWriteError(path, exc) from exc
    try:
        _fsync_dir(folder)
    except OSError as exc:
        raise StoreWriteError(path, exc, previous_intact=False) from exc
    return stat


def remove_stale_temp_files(path: str | os.PathLike[str]) -> list[Path]:
    """Delete temporary files of ``path`` left by writers killed mid-write.

    Only temp files whose writer pid no longer exists are removed (never this process's, which
    may belong to a write in progress in another thread). Returns the removed paths.
    """
    path = Path(path)
    removed: list[Path] = []
    pattern = str(path.parent / f".{glob.escape(path.name)}{_TMP_MARK}*")
    for name in glob.glob(pattern):
        match = _TMP_RE.search(name)
        if not match:
            continue
        pid = int(match.group(1))
        if pid == os.getpid() or _pid_alive(pid):
            continue
        with suppress(OSError):
            os.unlink(name)
            removed.append(Path(name))
    return removed


def sweep_temp_files(folder: Path, names: Iterable[str] | None = None) -> None:
    """Remove the temporary files of writers killed mid-write (never a live process's);
    `names`: the folder's file names, if already listed."""
    if names is None:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries]
    for name in names:
        if name[:1] == "." and ".tmp-" in name[1:]:  # ".*.tmp-*", without a glob's regex
            remove_stale_temp_files(folder / name[1:].rsplit(".tmp-", 1)[0])
