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

from auditor_tui.domain import lifecycle
from auditor_tui.domain.deadlines import is_within
from auditor_tui.domain.grid import Grid, Question
from auditor_tui.domain.record import Audit, format_instant, parse_instant
from auditor_tui.domain.scoring import OUTCOME_UNREACHABLE, is_applicable, is_unreachable, toggle
from auditor_tui.domain.suggestions import (
    METHOD_LABELS,
    Suggestion,
    actual_callback_method,
    method_match_suggestion,
)
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from auditor_tui.text.french import DEFAULT_ZONE, format_duration, format_long, format_short

AWAITING = "awaiting_follow_up"

KIND_EMAIL = "email"
KIND_CALLBACK = "callback"
KIND_LABELS = {KIND_EMAIL: "e-mail", KIND_CALLBACK: "rappel"}
# event kinds of the store's log when a recorded e-mail or call-back is removed
CLEAR_EMAIL = "clear_email"
CLEAR_CALLBACK = "clear_callback"
# the grid rules whose suggestions read each recorded fact
_RESTING_ON = {
    KIND_EMAIL: ("email",),
    KIND_CALLBACK: ("callback", "method_match", "callback_method"),
}


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


@dataclass(frozen=True)
class QueueFacts:
    """What the queue needs from the audit itself (not in its summary): the dealer's zone, and
    whether the e-mail received was only an acknowledgement (its clock still runs)."""

    zone: str = DEFAULT_ZONE
    acknowledgement_only: bool = False

    @classmethod
    def of(cls, audit: Audit) -> QueueFacts:
        fu = audit.follow_up
        return cls(
            audit_zone(audit),
            fu.email_received_at is not None and fu.email_has_information is False,
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
        )
        for s in sources
        if s.status == AWAITING and s.outcome != OUTCOME_UNREACHABLE  # nothing to follow up
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
        return DEFAULT_ZONE


# ---- suggestions for Q16–Q19 ---------------------------------------------------------------


def _deadline(audit: Audit, kind: str) -> datetime | None:
    if not audit.deadlines or not audit.deadlines.get(kind):
        return None
    return parse_instant(audit.deadlines[kind])


def _yes_no(grid: Grid, rule_name: str) -> tuple[str, int, int]:
    """A yes/no rule of the grid: its question id and the « Oui » and « Non » positions."""
    rule = grid.rule(rule_name)
    return str(rule["question"]), int(rule["yes"]), int(rule["no"])


def _deadline_suggestion(
    grid: Grid,
    rule_name: str,
    deadline: datetime | None,
    received: datetime | None,
    now: datetime,
    reasons: tuple[str, str, str],
) -> Suggestion | None:
    """« Oui » when it came in time, « Non » when late or when the deadline passed without it;
    nothing while the window is still open. `reasons`: in time, late ({late}), nothing."""
    if deadline is None:
        return None
    qid, yes, no = _yes_no(grid, rule_name)
    in_time, late, nothing = reasons
    if received is not None:
        if is_within(received, deadline):
            return Suggestion(qid, (yes,), in_time)
        return Suggestion(qid, (no,), late.format(late=format_duration(received - deadline)))
    if is_within(now, deadline):
        return None
    return Suggestion(qid, (no,), nothing)


def _email_suggestion(audit: Audit, grid: Grid, now: datetime) -> Suggestion | None:
    fu = audit.follow_up
    # A bare acknowledgement does not stop the clock: it counts as nothing received.
    acknowledgement = fu.email_received_at is not None and fu.email_has_information is False
    received = None
    if fu.email_received_at and not acknowledgement:
        received = parse_instant(fu.email_received_at)
    nothing = (
        "seul un accusé de réception est arrivé dans les 2 h"
        if acknowledgement
        else "aucun e-mail reçu dans les 2 h"
    )
    return _deadline_suggestion(
        grid,
        "email",
        _deadline(audit, KIND_EMAIL),
        received,
        now,
        ("e-mail reçu dans les 2 h", "e-mail reçu {late} après l'échéance", nothing),
    )


def _callback_suggestion(audit: Audit, grid: Grid, now: datetime) -> Suggestion | None:
    at = audit.follow_up.callback_at
    return _deadline_suggestion(
        grid,
        "callback",
        _deadline(audit, KIND_CALLBACK),
        parse_instant(at) if at else None,
        now,
        (
            "rappel dans les 2 jours ouvrés",
            "rappel {late} après les 2 jours ouvrés",
            "aucun rappel dans les 2 jours ouvrés",
        ),
    )


