"""The store's errors, in French, each naming its file so it can be shown to the user as is:
`StoreError` and its family (the folder held by another process, a failed write, a damaged
file), and the French words for what an `OSError` or a file's kind means.

No UI code here: this module must stay importable without Textual.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from auditor_tui.text.french import format_since

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
        pid = owner_pid(self.owner.get("pid")) if self.owner else None
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


def owner_pid(value: object) -> int | None:
    """The pid a lock.info names, if it is one (a positive integer)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _format_since(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        started = datetime.fromisoformat(value)
    except ValueError:
        return None
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    return format_since(started.astimezone(), datetime.now().astimezone())


_KINDS = (
    (stat.S_ISDIR, "un dossier"),
    (stat.S_ISFIFO, "un tube nommé (FIFO)"),
    (stat.S_ISCHR, "un périphérique"),
    (stat.S_ISBLK, "un périphérique de blocs"),
    (stat.S_ISSOCK, "une socket"),
    (stat.S_ISLNK, "un lien symbolique"),
)


def kind_of(mode: int) -> str:
    """What a file of this mode is, in French, for a refusal: « un tube nommé (FIFO) »…"""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "un fichier spécial"


@dataclass(frozen=True)
class Damaged:
    """A file of the store found unusable at open (`Store.damaged`): its path, the copy of its
    bytes kept aside (if one could be made) and the French message to show."""

    path: Path
    backup: Path | None
    message: str
