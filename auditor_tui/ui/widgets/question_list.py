"""Where the auditor is in the grid: the current section's strip of questions (always shown)
and the whole grid as a list with answers and points (wide terminals). Display only: the
screen sets `progress`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from auditor_tui.grid import Grid, Question
from auditor_tui.scoring import is_applicable, question_points

NOT_APPLICABLE = "s.o."


@dataclass(frozen=True)
class GridProgress:
    grid: Grid
    current: str
    answers: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    transferred: bool = False
    unreachable: bool = False
    attempts_question: str = "1"

    def mark(self, q: Question) -> tuple[str, str]:
        """The question's state as a short mark and its style."""
        if not is_applicable(q, self.transferred):
            return NOT_APPLICABLE, "$text-disabled"
        if self.unreachable and q.id != self.attempts_question:
            return "×", "$text-disabled"
        if self.answers.get(q.id):
            return "✓", "$success"
        return "·", "$warning"

    def points(self, q: Question) -> str:
        chosen = self.answers.get(q.id)
        if not q.scored or not is_applicable(q, self.transferred):
            return ""
        if not chosen or self.unreachable:
            return f"–/{q.max_points}"
        return f"{question_points(q, chosen)}/{q.max_points}"


class SectionStrip(Static):
    """« ◀ 2/4 Conversation téléphonique ▶ » and the section's questions with their marks."""

    progress: reactive[GridProgress | None] = reactive(None, layout=True)

    def render(self) -> Content:
        p = self.progress
        if p is None:
            return Content("")
        section = p.grid.section_of(p.current)
        index = p.grid.sections.index(section) + 1
        title = Content.assemble(
            ("◀ ", "$text-muted"),
            (f"{index}/{len(p.grid.sections)} {section.title}", "bold"),
            (" ▶", "$text-muted"),
        )
        chips: list[Content] = []
        for q in section.questions:
            mark, style = p.mark(q)
            sep = " " if mark == NOT_APPLICABLE else ""
            chip = Content.assemble((q.id, "bold"), sep, (mark, style))
            if q.id == p.current:
                chip = Content.assemble(" ", chip, " ").stylize("reverse")
            chips.append(chip)
        return Content("\n").join([title, Content("  ").join(chips)])


class QuestionList(Static):
    """Every question, section by section: mark, id, points, text (one line each)."""

    progress: reactive[GridProgress | None] = reactive(None, layout=True)

    def render(self) -> Content:
        p = self.progress
        if p is None:
            return Content("")
        lines: list[Content] = []
        for section in p.grid.sections:
            lines.append(Content.styled(section.title, "bold $primary"))
            for q in section.questions:
                mark, style = p.mark(q)
                line = Content.assemble(
                    (f"{mark:>4} ", style),
                    (f"Q{q.id:<3}", "bold"),
                    (f"{p.points(q):>5}  ", "$text-muted"),
                    q.text,
                )
                if q.id == p.current:
                    line = line.stylize("reverse")
                lines.append(line)
        return Content("\n").join(lines)
