"""The running score: points over what is answered, the applicable maximum, percent, stars and
one bar per section. Display only: the screen sets `view`."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.reactive import reactive
from textual.strip import Strip

from auditor_tui.domain.scoring import OUTCOME_UNREACHABLE, Score, StarsShown
from auditor_tui.text.french import percent_text, stars_text
from auditor_tui.ui.widgets.static_text import LinesView


def bar(points: int, maximum: int, width: int) -> Content:
    """A bar of `width` cells filled in proportion (negative points show empty)."""
    width = max(width, 1)
    filled = round(width * max(points, 0) / maximum) if maximum > 0 else 0
    filled = min(filled, width)
    return Content.assemble(("█" * filled, "$success"), ("░" * (width - filled), "$foreground 30%"))


@dataclass(frozen=True)
class ScoreView:
    score: Score
    stars: StarsShown | None  # scoring.shown_stars: final, provisional, or none yet


class ScorePanel(LinesView):
    """Always visible during the call. Fixed size (CSS): a new score repaints only its lines
    that changed (the totals, one section's figures and bar), without a layout pass."""

    view: reactive[ScoreView | None] = reactive(None, repaint=False)
    _width = 0

    def render(self) -> Content:
        """The whole panel as one text."""
        return Content("\n").join(score_lines(self.view, self._panel_width()))

    def _panel_width(self) -> int:
        return max(self.content_region.width or self.size.width, 10)

    def watch_view(self) -> None:
        self._width = self._panel_width()
        self.show_lines(score_lines(self.view, self._width))

    def on_resize(self) -> None:
        if self._panel_width() != self._width:
            self.watch_view()  # titles and bars are cut to the width

    def render_line(self, y: int) -> Strip:
        if self._panel_width() != self._width:  # resized, before on_resize: draw it right
            self._width = self._panel_width()
            self._lines = score_lines(self.view, self._width)
        return super().render_line(y)


def stars_line(shown: StarsShown | None) -> Content:
    """« ★★★★☆ provisoire » during the call (the running score's), « ★★★★☆ » once the audit
    is complete, « — » before any scored answer."""
    if shown is None:
        return Content.styled("—", "$text-muted")
    if shown.final:
        return Content.styled(stars_text(shown.stars), "$warning")
    return Content.assemble(
        (stars_text(shown.stars), "$warning 60%"), " ", (shown.label, "italic $text-muted")
    )


def score_lines(view: ScoreView | None, width: int) -> list[Content]:
    """The panel, one Content per line, for a panel `width` cells wide."""
    if view is None:
        return []
    score = view.score
    lines: list[Content] = [Content.styled("Score", "bold")]
    if score.outcome == OUTCOME_UNREACHABLE:
        lines += [
            Content.styled("Injoignable", "bold $error"),
            Content(f"{score.points} / {score.max} · {percent_text(score.percent)}"),
            stars_line(view.stars),
        ]
    else:
        started = score.answered_max > 0
        running = percent_text(score.running_percent) if started else "—"
        lines += [
            Content.assemble(
                (f"{score.points} / {score.answered_max}", "bold"),
                " répondus · ",
                (running, "bold"),
            ),
            stars_line(view.stars),  # the stars of the line above, never of the total below
            Content(f"Total {score.points} / {score.max} · {percent_text(score.percent)}"),
        ]
    lines.append(Content(""))
    for section in score.sections:
        figures = f" {section.points}/{section.max}"
        title = section.title
        room = width - len(figures)
        if len(title) > room:
            title = title[: max(room - 1, 1)] + "…"
        lines.append(Content.assemble((title, "bold"), " " * (room - len(title)), figures))
        lines.append(bar(section.points, section.max, width))
    return lines
