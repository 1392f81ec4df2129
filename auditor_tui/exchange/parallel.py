"""A large export made by two processes (issue 15): the audits, in export order, go in chunks,
and a forked copy of this process shares the chunks with it. Each process takes the next chunk
number from a pipe of tickets (one read of four bytes each: atomic, so no chunk is taken twice)
as soon as it is free, so each makes as many chunks as its other work allows: the parent also
writes everything, the child only makes chunks. The child sends what it makes through a pipe,
which the parent reads between two audits of its own, at most AHEAD chunks ahead of what it has
written (the child waits for a credit before each chunk); the parent writes the chunks in order.
Decoding the audits and formatting them is what an export spends its time on; on a machine
with a second processor it takes about half as long.

Below PARALLEL_FROM audits, or without fork or a second processor, one process makes every
chunk. What the child finds (an unreadable audit, an audit that cannot leave) comes back with
its chunk, and is told where the parent would have met it. A child that stops sending (killed)
leaves its chunks to the parent.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
from collections.abc import Callable, Iterable, Iterator, Sequence
from os import _exit
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from auditor_tui.exchange.export import ExportError, Transform, read_in_order

if TYPE_CHECKING:
    from auditor_tui.domain.record import Audit
    from auditor_tui.store import Store

PARALLEL_FROM = 2_000  # audits
CHUNK = 256  # audits a chunk
AHEAD = 8  # chunks the child may make ahead of the parent's writing
PIPE_BYTES = 1 << 20  # Linux's largest pipe for a process without privileges, by default

T = TypeVar("T")
Make = Callable[[Iterable["Audit"]], T]  # a chunk's audits, as they are read → what is written


def export_lines(
    store: Store,
    ids: Sequence[str],
    unread: list[str],
    transform: Transform | None,
    line_of: Callable[[Audit], str],
) -> Iterator[tuple[int, str]]:
    """Each chunk's lines and how many audits they are, in export order. An unreadable audit
    is named in `unread`; ExportError for one that cannot leave (`line_of` raises it)."""

    def lines(audits: Iterable[Audit]) -> str:
        return "".join([line_of(audit) for audit in audits])

    return export_chunks(store, ids, unread, transform, lines)


class _Made(Generic[T]):
    """One chunk as made: what `make` gave, the audits it could not read, and the audit that
    could not leave (id, detail), if any."""

    __slots__ = ("failure", "lost", "made", "size")

    def __init__(self, size: int, made: T | None, lost: list[str], failure: Any) -> None:
        self.size, self.made, self.lost, self.failure = size, made, lost, failure

    @classmethod
    def of(
        cls,
        store: Store,
        chunk: Sequence[str],
        transform: Transform | None,
        make: Make[T],
        between: Callable[[], None] | None = None,
    ) -> _Made[T]:
        """`between`: called after each audit is read (the parent reads the child's pipe)."""
        lost: list[str] = []
        audits = read_in_order(store, chunk, lost, transform)
        try:
            return cls(
                len(chunk), make(_calling(audits, between) if between else audits), lost, None
            )
        except ExportError as exc:
            return cls(len(chunk), None, lost, (exc.audit_id, exc.detail))

    def result(self, unread: list[str]) -> tuple[int, T]:
        unread.extend(self.lost)
        if self.failure is not None:
            raise ExportError(*self.failure)
        return self.size - len(self.lost), self.made  # type: ignore[return-value]


def _calling(audits: Iterable[Audit], between: Callable[[], None]) -> Iterator[Audit]:
    for audit in audits:
        yield audit
        between()


def export_chunks(
    store: Store,
    ids: Sequence[str],
    unread: list[str],
    transform: Transform | None,
    make: Make[T],
    smaller: int = 1,
) -> Iterator[tuple[int, T]]:
    """What `make` gives of each chunk's audits, and how many audits they are, in export
    order; what `make` gives a child must pickle. An unreadable audit is named in `unread`;
    ExportError for one that cannot leave (`make` raises it). `smaller`: chunks so many times
    smaller than CHUNK (what is made of an audit is large: an XLSX's rows)."""
    size = max(1, CHUNK // smaller)
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    if len(ids) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        for chunk in chunks:
            yield _Made.of(store, chunk, transform, make).result(unread)
        return
    tickets = _tickets(len(chunks))
    credits_read, credits_write = os.pipe()
    os.write(credits_write, b"." * AHEAD)
    read_end, write_end = os.pipe()
    _widen(write_end)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: measured, its output checked against the parent's
        os.close(read_end)
        os.close(credits_write)
        _child(write_end, tickets, credits_read, store, chunks, transform, make)
    os.close(write_end)
    os.close(credits_read)
    inbox = _Inbox(read_end)
    written = 0  # chunks written so far
    try:
        while written < len(chunks):
            inbox.pump()  # the child's chunks already here are written first: it gets its credits
            while (ready := inbox.take(written, wait=False)) is not None:
                _give(credits_write)
                yield ready.result(unread)
                written += 1
            if written == len(chunks):
                break
            mine = _take(tickets)
            if mine is None:  # every chunk is taken: the child's are left to write
                mine = len(chunks)
            own = None
            if mine < len(chunks):
                own = _Made.of(store, chunks[mine], transform, make, inbox.pump)
            while written < mine:  # the child's, taken before this one
                theirs = inbox.take(written)
                if theirs is None:  # the child is gone: made here
                    theirs = _Made.of(store, chunks[written], transform, make)
                else:
                    _give(credits_write)
                yield theirs.result(unread)
                written += 1
            if own is not None:
                yield own.result(unread)
                written += 1
    finally:
        os.close(credits_write)  # a child waiting for a credit leaves
        inbox.close()
        os.close(tickets)
        os.waitpid(pid, 0)


def _give(credits: int) -> None:
    """One more chunk the child may make ahead (a full pipe of credits: the child is gone)."""
    with contextlib.suppress(OSError):
        os.write(credits, b".")


def _tickets(count: int) -> int:
    """A pipe holding the chunk numbers 0…count-1, four bytes each, its writing end closed: a
    read of four bytes takes the next one (reads that small are atomic), and an empty read
    says none is left. (100,000 audits make 1,563 chunks of 64: 6 KB, within a pipe.)"""
    read_end, write_end = os.pipe()
    _widen(write_end)
    try:
        data = b"".join(n.to_bytes(4, "big") for n in range(count))
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
    finally:
        os.close(write_end)
    return read_end


def _take(tickets: int) -> int | None:
    data = os.read(tickets, 4)
    return int.from_bytes(data, "big") if len(data) == 4 else None


class _Inbox:
    """What the child sends: read by the parent whenever it can (`pump`, between two audits of
    its own chunk, without waiting), so that the pipe never stays full and the child never
    waits on it; the child makes at most AHEAD chunks ahead of the parent's writing (credits).
    `take(n)` gives chunk n, or None once the child has stopped sending (gone)."""

    def __init__(self, fd: int) -> None:
        os.set_blocking(fd, False)
        self._fd = fd
        self._buffer = bytearray()
        self._ready: dict[int, bytes] = {}
        self._ended = False

    def pump(self) -> None:
        """Read what the pipe holds now, without waiting."""
        while not self._ended:
            try:
                data = os.read(self._fd, PIPE_BYTES)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                self._ended = True
                break
            self._buffer += data
        buffer = self._buffer
        start = 0
        while len(buffer) - start >= 12:
            size = int.from_bytes(buffer[start + 4 : start + 12], "big")
            if len(buffer) - start - 12 < size:
                break
            number = int.from_bytes(buffer[start : start + 4], "big")
            self._ready[number] = bytes(buffer[start + 12 : start + 12 + size])
            start += 12 + size
        if start:
            del buffer[:start]

    def take(self, number: int, wait: bool = True) -> _Made[Any] | None:
        """Chunk `number`; None if the child is gone, or, without `wait`, not here yet."""
        while number not in self._ready:
            if self._ended or not wait:
                return None
            select.select([self._fd], [], [])
            self.pump()
        size, made, lost, failure = pickle.loads(self._ready.pop(number))
        return _Made(size, made, lost, failure)

    def close(self) -> None:
        """Stop reading: the child, if it is still sending, meets a closed pipe and leaves."""
        os.close(self._fd)


def _widen(fd: int) -> None:
    """Let a pipe hold a whole chunk of rows (hundreds of KB) rather than 64 KB: the child
    goes on with the next chunk instead of waiting for the parent to read."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or a lower limit: the default pipe, only slower


def _child(
    fd: int,
    tickets: int,
    credits: int,
    store: Store,
    chunks: list[Sequence[str]],
    transform: Transform | None,
    make: Make[T],
) -> None:  # pragma: no cover - runs in the forked child (see export_chunks)
    """Take chunks, make them and send them, each once the parent allows it (a credit), until
    none is left; then leave without running anything of the parent's (no store closed, no
    buffer flushed)."""
    code = 0
    try:
        with os.fdopen(fd, "wb") as pipe:
            while os.read(credits, 1) and (number := _take(tickets)) is not None:
                made = _Made.of(store, chunks[number], transform, make)
                data = pickle.dumps(
                    (made.size, made.made, made.lost, made.failure), pickle.HIGHEST_PROTOCOL
                )
                pipe.write(number.to_bytes(4, "big") + len(data).to_bytes(8, "big") + data)
                pipe.flush()
                if made.failure is not None:
                    break
    except BaseException:  # the parent went away (a closed pipe), or anything else
        code = 1
    _exit(code)  # no atexit, no flush: the parent's
