"""Where `export --out` writes: a new or regular file is replaced atomically (owner-only); a FIFO
or a character device (a pipe to another program, /dev/null) is written through, never replaced;
a symbolic link, a folder, a block device or a socket is refused and left as it is.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from auditor_tui.store.atomic import atomic_write_bytes, write_all
from auditor_tui.store.errors import StoreWriteError, kind_of


class OutputRefused(ValueError):
    """`--out` names something that must not be replaced; nothing was written."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(f"{path} : {reason} ; rien n'a été écrit.")


def _write_through(path: Path, data: bytes) -> None:
    """Write into an existing FIFO or character device, without creating or truncating."""
    flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)  # a FIFO: waits for its reader, as a shell's `>` does
    except OSError as exc:
        raise StoreWriteError(path, exc, action="d'écrire dans", tail="") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):  # replaced since the lstat
            raise OutputRefused(path, f"c'est devenu {kind_of(mode)}")
        write_all(fd, data)
    except OSError as exc:
        raise StoreWriteError(path, exc, action="d'écrire dans", tail="") from exc
    finally:
        os.close(fd)


def write_output_file(path: Path, data: bytes) -> None:
    """Write `data` to the file `path` as described in the module docstring. OutputRefused for
    what is refused, StoreWriteError for a failed write."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = stat.S_IFREG
    except OSError as exc:
        raise StoreWriteError(path, exc, action="d'écrire dans", tail="") from exc
    if stat.S_ISLNK(mode):
        raise OutputRefused(
            path,
            f"c'est un lien symbolique (vers {os.readlink(path)}) : il n'est pas remplacé ; "
            "donnez le chemin du fichier lui-même",
        )
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        _write_through(path, data)
    elif stat.S_ISREG(mode):
        atomic_write_bytes(path, data)
    else:
        raise OutputRefused(path, f"c'est {kind_of(mode)}, pas un fichier")
