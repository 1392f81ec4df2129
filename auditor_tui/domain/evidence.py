"""Whether the dealer's e-mail (Q16) and call-back (Q17) came by their deadlines, computed like
the score (DOMAIN.md §4, `follow_up.email_in_time`, `follow_up.callback_in_time`): `True` when
the evidence came by its deadline, `False` when it came late or the deadline passed without it,
`None` while the window is open with nothing recorded (or when there is no deadline: a draft, an
unreachable dealer). Pure: `now` is passed in.

An e-mail that was a mere acknowledgement is not the evidence (Q16's suggestion reads it so):
its clock still runs.

Late is said in words wherever evidence shows: « e-mail reçu en retard (45 min) ».
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from auditor_tui.domain.deadlines import is_within
from auditor_tui.domain.instants import format_instant, is_stored
from auditor_tui.text.french import format_duration

if TYPE_CHECKING:
    from auditor_tui.domain.record import Audit, FollowUp

EMAIL = "email"
CALLBACK = "callback"
KINDS = (EMAIL, CALLBACK)
LABELS = {EMAIL: "e-mail", CALLBACK: "rappel"}
FIELDS = {EMAIL: "email_in_time", CALLBACK: "callback_in_time"}


@dataclass(frozen=True)
class Evidence:
    """One deadline of an audit and what came for it."""

    kind: str  # EMAIL | CALLBACK
    deadline: datetime | None  # UTC; None: no deadline (draft, unreachable dealer)
    received: datetime | None  # the evidence that counts (not a mere acknowledgement)
    acknowledgement: bool = False  # an e-mail came, but only acknowledged the request

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    def in_time(self, now: datetime) -> bool | None:
        """True, False, or None while the window is open with nothing recorded."""
        if self.deadline is None:
            return None
        if self.received is not None:
            return is_within(self.received, self.deadline)
        return None if is_within(now, self.deadline) else False

    def late_by(self) -> timedelta | None:
        """How late the evidence came (to the second); None when in time or not received."""
        if self.deadline is None or self.received is None:
            return None
        if is_within(self.received, self.deadline):
            return None
        return _second(self.received) - _second(self.deadline)

    def waiting(self, now: datetime) -> bool:
        """The deadline is still open and its evidence missing: a « Non » now is early."""
        return self.deadline is not None and self.received is None and is_within(now, self.deadline)

    def received_text(self) -> str | None:
        """« e-mail reçu », « rappel reçu en retard (2 h 05) »; None when nothing counts yet."""
        if self.received is None:
            return None
        late = self.late_by()
        if late is None:
            return f"{self.label} reçu"
        return f"{self.label} reçu en retard ({format_late(late)})"


def _second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else None


def evidence(audit: Audit, kind: str) -> Evidence:
    """The audit's deadline of `kind` and what came for it."""
    deadline = _instant((audit.deadlines or {}).get(kind))
    fu = audit.follow_up
    if kind == EMAIL:
        acknowledgement = _acknowledgement(fu)
        received = None if acknowledgement else _instant(fu.email_received_at)
        return Evidence(EMAIL, deadline, received, acknowledgement)
    if kind == CALLBACK:
        return Evidence(CALLBACK, deadline, _instant(fu.callback_at))
    raise ValueError(f"échéance inconnue {kind!r}")


def _acknowledgement(fu: FollowUp) -> bool:
    """An e-mail came, but only acknowledged the request: not the evidence, its clock runs."""
    return fu.email_received_at is not None and fu.email_has_information is False


def in_time(audit: Audit, now: datetime) -> dict[str, bool | None]:
    """`follow_up.email_in_time` and `follow_up.callback_in_time`, as the record exports them."""
    email, callback = in_time_pair(audit, now)
    return {FIELDS[EMAIL]: email, FIELDS[CALLBACK]: callback}


def in_time_pair(audit: Audit, now: datetime) -> tuple[bool | None, bool | None]:
    """Whether the e-mail and the call-back came in time (`Evidence.in_time`), as quickly as an
    export of 100,000 audits needs: instants in the stored spelling (UTC, to the second, one
    length) compare as their texts do; any other spelling goes through `evidence`."""
    fu = audit.follow_up
    deadlines = audit.deadlines or {}
    email_due, callback_due = deadlines.get(EMAIL), deadlines.get(CALLBACK)
    email = None if _acknowledgement(fu) else fu.email_received_at
    callback = fu.callback_at
    texts = (email_due, email, callback_due, callback)
    if all(text is None or (type(text) is str and is_stored(text)) for text in texts):
        waiting = (email_due is not None and email is None) or (
            callback_due is not None and callback is None
        )
        at = format_instant(now) if waiting else ""
        return _compared(email_due, email, at), _compared(callback_due, callback, at)
    return evidence(audit, EMAIL).in_time(now), evidence(audit, CALLBACK).in_time(now)


def _compared(due: str | None, received: str | None, now: str) -> bool | None:
    if due is None:
        return None
    if received is not None:
        return received <= due
    return None if now <= due else False


def waiting(audit: Audit, now: datetime) -> list[Evidence]:
    """The deadlines still open whose evidence is missing, soonest first."""
    return [e for e in (evidence(audit, kind) for kind in KINDS) if e.waiting(now)]


def open_deadlines(audit: Audit, now: datetime) -> dict[str, str]:
    """The same as the history's `detail` of an early completion reads them: kind → instant."""
    return {e.kind: format_instant(e.deadline) for e in waiting(audit, now) if e.deadline}


def disagreements(
    given: Mapping[str, Any] | None, audit: Audit, now: datetime
) -> list[tuple[str, object, bool | None]]:
    """The `follow_up.*_in_time` values a record gave that differ from the recomputed ones:
    (field, given, recomputed). A value not given is not compared, nor a `null` given for a
    window that has closed since with nothing recorded (it was open when the record was
    written: `null` then, `false` now)."""
    if not isinstance(given, Mapping):
        return []
    out = []
    for kind in KINDS:
        name = FIELDS[kind]
        if name not in given:
            continue
        found = evidence(audit, kind)
        value = found.in_time(now)
        if given[name] is value:
            continue
        if given[name] is None and value is False and found.received is None:
            continue
        out.append((name, given[name], value))
    return out


def format_late(delta: timedelta) -> str:
    """How late, to the minute once past one: « 45 s », « 45 min », « 1 h 05 », « 2 j 3 h »
    (a countdown's form, `format_duration`, but for minutes without their seconds)."""
    total = max(int(delta.total_seconds()), 0)
    if 60 <= total < 3600:
        return f"{total // 60} min"
    return format_duration(timedelta(seconds=total))
