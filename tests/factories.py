"""Ready-made audits and dealers built from the real grid, with fixed ids and instants."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from pathlib import Path

from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.lifecycle import end_call
from auditor_tui.domain.record import Audit, DealerRef, format_instant
from auditor_tui.domain.scoring import is_applicable

GRID = load_grid()
T0 = datetime(2026, 11, 17, 9, 30, tzinfo=UTC)  # a Tuesday


def dealer(
    name: str = "Lexus Dijon",
    department: str | None = "21",
    country: str = "FR",
    phone: str = "+33353012001",
) -> DealerRef:
    return DealerRef(
        name=name,
        country=country,
        department=department,
        phone=phone,
        id=name.lower().replace(" ", "-"),
        city=name.removeprefix("Lexus "),
    )


def best_answers(transferred: bool) -> dict[str, list[int]]:
    answers: dict[str, list[int]] = {}
    for q in GRID.questions():
        if not is_applicable(q, transferred):
            continue
        if q.multi:
            answers[q.id] = [o.position for o in q.options if not o.exclusive]
        else:
            answers[q.id] = [max(q.options, key=lambda o: o.points).position]
    return answers


def make_audit(
    n: int = 0,
    *,
    transferred: bool = True,
    status: str = "complete",
    name: str = "Lexus Dijon",
    when: datetime = T0,
) -> Audit:
    """A finished audit with fixed id and instants (deterministic exports)."""
    audit = Audit.new(dealer(name), GRID, when)
    audit.id = str(uuid.UUID(int=n + 1))
    audit.call.attempts = [format_instant(when)]
    audit.call.started_at = format_instant(when)
    audit.call.transferred = transferred
    audit.call.transfer_seconds = 30.0 if transferred else None
    audit.answers = best_answers(transferred)
    audit.follow_up.callback_at = format_instant(when.replace(day=when.day + 1))
    audit.follow_up.callback_method = "phone"
    end_call(audit, when.replace(minute=when.minute + 8))
    audit.status = status
    return audit


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under `root` by its sha256: "byte-for-byte unchanged" is two equal digests."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
