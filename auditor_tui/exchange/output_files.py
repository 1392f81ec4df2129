"""Where `export --out` writes: a new or regular file is replaced atomically (owner-only); a FIFO
or a character device (a pipe to another program, /dev/null) is written through, never replaced;
a symbolic link, a folder, a block device or a socket is refused and left as it is.
"""

from __future__ import annotations

import io
import os
import secrets
import stat
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, cast

from auditor_tui.store.atomic import FILE_MODE, atomic_write_bytes, fsync_dir, write_all
from auditor_tui.store.errors import StoreWriteError, kind_of


class OutputRefused(ValueError):
    """`--out` names something that must not be replaced; nothing was written."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(f"{path} : {reason} ; rien n'a été écrit.")


def _write_through(path: Path, data: bytes) -> None:
    """Write into an existing FIFO or character device, without creating or truncating."""
    _copy_through(path, io.BytesIO(data))


def write_output_file(path: Path, data: bytes) -> None:
    """Write `data` to the file `path` as described in the module docstring. OutputRefused for
    what is refused, StoreWriteError for a failed write."""
    mode = _checked_mode(path)
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        _write_through(path, data)
    else:
        atomic_write_bytes(path, data)


_FLAGS = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)


def _checked_mode(path: Path) -> int:
    """The kind of what `path` names (a regular file when nothing is there yet), refused with
    OutputRefused when it is not something an export may write to."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = stat.S_IFREG
    except OSError as exc:
        raise StoreWriteError(path, exc, action="d'écrire dans", tail="") from exc
    _refuse(path, mode)
    return mode


def _refuse(path: Path, mode: int) -> None:
    """OutputRefused unless `mode` is a regular file's, a FIFO's or a character device's."""
    if stat.S_ISLNK(mode):
        raise OutputRefused(
            path,
            f"c'est un lien symbolique (vers {os.readlink(path)}) : il n'est pas remplacé ; "
            "donnez le chemin du fichier lui-même",
        )
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        raise OutputRefused(path, f"c'est {kind_of(mode)}, pas un fichier")


_CHUNK = 1 << 20


class Spool:
    """Where a streamed export goes while it is written, until it is whole (`publish`) or
    dropped (`discard`): nothing reaches `--out` half-written. For a new or regular file, a
    temporary file beside it (owner-only), renamed over it once synced; for standard output
    (`-`), a FIFO or a character device, an anonymous temporary file, copied through at the
    end (after the store is closed: a slow reader then holds nothing). What is refused
    (OutputRefused) is refused before anything is read."""

    def __init__(self, out: str) -> None:
        self.out = out
        self._tmp: Path | None = None
        self._through = False
        if out != "-":
            path = Path(out)
            mode = _checked_mode(path)
            self._through = not stat.S_ISREG(mode)
        if out == "-" or self._through:
            import tempfile

            # Closed by publish or discard.
            self.stream: BinaryIO = cast(BinaryIO, tempfile.TemporaryFile(buffering=_CHUNK))  # noqa: SIM115
            return
        path = Path(out)
        self._tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(6)}")
        try:
            fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FLAGS, FILE_MODE)
        except OSError as exc:
            raise StoreWriteError(path, exc, action="d'écrire dans", tail="") from exc
        try:
            self.stream = cast(BinaryIO, _FileWriter(fd, path))
        except BaseException:
            with suppress(OSError):
                os.unlink(self._tmp)
            raise

    def publish(self, write_stdout: Callable[[bytes], None]) -> None:
        """Put what was written in place: `-` through `write_stdout`, chunk by chunk."""
        if self._tmp is not None:
            path = Path(self.out)
            try:
                self.stream.flush()
                os.fsync(self.stream.fileno())
                self.stream.close()
                os.replace(self._tmp, path)
            except BaseException as exc:
                self.discard()
                if isinstance(exc, OSError):
                    raise StoreWriteError(path, exc) from exc
                raise
            self._tmp = None
            try:
                fsync_dir(path.parent)
            except OSError as exc:
                raise StoreWriteError(path, exc, previous_intact=False) from exc
            return
        self.stream.flush()
        self.stream.seek(0)
        try:
            if self._through:
                _copy_through(Path(self.out), self.stream)
            else:
                while chunk := self.stream.read(_CHUNK):
                    write_stdout(chunk)
        finally:
            self.stream.close()

    def discard(self) -> None:
        """Drop what was written: `--out` is left as it was."""
        with suppress(OSError):
            self.stream.close()
        if self._tmp is not None:
            with suppress(OSError):
                os.unlink(self._tmp)
            self._tmp = None


def _copy_through(path: Path, source: BinaryIO) -> None:
    """`source` into an existing FIFO or character device, without creating or truncating."""
    flags = os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)  # a FIFO: waits for its reader, as a shell's `>` does
    except OSError as exc:
        raise StoreWriteError(path, exc, action="d'écrire dans", tail="") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):  # replaced since the lstat
            raise OutputRefused(path, f"c'est devenu {kind_of(mode)}")
        while chunk := source.read(_CHUNK):
            write_all(fd, chunk)
    except OSError as exc:
        raise StoreWriteError(path, exc, action="d'écrire dans", tail="") from exc
    finally:
        os.close(fd)


class _FileWriter:
    """What a streamed export writes into its temporary file: buffered, written with os.write
    (a failure, a full disk, is a StoreWriteError naming `--out`), seekable for the XLSX's
    zip."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd, self._path = fd, path
        self._buffer: list[bytes] = []
        self._size = 0
        self.closed = False
        try:
            os.fchmod(fd, FILE_MODE)  # whatever the umask
        except OSError as exc:
            os.close(fd)
            raise StoreWriteError(path, exc) from exc

    def write(self, data: bytes) -> int:
        self._buffer.append(bytes(data))
        self._size += len(data)
        if self._size >= _CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            data = b"".join(self._buffer)
            self._buffer.clear()
            self._size = 0
            try:
                write_all(self._fd, data)
            except OSError as exc:
                raise StoreWriteError(self._path, exc) from exc

    def tell(self) -> int:
        return self._seek(0, os.SEEK_CUR) + self._size

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        self.flush()
        return self._seek(offset, whence)

    def _seek(self, offset: int, whence: int) -> int:
        try:
            return os.lseek(self._fd, offset, whence)
        except OSError as exc:
            raise StoreWriteError(self._path, exc) from exc

    def fileno(self) -> int:
        return self._fd

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._fd)
