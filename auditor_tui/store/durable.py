"""Low-level durability primitives for the local store.

Guarantees (POSIX; best effort elsewhere):

* A file written with :func:`atomic_write_bytes` holds either its previous content or the new
  content, never a mix, and once the call returns the new content survives a crash, ``kill -9``
  or a power cut (data ``fsync`` + ``rename`` + directory ``fsync``).
* The live file is never truncated or written in place.
* Every file created here is ``0600`` and every folder ``0700``, whatever the umask.
* Errors reach the caller as :class:`StoreError` subclasses whose French message names the file
  and can be shown to the user as is.

No UI code here: this module must stay importable without Textual.
"""

from __future__ import annotations

import errno
import functools
import glob
import json
import os
import re
import secrets
import socket
import sys
from collections.abc import Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG
from types import TracebackType
from typing import Any, Final, Self, cast

from filelock import FileLock, Timeout
from tinydb.storages import Storage

__all__ = [
    "AtomicJSONStorage",
    "CorruptFileError",
    "StoreError",
    "StoreLock",
    "StoreLockedError",
    "StoreWriteError",
    "atomic_write_bytes",
    "ensure_private_dir",
    "fsync_dir",
    "keep_damaged_copy",
    "read_json_file",
    "remove_stale_temp_files",
]

FILE_MODE: Final = 0o600
DIR_MODE: Final = 0o700

_O_CLOEXEC: Final = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW: Final = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY: Final = getattr(os, "O_BINARY", 0)
_TMP_MARK: Final = ".tmp-"
_TMP_RE: Final = re.compile(r"\.tmp-(\d+)-[0-9a-f]+$")

# French meaning of the errno values a user can actually hit while saving.
_ERRNO_FR: Final[Mapping[int, str]] = {
    errno.ENOSPC: "le disque est plein",
    errno.EDQUOT: "le quota d'espace disque est dépassé",
    errno.EACCES: "permission refusée (droits d'accès insuffisants)",
    errno.EPERM: "opération non permise",
    errno.EROFS: "le disque ou le dossier est en lecture seule",
    errno.EIO: "erreur d'entrée-sortie du disque (support défectueux ou débranché ?)",
    errno.ENOENT: "le dossier n'existe pas",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "le chemin désigne un dossier et non un fichier",
    errno.ENAMETOOLONG: "le nom de fichier est trop long",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.ENFILE: "trop de fichiers ouverts sur le système",
    errno.EFBIG: "le fichier est trop volumineux",
    errno.EBUSY: "le fichier ou le périphérique est occupé",
    errno.ELOOP: "trop de liens symboliques dans le chemin",
    errno.EEXIST: "un fichier du même nom existe déjà",
    errno.ENOSYS: "opération non prise en charge par ce système de fichiers",
}

