"""A large export made by two processes (issue 15): the audits, in export order, go in chunks;
every other chunk is read and made into what the export writes (lines of JSONL or CSV, rows of
an XLSX sheet) by a forked copy of this process, which sends it back through a pipe, and the
chunks are written in order as they come. Decoding the audits and formatting them is what an
export spends its time on; on a machine with a second processor it takes about half as long.
Below PARALLEL_FROM audits, or without fork or a second processor, one process makes every
chunk. What the child finds (an unreadable audit, an audit that cannot leave) comes back with
its chunk, and is told where the parent would have met it.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from os import _exit
from typing import TYPE_CHECKING, TypeVar

from auditor_tui.exchange.export import ExportError, Transform, read_in_order

if TYPE_CHECKING:
    from auditor_tui.domain.record import Audit
    from auditor_tui.store import Store

PARALLEL_FROM = 2_000  # audits
CHUNK = 256  # audits a chunk

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


def export_chunks(
    store: Store,
    ids: Sequence[str],
    unread: list[str],
    transform: Transform | None,
    make: Make[T],
) -> Iterator[tuple[int, T]]:
    """What `make` gives of each chunk's audits, and how many audits they are, in export
    order; what `make` gives a child must pickle. An unreadable audit is named in `unread`;
    ExportError for one that cannot leave (`make` raises it)."""
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    if len(ids) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        for chunk in chunks:
            missed = len(unread)
            made = make(read_in_order(store, chunk, unread, transform))
            yield len(chunk) - (len(unread) - missed), made
        return
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child: measured, its output checked against the parent's
        os.close(read_end)
        _child(write_end, store, chunks[1::2], transform, make)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            for n, chunk in enumerate(chunks):
                if n % 2 == 0:
                    missed = len(unread)
                    made = make(read_in_order(store, chunk, unread, transform))
                    yield len(chunk) - (len(unread) - missed), made
                    continue
                size = int.from_bytes(pipe.read(8), "big")
                sent, lost, failure = pickle.loads(pipe.read(size))
                if failure is not None:
                    raise ExportError(*failure)
                unread.extend(lost)
                yield len(chunk) - len(lost), sent
    finally:
        os.waitpid(pid, 0)


def _child(
    fd: int,
    store: Store,
    chunks: list[Sequence[str]],
    transform: Transform | None,
    make: Make[T],
) -> None:  # pragma: no cover - runs in the forked child (see export_chunks)
    """Make the chunks and send them, then leave without running anything of the parent's
    (no store closed, no buffer flushed)."""
    code = 0
    try:
        with os.fdopen(fd, "wb") as pipe:
            for chunk in chunks:
                lost: list[str] = []
                failure: tuple[str, str] | None = None
                made: T | None = None
                try:
                    made = make(read_in_order(store, chunk, lost, transform))
                except ExportError as exc:
                    failure = (exc.audit_id, exc.detail)
                data = pickle.dumps((made, lost, failure), pickle.HIGHEST_PROTOCOL)
                pipe.write(len(data).to_bytes(8, "big") + data)
                if failure is not None:
                    break
    except BaseException:  # the parent went away (a closed pipe), or anything else
        code = 1
    _exit(code)  # no atexit, no flush: the parent's
