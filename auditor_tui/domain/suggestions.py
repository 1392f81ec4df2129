"""Suggested answers (from timers, counters and the follow-up record): the shared type, the
rules both the live call and the follow-up use, and the follow-up's (Q16–Q19, from the e-mail
and the call-back recorded against their deadlines). Suggestions are shown, never applied
silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from auditor_tui.domain.deadlines import is_within
from auditor_tui.domain.grid import Grid
from auditor_tui.domain.labels import callback_days_text, email_delay_text
from auditor_tui.domain.queue import KIND_CALLBACK, KIND_EMAIL, deadline_of
from auditor_tui.domain.record import Audit, parse_instant
from auditor_tui.text.french import format_duration, format_seconds

METHOD_LABELS = {"phone": "téléphone", "email": "e-mail"}


@dataclass(frozen=True)
class Suggestion:
    """An answer the record, a timer or a counter supports; applied only when accepted."""

    question: str
    positions: tuple[int, ...]
    reason: str
    ends_call: bool = False  # accepting it also ends the call (unreachable dealer)

    def answer_text(self, grid: Grid) -> str:
        """The suggested options' labels."""
        question = grid.question(self.question)
        return " + ".join(question.option(p).label for p in self.positions)

    def label(self, grid: Grid) -> str:
        """« Q16 → Non (e-mail reçu 1 s après l'échéance) »."""
        return f"Q{self.question} → {self.answer_text(grid)} ({self.reason})"


def actual_callback_method(audit: Audit, grid: Grid) -> str | None:
    """How the dealer recontacted: the Q19 answer if given, else the recorded call-back's."""
    rule = grid.rule("callback_method")
    by_position = {int(p): str(m) for m, p in rule["options"].items()}
    for position in audit.answers.get(str(rule["question"])) or []:
        if position in by_position:
            return by_position[position]
    return audit.follow_up.callback_method if audit.follow_up.callback_at else None


def method_match_suggestion(audit: Audit, grid: Grid) -> Suggestion | None:
    """Q18 from the method agreed during the call (Q13) against the call-back's (Q19)."""
    agreed = audit.call.agreed_method
    actual = actual_callback_method(audit, grid)
    if agreed is None or actual is None:
        return None
    rule = grid.rule("method_match")
    reason = f"convenu : {METHOD_LABELS[agreed]} ; recontacté par {METHOD_LABELS[actual]}"
    return Suggestion(
        str(rule["question"]), (int(rule["yes" if agreed == actual else "no"]),), reason
    )


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
    delay = email_delay_text(grid)  # « 2 h »
    nothing = (
        f"seul un accusé de réception est arrivé dans les {delay}"
        if acknowledgement
        else f"aucun e-mail reçu dans les {delay}"
    )
    return _deadline_suggestion(
        grid,
        "email",
        deadline_of(audit, KIND_EMAIL),
        received,
        now,
        (f"e-mail reçu dans les {delay}", "e-mail reçu {late} après l'échéance", nothing),
    )


