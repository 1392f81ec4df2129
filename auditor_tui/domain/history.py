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

from auditor_tui.domain.evidence import CALLBACK, EMAIL, KINDS, LABELS, Evidence, evidence
from auditor_tui.domain.instants import format_instant, parse_rfc3339
from auditor_tui.domain.record_fields import HISTORY_EVENTS as EVENTS
from auditor_tui.text.french import format_short

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
    synced = _with_facts(audit)
    if audit.status == "complete" and _last_decision(synced) != COMPLETED:
        synced.append(Entry(format_instant(moment), COMPLETED).to_dict())
    if synced == audit.history:
        return False
    audit.history = synced
    return True


def view(audit: Audit) -> list[Entry]:
    """The history as it reads with its facts made to say what the record says (an imported
    record may carry evidence its history does not mention), without changing the audit."""
    return [Entry(e["at"], e["event"], e.get("detail")) for e in _with_facts(audit)]


def _with_facts(audit: Audit) -> list[dict[str, Any]]:
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
    return _in_order([*kept, *added]) if added or len(kept) != len(audit.history) else kept


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


# ---- in words, for the « Historique » panel --------------------------------------------------

_WORDS = {
    CREATED: "audit créé",
    CALL_ENDED: "fin de l'appel",
    COMPLETED: "audit terminé",
    REOPENED: "audit rouvert",
}


def early_deadlines(detail: str | None) -> list[tuple[str, datetime]]:
    """The deadlines a completion's `detail` says it left open (`early_detail`), by kind;
    empty when it says none or cannot be read (an imported record's own words)."""
    out = []
    for part in (detail or "").split(", "):
        kind, _, at = part.partition(" ")
        if kind not in KINDS:
            return []
        try:
            out.append((kind, parse_rfc3339(at)))
        except ValueError:
            return []
    return out


def describe(entry: Entry, audit: Audit, zone: str) -> str:
    """One entry in words, its times in the dealer's zone: « e-mail reçu en retard (45 min) »,
    « terminé avant l'échéance : le rappel pouvait encore arriver jusqu'au lun. 18 mai 23:59 »,
    « audit rouvert : motif ». A detail given by an imported record is shown as it came."""
    if entry.event in (EMAIL_RECEIVED, CALLBACK_RECEIVED):
        kind = EMAIL if entry.event == EMAIL_RECEIVED else CALLBACK
        deadline = evidence(audit, kind).deadline
        moment = datetime.fromisoformat(entry.at)
        text = Evidence(kind, deadline, moment).received_text() or f"{LABELS[kind]} reçu"
    elif entry.event == COMPLETED and entry.detail:
        left = early_deadlines(entry.detail)
        if not left:
            return f"audit terminé ({entry.detail})"
        return "terminé avant l'échéance : " + still_possible(left, zone, past=True)
    else:
        text = _WORDS.get(entry.event, entry.event)
    return f"{text} : {entry.detail}" if entry.detail else text


def still_possible(left: Iterable[tuple[str, datetime]], zone: str, past: bool = False) -> str:
    """« le rappel peut encore arriver jusqu'au lun. 18 mai 23:59 », or with several
    « l'e-mail peut encore arriver jusqu'au mer. 13 mai 19:30 et le rappel jusqu'au … »
    (`past`: « pouvait »)."""
    parts = [
        ("l'e-mail" if kind == EMAIL else "le rappel", format_short(at, zone)) for kind, at in left
    ]
    verb = "pouvait" if past else "peut"
    (first, first_at), *rest = parts
    text = f"{first} {verb} encore arriver jusqu'au {first_at}"
    for name, at in rest:
        text += f" et {name} jusqu'au {at}"
    return text
