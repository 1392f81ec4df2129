"""The follow-up after the call (Q16–Q24), pure: the queue of audits waiting for the dealer (each
with its deadlines still open), the queue as computed for the screen (`QueueState`), what
expired between two instants, the dealer's zone, and the questions answered after the call.
`now` is always passed in. Reading the queue from a store is session/queue.py.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from auditor_tui.domain.deadlines import is_within
from auditor_tui.domain.grid import Grid
from auditor_tui.domain.periods import PARIS_ZONE
from auditor_tui.domain.record import Audit, parse_instant
from auditor_tui.domain.scoring import OUTCOME_UNREACHABLE
from auditor_tui.text.french import format_duration, format_short

AWAITING = "awaiting_follow_up"

KIND_EMAIL = "email"

KIND_CALLBACK = "callback"

KIND_LABELS = {KIND_EMAIL: "e-mail", KIND_CALLBACK: "rappel"}


@dataclass(frozen=True)
class Due:
    """One deadline still waiting for the dealer."""

    kind: str  # KIND_EMAIL | KIND_CALLBACK
    at: datetime  # UTC

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    def overdue(self, now: datetime) -> bool:
        return not is_within(now, self.at)

    def countdown(self, now: datetime, zone: str) -> str:
        """« e-mail : 1 h 12 », « rappel : jeu. 19 nov. 23:59 », or « … : en retard »."""
        if self.overdue(now):
            return f"{self.label} : en retard"
        if self.kind == KIND_EMAIL:
            return f"{self.label} : {format_duration(self.at - now)}"
        return f"{self.label} : {format_short(self.at, zone)}"


class QueueSource(Protocol):
    """What the queue needs of an audit; `store.Summary` has it (the core stays headless)."""

    @property
    def id(self) -> str: ...
    @property
    def dealer(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def deadlines(self) -> Mapping[str, str] | None: ...
    @property
    def email_received(self) -> bool: ...
    @property
    def callback_received(self) -> bool: ...
    @property
    def ended_at(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...


Received = tuple[tuple[str, int | None], ...]  # (kind, seconds late or None when in time)


@dataclass(frozen=True)
class QueueFacts:
    """What the queue needs from the audit itself (not in its summary): the dealer's zone,
    whether the e-mail received was only an acknowledgement (its clock still runs), and whether
    what came came in time (`received`: how late, by kind)."""

    zone: str = PARIS_ZONE
    acknowledgement_only: bool = False
    received: Received = ()

    @classmethod
    def of(cls, audit: Audit) -> QueueFacts:
        from auditor_tui.domain.evidence import KINDS, evidence

        fu = audit.follow_up
        received = []
        for kind in KINDS:
            found = evidence(audit, kind)
            if found.received is not None:
                late = found.late_by()
                received.append((kind, None if late is None else int(late.total_seconds())))
        return cls(
            audit_zone(audit),
            fu.email_received_at is not None and fu.email_has_information is False,
            tuple(received),
        )


Facts = Mapping[str, QueueFacts]  # by audit id


def pending(source: QueueSource, facts: Facts | None = None) -> list[Due]:
    """The deadlines of an audit awaiting follow-up for which nothing is recorded yet."""
    if source.status != AWAITING or not source.deadlines or source.outcome == OUTCOME_UNREACHABLE:
        return []
    dues = []
    acknowledged = facts is not None and facts.get(source.id, _NO_FACTS).acknowledgement_only
    email_in = source.email_received and not acknowledged
    if not email_in and source.deadlines.get(KIND_EMAIL):
        dues.append(Due(KIND_EMAIL, parse_instant(source.deadlines[KIND_EMAIL]).astimezone(UTC)))
    if not source.callback_received and source.deadlines.get(KIND_CALLBACK):
        dues.append(
            Due(KIND_CALLBACK, parse_instant(source.deadlines[KIND_CALLBACK]).astimezone(UTC))
        )
    return dues


@dataclass(frozen=True)
class QueueEntry:
    """One audit awaiting follow-up, as the queue shows it."""

    audit_id: str
    dealer: str
    zone: str
    dues: tuple[Due, ...]
    ended_at: datetime | None
    received: Received = ()  # what came, by kind, and how late (QueueFacts)

    @property
    def next_due(self) -> Due | None:
        return min(self.dues, key=lambda d: d.at) if self.dues else None

    def overdue(self, now: datetime) -> bool:
        return any(d.overdue(now) for d in self.dues)

    def countdown(self, now: datetime, short: int = 0) -> str:
        """The e-mail then the call-back (its deadline is always the later): a pending one's
        countdown, or what came and whether late, « e-mail reçu en retard (45 min) · rappel
        reçu »; « : à terminer » when nothing is pending. `short` 1 leaves out « reçu » before
        « en retard », 2 also how late (for a narrow line)."""
        parts = []
        came = dict(self.received)
        for kind, label in KIND_LABELS.items():
            due = next((d for d in self.dues if d.kind == kind), None)
            if due is not None:
                parts.append(due.countdown(now, self.zone))
            elif kind in came:
                parts.append(_came(label, came[kind], short))
        text = " · ".join(parts)
        return text if self.dues else f"{text} : à terminer" if text else "à terminer"


def _came(label: str, late: int | None, short: int) -> str:
    if late is None:
        return f"{label} reçu"
    if short >= 2:
        return f"{label} en retard"
    from auditor_tui.domain.evidence import format_late

    how = format_late(timedelta(seconds=late))
    return f"{label} en retard ({how})" if short else f"{label} reçu en retard ({how})"


def _received(source: QueueSource, facts: Facts) -> Received:
    """What came for an audit: its facts' account, else its summary's (in time, as far as the
    summary knows: the audit's file is read for it when shown)."""
    known = facts.get(source.id)
    if known is not None and (known.received or known.acknowledgement_only):
        return known.received
    kinds = ((KIND_EMAIL, source.email_received), (KIND_CALLBACK, source.callback_received))
    return tuple((kind, None) for kind, came in kinds if came)


_FAR = datetime.max.replace(tzinfo=UTC)

_NO_FACTS = QueueFacts()


def build_queue(sources: Iterable[QueueSource], facts: Facts | None = None) -> list[QueueEntry]:
    """Every audit awaiting follow-up, soonest (or most overdue) deadline first; audits with
    everything received come last. `facts`: each audit's zone and e-mail content."""
    facts = facts or {}
    entries = [
        QueueEntry(
            s.id,
            s.dealer,
            facts.get(s.id, _NO_FACTS).zone,
            tuple(pending(s, facts)),
            parse_instant(s.ended_at) if s.ended_at else None,
            _received(s, facts),
        )
        for s in sources
        if s.status == AWAITING and s.outcome != OUTCOME_UNREACHABLE  # nothing to follow up
    ]

    def key(entry: QueueEntry) -> tuple[datetime, str]:
        due = entry.next_due
        return (due.at if due else _FAR, entry.dealer)

    return sorted(entries, key=key)


_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class QueueState:
    """The queue as computed for the screen (session/queue.py): every entry, soonest first, and
    what the ticks need to find the deadlines passing (the sources and facts, the dues sorted by
    instant)."""

    entries: list[QueueEntry]
    sources: list[QueueSource]
    facts: dict[str, QueueFacts]
    read: dict[str, tuple[int, QueueFacts]]  # facts read from audit files, by id: (revision, …)
    due_times: list[datetime]  # every pending deadline, sorted
    due_sources: list[int]  # the index in `sources` of each of them

    def around(self, since: datetime | None, until: datetime) -> list[QueueSource]:
        """The sources with a deadline in [since - 1 s, until + 1 s] (deadlines are compared
        to the second), the only ones that can expire between `since` and `until`."""
        low = 0 if since is None else bisect.bisect_left(self.due_times, since - _SECOND)
        high = bisect.bisect_right(self.due_times, until + _SECOND)
        chosen = sorted(set(self.due_sources[low:high]))
        return [self.sources[i] for i in chosen]

    def expired(self, since: datetime | None, until: datetime) -> list[Expiry]:
        """The deadlines that passed in (since, until] with nothing recorded."""
        return expired_between(self.around(since, until), since, until, self.facts)


@dataclass(frozen=True)
class Expiry:
    """A deadline that passed with nothing recorded."""

    audit_id: str
    dealer: str
    due: Due

    def __str__(self) -> str:
        return f"{self.dealer} : {self.due.label} non reçu dans le délai"


def expired_between(
    sources: Iterable[QueueSource],
    since: datetime | None,
    until: datetime,
    facts: Facts | None = None,
) -> list[Expiry]:
    """Deadlines that passed in (since, until] with nothing recorded; `since=None`: all before
    `until`. For the start-up summary and the bell while the app is open."""
    out = []
    for s in sources:
        for due in pending(s, facts):
            if due.overdue(until) and (since is None or not due.overdue(since)):
                out.append(Expiry(s.id, s.dealer, due))
    out.sort(key=lambda e: e.due.at)
    return out


def expiry_summary(expiries: list[Expiry]) -> str:
    """One notification's text for several expiries."""
    if not expiries:
        return ""
    head = "1 échéance dépassée" if len(expiries) == 1 else f"{len(expiries)} échéances dépassées"
    return head + " :\n" + "\n".join(f"• {e}" for e in expiries)


def audit_zone(audit: Audit) -> str:
    """The dealer's zone: the recorded calendar's, else the country default."""
    if audit.calendar and isinstance(audit.calendar.get("timezone"), str):
        return str(audit.calendar["timezone"])
    from auditor_tui.domain.deadlines import DeadlineError, calendar_for

    try:
        return calendar_for(audit.dealer.country, audit.dealer.department).timezone
    except DeadlineError:
        return PARIS_ZONE


def deadline_of(audit: Audit, kind: str) -> datetime | None:
    """The audit's deadline of that kind (KIND_EMAIL, KIND_CALLBACK), if it has one."""
    if not audit.deadlines or not audit.deadlines.get(kind):
        return None
    return parse_instant(audit.deadlines[kind])


def questions_after_call(grid: Grid) -> list[str]:
    """The questions answered after the call: the e-mail question's section and those after."""
    first = grid.sections.index(grid.section_of(grid.rule_question("email")))
    return [q.id for section in grid.sections[first:] for q in section.questions]
