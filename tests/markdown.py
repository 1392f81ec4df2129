"""Reading the project's Markdown as the tests need it: sections, code blocks, inline code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))

_FENCE = re.compile(r"^(\s*)```\s*([\w-]*)\s*$")
_INLINE = re.compile(r"`([^`\n]+)`")


@dataclass(frozen=True)
class Block:
    """A fenced code block: its language (may be empty), its lines, where it starts."""

    path: Path
    line: int  # of the first line inside the fence, 1-based
    lang: str
    lines: tuple[str, ...]

    def where(self, offset: int = 0) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line + offset}"


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    lang: str | None = None
    start = 0
    body: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        fence = _FENCE.match(line)
        if lang is None and fence:
            lang, start, body = fence[2].lower(), number + 1, []
        elif lang is not None and fence and not fence[2]:
            found.append(Block(path, start, lang, tuple(body)))
            lang = None
        elif lang is not None:
            body.append(line)
    return found


def inline_code(path: Path) -> list[tuple[str, str]]:
    """Every `inline code` span outside code blocks, with its place (`file:line`)."""
    spans: list[tuple[str, str]] = []
    in_block = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if _FENCE.match(line):
            in_block = not in_block
            continue
        if not in_block:
            where = f"{path.relative_to(ROOT)}:{number}"
            spans.extend((span, where) for span in _INLINE.findall(line))
    return spans


def section(path: Path, title: str) -> str:
    """The text of a `## title` section, up to the next heading of that level or higher."""
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^#{{1,2}} |\Z)", text, re.M | re.S)
    assert match, f"{path.name}: no section « {title} »"
    return match[1]


def section_blocks(path: Path, title: str) -> list[Block]:
    """The code blocks inside a `## title` section."""
    text = path.read_text(encoding="utf-8")
    start = text.index(section(path, title))
    first = text[:start].count("\n") + 1
    last = first + section(path, title).count("\n")
    return [b for b in blocks(path) if first <= b.line <= last]