def _method_suggestions(audit: Audit, grid: Grid, now: datetime) -> list[Suggestion]:
    out = []
    rule = grid.rule("callback_method")
    options: Mapping[str, int] = rule["options"]
    recorded = audit.follow_up.callback_method
    if audit.follow_up.callback_at and recorded is not None and recorded in options:
        position = int(options[recorded])
        label = grid.question(str(rule["question"])).option(position).label
        out.append(Suggestion(str(rule["question"]), (position,), f"rappel noté : {label}"))
    qid, _, no = _yes_no(grid, "method_match")
    match = method_match_suggestion(audit, grid)
    if match is not None:
        out.append(match)
    elif actual_callback_method(audit, grid) is None:
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


def questions_after_call(grid: Grid) -> list[str]:
    """The questions answered after the call: the e-mail question's section and those after."""
    first = grid.sections.index(grid.section_of(grid.rule_question("email")))
    return [q.id for section in grid.sections[first:] for q in section.questions]


# ---- one audit's follow-up, saved at every change ------------------------------------------


class FollowUpError(ValueError):
    """A follow-up action refused; the message is in French, ready to show."""


class FollowUpSession:
    """One audit's follow-up over a store: every method saves through `store.save` before it
    returns. A failed save is handled as in the live call: the StoreError propagates, the change
    stays in memory with `save_error` set (shown as not saved), and `retry_save` or the next
    successful save writes it. `moment` is the wall-clock instant of the action."""

    def __init__(self, store: Store, audit_id: str) -> None:
        self.store = store
        self.audit: Audit = store.get(audit_id)
        self.save_error: str | None = None
        self.saved_at: datetime | None = None
        self._unsaved: tuple[str, str | None] | None = None  # the failed save's kind and reason

    # ---- reading --------------------------------------------------------------------------

    @property
    def grid(self) -> Grid:
        return self.audit.grid

    @property
    def zone(self) -> str:
        return audit_zone(self.audit)

    @property
    def calendar_label(self) -> str:
        from auditor_tui.domain.deadlines import Calendar, DeadlineError

        if not self.audit.calendar:
            return "—"
        try:
            calendar = Calendar.from_dict(self.audit.calendar)
        except DeadlineError:
            return "calendrier illisible"
        return f"{calendar.label} (holidays {calendar.holidays_version})"

    @property
    def editable(self) -> bool:
        return self.audit.status != "complete"

    @property
    def unreachable(self) -> bool:
        return is_unreachable(self.grid, self.audit.answers)

    def deadline(self, kind: str) -> datetime | None:
        return _deadline(self.audit, kind)

    def questions(self) -> list[str]:
        """What the follow-up answers: earlier questions still missing, then the questions
        after the call (applicable ones), in grid order."""
        grid = self.grid
        transferred = self.audit.call.transferred
        follow = [
            qid
            for qid in questions_after_call(grid)
            if is_applicable(grid.question(qid), transferred)
        ]
        earlier = [qid for qid in self.audit.missing() if qid not in follow]
        return [*earlier, *follow]

    def suggestions(self, now: datetime) -> list[Suggestion]:
        if not self.editable or self.unreachable:
            return []
        return pending_suggestions(self.audit, now)

    # ---- recording ------------------------------------------------------------------------

    def record_email(self, at: datetime, has_information: bool, moment: datetime) -> Audit:
        self._check_editable()
        self.check_time(at, moment, "l'e-mail")
        self.audit.follow_up.email_received_at = format_instant(at)
        self.audit.follow_up.email_has_information = has_information
        return self._save("email", moment)

    def toggle_email_information(self, moment: datetime) -> Audit:
        self._check_editable()
        if self.audit.follow_up.email_received_at is None:
            raise FollowUpError("aucun e-mail noté (e pour le noter)")
        self.audit.follow_up.email_has_information = (
            self.audit.follow_up.email_has_information is False
        )
        return self._save("email", moment)

    def record_callback(self, at: datetime, method: str, note: str, moment: datetime) -> Audit:
        self._check_editable()
        if method not in METHOD_LABELS:
            raise FollowUpError(f"méthode inconnue {method!r} (téléphone ou e-mail)")
        self.check_time(at, moment, "le rappel")
        self.audit.follow_up.callback_at = format_instant(at)
        self.audit.follow_up.callback_method = method
        self.audit.follow_up.callback_note = note.strip()
        return self._save("callback", moment)

    def clear_email(self, moment: datetime) -> Audit:
        """Remove the recorded e-mail (noted on the wrong audit, say) and what it held. The
        answers stay as the auditor gave them: the suggestions are worked out again from the
        record, and `answers_resting_on` says which answers to look at again."""
        self._check_editable()
        fu = self.audit.follow_up
        if fu.email_received_at is None:
            raise FollowUpError("aucun e-mail noté : rien à supprimer")
        fu.email_received_at = None
        fu.email_has_information = None
        return self._save(CLEAR_EMAIL, moment)

    def clear_callback(self, moment: datetime) -> Audit:
        """Remove the recorded call-back with its method and note; answers as in `clear_email`."""
        self._check_editable()
        fu = self.audit.follow_up
        if fu.callback_at is None:
            raise FollowUpError("aucun rappel noté : rien à supprimer")
        fu.callback_at = None
        fu.callback_method = None
        fu.callback_note = ""
        return self._save(CLEAR_CALLBACK, moment)

    def answers_resting_on(self, kind: str) -> list[str]:
        """The questions already answered whose suggestion reads the recorded e-mail
        (KIND_EMAIL) or call-back (KIND_CALLBACK), in grid order."""
        grid = self.grid
        wanted = {grid.rule_question(rule) for rule in _RESTING_ON[kind]}
        return [q for q in grid.question_ids if q in wanted and q in self.audit.answers]

    def answer(self, qid: str, position: int, moment: datetime) -> Audit:
        """Press option `position` of `qid`: the live call's rule (scoring.toggle)."""
        question = self._check_answerable(qid)
        if not 1 <= position <= len(question.options):
            raise FollowUpError(f"Q{qid} : pas d'option {position} (1 à {len(question.options)})")
        if question.option(position).unreachable and any(q != qid for q in self.audit.answers):
            raise FollowUpError("injoignable refusé : l'audit a déjà d'autres réponses")
        new = toggle(question, self.audit.answers.get(qid, []), position)
        if new:
            self.audit.answers[qid] = new
        else:
            self.audit.answers.pop(qid, None)
        return self._save("answer", moment)

    def clear(self, qid: str, moment: datetime) -> Audit:
        self._check_answerable(qid)
        if qid not in self.audit.answers:
            return self.audit
        self.audit.answers.pop(qid)
        return self._save("clear", moment)

    def accept(self, suggestion: Suggestion, moment: datetime) -> Audit:
        self._check_answerable(suggestion.question)
        accept(self.audit, suggestion)
        return self._save("suggestion", moment)

    def accept_all(self, now: datetime) -> list[Suggestion]:
        """Every pending suggestion, in one save; returns what was applied."""
        self._check_editable()
        applied = self.suggestions(now)
        if not applied:
            return []
        for suggestion in applied:
            accept(self.audit, suggestion)
        self._save("suggestion", now)
        return applied

    def complete(self, moment: datetime) -> Audit:
        """Close the audit; LifecycleError (with `.missing`) when something is still needed."""
        self._check_editable()
        lifecycle.complete(self.audit)
        return self._save("complete", moment)

    def reopen(self, reason: str, moment: datetime) -> Audit:
        """Back to awaiting follow-up; the reason is kept in the event log."""
        lifecycle.reopen(self.audit, reason)
        return self._save("reopen", moment, reason.strip())

    # ---- internals ------------------------------------------------------------------------

    def _check_editable(self) -> None:
        if not self.editable:
            raise FollowUpError("audit terminé : rouvrez-le (R) pour le modifier")

    def _check_answerable(self, qid: str) -> Question:
        self._check_editable()
        if not self.grid.has_question(qid):
            raise FollowUpError(f"question {qid!r} inconnue dans la grille")
        if self.unreachable:
            raise FollowUpError("concessionnaire injoignable : aucune question ne se répond")
        question = self.grid.question(qid)
        if not is_applicable(question, self.audit.call.transferred):
            raise FollowUpError(f"Q{qid} sans objet : l'appel n'a pas été transféré")
        return question

    def check_time(self, at: datetime, moment: datetime, what: str) -> None:
        """Refuse a time before the call's end or in the future (FollowUpError)."""
        if at.tzinfo is None:
            raise FollowUpError(f"heure de {what} sans fuseau horaire")
        ended = self.audit.call.ended_at
        if ended and at < parse_instant(ended):
            raise FollowUpError(
                f"{what} ne peut pas précéder la fin de l'appel "
                f"({format_long(parse_instant(ended), self.zone)})"
            )
        if at > moment + timedelta(minutes=1):
            raise FollowUpError(f"{what} ne peut pas être dans le futur")

    def retry_save(self, moment: datetime) -> Audit:
        """Write the in-memory audit again after a failed save (with the failed save's kind
        and reason: a reopening's reason is not lost)."""
        kind, reason = self._unsaved or ("retry", None)
        return self._save(kind, moment, reason)

    def _save(self, kind: str, moment: datetime, reason: str | None = None) -> Audit:
        if self._unsaved is not None and self._unsaved[0] in ("complete", "reopen"):
            kind, reason = self._unsaved  # a completion or reopening not saved yet: logged as such
        if lifecycle.settle(self.audit):  # Q1 answered « injoignable »: nothing to follow up
            kind = "complete"
        try:
            self.store.save(self.audit, kind=kind, reason=reason, moment=moment)
        except StoreError as exc:
            self.save_error = str(exc)
            self._unsaved = (kind, reason)
            raise
        self.save_error = None
        self._unsaved = None
        self.saved_at = moment
        return self.audit
