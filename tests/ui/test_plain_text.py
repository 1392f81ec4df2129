"""The one way data text reaches a widget (ui/plain_text.py): whatever text goes in, what is
rendered holds no control character and is the text itself with each control character
replaced (« � », a space for a line break), markup shown literally."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from auditor_tui.text.safe_text import terminal_text
from auditor_tui.ui.plain_text import cell, edited, plain, plain_lines

# Markup of Textual and Rich (tags, links, variables, actions, escapes) and terminal sequences.
HOSTILE = [
    "[/x]",
    "[link=http://x]y[/link]",
    "[bold]",
    "[b]",
    "[/]",
    "[$accent]",
    "[@click=app.quit]",
    "[red on blue]",
    "\\[b]",
    "\\",
    "\x1b]8;;http://x\x07",
    "\x1b[2J",
    "\x9b31m",
    "\u202e",
    "\u2066",
    "\r\n",
    "\u2028",
]
texts = st.lists(st.one_of(st.text(), st.sampled_from(HOSTILE))).map("".join)
BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def is_line_break(char: str) -> bool:
    return char == "\t" or len(f"a{char}b".splitlines()) > 1


def expected(text: str) -> str:
    """Written independently of the helper: a line break or a tab is a space, any other
    control character (Unicode category Cc) or bidirectional override is « � »."""
    return "".join(
        " " if is_line_break(c) else "\ufffd" if unicodedata.category(c) == "Cc" or c in BIDI else c
        for c in text
    )


def rendered(content: object) -> str:
    from textual.content import Content

    assert isinstance(content, Content)
    return "".join(segment.text for segment in content.render_segments())


def no_control(text: str) -> bool:
    return not any(unicodedata.category(c) == "Cc" or c in BIDI for c in text)


@given(texts)
def test_plain_shows_the_text_with_its_controls_replaced(text: str) -> None:
    content = plain(text)
    shown = rendered(content)
    assert shown == expected(text) == terminal_text(text)
    assert no_control(shown)
    assert not content.spans  # no style, no link: the markup is shown, not applied


@given(texts, texts)
def test_styled_parts_keep_their_style_only(label: str, text: str) -> None:
    content = plain((label, "bold"), text)
    assert rendered(content) == expected(label) + expected(text)
    assert [(s.start, s.end, s.style) for s in content.spans if s.end > s.start] == (
        [(0, len(label), "bold")] if label else []
    )


@given(st.lists(texts, max_size=4))
def test_lines_keep_their_line_feeds_only(lines: list[str]) -> None:
    shown = rendered(plain_lines(lines)).split("\n")
    assert shown == [expected(line) for line in "\n".join(lines).split("\n")]
    assert all(no_control(line) for line in shown)


@given(texts)
def test_table_cells(text: str) -> None:
    assert cell(text).plain == expected(text)


@given(texts, texts)
def test_an_edited_field_gives_back_the_original_when_left_as_shown(
    original: str, typed: str
) -> None:
    assert edited(original, terminal_text(original)) == original
    if typed != terminal_text(original):
        assert edited(original, typed) == typed