# Directory fsync is refused by some file systems (and directories we may not read):
# the rename itself has happened, so these are not worth failing a save for.
_DIR_FSYNC_UNSUPPORTED: Final = frozenset(
    {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES, errno.EPERM, errno.EISDIR}
)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class StoreError(Exception):
    """Base error of the store; ``str(err)`` is a French message naming the file, for the user."""

    def __init__(self, message: str, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if str(self.path) not in message:
            message = f"{message} ({self.path})"
        super().__init__(message)
        self.message = message


class StoreLockedError(StoreError):
    """The data folder is held by another live process."""

    def __init__(self, folder: str | os.PathLike[str], owner: Mapping[str, Any] | None) -> None:
        self.folder = Path(folder)
        self.owner: dict[str, Any] | None = dict(owner) if owner is not None else None
        pid = _as_pid(self.owner.get("pid")) if self.owner else None
        self.pid: int | None = pid
        details: list[str] = []
        if pid is not None:
            host = self.owner.get("host") if self.owner else None
            if isinstance(host, str) and host and host != socket.gethostname():
                details.append(f"pid {pid} sur la machine {host}")
            else:
                details.append(f"pid {pid}")
        since = _format_since(self.owner.get("started_at")) if self.owner else None
        if since:
            details.append(f"depuis {since}")
        who = f" ({', '.join(details)})" if details else ""
        super().__init__(
            f"Le dossier de données {self.folder} est déjà ouvert par un autre processus{who}. "
            "Fermez l'autre session d'auditor-tui, puis réessayez.",
            self.folder,
        )


class StoreWriteError(StoreError):
    """An ``OSError`` while saving; unless ``previous_intact`` is False the old file is intact."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        error: OSError,
        *,
        action: str = "d'enregistrer le fichier",
        previous_intact: bool = True,
        tail: str | None = None,
    ) -> None:
        self.error = error
        self.errno: int | None = error.errno
        self.previous_intact = previous_intact
        if tail is None:
            tail = (
                "Le contenu précédent du fichier est intact."
                if previous_intact
                else "Le fichier a peut-être été enregistré, mais son écriture sur le disque "
                "n'a pas pu être confirmée."
            )
        tail = f" {tail}" if tail else ""
        super().__init__(
            f"Impossible {action} {Path(path)} : {describe_oserror(error)}.{tail}", path
        )

    @property
    def not_writable(self) -> bool:
        """Whether the place cannot be written at all (a read-only disk, no permission), rather
        than failing this once (a full disk, an I/O error)."""
        return self.errno in (errno.EROFS, errno.EACCES, errno.EPERM)


class CorruptFileError(StoreError):
    """The file exists but is not valid JSON (or not the expected shape).

    ``backup_path`` is the copy of the damaged bytes kept aside, or None if even that copy could
    not be written (disk full...). The original file is left untouched.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        backup_path: str | os.PathLike[str] | None,
        detail: str | None = None,
    ) -> None:
        self.backup_path = Path(backup_path) if backup_path is not None else None
        self.detail = detail
        what = f" ({detail})" if detail else ""
        if self.backup_path is not None:
            kept = f"Une copie du fichier endommagé a été mise de côté : {self.backup_path}."
        else:
            kept = "Aucune copie de sauvegarde n'a pu être faite."
        super().__init__(
            f"Le fichier de données {Path(path)} est endommagé et ne peut pas être lu{what}. "
            f"{kept} Le fichier n'a pas été modifié.",
            path,
        )


class NotARegularFile(OSError):
    """A store file that is a link, a FIFO, a device or a folder: never read (a store never
    follows a link it did not make, and a FIFO would block its reader)."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(errno.EINVAL, reason, str(path))
        self.reason = reason


def describe_oserror(error: OSError) -> str:
    """French meaning of an ``OSError`` with its errno name: ``le disque est plein (ENOSPC)``."""
    if isinstance(error, NotARegularFile):
        return error.reason
    code = error.errno
    if code is None:
        return str(error) or type(error).__name__
    meaning = _ERRNO_FR.get(code) or error.strerror or os.strerror(code)
    name = errno.errorcode.get(code)
    return f"{meaning} ({name})" if name else meaning


# --------------------------------------------------------------------------------------------
# Files and folders
# --------------------------------------------------------------------------------------------


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


def _as_pid(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


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


def _create_synced(path: Path, data: bytes, mode: int, sync: bool = True) -> os.stat_result:
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
        _write_all(fd, data)
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


def _atomic_write(path: Path, data: bytes, mode: int) -> os.stat_result:
    """:func:`atomic_write_bytes`, returning the stat of the file now at ``path``."""
    folder = path.parent
    tmp = _temp_name(path)
    try:
        stat = _create_synced(tmp, data, mode)
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


def write_new_file(
    path: Path, data: bytes, *, mode: int = FILE_MODE, sync: bool = True
) -> os.stat_result:
    """Create ``path``, which must not exist, with ``data``, fsync'd: no temporary file, rename
    or folder fsync, for a file staged in a private folder that a commit point publishes later
    (the caller fsyncs the folder once, before that point). ``sync`` False: not fsync'd, for a
    caller that syncs the whole file system afterwards (:func:`sync_filesystem`). Returns the
    file's stat; on ``OSError`` the partial file is removed and :class:`StoreWriteError` raised."""
    try:
        return _create_synced(path, data, mode, sync)
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


