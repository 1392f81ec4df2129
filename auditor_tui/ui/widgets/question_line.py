"""One follow-up question on one line (the follow-up screen's list): its mark, id and answer, the
suggested answer if any, its text.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.widgets import Static

from auditor_tui.domain.grid import Question
from auditor_tui.domain.suggestions import Suggestion
from auditor_tui.ui.widgets.static_text import set_text


def option_labels(question: Question, positions: Iterable[int]) -> str:
    """« Oui », « Brochure + Essai »: the labels of the chosen options."""
    return " + ".join(question.option(p).label for p in positions)


class QuestionLine(Static):
    """One follow-up question on one line: mark, id, answer, the suggestion if any, text."""

    def show(self, question: Question, chosen: list[int], suggestion: Suggestion | None) -> None:
        self.set_class(bool(chosen), "-answered")
        mark = "✓" if chosen else "·"
        answer = option_labels(question, chosen) or "—"
        line = Content.assemble((f"{mark} ", "$success" if chosen else "$warning"))
        line += Content.assemble((f"Q{question.id}", "bold"), f" → {answer}")
        if suggestion is not None:
            proposed = option_labels(question, suggestion.positions)
            line += Content.styled(f" ◆ {proposed}", "bold $text-warning")
        set_text(self, line + Content.styled(f" · {question.text}", "$text-muted"))
