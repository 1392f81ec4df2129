"""Text from audits and files (a dealer's name, a note, a folder name from another auditor's
batch) on its way to a terminal or a spreadsheet: nothing in it may act as a formula, an escape
sequence or markup. The store keeps text as it was given; these guards apply where it is shown
or written for a spreadsheet (docs/reliability.md, « Threat model »).
"""

from __future__ import annotations

import re

# A spreadsheet reads a cell starting so as a formula (or a DDE call): =, +, -, @, and a tab
# or carriage return before one of them (OWASP, « CSV injection »).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# C0 and C1 controls and DEL (ESC starts terminal sequences, OSC 8 makes links, BEL ends them),
# the bidirectional overrides and isolates that make a terminal show text in another order, and
# the Unicode line and paragraph separators (a line break to a terminal).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_LINE_BREAKS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_REPLACEMENT = "\ufffd"


# Guarded too: a text starting with an apostrophe, so that the guard can be taken off exactly
# (`formula_unguard`): removing one leading apostrophe from any guarded cell gives the text.
GUARDED_STARTS = (*FORMULA_STARTS, "'")


def formula_guard(text: str) -> str:
    """A text cell as a spreadsheet must show it: a leading apostrophe when it would otherwise
    be read as a formula (Excel and LibreOffice hide the apostrophe and show the text), or
    when it starts with one already."""
    return "'" + text if text.startswith(GUARDED_STARTS) else text


def formula_unguard(cell: str) -> str:
    """The text of a cell `formula_guard` wrote."""
    return cell[1:] if cell.startswith("'") else cell


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def _shown(match: re.Match[str]) -> str:
    return " " if match.group() in _LINE_BREAKS else _REPLACEMENT


def terminal_text(text: str) -> str:
    """`text` safe to print to a terminal on one line: line breaks and tabs become spaces, any
    other control character (an escape sequence's ESC, BEL, a C1 control) or bidirectional
    override becomes « � », so that it shows rather than acts."""
    if _CONTROLS.search(text) is None:  # the common case: one scan, the text itself
        return text
    return _CONTROLS.sub(_shown, text)


def terminal_lines(text: str) -> str:
    """`terminal_text` for a message of several lines: its line feeds kept."""
    return "\n".join(terminal_text(line) for line in text.split("\n"))
