"""What the terminal shows, read from Textual's own screenshot of the app (every widget of the
screen on top, its title bar and its notifications included), line by line."""

from __future__ import annotations

import html
import re
from typing import Any

# A text run of Rich's SVG export: its x (12.2 pixels a cell at the 20-pixel font) and its line.
_RUN = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#[\w-]*-line-(\d+)\)">(.*?)</text>',
    re.S,
)
CELL_PIXELS = 12.2
# What must never reach a terminal from data: C0 and C1 controls, DEL, bidirectional overrides.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def screen_lines(app: Any) -> list[str]:
    """The screen's lines as text (blank cells as spaces; no trailing blanks)."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for x, line, text in _RUN.findall(app.export_screenshot()):
        column = round(float(x) / CELL_PIXELS)
        rows.setdefault(int(line), []).append((column, html.unescape(text).replace("\xa0", " ")))
    lines = []
    for number in range(max(rows, default=-1) + 1):
        line = ""
        for column, text in sorted(rows.get(number, [])):
            line = line.ljust(column) + text
        lines.append(line.rstrip())
    return lines


def screen_text(app: Any) -> str:
    return "\n".join(screen_lines(app))


def assert_no_control(app: Any) -> str:
    """The screen's text, checked to hold no control character; returned for more checks."""
    text = screen_text(app)
    found = CONTROLS.search(text.replace("\n", " "))
    assert found is None, f"{found.group()!r} reaches the terminal:\n{text}"
    return text
