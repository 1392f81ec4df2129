"""Text from audits, files and the keyboard (a dealer's name, a note, a path, an error that
quotes them) on its way to a widget: shown as written, never read as markup (« [/x] » shows
« [/x] »), every control character shown as « � » (text/safe_text.py) so that nothing reaches
the terminal as an escape sequence. Widgets get such text from here only: a Content (Static,
Label, OptionList prompts) or a rich Text (DataTable cells); a str (an Input's value)
goes through `terminal_text`."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import JustifyMethod, OverflowMethod
from rich.text import Text
from textual.content import Content

from auditor_tui.text.safe_text import terminal_lines, terminal_text

Part = str | tuple[str, str] | Content
"""A text, a (text, style) pair (« bold », « $text-muted »), or a Content made here."""


def plain(*parts: Part) -> Content:
    """The parts as one line of Content: texts never read as markup, their control characters
    and line breaks shown (`terminal_text`). A Content part is taken as made here already."""
    pieces: list[Content | tuple[str, str] | str] = []
    for part in parts:
        if isinstance(part, Content):
            pieces.append(part)
        elif isinstance(part, tuple):
            pieces.append((terminal_text(part[0]), part[1]))
        else:
            pieces.append(terminal_text(part))
    return Content.assemble(*pieces)


def plain_lines(lines: Iterable[Content | str]) -> Content:
    """Several lines (each a text, or a Content made by `plain`) as one Content."""
    return Content("\n").join(
        line if isinstance(line, Content) else Content(terminal_lines(line)) for line in lines
    )


def cell(
    text: str, justify: JustifyMethod | None = None, overflow: OverflowMethod | None = None
) -> Text:
    """A DataTable cell: rich Text (a str cell would be read as markup), on one line, its
    control characters shown."""
    return Text(terminal_text(text), justify=justify, overflow=overflow, no_wrap=True)


def edited(original: str, value: str) -> str:
    """What an Input prefilled with `terminal_text(original)` gives back: the original itself
    when the auditor left it as shown (its control characters are not lost by a mere Entrée)."""
    return original if value == terminal_text(original) else value
