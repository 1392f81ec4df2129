"""The follow-up after the call (Q16–Q24): the queue of audits waiting for the dealer, what
expired between two instants, and the answers suggested from what was recorded.

Pure functions: `now` is always passed in. Question ids and option positions come from the
grid's rules (`grid.rule("email")`, …), never from this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from auditor_tui.deadlines import is_within
from auditor_tui.grid import Grid
from auditor_tui.record import Audit, parse_instant

DEFAULT_ZONE = "Europe/Paris"
AWAITING = "awaiting_follow_up"

KIND_EMAIL = "email"
KIND_CALLBACK = "callback"
KIND_LABELS = {KIND_EMAIL: "e-mail", KIND_CALLBACK: "rappel"}

_WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
_MONTHS = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)
_ZONE_LABELS = {
    "Europe/Paris": "Paris",
    "Europe/Monaco": "Monaco",
    "America/Guadeloupe": "Guadeloupe",
    "America/Martinique": "Martinique",
    "America/Cayenne": "Cayenne",
    "Indian/Reunion": "La Réunion",
    "Indian/Mayotte": "Mayotte",
}


# ---- French display of instants ----------------------------------------------------------


def zone_label(zone: str) -> str:
    """« heure de Paris » for Europe/Paris; the zone's own name when unknown."""
    return f"heure de {_ZONE_LABELS.get(zone, zone)}"


