"""Notifications on the screens where nothing may be covered (the live call, the follow-up):
one line over the title bar, the latest only; one too long for that line is also shown whole
in the screen's own place for it, a Notice (the follow-up's side panel)."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from auditor_tui.ui.plain_text import plain_lines
from auditor_tui.ui.textual_patches import remove_toast_holders


class Notice(Static):
    """Hidden until `show`; the latest only, for as long as its notification shows."""

    DEFAULT_CSS = """
    Notice {
        display: none;
        height: auto;
    }
    """

    _timer: Timer | None = None

    def show(self, text: str | None, severity: str = "information", timeout: float = 0) -> None:
        """`text` (plain, lines kept) for `timeout` seconds, styled by its severity (classes
        -information, -warning, -error); None hides it."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.update(plain_lines(text.split("\n")) if text else "")
        self.display = bool(text)
        for level in ("information", "warning", "error"):
            self.set_class(level == severity, f"-{level}")
        if text:
            self._timer = self.set_timer(timeout, lambda: self.show(None))


def one_line(screen: Screen[Any], message: str, title: str, severity: str, timeout: float) -> str:
    """The notification as its one line (« Titre : ligne · ligne »); the screen's Notice shows
    it whole if that line is too long for the screen (or hides a previous one). Textual leaves
    the holder of a toast it removed, which would push the next toast a line down: gone too."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    prefix = f"{title} : " if title else ""
    line = prefix + " · ".join(lines)
    remove_toast_holders(screen)
    notices = screen.query(Notice)
    if notices:
        long = cell_len(line) > screen.size.width - 2  # the toast's padding
        notices.first().show(prefix + "\n".join(lines) if long else None, severity, timeout)
    return line
