"""One audit on screen, headless: what the live call (`LiveCall`) and the follow-up
(`FollowUpSession`) share — the audit and its grid, answers, clearing, notes, accepting a
suggestion, the checks that refuse a change, and saving, with one failure policy.

The failure policy: every change is saved (`Store.save`) before the method returns. When the
store cannot save it — a full disk, a file damaged or removed outside the app — a `StoreError`
propagates (the only error a save raises, so a screen that catches it never crashes), the change
stays in memory, `save_error` says why (shown as « NON ENREGISTRÉ ») and `retry_save`, or the
next save that succeeds, writes it. A completion or a reopening not saved yet is logged as such
by the save that finally writes it, with its reason.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import ClassVar

from auditor_tui.domain import history, lifecycle
from auditor_tui.domain.clock import Clock, SystemClock
from auditor_tui.domain.grid import Grid, Question
from auditor_tui.domain.record import Audit
from auditor_tui.domain.scoring import Score, is_applicable, is_unreachable, toggle
from auditor_tui.domain.suggestions import Suggestion, accept
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError

# Save kinds a later save must not hide: the event log says the audit was completed or reopened
# (with the reason) even when that save failed and another change wrote it.
_KEPT_KINDS = ("complete", "reopen")


class SessionRefused(ValueError):
    """A change refused; the message says why, in French, ready to show."""


class AuditSession:
    """One audit over a store: every mutating method saves before it returns (see the module's
    failure policy). `moment`, where a method takes one, is the wall-clock instant of the
    change; None reads the session's clock (`now`)."""

    Refused: ClassVar[type[SessionRefused]] = SessionRefused
    CLOSED: ClassVar[str] = "audit terminé : rouvrez-le pour le modifier"

    def __init__(self, store: Store, audit_id: str, clock: Clock | None = None) -> None:
        self.store = store
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.audit: Audit = store.get(audit_id)
        if not self.audit.history:  # saved before the record carried its history
            try:
                history.backfill(self.audit, store.events(audit_id))
            except (KeyError, StoreError):
                history.backfill(self.audit, [])  # its facts at least
        self.saved_at: datetime | None = None
        self.save_error: str | None = None
        self.last_save_seconds: float | None = None
        self._unsaved: tuple[str, str | None] | None = None  # the failed save's kind and reason

    # ---- reading --------------------------------------------------------------------------

    @property
    def audit_id(self) -> str:
        return self.audit.id

    @property
    def grid(self) -> Grid:
        return self.audit.grid

    @property
    def score(self) -> Score:
        return self.audit.score()

    @property
    def editable(self) -> bool:
        return self.audit.status != "complete"

    @property
    def unreachable(self) -> bool:
        return is_unreachable(self.grid, self.audit.answers)

    @property
    def unsaved(self) -> bool:
        """A change is in memory only: the last save failed."""
        return self.save_error is not None

    def now(self) -> datetime:
        """The instant of a change made now."""
        return self.clock.now()

    def applicable(self, question: Question) -> bool:
        return is_applicable(question, self.audit.call.transferred)

    def blocked_reason(self, qid: str) -> str | None:
        """Why question `qid` cannot be answered now, or None."""
        if not self.grid.has_question(qid):
            return f"question {qid!r} inconnue dans la grille"
        question = self.grid.question(qid)
        if not self.applicable(question):
            hint = " (début de transfert d'abord)" if self.audit.call.ended_at is None else ""
            return f"Q{qid} sans objet : l'appel n'a pas été transféré{hint}"
        if self.unreachable and qid != self.grid.rule_question("attempts"):
            return f"Q{qid} : concessionnaire injoignable, aucune autre question ne se répond"
        return None

    # ---- answers, notes, suggestions ------------------------------------------------------

    def answer(self, qid: str, position: int, moment: datetime | None = None) -> Audit:
        """Press option `position` of question `qid` (single sets, multi toggles, an exclusive
        option clears the others: scoring.toggle)."""
        question = self._check_answerable(qid)
        if not 1 <= position <= len(question.options):
            raise self.Refused(f"Q{qid} : pas d'option {position} (1 à {len(question.options)})")
        if question.option(position).unreachable:
            self._check_alone(qid)
        new = toggle(question, self.audit.answers.get(qid, []), position)
        if new:
            self.audit.answers[qid] = new
        else:
            self.audit.answers.pop(qid, None)
        return self._save("answer", moment)

    def clear(self, qid: str, moment: datetime | None = None) -> Audit:
        self._check_known(qid)
        self.audit.answers.pop(qid, None)
        return self._save("clear", moment)

    def set_note(self, qid: str, text: str, moment: datetime | None = None) -> Audit:
        self._check_known(qid)
        text = text.strip()
        if text:
            self.audit.notes[qid] = text
        else:
            self.audit.notes.pop(qid, None)
        return self._save("note", moment)

    def accept(self, suggestion: Suggestion, moment: datetime | None = None) -> Audit:
        """Give the suggested answer (a suggestion is never applied silently: this is the
        auditor's key)."""
        self._check_answerable(suggestion.question)
        accept(self.audit, suggestion)
        return self._save("suggestion", moment)

    # ---- saving ---------------------------------------------------------------------------

    def retry_save(self, moment: datetime | None = None) -> Audit:
        """Write the in-memory audit again after a failed save, as the failed save's kind (a
        reopening's reason is not lost)."""
        kind, reason = self._unsaved or ("retry", None)
        return self._save(kind, moment, reason)

    def _save(self, kind: str, moment: datetime | None = None, reason: str | None = None) -> Audit:
        if self._unsaved is not None and self._unsaved[0] in _KEPT_KINDS:
            kind, reason = self._unsaved
        moment = self.now() if moment is None else moment
        if lifecycle.settle(self.audit):  # an unreachable dealer, the call ended: complete
            kind = "complete"
            self._settled()
        history.sync(self.audit, moment)  # the history says what the record says
        began = time.perf_counter()
        try:
            try:
                self.store.save(self.audit, kind=kind, reason=reason, moment=moment)
            except KeyError as exc:  # the file went away, or its record lost a field
                raise self._vanished(exc) from exc
        except StoreError as exc:
            self.save_error = str(exc)
            self._unsaved = (kind, reason)
            raise
        self.last_save_seconds = time.perf_counter() - began
        self.save_error = None
        self._unsaved = None
        self.saved_at = moment
        return self.audit

    def _vanished(self, exc: KeyError) -> StoreError:
        folder = self.store.audits_dir
        if exc.args == (self.audit.id,):
            what = "a disparu du dossier de données"
        else:
            what = f"est endommagé (champ {exc} absent)"
        return StoreError(
            f"Le fichier de l'audit {self.audit.id} {what} : la modification est gardée à "
            "l'écran, non enregistrée",
            folder,
        )

    def _settled(self) -> None:
        """The save completed an unreachable dealer's audit (lifecycle.settle)."""

    # ---- checks ---------------------------------------------------------------------------

    def _check_editable(self) -> None:
        if not self.editable:
            raise self.Refused(self.CLOSED)

    def _check_known(self, qid: str) -> None:
        self._check_editable()
        if not self.grid.has_question(qid):
            raise self.Refused(f"question {qid!r} inconnue dans la grille")

    def _check_answerable(self, qid: str) -> Question:
        self._check_editable()
        reason = self.blocked_reason(qid)
        if reason is not None:
            raise self.Refused(reason)
        return self.grid.question(qid)

    def _check_alone(self, qid: str) -> None:
        """« Injoignable » on `qid` ends the audit: refused while other answers exist."""
        others = sorted(q for q in self.audit.answers if q != qid)
        if others:
            raise self.Refused(
                "injoignable refusé : des réponses existent déjà (Q" + ", Q".join(others) + ")"
            )
