"""Update a Static only when its text changes: the live call refreshes ten times a second and
on every key, and each real update may cost a layout pass of the whole screen."""

from __future__ import annotations

from textual.content import Content
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
