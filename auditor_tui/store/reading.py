"""Reading the store's files as the store made them: never through a link at the last component,
never blocking on a FIFO, only a regular file; a file found damaged is kept aside
(`<name>.corrupt-<UTC timestamp>`, reused if identical) and never modified.
"""

from __future__ import annotations

import errno
import glob
import json
import os
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from stat import S_ISREG
from typing import Any, Final

from auditor_tui.store.atomic import FILE_MODE, create_synced, fsync_dir
from auditor_tui.store.errors import (
    CorruptFileError,
    NotARegularFile,
    StoreError,
    describe_oserror,
    kind_of,
)

_READ_FLAGS: Final = (
    os.O_RDONLY
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
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
        raise NotARegularFile(path, f"c'est {kind_of(mode)}, pas un fichier : ignoré")
    return fd


def read_bytes(path: Path) -> tuple[bytes, os.stat_result]:
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


def read_with_stat(path: Path) -> tuple[bytes, os.stat_result]:
    try:
        return read_bytes(path)
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
        return read_bytes(candidate)[0] == data
    except OSError:
        return False


def keep_damaged_bytes(path: Path, data: bytes) -> Path | None:
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
            create_synced(candidate, data, FILE_MODE)
        except FileExistsError:
            continue
        except OSError:
            return None
        with suppress(OSError):
            fsync_dir(path.parent)
        return candidate
    return None  # pragma: no cover


def keep_damaged_copy(path: str | os.PathLike[str]) -> Path | None:
    """Set a copy of a file found damaged aside (``<name>.corrupt-<UTC timestamp>``, reused if
    identical, never overwritten); the file itself is left untouched. None if no copy could be
    made."""
    path = Path(path)
    try:
        data, _ = read_bytes(path)
    except OSError:
        return None
    return keep_damaged_bytes(path, data)


def parse_json(path: Path, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        detail = f"octets invalides en UTF-8 à la position {exc.start}"
    except json.JSONDecodeError as exc:
        detail = f"JSON invalide ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}"
    except (ValueError, RecursionError) as exc:
        detail = f"JSON invalide : {exc}"
    raise CorruptFileError(path, keep_damaged_bytes(path, data), detail)


def read_file(path: Path) -> bytes:
    """The bytes of the file at ``path``. A missing file raises ``FileNotFoundError``; other read
    failures raise :class:`StoreError`."""
    return read_with_stat(Path(path))[0]


def read_json_file(path: Path) -> Any:
    """Parse the JSON file at ``path``.

    A damaged file (invalid UTF-8 or JSON) is copied to ``<name>.corrupt-<UTC timestamp>``
    beside it and :class:`CorruptFileError` is raised; the file itself is not touched. A missing
    file raises ``FileNotFoundError``; other read failures raise :class:`StoreError`.
    """
    path = Path(path)
    data, _ = read_with_stat(path)
    return parse_json(path, data)
