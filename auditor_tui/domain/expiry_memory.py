"""What the app remembers of the deadlines that passed (issue 17.4), kept in the store's
settings across restarts: the deadlines the bell already rang for (it rings once per deadline,
never again for the same one, even after a restart or with the clock set back), and those that
passed while the app was closed and that the auditor has not looked at yet (the start-up
summary, readable again from the queue until each audit is opened). Pure: the session layer
reads and saves it (session/queue.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auditor_tui.domain.instants import format_instant, parse_rfc3339
from auditor_tui.domain.queue import KIND_LABELS, Expiry
from auditor_tui.text.french import format_short

SETTING = "expiries"  # the setting: {"rung": [keys], "missed": [{audit_id, dealer, kind, at}]}


def deadline_key(audit_id: str, kind: str, at: datetime) -> str:
    """One deadline of one audit: « <id> callback 2026-05-18T21:59:59+00:00 »."""
    return f"{audit_id} {kind} {format_instant(at)}"


@dataclass(frozen=True)
class Missed:
    """A deadline that passed while the app was closed, not yet looked at."""

    audit_id: str
    dealer: str
    kind: str
    at: datetime

    @property
    def key(self) -> str:
        return deadline_key(self.audit_id, self.kind, self.at)

    def text(self, zone: str) -> str:
        """« Lexus Metz : e-mail non reçu dans le délai (mer. 13 mai 19:30) »."""
        label = KIND_LABELS.get(self.kind, self.kind)
        return f"{self.dealer} : {label} non reçu dans le délai ({format_short(self.at, zone)})"

    def to_dict(self) -> dict[str, str]:
        return {
            "audit_id": self.audit_id,
            "dealer": self.dealer,
            "kind": self.kind,
            "at": format_instant(self.at),
        }

    @classmethod
    def of(cls, expiry: Expiry) -> Missed:
        return cls(expiry.audit_id, expiry.dealer, expiry.due.kind, expiry.due.at)


def _key(expiry: Expiry) -> str:
    return deadline_key(expiry.audit_id, expiry.due.kind, expiry.due.at)


@dataclass(frozen=True)
class ExpiryMemory:
    """The deadlines rung for, and those missed while the app was closed (oldest first)."""

    rung: frozenset[str] = frozenset()
    missed: tuple[Missed, ...] = field(default_factory=tuple)

    @classmethod
    def from_setting(cls, raw: Any) -> ExpiryMemory:
        """From the setting as saved; what cannot be read is left out (a hand-edited or
        damaged settings file costs at most a bell or a line, never the app)."""
        raw = raw if isinstance(raw, Mapping) else {}
        rung, missed = raw.get("rung"), raw.get("missed")
        keys = frozenset(k for k in rung if isinstance(k, str)) if isinstance(rung, list) else None
        items: list[Missed] = []
        for raw in missed if isinstance(missed, list) else []:
            item = _missed(raw)
            if item is not None and item.key not in {m.key for m in items}:
                items.append(item)
        return cls(keys or frozenset(), tuple(items))

    def to_setting(self) -> dict[str, Any]:
        return {"rung": sorted(self.rung), "missed": [m.to_dict() for m in self.missed]}

    def unrung(self, expiries: Iterable[Expiry]) -> list[Expiry]:
        """The expiries the bell has not rung for yet."""
        return [e for e in expiries if _key(e) not in self.rung]

    def rang(self, expiries: Iterable[Expiry]) -> ExpiryMemory:
        """The bell rang (or was due) for these."""
        return ExpiryMemory(self.rung | {_key(e) for e in expiries}, self.missed)

    def passed_while_closed(self, expiries: Iterable[Expiry]) -> ExpiryMemory:
        """The start-up summary's expiries, kept to be read again."""
        known = {m.key for m in self.missed}
        added = [Missed.of(e) for e in expiries if _key(e) not in known]
        ordered = sorted([*self.missed, *added], key=lambda m: (m.at, m.dealer, m.kind))
        return ExpiryMemory(self.rung, tuple(ordered))

    def seen(self, audit_id: str) -> ExpiryMemory:
        """The auditor opened the audit: its missed deadlines are read."""
        return ExpiryMemory(self.rung, tuple(m for m in self.missed if m.audit_id != audit_id))

    def keep(self, awaiting: Iterable[str]) -> ExpiryMemory:
        """Only what concerns the audits still awaiting their follow-up (a completed audit's
        deadlines will not pass again; the settings stay small)."""
        ids = set(awaiting)
        return ExpiryMemory(
            frozenset(k for k in self.rung if k.split(" ", 1)[0] in ids),
            tuple(m for m in self.missed if m.audit_id in ids),
        )

    def missed_line(self) -> str:
        """« 3 échéances passées depuis votre dernière visite »; empty when none is left."""
        count = len(self.missed)
        if not count:
            return ""
        if count == 1:
            return "1 échéance passée depuis votre dernière visite"
        return f"{count} échéances passées depuis votre dernière visite"


def _missed(raw: Any) -> Missed | None:
    if not isinstance(raw, Mapping):
        return None
    fields = [raw.get(k) for k in ("audit_id", "dealer", "kind", "at")]
    if not all(isinstance(f, str) for f in fields):
        return None
    audit_id, dealer, kind, at = fields
    try:
        moment = parse_rfc3339(at)
    except ValueError:
        return None
    return Missed(str(audit_id), str(dealer), str(kind), moment)
