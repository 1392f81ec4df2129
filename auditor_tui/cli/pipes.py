"""Standard output that its reader may close early (`auditor-tui report | head -1`).

A reader that goes away is normal use, not an error: what is left to print goes to /dev/null,
nothing is said on standard error, the command finishes its work (an import keeps importing)
and exits with its own status. Python ignores SIGPIPE, so a write to a closed pipe raises
BrokenPipeError; without this, `print` would show a traceback, rich would exit with 1, and the
interpreter would complain at exit while flushing what was left in its buffer. Any other
failure to write (a full disk behind `> file`) is an `OutputError`: the command reports it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO


class OutputError(OSError):
    """Standard output could not be written (not a closed pipe: that one is quiet)."""

    def __init__(self, exc: OSError) -> None:
        super().__init__(exc.errno, exc.strerror)

    def __str__(self) -> str:
        return f"sortie standard : écriture impossible ({self.strerror})."


def reader_gone() -> None:
    """Point standard output at /dev/null: later writes and the final flush succeed, unread."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
    finally:
        os.close(devnull)


class QuietStdout:
    """A text stream over standard output: a closed pipe swallowed, other failures named."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            reader_gone()
            return len(text)
        except OSError as exc:
            raise OutputError(exc) from exc

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            reader_gone()
        except OSError as exc:
            raise OutputError(exc) from exc

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding… for rich and argparse
        return getattr(self._stream, name)


def write_stdout_bytes(data: bytes) -> None:
    """Bytes to standard output (after any text already printed), quietly if nobody reads.

    A buffered write cut short by an error returns the count it wrote instead of raising:
    the loop writes the rest, which meets the error again, and raises it."""
    try:
        sys.stdout.flush()
        view = memoryview(data)
        while view:
            view = view[sys.stdout.buffer.write(view) :]
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        reader_gone()
    except OSError as exc:
        raise OutputError(exc) from exc


@contextmanager
def quiet_stdout() -> Iterator[None]:
    """`sys.stdout` made quiet for the block, and flushed at its end: a failure then (what
    `--help > /dev/full` printed) is said on standard error and exits with status 1."""
    original = sys.stdout
    quiet = QuietStdout(original)
    sys.stdout = quiet
    try:
        yield
    finally:
        try:
            quiet.flush()
        except OutputError as exc:
            print(exc, file=sys.stderr)
            raise SystemExit(1) from exc
        finally:
            sys.stdout = original
