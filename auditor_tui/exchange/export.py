"""What every export shares: audits leave in creation order (ties by id), so exports are stable,
and an audit that cannot leave as the contract says is named (`ExportError`) before anything is
written. The JSONL export (the sync contract, DOMAIN.md §4) is written here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO

from auditor_tui.domain.record import Audit, now_utc
from auditor_tui.exchange.jsonl import encode_record
from auditor_tui.store import Store


def in_export_order(audits: Iterable[Audit]) -> list[Audit]:
    """Every export lists audits in creation order (ties by id), so exports are stable."""
    return sorted(audits, key=lambda a: (a.created_at, a.id))


class ExportError(ValueError):
    """An audit that cannot leave as the contract says (a number that is not finite, which an
    older version let into the store): named, and nothing is written."""

    def __init__(self, audit_id: str, detail: str) -> None:
        self.audit_id = audit_id
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


def iter_export(audits: Iterable[Audit], now: datetime | None = None) -> Iterator[str]:
    """The records, a line each; `now`: what the computed `follow_up.*_in_time` are worked out
    at (the wall clock by default)."""
    now = now or now_utc()
    for audit in in_export_order(audits):
        check_exportable(audit)
        yield encode_record(audit.to_export(now)) + "\n"


def write_jsonl(audits: Iterable[Audit], out: IO[str], now: datetime | None = None) -> int:
    count = 0
    for line in iter_export(audits, now):
        out.write(line)
        count += 1
    return count


def all_audits(store: Store) -> list[Audit]:
    return [store.get(audit_id) for audit_id in store.ids()]
