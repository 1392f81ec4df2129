"""Files the app is given to read (import files, batch manifests): opened without waiting
(a FIFO or a device never hangs an import), checked to be regular files (and, inside a batch
folder, not links), and read up to a size limit (docs/reliability.md, « Threat model »).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from auditor_tui.store.errors import describe_oserror, kind_of
from auditor_tui.text.french import number_text

STDIN = "-"
DEFAULT_IMPORT_LIMIT = 1_000_000_000  # bytes: `import --max-size` changes it
_CHUNK = 1 << 20


class InputFileError(ValueError):
    """A file given to read that is refused; the French message names it."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path} : {reason}")


_UNITS = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}


def parse_size(text: str) -> int:
    """A size given on the command line: `500000`, `200M`, `2G` (also `2Go`, `2GB`; decimal
    units). ValueError, in French, for anything else."""
    value = text.strip().lower().removesuffix("o").removesuffix("b")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    number = value[: len(value) - len(unit)].strip()
    if not (number.isascii() and number.isdigit()) or int(number) <= 0:
        raise ValueError(f"taille invalide {text!r} : un nombre d'octets, ou 200M, 2G…")
    return int(number) * _UNITS[unit]


def size_text(count: int) -> str:
    """A size in bytes as people read it: « 1 Go », « 200 Mo », « 512 octets »."""
    for unit, name in ((1_000_000_000, "Go"), (1_000_000, "Mo"), (1_000, "ko")):
        if count >= unit:
            return f"{number_text(count / unit, '.3g')} {name}"
    return f"{count} octets"


def _read_limited(read: Callable[[int], bytes], path: str, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise InputFileError(
                path, f"fichier trop volumineux (plus de {size_text(limit)}) : refusé"
            )
        chunks.append(chunk)


def _open_checked(name: str, follow_links: bool) -> int:
    """A descriptor on the regular file `name`, opened non-blocking (see read_input)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links:
            # refused, not unreadable: no OSError as the cause (README « Exit codes »)
            raise InputFileError(name, "lien symbolique : refusé (il mène hors du lot)") from None
        if exc.errno == errno.EISDIR or os.path.isdir(name):
            raise InputFileError(name, "c'est un dossier, pas un fichier") from exc
        raise InputFileError(name, f"lecture impossible : {describe_oserror(exc)}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputFileError(name, f"c'est {kind_of(mode)}, pas un fichier ordinaire : refusé")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_input(path: str | os.PathLike[str], limit: int, *, follow_links: bool = True) -> bytes:
    """The bytes of a file given to read, `-` for standard input. Refused (InputFileError):
    anything but a regular file (a FIFO, a device, a folder, a socket; a link when
    `follow_links` is False), more than `limit` bytes, or a file that cannot be opened. Opened
    non-blocking, so a FIFO without a writer is refused at once instead of waited on."""
    return b"".join(input_chunks(path, limit, follow_links=follow_links))


def input_chunks(
    path: str | os.PathLike[str], limit: int, *, follow_links: bool = True
) -> Iterator[bytes]:
    """The same as `read_input`, a chunk at a time (a file of any size in bounded memory): the
    file is opened, and refused, at once; InputFileError as soon as more than `limit` bytes
    were read."""
    name = os.fspath(path)
    if name == STDIN:
        try:
            return iter([_read_limited(sys.stdin.buffer.read, "(entrée standard)", limit)])
        except OSError as exc:
            raise InputFileError("(entrée standard)", f"lecture impossible : {exc}") from exc
    return _chunks(_open_checked(name, follow_links), name, limit)


def _chunks(fd: int, name: str, limit: int) -> Iterator[bytes]:
    size = 0
    try:
        while True:
            try:
                chunk = os.read(fd, _CHUNK)
            except OSError as exc:
                raise InputFileError(name, f"lecture impossible : {describe_oserror(exc)}") from exc
            if not chunk:
                return
            size += len(chunk)
            if size > limit:
                raise InputFileError(
                    name, f"fichier trop volumineux (plus de {size_text(limit)}) : refusé"
                )
            yield chunk
    finally:
        os.close(fd)


def check_input(path: Path) -> str | None:
    """Why an argument of `import` cannot be read, before the store is opened (and locked):
    None for a regular file, a folder (a batch, or a folder of batches) or `-`."""
    if str(path) == STDIN:
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return f"{path} : lecture impossible : {describe_oserror(exc)}"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return f"{path} : c'est {kind_of(mode)}, pas un fichier ordinaire : refusé"