def _callback_suggestion(audit: Audit, grid: Grid, now: datetime) -> Suggestion | None:
    at = audit.follow_up.callback_at
    days = callback_days_text(grid)  # « 2 jours ouvrés »
    return _deadline_suggestion(
        grid,
        "callback",
        deadline_of(audit, KIND_CALLBACK),
        parse_instant(at) if at else None,
        now,
        (
            f"rappel dans les {days}",
            f"rappel {{late}} après les {days}",
            f"aucun rappel dans les {days}",
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
        deadline = deadline_of(audit, KIND_CALLBACK)
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


# the grid rules whose suggestions read each recorded fact
_RESTING_ON = {
    KIND_EMAIL: ("email",),
    KIND_CALLBACK: ("callback", "method_match", "callback_method"),
}


def answers_resting_on(audit: Audit, kind: str) -> list[str]:
    """The questions already answered whose suggestion reads the recorded e-mail (KIND_EMAIL)
    or call-back (KIND_CALLBACK), in grid order: what to look at again when it is removed."""
    grid = audit.grid
    wanted = {grid.rule_question(rule) for rule in _RESTING_ON[kind]}
    return [q for q in grid.question_ids if q in wanted and q in audit.answers]


# ---- the live call's rules ------------------------------------------------------------------

# The questions only the follow-up can answer (the e-mail, the call-back, how it came): during
# the call they are « après l'appel », neither missing nor next.
AFTER_CALL_RULES = ("email", "callback", "method_match", "callback_method")


def after_call_questions(grid: Grid) -> frozenset[str]:
    """Q16–Q19 in the 2026 grid: the questions of the follow-up's evidence rules."""
    return frozenset(grid.rule_question(rule) for rule in AFTER_CALL_RULES)


def round_tenth(seconds: float) -> float:
    """Seconds to the tenth, half up: how a transfer's duration is recorded and compared."""
    return float(Decimal(repr(seconds)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _ordinal(n: int) -> str:
    return "1re" if n == 1 else f"{n}e"


def attempts_suggestion(audit: Audit, grid: Grid, failed: int) -> Suggestion | None:
    """Q1 from the dial attempts (`failed`: those not picked up): the option of their count,
    or the dealer unreachable after the grid's maximum of failed attempts."""
    rule = grid.rule("attempts")
    qid = str(rule["question"])
    n = len(audit.call.attempts)
    if n == 0:
        return None
    if audit.call.answered_at is None and failed >= int(rule["max_failed_attempts"]):
        return Suggestion(
            qid,
            (int(rule["unreachable_option"]),),
            f"{failed} tentatives sans réponse : fin de l'audit",
            ends_call=True,
        )
    option = rule["option_by_count"].get(str(n))
    if option is None:
        return None
    if audit.call.answered_at is not None:
        reason = f"décroché à la {_ordinal(n)} tentative"
    else:
        reason = f"{_ordinal(n)} tentative en cours"
    return Suggestion(qid, (int(option),), reason)


def transfer_over_limit(grid: Grid, elapsed: float) -> bool:
    """Whether a transfer of `elapsed` seconds is past the grid's limit, compared as it is shown
    and recorded: to the tenth (45.04 s shows « 45,0 s » and is within 45 s). The one place
    this is decided: the suggestion below, the stopwatch's state (set by the call screen)."""
    return round_tenth(elapsed) > grid.transfer_limit


def transfer_suggestion(grid: Grid, elapsed: float | None, picked_up: bool) -> Suggestion | None:
    """Q4 from the transfer's seconds (`elapsed`, None without a transfer): within the grid's
    limit once picked up, or over it while still ringing."""
    rule = grid.rule("transfer")
    if elapsed is None:
        return None
    over = transfer_over_limit(grid, elapsed)
    seconds = round_tenth(elapsed)
    if picked_up:
        reason = f"transfert en {format_seconds(seconds)}"
    elif over:
        reason = f"transfert sans réponse depuis {format_seconds(seconds)}"
    else:
        return None
    return Suggestion(str(rule["question"]), (int(rule["no" if over else "yes"]),), reason)


def discovery_suggestion(audit: Audit, grid: Grid) -> Suggestion | None:
    """Q8 from the discovery questions counted (none suggested before the first, while the call
    is on)."""
    rule = grid.rule("discovery")
    count = audit.call.discovery_questions
    if count == 0 and audit.call.ended_at is None:
        return None
    for band in rule["bands"]:
        if count >= band["min"] and (band["max"] is None or count <= band["max"]):
            plural = "s" if count > 1 else ""
            reason = f"{count} question{plural} de découverte comptée{plural}"
            return Suggestion(str(rule["question"]), (int(band["option"]),), reason)
    return None


def live_suggestions(audit: Audit, failed: int, transfer_elapsed: float | None) -> list[Suggestion]:
    """What the call's timers and counters support, most urgent first, but what is already the
    answer: Q1 from the attempts (`failed`: those not picked up), Q4 from the transfer's seconds
    (`transfer_elapsed`, None without a transfer), Q8 from the discovery questions, Q18 from the
    method agreed."""
    grid = audit.grid
    picked_up = audit.call.transfer_seconds is not None
    found = (
        attempts_suggestion(audit, grid, failed),
        transfer_suggestion(grid, transfer_elapsed, picked_up),
        discovery_suggestion(audit, grid),
        method_match_suggestion(audit, grid),
    )
    return [
        s
        for s in found
        if s is not None and tuple(audit.answers.get(s.question, ())) != s.positions
    ]
