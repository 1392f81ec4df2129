"""One audit's follow-up after the call (Q16–Q24), saved at every change: the e-mail and the
call-back recorded (or cleared), the suggested answers accepted, the audit completed or
reopened. The queue is domain/queue.py, the suggestions domain/suggestions.py.

The instant of each change (`moment`) and `now` are passed in by the screen. Question ids and
option positions come from the grid's rules (`grid.rule("email")`, …), never from this module.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from auditor_tui.domain import lifecycle
from auditor_tui.domain.evidence import Evidence, waiting
from auditor_tui.domain.queue import audit_zone, deadline_of, questions_after_call
from auditor_tui.domain.record import Audit, format_instant, parse_instant
from auditor_tui.domain.suggestions import (
    METHOD_LABELS,
    Suggestion,
    accept,
    answers_resting_on,
    pending_suggestions,
)
from auditor_tui.session.base import AuditSession, SessionRefused
from auditor_tui.text.french import format_long

# event kinds of the store's log when a recorded e-mail or call-back is removed
CLEAR_EMAIL = "clear_email"
CLEAR_CALLBACK = "clear_callback"


# ---- one audit's follow-up, saved at every change ------------------------------------------


class FollowUpError(SessionRefused):
    """A follow-up action refused; the message is in French, ready to show."""


class FollowUpSession(AuditSession):
    """One audit's follow-up over a store (answers, clearing, accepting, saving and its failure
    policy: `AuditSession`). `moment` is the wall-clock instant of the action, passed in by the
    screen; `clock` (the system's by default) is read only when it is not."""

    Refused = FollowUpError
    CLOSED = "audit terminé : rouvrez-le (R) pour le modifier"

    # ---- reading --------------------------------------------------------------------------

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

    def deadline(self, kind: str) -> datetime | None:
        return deadline_of(self.audit, kind)

    def questions(self) -> list[str]:
        """What the follow-up answers: earlier questions still missing, then the questions
        after the call (applicable ones), in grid order."""
        grid = self.grid
        follow = [qid for qid in questions_after_call(grid) if self.applicable(grid.question(qid))]
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
        return answers_resting_on(self.audit, kind)

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

    def waiting(self, now: datetime) -> list[Evidence]:
        """The deadlines still open whose evidence is missing: a « Non » or a completion now
        is a verdict before its time (the screen asks first)."""
        return waiting(self.audit, now)

    def complete(self, moment: datetime) -> Audit:
        """Close the audit; LifecycleError (with `.missing`) when something is still needed.
        The history notes the completion, with the deadlines it left open (`waiting`)."""
        self._check_editable()
        lifecycle.complete(self.audit, moment)
        return self._save("complete", moment)

    def reopen(self, reason: str, moment: datetime) -> Audit:
        """Back to awaiting follow-up; the reason is kept in the history and the event log."""
        lifecycle.reopen(self.audit, reason, moment)
        return self._save("reopen", moment, reason.strip())

    # ---- checks ---------------------------------------------------------------------------

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
