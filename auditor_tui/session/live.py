"""The live call, headless: dial attempts, transfer and call timers, the discovery counter,
answers and notes, and the suggestions the timers make — every change saved before it returns.

Durations are measured with the clock's monotonic time while the process lives; the store
keeps wall-clock instants, from which the monotonic anchors are rebuilt after a restart.
"""

from __future__ import annotations

from datetime import datetime

from auditor_tui.domain import lifecycle
from auditor_tui.domain.clock import Clock
from auditor_tui.domain.record import METHODS, Audit
from auditor_tui.domain.suggestions import (
    Suggestion,
    after_call_questions,
    live_suggestions,
    round_tenth,
)
from auditor_tui.session.base import AuditSession
from auditor_tui.session.call_state import (
    ANSWERED,
    ATTEMPT,
    DISCOVERY,
    END_CALL,
    TRANSFER_PICKUP,
    TRANSFER_START,
    CallState,
    LiveCallError,
)
from auditor_tui.session.live_undo import last_stored_event, undo_last
from auditor_tui.store import Store

__all__ = [
    "AUTO_ADVANCE_SETTING",
    "LiveCall",
    "LiveCallError",
    "after_call_questions",
    "auto_advance_setting",
]

AUTO_ADVANCE_SETTING = "auto_advance"  # the store setting: move on after an answer (default on)


def auto_advance_setting(store: Store) -> bool:
    """Whether the cursor moves on after an answer (the store's setting; on unless turned off)."""
    return store.setting(AUTO_ADVANCE_SETTING, True) is not False


