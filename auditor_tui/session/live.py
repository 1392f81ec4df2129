"""The live call, headless: dial attempts, transfer and call timers, the discovery counter,
answers and notes, and the suggestions the timers make — every change saved before it returns.

Durations are measured with the clock's monotonic time while the process lives; the store
keeps wall-clock instants, from which the monotonic anchors are rebuilt after a restart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from auditor_tui.domain import lifecycle
from auditor_tui.domain.clock import Clock
from auditor_tui.domain.grid import Grid, Question
from auditor_tui.domain.record import METHODS, Audit, format_instant, parse_instant
from auditor_tui.domain.scoring import Score, is_applicable, is_unreachable, toggle
from auditor_tui.domain.suggestions import Suggestion, method_match_suggestion
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError

# Timer events, for undo.
ATTEMPT = "attempt"
ANSWERED = "answered"
TRANSFER_START = "transfer_start"
TRANSFER_PICKUP = "transfer_pickup"
DISCOVERY = "discovery"
END_CALL = "end_call"

_UNDONE = {
    ATTEMPT: "tentative d'appel annulée",
    ANSWERED: "décroché annulé",
    TRANSFER_START: "début de transfert annulé",
    TRANSFER_PICKUP: "prise du transfert annulée",
    DISCOVERY: "question de découverte retirée",
    END_CALL: "fin d'appel annulée",
}


# The questions only the follow-up can answer (the e-mail, the call-back, how it came): during
# the call they are « après l'appel », neither missing nor next.
AFTER_CALL_RULES = ("email", "callback", "method_match", "callback_method")
AUTO_ADVANCE_SETTING = "auto_advance"  # the store setting: move on after an answer (default on)


def auto_advance_setting(store: Store) -> bool:
    """Whether the cursor moves on after an answer (the store's setting; on unless turned off)."""
    return store.setting(AUTO_ADVANCE_SETTING, True) is not False


def after_call_questions(grid: Grid) -> frozenset[str]:
    """Q16–Q19 in the 2026 grid: the questions of the follow-up's evidence rules."""
    return frozenset(grid.rule_question(rule) for rule in AFTER_CALL_RULES)


class LiveCallError(ValueError):
    """An action refused; the message says why, in French, ready to show."""


def format_seconds(seconds: float) -> str:
    """« 32,4 s »: one decimal, French decimal comma."""
    return f"{seconds:.1f}".replace(".", ",") + " s"


def round_tenth(seconds: float) -> float:
    return float(Decimal(repr(seconds)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _ordinal(n: int) -> str:
    return "1re" if n == 1 else f"{n}e"


class LiveCall:
    """One audit's live call over a store. Every mutating method saves durably (store.save)
    before returning the saved audit; a StoreError propagates and is kept in `save_error`,
    the change staying in memory so the next successful save writes it."""

    def __init__(self, store: Store, audit_id: str, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self.audit: Audit = store.get(audit_id)
        self.grid: Grid = self.audit.grid
        self.saved_at: datetime | None = None
        self.save_error: str | None = None
        self.last_save_seconds: float | None = None
        self._dismissed: set[tuple[str, tuple[int, ...]]] = set()
        self._attempts_exhausted = False
        self._undo: list[str] = []
        # Session time: the wall clock read once, then carried forward by the monotonic clock,
        # so a wall-clock jump mid-call moves no stored instant relative to another (durations
        # derived from them stay the measured ones). A new session re-reads the wall clock.
        self._wall0 = clock.now()
        self._mono0 = clock.monotonic()
        # Monotonic anchors, in memory only: set live, rebuilt from stored instants on resume.
        self._answered_mono = self._anchor(self.audit.call.answered_at)
        self._transfer_mono = self._anchor(self.audit.call.transfer_started_at)

    # ---- reading --------------------------------------------------------------------------

    @property
    def audit_id(self) -> str:
        return self.audit.id

    @property
    def score(self) -> Score:
        return self.audit.score()

    @property
    def unreachable(self) -> bool:
        return is_unreachable(self.grid, self.audit.answers)

    @property
    def transfer_limit(self) -> float:
        return float(self.grid.rule("transfer")["limit_seconds"])

    def applicable(self, question: Question) -> bool:
        return is_applicable(question, self.audit.call.transferred)

    def blocked_reason(self, qid: str) -> str | None:
        """Why question `qid` cannot be answered now, or None."""
        if not self.grid.has_question(qid):
            return f"question {qid!r} inconnue dans la grille"
        question = self.grid.question(qid)
        if not self.applicable(question):
            return f"Q{qid} sans objet : l'appel n'a pas été transféré (début de transfert d'abord)"
        if self.unreachable and qid != self.grid.rule_question("attempts"):
            return f"Q{qid} : concessionnaire injoignable, aucune autre question ne se répond"
        return None

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
        if call.transfer_started_at is None or self._transfer_mono is None:
            return None
        if call.ended_at is not None:
            return self._between(call.transfer_started_at, call.ended_at)
        return max(0.0, self.clock.monotonic() - self._transfer_mono)

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
        if call.answered_at is None or self._answered_mono is None:
            return None
        if call.ended_at is not None:
            return self._between(call.answered_at, call.ended_at)
        return max(0.0, self.clock.monotonic() - self._answered_mono)

    def failed_attempts(self) -> int:
        call = self.audit.call
        n = len(call.attempts)
        if call.answered_at is not None:
            return max(0, n - 1)
        if call.ended_at is not None or self._attempts_exhausted:
            return n
        return max(0, n - 1)  # the last one is still ringing

    # ---- suggestions ----------------------------------------------------------------------

    def suggestions(self) -> list[Suggestion]:
        """Pending suggestions, most urgent first: those not yet matching the answer and not
        dismissed, on questions that can be answered now."""
        found = [
            s
            for s in (
                self._attempts_suggestion(),
                self._transfer_suggestion(),
                self._discovery_suggestion(),
                method_match_suggestion(self.audit, self.grid),
            )
            if s is not None
        ]
        return [
            s
            for s in found
            if tuple(self.audit.answers.get(s.question, ())) != s.positions
            and (s.question, s.positions) not in self._dismissed
            and (self.blocked_reason(s.question) is None or s.ends_call)
        ]

    def _attempts_suggestion(self) -> Suggestion | None:
        rule = self.grid.rule("attempts")
        qid = str(rule["question"])
        n = len(self.audit.call.attempts)
        if n == 0:
            return None
        if self.audit.call.answered_at is None and self.failed_attempts() >= int(
            rule["max_failed_attempts"]
        ):
            return Suggestion(
                qid,
                (int(rule["unreachable_option"]),),
                f"{self.failed_attempts()} tentatives sans réponse : fin de l'audit",
                ends_call=True,
            )
        option = rule["option_by_count"].get(str(n))
        if option is None:
            return None
        if self.audit.call.answered_at is not None:
            reason = f"décroché à la {_ordinal(n)} tentative"
        else:
            reason = f"{_ordinal(n)} tentative en cours"
        return Suggestion(qid, (int(option),), reason)

    def _transfer_suggestion(self) -> Suggestion | None:
        rule = self.grid.rule("transfer")
        elapsed = self.transfer_elapsed()
        if elapsed is None:
            return None
        limit = float(rule["limit_seconds"])
        seconds = round_tenth(elapsed)
        if self.audit.call.transfer_seconds is not None:
            ok = seconds <= limit
            reason = f"transfert en {format_seconds(seconds)}"
        elif seconds > limit:
            ok = False
            reason = f"transfert sans réponse depuis {format_seconds(seconds)}"
        else:
            return None
        return Suggestion(str(rule["question"]), (int(rule["yes" if ok else "no"]),), reason)

    def _discovery_suggestion(self) -> Suggestion | None:
        rule = self.grid.rule("discovery")
        count = self.audit.call.discovery_questions
        if count == 0 and self.audit.call.ended_at is None:
            return None
        for band in rule["bands"]:
            if count >= band["min"] and (band["max"] is None or count <= band["max"]):
                plural = "s" if count > 1 else ""
                reason = f"{count} question{plural} de découverte comptée{plural}"
                return Suggestion(str(rule["question"]), (int(band["option"]),), reason)
        return None

    def accept(self, suggestion: Suggestion, at: float | None = None) -> Audit:
        """Apply a suggestion; one that ends the call ends it at `at` (the monotonic instant
        the auditor pressed the key, when it was confirmed later), else now."""
        qid = suggestion.question
        if suggestion.ends_call:
            self._check_editable()
            others = sorted(q for q in self.audit.answers if q != qid)
            if others:
                raise LiveCallError(
                    "injoignable refusé : des réponses existent déjà (Q" + ", Q".join(others) + ")"
                )
        else:
            self._check_answerable(qid)
        self.audit.answers[qid] = list(suggestion.positions)
        if suggestion.ends_call and self.audit.call.ended_at is None:
            lifecycle.end_call(self.audit, self._now(at))
            self._undo.append(END_CALL)
        return self._save("suggestion")

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
            self._attempts_exhausted = True
            return self.audit
        call.attempts.append(self._stamp())
        self._undo.append(ATTEMPT)
        return self._save(ATTEMPT)

    # The phase changes below take `at`, the monotonic instant the auditor pressed the key:
    # the screen asks for a confirmation first, and the instant is the key's, not the answer's
    # (the 45 s of a transfer run from the hold). None: now.

    def answered(self, at: float | None = None) -> Audit:
        call = self.audit.call
        self._check_call_open()
        if call.answered_at is not None:
            raise LiveCallError("appel déjà décroché")
        self._answer_now(self._at(at))
        return self._save(ANSWERED)

    def _answer_now(self, at: float) -> None:
        call = self.audit.call
        stamp = self._stamp(at)
        if not call.attempts:
            call.attempts.append(stamp)  # picked up at the first ring: one attempt
            self._undo.append(ATTEMPT)
        call.answered_at = stamp
        call.started_at = call.attempts[0]
        self._answered_mono = at
        self._attempts_exhausted = False
        self._undo.append(ANSWERED)

    def transfer_start(self, at: float | None = None) -> Audit:
        call = self.audit.call
        self._check_call_open()
        if call.transferred:
            raise LiveCallError("transfert déjà commencé")
        at = self._at(at)
        if call.answered_at is None:
            self._answer_now(at)
        call.transferred = True
        call.transfer_started_at = self._stamp(at)
        self._transfer_mono = at
        self._undo.append(TRANSFER_START)
        return self._save(TRANSFER_START)

    def transfer_pickup(self, at: float | None = None) -> Audit:
        call = self.audit.call
        self._check_call_open()
        if not call.transferred or call.transfer_started_at is None:
            raise LiveCallError("aucun transfert en cours (début de transfert d'abord)")
        if call.transfer_answered_at is not None:
            raise LiveCallError("transfert déjà pris")
        at = self._at(at)
        started = self._transfer_mono if self._transfer_mono is not None else at
        elapsed = max(0.0, at - started)
        call.transfer_answered_at = self._stamp(at)
        call.transfer_seconds = round_tenth(elapsed)
        self._undo.append(TRANSFER_PICKUP)
        return self._save(TRANSFER_PICKUP)

    def discovery_question(self) -> Audit:
        self._check_call_open()
        self.audit.call.discovery_questions += 1
        self._undo.append(DISCOVERY)
        return self._save(DISCOVERY)

    def end_call(self, at: float | None = None) -> Audit:
        if self.audit.call.ended_at is not None:
            raise LiveCallError("appel déjà terminé")
        if not self.audit.call.attempts:
            raise LiveCallError("aucune tentative d'appel : rien à terminer")
        lifecycle.end_call(self.audit, self._now(at))
        self._undo.append(END_CALL)
        return self._save(END_CALL)

    def undo(self) -> str:
        """Undo the last timer event (this session's, else the latest stored one); returns
        what was undone, in French."""
        self._check_editable()
        kind = self._undo.pop() if self._undo else self._last_stored_event()
        if kind is None:
            raise LiveCallError("aucun événement à annuler")
        try:
            _UNDO_STEPS[kind](self)
        except LiveCallError:
            self._undo.append(kind)
            raise
        self._save("undo")
        return _UNDONE[kind]

    def _last_stored_event(self) -> str | None:
        call = self.audit.call
        for kind, present in (
            (END_CALL, call.ended_at),
            (TRANSFER_PICKUP, call.transfer_answered_at),
            (TRANSFER_START, call.transfer_started_at),
            (ANSWERED, call.answered_at),
            (ATTEMPT, call.attempts),
        ):
            if present:
                return kind
        return None

    def _undo_attempt(self) -> None:
        call = self.audit.call
        if call.answered_at is not None:
            raise LiveCallError("annulez d'abord le décroché")
        if self._attempts_exhausted:
            self._attempts_exhausted = False  # the "third failed" mark goes first
            self._undo.append(ATTEMPT)
            return
        call.attempts.pop()

    def _undo_answered(self) -> None:
        call = self.audit.call
        if call.transfer_started_at is not None:
            raise LiveCallError("annulez d'abord le transfert")
        call.answered_at = None
        call.started_at = None
        self._answered_mono = None

    def _undo_transfer_start(self) -> None:
        call = self.audit.call
        if call.transfer_answered_at is not None:
            raise LiveCallError("annulez d'abord la prise du transfert")
        answered = [
            q.id
            for q in self.grid.questions()
            if q.applies_if is not None and self.audit.answers.get(q.id)
        ]
        if answered:
            raise LiveCallError(
                "effacez d'abord les réponses liées au transfert (Q" + ", Q".join(answered) + ")"
            )
        call.transferred = False
        call.transfer_started_at = None
        self._transfer_mono = None

    def _undo_transfer_pickup(self) -> None:
        call = self.audit.call
        call.transfer_answered_at = None
        call.transfer_seconds = None  # the stopwatch runs on from the transfer's start

    def _undo_discovery(self) -> None:
        call = self.audit.call
        call.discovery_questions = max(0, call.discovery_questions - 1)

    def _undo_end_call(self) -> None:
        self.audit.call.ended_at = None
        if self.audit.status == "awaiting_follow_up":
            self.audit.status = "draft"
        lifecycle.recompute_deadlines(self.audit)
        self._answered_mono = self._anchor(self.audit.call.answered_at)
        self._transfer_mono = self._anchor(self.audit.call.transfer_started_at)

    # ---- answers and notes ----------------------------------------------------------------

    def answer(self, qid: str, position: int) -> Audit:
        """Press option `position` of question `qid` (single sets, multi toggles, an exclusive
        option clears the others)."""
        question = self._check_answerable(qid)
        if not 1 <= position <= len(question.options):
            raise LiveCallError(f"Q{qid} : pas d'option {position} (1 à {len(question.options)})")
        if question.option(position).unreachable:
            others = sorted(q for q in self.audit.answers if q != qid)
            if others:
                raise LiveCallError(
                    "injoignable refusé : des réponses existent déjà (Q" + ", Q".join(others) + ")"
                )
        new = toggle(question, self.audit.answers.get(qid, []), position)
        if new:
            self.audit.answers[qid] = new
        else:
            self.audit.answers.pop(qid, None)
        return self._save("answer")

    def clear(self, qid: str) -> Audit:
        self._check_editable()
        if not self.grid.has_question(qid):
            raise LiveCallError(f"question {qid!r} inconnue dans la grille")
        self.audit.answers.pop(qid, None)
        return self._save("clear")

    def set_note(self, qid: str, text: str) -> Audit:
        self._check_editable()
        if not self.grid.has_question(qid):
            raise LiveCallError(f"question {qid!r} inconnue dans la grille")
        text = text.strip()
        if text:
            self.audit.notes[qid] = text
        else:
            self.audit.notes.pop(qid, None)
        return self._save("note")

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

    def retry_save(self) -> Audit:
        """Write the in-memory state again after a failed save."""
        return self._save("retry")

    # ---- internals ------------------------------------------------------------------------

    def _check_editable(self) -> None:
        if self.audit.status == "complete":
            raise LiveCallError("audit terminé : rouvrez-le pour le modifier")

    def _check_call_open(self) -> None:
        self._check_editable()
        if self.unreachable:
            raise LiveCallError("concessionnaire injoignable : l'appel est clos")
        if self.audit.call.ended_at is not None:
            raise LiveCallError("appel terminé (u annule la fin d'appel)")

    def _check_answerable(self, qid: str) -> Question:
        self._check_editable()
        reason = self.blocked_reason(qid)
        if reason is not None:
            raise LiveCallError(reason)
        return self.grid.question(qid)

    def _at(self, at: float | None) -> float:
        """A key's monotonic instant: `at` (never later than now), or now."""
        now = self.clock.monotonic()
        return now if at is None else min(at, now)

    def _now(self, at: float | None = None) -> datetime:
        return self._wall0 + timedelta(seconds=self._at(at) - self._mono0)

    def _stamp(self, at: float | None = None) -> str:
        return format_instant(self._now(at))

    def _anchor(self, instant: str | None) -> float | None:
        """The monotonic time matching a stored instant (rebuilt once, then monotonic)."""
        if instant is None:
            return None
        ago = (self._now() - parse_instant(instant)).total_seconds()
        return self.clock.monotonic() - max(0.0, ago)

    @staticmethod
    def _between(start: str, end: str) -> float:
        return max(0.0, (parse_instant(end) - parse_instant(start)).total_seconds())

    def _save(self, kind: str) -> Audit:
        if lifecycle.settle(self.audit):  # unreachable after the end of the call
            self._undo.clear()
        moment = self._now()
        began = time.perf_counter()
        try:
            self.store.save(self.audit, kind=kind, moment=moment)
        except StoreError as exc:
            self.save_error = str(exc)
            raise
        self.last_save_seconds = time.perf_counter() - began
        self.saved_at = moment
        self.save_error = None
        return self.audit


_UNDO_STEPS: dict[str, Callable[[LiveCall], None]] = {
    ATTEMPT: LiveCall._undo_attempt,
    ANSWERED: LiveCall._undo_answered,
    TRANSFER_START: LiveCall._undo_transfer_start,
    TRANSFER_PICKUP: LiveCall._undo_transfer_pickup,
    DISCOVERY: LiveCall._undo_discovery,
    END_CALL: LiveCall._undo_end_call,
}
