"""An audit's lifecycle as the record carries it (DOMAIN.md §4, `history`): when it was created,
when the call ended, when the e-mail and the call-back came (the time the evidence gives), each
completion (with the deadlines still open when it was confirmed early) and each reopening (with
its reason). The lifecycle only, never each answer: a few entries an audit.

Entries are dicts `{"at", "event", "detail"}` (a field a newer version adds to an entry is kept),
in the order they happened. The facts (`created`, `call_ended`, `email_received`,
`callback_received`) follow the record: `sync` makes them say what it says now (an e-mail noted
on the wrong audit and removed leaves no trace of its arrival); the decisions (`completed`,
`reopened`) are added as they are taken and never removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from auditor_tui.domain.instants import format_instant
from auditor_tui.domain.record_fields import HISTORY_EVENTS as EVENTS

if TYPE_CHECKING:
    from auditor_tui.domain.record import Audit

__all__ = [
    "CALLBACK_RECEIVED",
    "CALL_ENDED",
    "COMPLETED",
    "CREATED",
    "EMAIL_RECEIVED",
    "EVENTS",
    "REOPENED",
    "Entry",
    "backfill",
    "early_detail",
    "entries",
    "last_reopen_reason",
    "note",
    "reopen_count",
    "sync",
]

CREATED, CALL_ENDED, EMAIL_RECEIVED, CALLBACK_RECEIVED, COMPLETED, REOPENED = EVENTS
DECISIONS = (COMPLETED, REOPENED)


@dataclass(frozen=True)
class Entry:
    """One entry, typed (the record keeps the dict)."""

    at: str
    event: str
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at, "event": self.event, "detail": self.detail}


def entries(audit: Audit) -> list[Entry]:
    """The audit's history as typed entries, in its order."""
    return [Entry(e["at"], e["event"], e.get("detail")) for e in audit.history]


def note(audit: Audit, event: str, moment: datetime, detail: str | None = None) -> None:
    """Add a decision (`completed`, `reopened`) taken at `moment`."""
    if event not in EVENTS:
        raise ValueError(f"événement d'historique inconnu {event!r}")
    audit.history.append(Entry(format_instant(moment), event, detail).to_dict())


def _facts(audit: Audit) -> dict[str, str | None]:
    fu = audit.follow_up
    return {
        CREATED: audit.created_at or None,
        CALL_ENDED: audit.call.ended_at,
        EMAIL_RECEIVED: fu.email_received_at,
        CALLBACK_RECEIVED: fu.callback_at,
    }


def _last_decision(history: Iterable[Mapping[str, Any]]) -> str | None:
    last = None
    for entry in history:
        if entry.get("event") in DECISIONS:
            last = entry["event"]
    return last


def sync(audit: Audit, moment: datetime) -> bool:
    """Make the facts of the history say what the record says (one entry each, at the instant
    the record gives), and note a completion the record shows but the history does not (an
    unreachable dealer's audit completes itself: lifecycle.settle). Entries stay in the order
    they happened. True when the history changed."""
    facts = _facts(audit)
    kept: list[dict[str, Any]] = []
    have: set[str] = set()
    for entry in audit.history:
        event = entry.get("event")
        if event in facts:
            if entry.get("at") != facts[event] or event in have:
                continue  # no longer so (a removed e-mail), or said twice
            have.add(event)
        kept.append(entry)
    added = [
        Entry(at, event).to_dict()
        for event, at in facts.items()
        if at is not None and event not in have
    ]
    if audit.status == "complete" and _last_decision(kept) != COMPLETED:
        added.append(Entry(format_instant(moment), COMPLETED).to_dict())
    changed = bool(added) or len(kept) != len(audit.history)
    if changed:
        audit.history = _in_order([*kept, *added])
    return changed


def _in_order(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Oldest first; entries of the same instant in the order given (stored instants are
    spelled alike, so their text sorts as their time)."""
    return sorted(history, key=lambda e: str(e.get("at")))


def backfill(audit: Audit, events: Iterable[Mapping[str, Any]]) -> bool:
    """An audit saved before its record carried a history: its decisions from the store's event
    log (`complete` and `reopen` events, with the reason of each reopening), then its facts
    (`sync`). Nothing is done to an audit that has a history. True when one was made."""
    if audit.history:
        return False
    made: list[dict[str, Any]] = []
    last_revision: tuple[object, str] | None = None
    for event in events:
        kind = event.get("kind")
        at = event.get("at")
        if not isinstance(at, str):
            continue
        if kind == "complete" and last_revision != (event.get("revision"), COMPLETED):
            made.append(Entry(at, COMPLETED).to_dict())
            last_revision = (event.get("revision"), COMPLETED)
        elif kind == "reopen" and event.get("field") is None:  # the reason's own event
            reason = event.get("new")
            made.append(Entry(at, REOPENED, reason if isinstance(reason, str) else None).to_dict())
    audit.history = _in_order(made)
    facts_moment = audit.updated_at or audit.created_at
    if facts_moment:
        from auditor_tui.domain.instants import parse_rfc3339

        sync(audit, parse_rfc3339(facts_moment))
    return bool(audit.history)


def early_detail(open_deadlines: Mapping[str, str]) -> str:
    """The `detail` of a completion confirmed before its deadlines passed: each deadline still
    open with its evidence missing, by kind, « callback 2026-05-18T21:59:59+00:00 »."""
    return ", ".join(f"{kind} {at}" for kind, at in open_deadlines.items())


def reopen_count(audit: Audit) -> int:
    """How many times the audit was reopened."""
    return sum(1 for e in audit.history if e.get("event") == REOPENED)


def last_reopen_reason(audit: Audit) -> str | None:
    """The reason of the last reopening (None if never reopened)."""
    for entry in reversed(audit.history):
        if entry.get("event") == REOPENED:
            detail = entry.get("detail")
            return detail if isinstance(detail, str) else None
    return None