class LiveCall(AuditSession):
    """One audit's live call over a store (answers, notes, suggestions, saving and its failure
    policy: `AuditSession`). The session's time is the call's (`CallState`): the wall clock
    read once, carried forward by the monotonic clock."""

    Refused = LiveCallError

    def __init__(self, store: Store, audit_id: str, clock: Clock) -> None:
        super().__init__(store, audit_id, clock)
        self._dismissed: set[tuple[str, tuple[int, ...]]] = set()
        self.state = CallState(clock, self.audit.call)

    # ---- reading --------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.state.now()

    def after_call(self, qid: str) -> bool:
        """Whether `qid` is to be answered after the call (and the call is still on)."""
        return self.audit.call.ended_at is None and qid in after_call_questions(self.grid)

    def remaining(self) -> list[str]:
        """The applicable questions still without an answer, in grid order, but those only the
        follow-up can answer while the call is on (`v`, the first question shown)."""
        return [q for q in self.audit.missing() if not self.after_call(q)]

    def next_question(self, after: str) -> str | None:
        """Where the cursor goes after an answer to `after`: the next question of `remaining()`
        in grid order, else the first one left before it; None when nothing remains."""
        remaining = self.remaining()
        if not remaining:
            return None
        order = self.grid.question_ids
        here = order.index(after)
        return next((q for q in remaining if order.index(q) > here), remaining[0])

    def transfer_elapsed(self) -> float | None:
        """Seconds of the transfer: measured once picked up, running before, None without."""
        call = self.audit.call
        if call.transfer_seconds is not None:
            return float(call.transfer_seconds)
        if call.transfer_started_at is None or self.state.transfer_mono is None:
            return None
        if call.ended_at is not None:
            return self.state.between(call.transfer_started_at, call.ended_at)
        return self.state.since(self.state.transfer_mono)

    @property
    def transfer_running(self) -> bool:
        call = self.audit.call
        return (
            call.transfer_started_at is not None
            and call.transfer_answered_at is None
            and call.ended_at is None
        )

    def call_elapsed(self) -> float | None:
        """Seconds since the dealer picked up (to the end once the call has ended)."""
        call = self.audit.call
        if call.answered_at is None or self.state.answered_mono is None:
            return None
        if call.ended_at is not None:
            return self.state.between(call.answered_at, call.ended_at)
        return self.state.since(self.state.answered_mono)

    def failed_attempts(self) -> int:
        call = self.audit.call
        n = len(call.attempts)
        if call.answered_at is not None:
            return max(0, n - 1)
        if call.ended_at is not None or self.state.attempts_exhausted:
            return n
        return max(0, n - 1)  # the last one is still ringing

    # ---- suggestions ----------------------------------------------------------------------

    def suggestions(self) -> list[Suggestion]:
        """Pending suggestions, most urgent first: those not yet matching the answer and not
        dismissed, on questions that can be answered now."""
        found = live_suggestions(self.audit, self.failed_attempts(), self.transfer_elapsed())
        return [
            s
            for s in found
            if (s.question, s.positions) not in self._dismissed
            and (self.blocked_reason(s.question) is None or s.ends_call)
        ]

    def accept(
        self, suggestion: Suggestion, moment: datetime | None = None, *, at: float | None = None
    ) -> Audit:
        """Apply a suggestion; one that ends the call (an unreachable dealer) ends it at `at`
        (the monotonic instant the auditor pressed the key, when it was confirmed later), else
        now."""
        if not suggestion.ends_call:
            return super().accept(suggestion, moment)
        self._check_editable()
        self._check_alone(suggestion.question)
        self.audit.answers[suggestion.question] = list(suggestion.positions)
        if self.audit.call.ended_at is None:
            lifecycle.end_call(self.audit, self.state.now(at))
            self.state.events.append(END_CALL)
        return self._save("suggestion", moment)

    def dismiss(self, suggestion: Suggestion) -> None:
        """Hide a suggestion for this session (the answer stays the auditor's)."""
        self._dismissed.add((suggestion.question, suggestion.positions))

    # ---- timer events ---------------------------------------------------------------------

    def dial_attempt(self) -> Audit:
        """A dial attempt now. Past the grid's maximum, the last attempt counts as failed and
        the dealer is suggested as unreachable (nothing else is recorded)."""
        call = self.audit.call
        self._check_call_open()
        if call.answered_at is not None:
            raise LiveCallError("appel déjà décroché : pas de nouvelle tentative")
        limit = int(self.grid.rule("attempts")["max_failed_attempts"])
        if len(call.attempts) >= limit:
            self.state.attempts_exhausted = True
            return self.audit
        call.attempts.append(self.state.stamp())
        self.state.events.append(ATTEMPT)
        return self._save(ATTEMPT)

    # The phase changes below take `at`, the monotonic instant the auditor pressed the key:
    # the screen asks for a confirmation first, and the instant is the key's, not the answer's
    # (the 45 s of a transfer run from the hold). None: now.

    def answered(self, at: float | None = None) -> Audit:
        call = self.audit.call
        self._check_call_open()
        if call.answered_at is not None:
            raise LiveCallError("appel déjà décroché")
        self._answer_now(self.state.at(at))
        return self._save(ANSWERED)

    def _answer_now(self, at: float) -> None:
        call = self.audit.call
        stamp = self.state.stamp(at)
        if not call.attempts:
            call.attempts.append(stamp)  # picked up at the first ring: one attempt
            self.state.events.append(ATTEMPT)
        call.answered_at = stamp
        call.started_at = call.attempts[0]
        self.state.answered_mono = at
        self.state.attempts_exhausted = False
        self.state.events.append(ANSWERED)

    def transfer_start(self, at: float | None = None) -> Audit:
        call = self.audit.call
        self._check_call_open()
        if call.transferred:
            raise LiveCallError("transfert déjà commencé")
        at = self.state.at(at)
        if call.answered_at is None:
            self._answer_now(at)
        call.transferred = True
        call.transfer_started_at = self.state.stamp(at)
        self.state.transfer_mono = at
        self.state.events.append(TRANSFER_START)
        return self._save(TRANSFER_START)

    def transfer_pickup(self, at: float | None = None) -> Audit:
        call = self.audit.call
        self._check_call_open()
        if not call.transferred or call.transfer_started_at is None:
            raise LiveCallError("aucun transfert en cours (début de transfert d'abord)")
        if call.transfer_answered_at is not None:
            raise LiveCallError("transfert déjà pris")
        at = self.state.at(at)
        started = self.state.transfer_mono if self.state.transfer_mono is not None else at
        elapsed = max(0.0, at - started)
        call.transfer_answered_at = self.state.stamp(at)
        call.transfer_seconds = round_tenth(elapsed)
        self.state.events.append(TRANSFER_PICKUP)
        return self._save(TRANSFER_PICKUP)

    def discovery_question(self) -> Audit:
        self._check_call_open()
        self.audit.call.discovery_questions += 1
        self.state.events.append(DISCOVERY)
        return self._save(DISCOVERY)

    def end_call(self, at: float | None = None) -> Audit:
        if self.audit.call.ended_at is not None:
            raise LiveCallError("appel déjà terminé")
        if not self.audit.call.attempts:
            raise LiveCallError("aucune tentative d'appel : rien à terminer")
        lifecycle.end_call(self.audit, self.state.now(at))
        self.state.events.append(END_CALL)
        return self._save(END_CALL)

    def next_undo(self) -> str | None:
        """The timer event `undo` would take back now (call_state's kinds), None if none."""
        return self.state.events[-1] if self.state.events else last_stored_event(self.audit.call)

    def undo(self) -> str:
        """Undo the last timer event (this session's, else the latest stored one); returns
        what was undone, in French."""
        self._check_editable()
        undone = undo_last(self.state, self.audit, self.grid)
        self._save("undo")
        return undone

    # ---- the method agreed --------------------------------------------------------------------

    def set_agreed_method(self, method: str | None) -> Audit:
        self._check_editable()
        if method is not None and method not in METHODS:
            raise LiveCallError(f"méthode inconnue {method!r} (email ou phone)")
        self.audit.call.agreed_method = method
        return self._save("agreed_method")

    def cycle_agreed_method(self) -> Audit:
        """None → phone → email → None: one key for the method agreed during the call."""
        order: list[str | None] = [None, "phone", "email"]
        current = self.audit.call.agreed_method
        nxt = order[(order.index(current) + 1) % len(order)] if current in order else None
        return self.set_agreed_method(nxt)

    # ---- internals ------------------------------------------------------------------------

    def _settled(self) -> None:
        self.state.events.clear()  # the audit is complete: no timer event to undo

    def _check_call_open(self) -> None:
        self._check_editable()
        if self.unreachable:
            raise LiveCallError("concessionnaire injoignable : l'appel est clos")
        if self.audit.call.ended_at is not None:
            raise LiveCallError("appel terminé (u annule la fin d'appel)")
