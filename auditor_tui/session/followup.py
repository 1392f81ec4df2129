"""One audit's follow-up after the call (Q16–Q24), saved at every change: the e-mail and the
call-back recorded (or cleared), the suggested answers accepted, the audit completed or
reopened. The queue is domain/queue.py, the suggestions domain/suggestions.py.

`now` is always passed in. Question ids and option positions come from the grid's rules
(`grid.rule("email")`, …), never from this module.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from auditor_tui.domain import lifecycle
from auditor_tui.domain.grid import Grid, Question
from auditor_tui.domain.queue import (
    KIND_CALLBACK,
    KIND_EMAIL,
    audit_zone,
    deadline_of,
    questions_after_call,
)
from auditor_tui.domain.record import Audit, format_instant, parse_instant
from auditor_tui.domain.scoring import is_applicable, is_unreachable, toggle
from auditor_tui.domain.suggestions import (
    METHOD_LABELS,
    Suggestion,
    accept,
    pending_suggestions,
)
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from auditor_tui.text.french import format_long

# event kinds of the store's log when a recorded e-mail or call-back is removed
CLEAR_EMAIL = "clear_email"
CLEAR_CALLBACK = "clear_callback"
# the grid rules whose suggestions read each recorded fact
_RESTING_ON = {
    KIND_EMAIL: ("email",),
    KIND_CALLBACK: ("callback", "method_match", "callback_method"),
}


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
        return deadline_of(self.audit, kind)

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
