"""What every export shares: audits leave in creation order (ties by id), so exports are stable,
and an audit that cannot leave as the contract says is named (`ExportError`) and nothing is
written. The JSONL export (the sync contract, DOMAIN.md §4) is written here.

A whole store's export streams (issue 15): the audits are read one at a time in the index's
creation order (`export_order`, `read_in_order`) and each line or row is written as it is made,
so memory stays flat whatever the store's size; what is written goes to a temporary file that is
published only once whole (output_files.py).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime
from typing import IO, TypeVar

from auditor_tui.domain.record import Audit, now_utc
from auditor_tui.exchange.jsonl import encode_checked, encode_record
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError

T = TypeVar("T")
Transform = Callable[[Audit], Audit]  # what leaves instead of the stored audit (privacy.py)


def in_export_order(audits: Iterable[Audit]) -> list[Audit]:
    """Every export lists audits in creation order (ties by id), so exports are stable."""
    return sorted(audits, key=lambda a: (a.created_at, a.id))


_CREATION = operator.attrgetter("created_at", "id")  # in C: 100,000 summaries sorted


def export_order(store: Store) -> list[str]:
    """The store's audit ids in export order, from the index (no audit file read)."""
    return [s.id for s in sorted(store.summaries(), key=_CREATION)]


def read_in_order(
    store: Store,
    ids: Iterable[str],
    unread: list[str],
    transform: Transform | None = None,
) -> Iterator[Audit]:
    """The audits of `ids`, read one at a time, as they leave (`transform`); one that cannot be
    read is left out and its message added to `unread` (the command names it)."""
    for audit_id in ids:
        try:
            audit = store.get(audit_id)
        except (KeyError, StoreError) as exc:
            unread.append(str(exc) if isinstance(exc, StoreError) else repr(exc))
            continue
        yield audit if transform is None else transform(audit)


class ExportError(ValueError):
    """An audit that cannot leave as the contract says (a number that is not finite, which an
    older version let into the store): named, and nothing is written."""

    def __init__(self, audit_id: str, detail: str) -> None:
        self.audit_id = audit_id
        self.detail = detail
        super().__init__(f"audit {audit_id} non exportable : {detail}")


def check_exportable(audit: Audit) -> None:
    """ExportError unless every number of the audit is finite (the one float it holds, and
    those of the fields it keeps unread)."""
    seconds = audit.call.transfer_seconds
    if isinstance(seconds, float) and not math.isfinite(seconds):
        raise ExportError(audit.id, f"champ call.transfer_seconds : nombre non fini {seconds}")
    if audit.extra:
        try:
            encode_record(audit.extra)
        except ValueError as exc:
            raise ExportError(audit.id, f"champ inconnu conservé : {exc}") from exc


def export_line(audit: Audit, now: datetime) -> str:
    """One audit's JSONL line, its line end included; ExportError if it cannot leave. `now`:
    what the computed `follow_up.*_in_time` are worked out at."""
    check_exportable(audit)
    record = audit.to_export(now)
    return (encode_record(record) if audit.extra else encode_checked(record)) + "\n"


def iter_export(audits: Iterable[Audit], now: datetime | None = None) -> Iterator[str]:
    """The records, a line each; `now`: the wall clock by default."""
    now = now or now_utc()
    for audit in in_export_order(audits):
        yield export_line(audit, now)


def write_jsonl(audits: Iterable[Audit], out: IO[str], now: datetime | None = None) -> int:
    """Write the audits, sorted into export order, as JSON Lines; returns their number."""
    count = 0
    for line in iter_export(audits, now):
        out.write(line)
        count += 1
    return count


def all_audits(store: Store) -> list[Audit]:
    return [store.get(audit_id) for audit_id in store.ids()]


def export_store(
    store: Store,
    fmt: str,
    out: IO[bytes],
    unread: list[str],
    transform: Transform | None = None,
    now: datetime | None = None,
    only: Collection[str] | None = None,
) -> tuple[int, list[str]]:
    """Export every audit of the store (or those of `only`) in `fmt` (jsonl, csv, xlsx) into
    `out`, reading one audit at a time: the number of audits written, and, for an XLSX, the
    titles of its sheets. An audit that cannot be read is left out and named in `unread`;
    ExportError for one that cannot leave (part of `out` written: the caller drops it).
    `now`: what a deadline still open is judged at (the wall clock by default)."""
    from auditor_tui.exchange.parallel import export_chunks, export_lines

    ids = export_order(store)
    if only is not None:
        ids = [audit_id for audit_id in ids if audit_id in only]
    moment = now or now_utc()
    if fmt == "jsonl":
        count = 0

        def line_of(audit: Audit) -> str:
            return export_line(audit, moment)

        for n, text in export_lines(store, ids, unread, transform, line_of):
            out.write(text.encode("utf-8"))
            count += n
        return count, []
    from auditor_tui.domain.grid import GridError, load_grid

    grids = []
    kept = store.summaries() if only is None else [s for s in store.summaries() if s.id in only]
    for name in dict.fromkeys(s.questionnaire for s in kept):
        try:
            grids.append(load_grid(name))
        except (GridError, ValueError, OSError):
            continue  # its audits cannot be read: named in `unread`
    if fmt == "csv":
        from auditor_tui.exchange.export_csv import csv_writer

        head, csv_line = csv_writer(grids, moment)
        out.write(head.encode("utf-8"))
        count = 0
        for n, text in export_lines(store, ids, unread, transform, csv_line):
            out.write(text.encode("utf-8"))
            count += n
        return count, []
    from auditor_tui.exchange.export_xlsx import write_xlsx

    counted = [0]
    passes = iter((unread, []))  # an audit unreadable in the second pass is not named twice

    def chunked(make: Callable[[Iterable[Audit]], T]) -> Iterator[T]:
        first, missed = counted[0] == 0, next(passes)
        for n, made in export_chunks(store, ids, missed, transform, make, 4):
            counted[0] += n if first else 0
            yield made

    titles = write_xlsx(chunked, grids, out, now=moment)
    return counted[0], titles
