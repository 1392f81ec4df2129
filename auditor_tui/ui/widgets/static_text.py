"""Update text only where it changes: the live call refreshes ten times a second and on every
key, and each real update costs a repaint, or a layout pass of the whole screen. `set_text`
for a Static; `LinesView` for a fixed-size block of one-line texts that repaints only the lines
that changed."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.visual import Visual
from textual.widget import Widget
from textual.widgets import Static


def same_content(old: object, new: object) -> bool:
    """Whether two contents (Content or str) show exactly the same thing."""
    if isinstance(old, Content) and isinstance(new, Content):
        return old.plain == new.plain and old.spans == new.spans
    return type(old) is type(new) and old == new


def set_text(widget: Static, content: str | Content, *, layout: bool = True) -> None:
    """`widget.update(content)` unless it already shows exactly that; `layout=False` when the
    widget's size cannot change (fixed width and height in the CSS)."""
    if not same_content(widget.content, content):
        widget.update(content, layout=layout)


class LinesView(Widget):
    """Lines of text, one Content each (not wrapped: the CSS says how a long one ends), drawn
    with Textual's line API: `show_lines` repaints only the lines that changed, and never asks
    for a layout pass (give the widget a fixed size in the CSS)."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._lines: list[Content] = []
        self.set_reactive(Widget.auto_links, False)  # no links: each line drawn a third faster

    @property
    def lines(self) -> list[Content]:
        """What the widget shows, one Content per line."""
        return list(self._lines)

    def show_lines(self, lines: Sequence[Content]) -> None:
        old, new = self._lines, list(lines)
        self._lines = new
        if len(old) != len(new):
            self.refresh()
            return
        width = self.size.width
        for y, (before, after) in enumerate(zip(old, new, strict=True)):
            if before is not after and not same_content(before, after):
                self.refresh(Region(0, y, width, 1))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if 0 <= y < len(self._lines) and width > 0:
            strips = Visual.to_strips(self, self._lines[y], width, 1, self.visual_style)
            if strips:
                return strips[0]
        return Strip.blank(width, self.visual_style.rich_style)
