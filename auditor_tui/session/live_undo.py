"""Undo on the live call: the last timer event (this session's, else the latest stored one)
taken back, refused while a later fact rests on it (a pick-up under a transfer, answers that
exist only because of the transfer).
"""

from __future__ import annotations

from collections.abc import Callable

from auditor_tui.domain import lifecycle
from auditor_tui.domain.grid import Grid
from auditor_tui.domain.record import Audit, Call
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

UNDONE = {
    ATTEMPT: "tentative d'appel annulée",
    ANSWERED: "décroché annulé",
    TRANSFER_START: "début de transfert annulé",
    TRANSFER_PICKUP: "prise du transfert annulée",
    DISCOVERY: "question de découverte retirée",
    END_CALL: "fin d'appel annulée",
}


def undo_last(state: CallState, audit: Audit, grid: Grid) -> str:
    """Take back the last timer event in memory (the caller saves); what was undone, in
    French. LiveCallError when there is none, or when a later fact rests on it."""
    kind = state.events.pop() if state.events else last_stored_event(audit.call)
    if kind is None:
        raise LiveCallError("aucun événement à annuler")
    try:
        _STEPS[kind](state, audit, grid)
    except LiveCallError:
        state.events.append(kind)
        raise
    return UNDONE[kind]


def last_stored_event(call: Call) -> str | None:
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


def _attempt(state: CallState, audit: Audit, grid: Grid) -> None:
    call = audit.call
    if call.answered_at is not None:
        raise LiveCallError("annulez d'abord le décroché")
    if state.attempts_exhausted:
        state.attempts_exhausted = False  # the "third failed" mark goes first
        state.events.append(ATTEMPT)
        return
    call.attempts.pop()


def _answered(state: CallState, audit: Audit, grid: Grid) -> None:
    call = audit.call
    if call.transfer_started_at is not None:
        raise LiveCallError("annulez d'abord le transfert")
    call.answered_at = None
    call.started_at = None
    state.answered_mono = None


def _transfer_start(state: CallState, audit: Audit, grid: Grid) -> None:
    call = audit.call
    if call.transfer_answered_at is not None:
        raise LiveCallError("annulez d'abord la prise du transfert")
    answered = [
        q.id for q in grid.questions() if q.applies_if is not None and audit.answers.get(q.id)
    ]
    if answered:
        raise LiveCallError(
            "effacez d'abord les réponses liées au transfert (Q" + ", Q".join(answered) + ")"
        )
    call.transferred = False
    call.transfer_started_at = None
    state.transfer_mono = None


def _transfer_pickup(state: CallState, audit: Audit, grid: Grid) -> None:
    call = audit.call
    call.transfer_answered_at = None
    call.transfer_seconds = None  # the stopwatch runs on from the transfer's start


def _discovery(state: CallState, audit: Audit, grid: Grid) -> None:
    call = audit.call
    call.discovery_questions = max(0, call.discovery_questions - 1)


def _end_call(state: CallState, audit: Audit, grid: Grid) -> None:
    audit.call.ended_at = None
    if audit.status == "awaiting_follow_up":
        audit.status = "draft"
    lifecycle.recompute_deadlines(audit)
    state.reanchor(audit.call)


_STEPS: dict[str, Callable[[CallState, Audit, Grid], None]] = {
    ATTEMPT: _attempt,
    ANSWERED: _answered,
    TRANSFER_START: _transfer_start,
    TRANSFER_PICKUP: _transfer_pickup,
    DISCOVERY: _discovery,
    END_CALL: _end_call,
}