def format_day(moment: datetime, zone: str) -> str:
    """« jeu. 19 nov. » in the given zone."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"


def format_short(moment: datetime, zone: str) -> str:
    """« jeu. 19 nov. 23:59 » in the given zone (the queue's view)."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{format_day(moment, zone)} {local:%H:%M}"


def format_long(moment: datetime, zone: str) -> str:
    """« mar. 24 nov. 2026 23:59:59 (heure de Paris) » (the follow-up screen's view)."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{format_day(moment, zone)} {local.year} {local:%H:%M:%S} ({zone_label(zone)})"


def format_duration(delta: timedelta) -> str:
    """A countdown: « 1 h 12 » from an hour up, « 12 min 05 s » below, « 45 s » below a minute."""
    total = max(int(delta.total_seconds()), 0)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d}"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


# ---- the queue ---------------------------------------------------------------------------


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
        """« e-mail : 1 h 12 », « rappel : jeu. 19 nov. 23:59 », or what is overdue."""
        if self.overdue(now):
            if self.kind == KIND_EMAIL:
                return f"{self.label} : en retard de {format_duration(now - self.at)}"
            return f"{self.label} : échu {format_short(self.at, zone)}"
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


def pending(source: QueueSource) -> list[Due]:
    """The deadlines of an audit awaiting follow-up for which nothing is recorded yet."""
    if source.status != AWAITING or not source.deadlines:
        return []
    dues = []
    if not source.email_received and source.deadlines.get(KIND_EMAIL):
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

    @property
    def next_due(self) -> Due | None:
        return min(self.dues, key=lambda d: d.at) if self.dues else None

    def overdue(self, now: datetime) -> bool:
        return any(d.overdue(now) for d in self.dues)

    def countdown(self, now: datetime) -> str:
        """Every pending deadline's countdown, soonest first; « à terminer » when none is left."""
        if not self.dues:
            return "tout est reçu : à terminer"
        ordered = sorted(self.dues, key=lambda d: d.at)
        return " · ".join(d.countdown(now, self.zone) for d in ordered)


_FAR = datetime.max.replace(tzinfo=UTC)


def build_queue(
    sources: Iterable[QueueSource], zones: Mapping[str, str] | None = None
) -> list[QueueEntry]:
    """Every audit awaiting follow-up, soonest (or most overdue) deadline first; audits with
    everything received come last. `zones` maps an audit id to its dealer's time zone."""
    zones = zones or {}
    entries = [
        QueueEntry(
            s.id,
            s.dealer,
            zones.get(s.id, DEFAULT_ZONE),
            tuple(pending(s)),
            parse_instant(s.ended_at) if s.ended_at else None,
        )
        for s in sources
        if s.status == AWAITING
    ]

    def key(entry: QueueEntry) -> tuple[datetime, str]:
        due = entry.next_due
        return (due.at if due else _FAR, entry.dealer)

    return sorted(entries, key=key)


@dataclass(frozen=True)
class Expiry:
    """A deadline that passed with nothing recorded."""

    audit_id: str
    dealer: str
    due: Due

    def __str__(self) -> str:
        return f"{self.dealer} : {self.due.label} non reçu dans le délai"


def expired_between(
    sources: Iterable[QueueSource], since: datetime | None, until: datetime
) -> list[Expiry]:
    """Deadlines that passed in (since, until] with nothing recorded; `since=None`: all before
    `until`. For the start-up summary and the bell while the app is open."""
    out = []
    for s in sources:
        for due in pending(s):
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
    from auditor_tui.deadlines import DeadlineError, calendar_for

    try:
        return calendar_for(audit.dealer.country, audit.dealer.department).timezone
    except DeadlineError:
        return DEFAULT_ZONE


# ---- suggestions for Q16–Q19 ---------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """An answer derived from the record, shown to the auditor and applied only on request."""

    question: str
    positions: tuple[int, ...]
    reason: str

    def label(self, grid: Grid) -> str:
        """« Q16 → Non (e-mail reçu 1 s après l'échéance) »."""
        question = grid.question(self.question)
        options = ", ".join(question.option(p).label for p in self.positions)
        return f"Q{self.question} → {options} ({self.reason})"


def _deadline(audit: Audit, kind: str) -> datetime | None:
    if not audit.deadlines or not audit.deadlines.get(kind):
        return None
    return parse_instant(audit.deadlines[kind])


def _email_suggestion(audit: Audit, grid: Grid, now: datetime) -> Suggestion | None:
    rule = grid.rule("email")
    qid, yes, no = str(rule["question"]), int(rule["yes"]), int(rule["no"])
    deadline = _deadline(audit, KIND_EMAIL)
    if deadline is None:
        return None
    fu = audit.follow_up
    received = parse_instant(fu.email_received_at) if fu.email_received_at else None
    # A bare acknowledgement does not stop the clock: it counts as nothing received.
    if received is not None and fu.email_has_information is not False:
        if is_within(received, deadline):
            return Suggestion(qid, (yes,), "e-mail reçu dans les 2 h")
        late = format_duration(received - deadline)
        return Suggestion(qid, (no,), f"e-mail reçu {late} après l'échéance")
    if is_within(now, deadline):
        return None
    if received is not None:
        return Suggestion(qid, (no,), "seul un accusé de réception est arrivé dans les 2 h")
    return Suggestion(qid, (no,), "aucun e-mail reçu dans les 2 h")


def _callback_suggestion(audit: Audit, grid: Grid, now: datetime) -> Suggestion | None:
    rule = grid.rule("callback")
    qid, yes, no = str(rule["question"]), int(rule["yes"]), int(rule["no"])
    deadline = _deadline(audit, KIND_CALLBACK)
    if deadline is None:
        return None
    if audit.follow_up.callback_at:
        if is_within(parse_instant(audit.follow_up.callback_at), deadline):
            return Suggestion(qid, (yes,), "rappel dans les 2 jours ouvrés")
        return Suggestion(qid, (no,), "rappel après les 2 jours ouvrés")
    if is_within(now, deadline):
        return None
    return Suggestion(qid, (no,), "aucun rappel dans les 2 jours ouvrés")


def _method_suggestions(audit: Audit, grid: Grid, now: datetime) -> list[Suggestion]:
    out = []
    method = audit.follow_up.callback_method
    rule = grid.rule("callback_method")
    options: Mapping[str, int] = rule["options"]
    if audit.follow_up.callback_at and method is not None and method in options:
        position = int(options[method])
        label = grid.question(str(rule["question"])).option(position).label
        out.append(Suggestion(str(rule["question"]), (position,), f"rappel noté : {label}"))
    match = grid.rule("method_match")
    qid, yes, no = str(match["question"]), int(match["yes"]), int(match["no"])
    agreed = audit.call.agreed_method
    if audit.follow_up.callback_at and method and agreed:
        if method == agreed:
            out.append(Suggestion(qid, (yes,), "même méthode que celle convenue à l'appel"))
        else:
            out.append(Suggestion(qid, (no,), "méthode différente de celle convenue à l'appel"))
    elif not audit.follow_up.callback_at:
        deadline = _deadline(audit, KIND_CALLBACK)
        if deadline is not None and not is_within(now, deadline):
            out.append(Suggestion(qid, (no,), "aucun recontact dans le délai"))
    return out


def suggestions(audit: Audit, now: datetime) -> list[Suggestion]:
    """Every answer the record supports for Q16–Q19, in grid order, whether or not it is
    already the recorded answer."""
    grid = audit.grid
    found = [
        _email_suggestion(audit, grid, now),
        _callback_suggestion(audit, grid, now),
        *_method_suggestions(audit, grid, now),
    ]
    order = {qid: i for i, qid in enumerate(grid.question_ids)}
    return sorted((s for s in found if s is not None), key=lambda s: order[s.question])


def pending_suggestions(audit: Audit, now: datetime) -> list[Suggestion]:
    """The suggestions that differ from the recorded answer: what « accepter » would change."""
    return [
        s for s in suggestions(audit, now) if audit.answers.get(s.question) != list(s.positions)
    ]


def accept(audit: Audit, suggestion: Suggestion) -> None:
    """Apply one suggestion to the audit's answers (the caller saves)."""
    audit.answers[suggestion.question] = list(suggestion.positions)
