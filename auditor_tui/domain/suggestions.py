"""Suggested answers (from timers, counters and the follow-up record): the shared type and the
rules both the live call and the follow-up use. Suggestions are shown, never applied silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor_tui.domain.grid import Grid
from auditor_tui.domain.record import Audit

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