def atomic_write_bytes(path: Path, data: bytes, *, mode: int = FILE_MODE) -> None:
    """Durably replace ``path`` with ``data``.

    Writes a temporary file beside ``path`` (``O_CREAT|O_EXCL``, exactly ``mode``), fsyncs it,
    renames it over ``path`` and fsyncs the folder. On ``OSError`` the temporary file is removed
    and :class:`StoreWriteError` is raised; the previous content of ``path`` is then untouched
    (``previous_intact``), except for the rare failure of the final folder fsync, after the
    rename, where ``previous_intact`` is False.
    """
    _atomic_write(Path(path), data, mode)


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


_READ_FLAGS: Final = (
    os.O_RDONLY | _O_CLOEXEC | _O_BINARY | _O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
)
LINK_REFUSED: Final = (
    "c'est un lien symbolique : le dossier de données ne suit pas les liens qu'il n'a pas faits"
)


def open_regular(path: str | os.PathLike[str]) -> int:
    """A descriptor on the store file ``path`` for reading: never through a link at its last
    component, never blocking (a FIFO), and only on a regular file (NotARegularFile
    otherwise). Other OSErrors propagate."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(path):
            raise NotARegularFile(path, LINK_REFUSED) from exc
        raise
    mode = os.fstat(fd).st_mode
    if not S_ISREG(mode):
        os.close(fd)
        from auditor_tui.exchange.input_files import kind_of

        raise NotARegularFile(path, f"c'est {kind_of(mode)}, pas un fichier : ignoré")
    return fd


def _read_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    """Read a whole file and its stat from the same descriptor (see open_regular). OSErrors
    propagate."""
    fd = open_regular(path)
    try:
        stat = os.fstat(fd)
        chunks: list[bytes] = []
        while chunk := os.read(fd, max(stat.st_size + 1, 65536)):
            chunks.append(chunk)
        return b"".join(chunks), stat
    finally:
        os.close(fd)


def _read_or_raise(path: Path) -> tuple[bytes, os.stat_result]:
    try:
        return _read_bytes(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise StoreError(
            f"Impossible de lire le fichier {path} : {describe_oserror(exc)}.", path
        ) from exc


def _same_bytes(candidate: Path, data: bytes) -> bool:
    try:
        if candidate.stat().st_size != len(data):
            return False
        return _read_bytes(candidate)[0] == data
    except OSError:
        return False


def _quarantine(path: Path, data: bytes) -> Path | None:
    """Keep a copy of the damaged bytes beside ``path``; never overwrite an existing copy.

    An identical copy already set aside is reused, so reading a damaged file again and again does
    not pile up copies. Returns None if no copy could be written.
    """
    prefix = f"{path.name}.corrupt-"
    for existing in sorted(glob.glob(str(path.parent / f"{glob.escape(prefix)}*"))):
        if _same_bytes(Path(existing), data):
            return Path(existing)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for attempt in range(1, 1000):
        suffix = stamp if attempt == 1 else f"{stamp}-{attempt}"
        candidate = path.with_name(f"{prefix}{suffix}")
        try:
            fd = os.open(
                candidate,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC | _O_NOFOLLOW | _O_BINARY,
                FILE_MODE,
            )
        except FileExistsError:
            continue
        except OSError:
            return None
        try:
            _fchmod(fd, FILE_MODE)
            _write_all(fd, data)
            _fsync(fd)
        except OSError:
            os.close(fd)
            with suppress(OSError):
                os.unlink(candidate)
            return None
        os.close(fd)
        with suppress(OSError):
            _fsync_dir(path.parent)
        return candidate
    return None  # pragma: no cover


def keep_damaged_copy(path: str | os.PathLike[str]) -> Path | None:
    """Set a copy of a file found damaged aside (``<name>.corrupt-<UTC timestamp>``, reused if
    identical, never overwritten); the file itself is left untouched. None if no copy could be
    made."""
    path = Path(path)
    try:
        data, _ = _read_bytes(path)
    except OSError:
        return None
    return _quarantine(path, data)


def _parse_json(path: Path, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        detail = f"octets invalides en UTF-8 à la position {exc.start}"
    except json.JSONDecodeError as exc:
        detail = f"JSON invalide ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}"
    except (ValueError, RecursionError) as exc:
        detail = f"JSON invalide : {exc}"
    raise CorruptFileError(path, _quarantine(path, data), detail)


def read_file(path: Path) -> bytes:
    """The bytes of the file at ``path``. A missing file raises ``FileNotFoundError``; other read
    failures raise :class:`StoreError`."""
    return _read_or_raise(Path(path))[0]


def read_json_file(path: Path) -> Any:
    """Parse the JSON file at ``path``.

    A damaged file (invalid UTF-8 or JSON) is copied to ``<name>.corrupt-<UTC timestamp>``
    beside it and :class:`CorruptFileError` is raised; the file itself is not touched. A missing
    file raises ``FileNotFoundError``; other read failures raise :class:`StoreError`.
    """
    path = Path(path)
    data, _ = _read_or_raise(path)
    return _parse_json(path, data)


# --------------------------------------------------------------------------------------------
# TinyDB storage
# --------------------------------------------------------------------------------------------

_Signature = tuple[int, int, int, int]


def _signature(stat: os.stat_result) -> _Signature:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class AtomicJSONStorage(Storage):
    """TinyDB storage that never writes the live file in place.

    Every ``write()`` is a full :func:`atomic_write_bytes` (temp file + fsync + rename + folder
    fsync). The last bytes written or read are kept in memory, so the ``read()`` TinyDB makes
    before every write costs a ``stat()`` (to notice a file replaced behind our back) and a
    ``json.loads``, not a file read. Fresh dicts are returned each time: TinyDB mutates them.

    Usage: ``TinyDB(path, storage=AtomicJSONStorage)``. The storage assumes one writer per file;
    the store's :class:`StoreLock` provides that across processes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        create_dirs: bool = True,
        mode: int = FILE_MODE,
        sweep: bool = True,
    ) -> None:
        """``sweep=False`` skips the removal of this file's stale temporary files, a listing of
        its whole folder: for a caller that swept the folder once already (``Store.open``
        does), since with thousands of files it would make every open O(folder size)."""
        super().__init__()
        self.path = Path(path)
        self.mode = mode
        self._cache: bytes | None = None
        self._cache_sig: _Signature | None = None
        #: counters, for tests and measurements: read() calls, of which served from memory
        #: (cache_hits) or from the file (disk_reads); successful write() calls
        self.reads = 0
        self.disk_reads = 0
        self.cache_hits = 0
        self.writes = 0
        if create_dirs:
            ensure_private_dir(self.path.parent)
        if sweep:
            remove_stale_temp_files(self.path)

    def _invalidate(self) -> None:
        self._cache = None
        self._cache_sig = None

    def read(self) -> dict[str, dict[str, Any]] | None:
        self.reads += 1
        try:
            stat = os.lstat(self.path)
        except FileNotFoundError:
            self._invalidate()
            return None
        except OSError as exc:
            self._invalidate()
            raise StoreError(
                f"Impossible de lire le fichier {self.path} : {describe_oserror(exc)}.", self.path
            ) from exc
        if self._cache is not None and self._cache_sig == _signature(stat):
            self.cache_hits += 1
            data = self._cache
        else:
            self._invalidate()
            try:
                data, stat = _read_or_raise(self.path)
            except FileNotFoundError:
                return None
            self.disk_reads += 1
        if not data.strip():
            return None  # new (or emptied) file: TinyDB starts an empty database
        parsed = _parse_json(self.path, data)
        if not isinstance(parsed, dict) or not all(
            isinstance(t, dict) and all(isinstance(doc, dict) for doc in t.values())
            for t in parsed.values()
        ):
            raise CorruptFileError(
                self.path,
                _quarantine(self.path, data),
                "structure inattendue : un objet de tables TinyDB était attendu",
            )
        self._cache = data
        self._cache_sig = _signature(stat)
        return parsed

    def write(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._invalidate()  # if the write fails, the next read must ask the disk
        stat = _atomic_write(self.path, payload, self.mode)
        self._cache = payload
        self._cache_sig = _signature(stat)
        self.writes += 1

    def close(self) -> None:
        self._invalidate()


# --------------------------------------------------------------------------------------------
# Inter-process lock on a data folder
# --------------------------------------------------------------------------------------------


def _format_since(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        started = datetime.fromisoformat(value)
    except ValueError:
        return None
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    local = started.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("le %d/%m/%Y à %H:%M")


def _read_lock_info(path: Path) -> dict[str, Any] | None:
    """The JSON of a lock.info file; None if missing; {} if unreadable or damaged."""
    try:
        data, _ = _read_bytes(path)
    except FileNotFoundError:
        return None
    except OSError:
        return {}
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


class StoreLock:
    """Exclusive inter-process lock on a data folder.

    A kernel ``flock`` (via ``filelock``) on ``<folder>/store.lock``: the OS releases it when the
    holder dies, so a killed session never blocks the folder. ``<folder>/lock.info`` records
    the holder (pid, host, start time) for the "already open" message. Since the flock is the
    authority, a ``lock.info`` still present when we get the flock was left by a session that
    ended without releasing: it is reported in :attr:`recovered_from`.
    """

    LOCK_NAME: Final = "store.lock"
    INFO_NAME: Final = "lock.info"

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.lock_path = self.folder / self.LOCK_NAME
        self.info_path = self.folder / self.INFO_NAME
        self.recovered_from: dict[str, Any] | None = None
        self.info: dict[str, Any] | None = None
        self._lock: FileLock | None = None

    @property
    def is_held(self) -> bool:
        return self._lock is not None

    def acquire(self) -> None:
        """Take the lock without waiting; :class:`StoreLockedError` if another process holds it."""
        if self._lock is not None:
            return
        ensure_private_dir(self.folder)
        lock = FileLock(
            self.lock_path,
            timeout=0,
            mode=FILE_MODE,
            thread_local=False,
            blocking=False,
            fallback_to_soft=False,  # a soft lock would survive a kill -9 and block forever
        )
        try:
            lock.acquire(timeout=0, blocking=False)
        except Timeout:
            raise StoreLockedError(self.folder, _read_lock_info(self.info_path)) from None
        except OSError as exc:
            tail = (
                "Ce système de fichiers ne permet pas le verrouillage ; "
                "choisissez un dossier local."
                if exc.errno == errno.ENOSYS
                else ""
            )
            raise StoreWriteError(
                self.lock_path, exc, action="de verrouiller le dossier de données", tail=tail
            ) from exc
        try:
            with suppress(OSError):
                os.chmod(self.lock_path, FILE_MODE)  # a lock file from an older run may be 0644
            previous = _read_lock_info(self.info_path)
            remove_stale_temp_files(self.info_path)
            info = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            atomic_write_bytes(self.info_path, json.dumps(info).encode("utf-8"))
        except BaseException:
            lock.release()
            raise
        self._lock = lock
        self.info = info
        self.recovered_from = previous

    @property
    def recovery_message(self) -> str | None:
        """French notice for the user when the previous session did not close the folder."""
        if self.recovered_from is None:
            return None
        pid = _as_pid(self.recovered_from.get("pid"))
        who = f" (pid {pid})" if pid is not None else ""
        return (
            f"La session précédente{who} s'est terminée sans fermer le dossier ; "
            "le verrou a été récupéré."
        )

    def release(self) -> None:
        """Remove lock.info then release the flock. Idempotent."""
        lock, self._lock = self._lock, None
        if lock is None:
            return
        try:
            with suppress(OSError):
                os.unlink(self.info_path)
                _fsync_dir(self.folder)
        finally:
            lock.release()
            self.info = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
