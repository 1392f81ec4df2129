"""What the live call screen shows of its `LiveCall`, worked out apart from the widgets: the
grid's progress and the current question, the dealer line and the facts of the call, the save
state, the suggestion line; and where its cursor goes from a question.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from auditor_tui.domain.dealers import Dealer
from auditor_tui.domain.grid import Grid
from auditor_tui.domain.labels import transfer_limit_text
from auditor_tui.domain.periods import PARIS_ZONE
from auditor_tui.domain.record import STATUS_LABELS, parse_instant
from auditor_tui.domain.suggestions import (
    METHOD_LABELS,
    Suggestion,
    round_tenth,
    transfer_over_limit,
)
from auditor_tui.session.live import LiveCall, after_call_questions
from auditor_tui.text.french import format_clock, format_seconds
from auditor_tui.ui.widgets.dealer_line import DealerInfo
from auditor_tui.ui.widgets.question_list import GridProgress
from auditor_tui.ui.widgets.question_view import QuestionState
from auditor_tui.ui.widgets.stopwatch import StopwatchState

AFTER_CALL_NOTE = "après l'appel : se note au suivi (e-mail, rappel), pas pendant l'appel"


def clock_time(instant: str | datetime) -> str:
    """« 14:05:09 », Paris time."""
    moment = parse_instant(instant) if isinstance(instant, str) else instant
    return format_clock(moment, PARIS_ZONE)


def grid_view(live: LiveCall, current: str) -> tuple[GridProgress, QuestionState]:
    """Where the auditor is in the grid, and the question `current` as it stands."""
    audit, grid = live.audit, live.grid
    answers = {k: tuple(v) for k, v in audit.answers.items()}
    later = after_call_questions(grid) if audit.call.ended_at is None else frozenset()
    progress = GridProgress(
        grid,
        current,
        answers,
        audit.call.transferred,
        live.unreachable,
        later,
    )
    question = grid.question(current)
    state = QuestionState(
        question,
        answers.get(current, ()),
        audit.notes.get(current, ""),
        live.blocked_reason(current),
        not live.applicable(question),
        AFTER_CALL_NOTE if current in later else None,
    )
    return progress, state


def phone_display(live: LiveCall) -> str:
    """The dealer's number as shown (parse it once: the dealer does not change during a call)."""
    d = live.audit.dealer
    return Dealer("", d.name, d.city or "", d.department, d.country, d.phone).phone_display


def call_facts(live: LiveCall, phone: str) -> tuple[DealerInfo, Content]:
    """The dealer line, and the facts of the call: attempts, pick-up, discovery, contact."""
    audit = live.audit
    call = audit.call
    d = audit.dealer
    end = f"fin {clock_time(call.ended_at)[:5]}" if call.ended_at else ""
    status = STATUS_LABELS.get(audit.status, audit.status)
    line1 = DealerInfo(d.name, d.city or "", phone, status, end)
    facts = [f"tentatives {len(call.attempts)}"]
    if call.answered_at:
        facts.append(f"décroché {clock_time(call.answered_at)}")
    facts.append(f"découverte {call.discovery_questions}")
    method = METHOD_LABELS.get(call.agreed_method or "", "—")
    facts.append(f"contact convenu : {method}")
    return line1, Content.styled(" · ".join(facts), "$text-muted")


def save_state(live: LiveCall) -> str:
    """« ✓ enregistré 14:05:09 », or « ⚠ NON ENREGISTRÉ : … » after a failed save."""
    if live.save_error:
        return f"⚠ NON ENREGISTRÉ : {live.save_error} (s : réessayer)"
    if live.saved_at or live.audit.updated_at:
        return f"✓ enregistré {clock_time(live.saved_at or live.audit.updated_at)}"
    return "✓ enregistré"


def suggestion_line(grid: Grid | None, pending: list[Suggestion]) -> str:
    """The first suggestion pending in one line: the answer and its keys first, the reason last
    (cut first when long), and how many others wait."""
    if grid is None or not pending:
        return "Pas de suggestion (a : accepter, z : ignorer quand il y en a une)"
    s, more = pending[0], len(pending) - 1
    extra = f" (+{more})" if more else ""
    return (
        f"Suggestion Q{s.question} : {s.answer_text(grid)} — a : accepter, "
        f"z : ignorer{extra} — {s.reason}"
    )


def question_after(live: LiveCall, current: str, step: int) -> str | None:
    """The next (1) or previous (-1) question, skipping those without object (reachable with g);
    None past either end."""
    ids = [q.id for q in live.grid.questions() if live.applicable(q) or q.id == current]
    index = ids.index(current) + step
    return ids[index] if 0 <= index < len(ids) else None


def section_after(live: LiveCall, current: str, step: int) -> str | None:
    """The first applicable question of the next (1) or previous (-1) section; None past either
    end."""
    sections = live.grid.sections
    index = sections.index(live.grid.section_of(current)) + step
    if not 0 <= index < len(sections):
        return None
    questions = sections[index].questions
    return next((q for q in questions if live.applicable(q)), questions[0]).id


def all_answered(live: LiveCall) -> str:
    """What `v` says when nothing is left to answer during the call."""
    later = ", ".join(f"Q{q}" for q in live.audit.missing())
    if later:
        return f"Toutes les questions de l'appel ont une réponse ({later} : après l'appel)"
    return "Toutes les questions applicables ont une réponse"


def pickup_label(elapsed: float | None) -> str:
    """The question asked before the transfer is marked picked up: « Transfert pris en 32,4 s »."""
    if elapsed is None:
        return "Transfert pris"
    return f"Transfert pris en {format_seconds(round_tenth(elapsed))}"


def transfer_seconds(
    live: LiveCall, asked_at: float | None, monotonic: float
) -> tuple[float | None, bool]:
    """The transfer's seconds, and whether they are provisional: counted from the key « x »
    (pressed at `asked_at`, monotonic) while its « oui » is still asked."""
    elapsed = live.transfer_elapsed()
    if asked_at is None or elapsed is not None:
        return elapsed, False
    return max(0.0, monotonic - asked_at), True


def stopwatch_state(live: LiveCall, elapsed: float | None, provisional: bool) -> StopwatchState:
    """What the stopwatch shows of the transfer's `elapsed` seconds (`provisional`: counted from
    its key while asked), the verdict the core's: past the grid's limit or not."""
    return StopwatchState(
        limit=transfer_limit_text(live.grid),
        transfer=elapsed,
        running=live.transfer_running or provisional,
        provisional=provisional,
        over=elapsed is not None and transfer_over_limit(live.grid, elapsed),
        call=live.call_elapsed(),
    )
