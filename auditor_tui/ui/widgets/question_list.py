"""Where the auditor is in the grid: the current section's strip of questions (always shown)
and the whole grid as a list with answers and points (wide terminals). Display only: the
screen sets `progress`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import cast

from textual.content import Content
from textual.css.styles import RulesMap
from textual.reactive import reactive
from textual.widgets import Static

from auditor_tui.domain.grid import Grid, Question
from auditor_tui.domain.scoring import is_applicable, question_points
from auditor_tui.ui.widgets.static_text import LinesView

NOT_APPLICABLE = "s.o."
AFTER_CALL_MARK = "◷"  # a question the follow-up answers, during the call
AFTER_CALL = "après l'appel"


@dataclass(frozen=True)
class GridProgress:
    grid: Grid
    current: str
    answers: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    transferred: bool = False
    unreachable: bool = False
    after_call: frozenset[str] = frozenset()  # answered after the call (while it is on)

    @property
    def attempts_question(self) -> str:
        """The one question an unreachable dealer's audit answers (the grid's `attempts`)."""
        return self.grid.rule_question("attempts")

    def mark(self, q: Question) -> tuple[str, str]:
        """The question's state as a short mark and its style."""
        if not is_applicable(q, self.transferred):
            return NOT_APPLICABLE, "$text-disabled"
        if self.unreachable and q.id != self.attempts_question:
            return "×", "$text-disabled"
        if self.answers.get(q.id):
            return "✓", "$success"
        if q.id in self.after_call:
            return AFTER_CALL_MARK, "$text-muted"
        return "·", "$warning"

    def text(self, q: Question) -> str:
        """The question's text in the list, « après l'appel · » first for those it waits for."""
        if q.id in self.after_call and not self.answers.get(q.id):
            return f"{AFTER_CALL} · {q.text}"
        return q.text

    def points(self, q: Question) -> str:
        chosen = self.answers.get(q.id)
        if not q.scored or not is_applicable(q, self.transferred):
            return ""
        if not chosen or self.unreachable:
            return f"–/{q.max_points}"
        return f"{question_points(q, chosen)}/{q.max_points}"


class SectionStrip(Static):
    """« ◀ 2/4 Conversation téléphonique ▶ » and the section's questions with their marks."""

    # A layout pass only when the strip's height changes (another section, a chip that wraps
    # differently): an answer changes one mark, never the height.
    progress: reactive[GridProgress | None] = reactive(None)

    _shown = Content("")

    def on_mount(self) -> None:
        self.auto_links = False  # no links in the strip: drawn faster

    def watch_progress(self, progress: GridProgress | None) -> None:
        self._shown = strip_content(progress)
        width = self.size.width
        rules = cast("RulesMap", self.styles)  # as Textual passes them to Visual.get_height
        if width <= 0 or self._shown.get_height(rules, width) != self.size.height:
            self.refresh(layout=True)

    def render(self) -> Content:
        return self._shown


def strip_content(p: GridProgress | None) -> Content:
    """The strip: the section's title, then its questions' chips (the current one reversed)."""
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


class QuestionList(LinesView):
    """Every question, section by section: mark, id, points, text (one line each). A new
    `progress` repaints only the lines that changed (an answer: one line; a move: two), never a
    layout pass (the size is fixed in the CSS; lines past the bottom are not shown)."""

    progress: reactive[GridProgress | None] = reactive(None, repaint=False)

    def watch_progress(self, progress: GridProgress | None) -> None:
        self.show_lines(question_lines(progress))


def question_lines(p: GridProgress | None) -> list[Content]:
    """The list's lines: each section's title, then one line per question."""
    if p is None:
        return []
    lines: list[Content] = []
    for section in p.grid.sections:
        lines.append(Content.styled(section.title, "bold $primary"))
        for q in section.questions:
            mark, style = p.mark(q)
            lines.append(
                _question_line(q.id, p.text(q), mark, style, p.points(q), q.id == p.current)
            )
    return lines


@lru_cache(maxsize=1024)
def _question_line(
    qid: str, text: str, mark: str, style: str, points: str, current: bool
) -> Content:
    line = Content.assemble(
        (f"{mark:>4} ", style),
        (f"Q{qid:<3}", "bold"),
        (f"{points:>5}  ", "$text-muted"),
        text,
    )
    return line.stylize("reverse") if current else line
