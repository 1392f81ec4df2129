"""`StoreLock`: one process at a time holds a data folder (a kernel flock on `store.lock`,
released by the OS when its holder dies; `lock.info` names the holder for the « already open »
message, and a stale one tells that the previous session did not close).

No UI code here: this module must stay importable without Textual.
"""

from __future__ import annotations

import errno
import json
import os
import socket
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from filelock import FileLock, Timeout

from auditor_tui.store.atomic import (
    FILE_MODE,
    atomic_write_bytes,
    ensure_private_dir,
    fsync_dir,
    remove_stale_temp_files,
)
from auditor_tui.store.errors import StoreLockedError, StoreWriteError, owner_pid
from auditor_tui.store.reading import read_bytes


def _read_lock_info(path: Path) -> dict[str, Any] | None:
    """The JSON of a lock.info file; None if missing; {} if unreadable or damaged."""
    try:
        data, _ = read_bytes(path)
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
        pid = owner_pid(self.recovered_from.get("pid"))
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
                fsync_dir(self.folder)
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
