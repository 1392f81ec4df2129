"""The key strip at the bottom of the live call and follow-up screens: every key of the screen,
grouped (appel · réponses · navigation), in at most two lines at 80 columns and one at 160.
Read from the screen's active bindings (a remapped key shows as remapped); laid out by
`strip_lines`, a pure function."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from auditor_tui.ui.key_strips import StripItem, StripLayout
from auditor_tui.ui.keymap import key_name
from auditor_tui.ui.widgets.static_text import set_text

GROUP_SEPARATOR = " │ "
KEY_STYLE = "bold $text-accent"
DISABLED_STYLE = "$text-disabled"


@dataclass(frozen=True)
class Entry:
    """One item as shown: its keys (« 1…9 », « Suppr »), its label, and whether it is kept
    when room runs out and acts now."""

    keys: str
    label: str
    keep: bool = False
    enabled: bool = True

    @property
    def width(self) -> int:
        return len(self.text)

    @property
    def text(self) -> str:
        return f"{self.keys} {self.label}" if self.label else self.keys

    def content(self) -> Content:
        if not self.enabled:
            return Content.styled(self.text, DISABLED_STYLE)
        key = Content.styled(self.keys, KEY_STYLE)
        return key + Content(f" {self.label}") if self.label else key


Group = Sequence[Entry]


def _line_width(line: Sequence[Group]) -> int:
    entries = sum(sum(e.width for e in g) + len(g) - 1 for g in line)
    return entries + len(GROUP_SEPARATOR) * (len(line) - 1)


def _lay_out(groups: Sequence[Group], width: int) -> list[list[list[Entry]]]:
    """Groups on lines, a group kept whole on one line when it fits; one wider than a line is
    split between its entries."""
    lines: list[list[list[Entry]]] = []
    for group in groups:
        if not group:
            continue
        line = lines[-1] if lines else None
        if line is not None and _line_width([*line, group]) <= width:
            line.append(list(group))
            continue
        if _line_width([group]) <= width:
            lines.append([list(group)])
            continue
        part: list[Entry] = []
        for entry in group:
            if part and _line_width([[*part, entry]]) > width:
                lines.append([part])
                part = []
            part.append(entry)
        lines.append([part])
    return lines


def strip_lines(groups: Sequence[Group], width: int, max_lines: int = 2) -> list[Content]:
    """The strip's lines for `width` columns: as many groups on a line as fit, at most
    `max_lines` lines; when they do not fit, entries not marked `keep` are left out from the
    end (the kept ones, « Fin d'appel », « Annuler », always stay)."""
    kept = [list(g) for g in groups]
    while True:
        lines = _lay_out(kept, width)
        if len(lines) <= max_lines:
            break
        spare = [(gi, ei) for gi, g in enumerate(kept) for ei, e in enumerate(g) if not e.keep]
        if not spare:
            break
        gi, ei = spare[-1]
        del kept[gi][ei]
    separator = Content.styled(GROUP_SEPARATOR, "$text-muted")
    return [
        separator.join(Content(" ").join(e.content() for e in group) for group in line)
        for line in lines
    ]


def strip_groups(screen: Screen[object], layout: StripLayout) -> list[list[Entry]]:
    """The layout's entries from the screen's active bindings (an item whose keys are all
    unbound or unavailable is left out)."""
    first_key: dict[str, tuple[str, str, bool]] = {}  # id -> key, description, enabled
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.id and binding.id not in first_key:
            first_key[binding.id] = (key, binding.description, active.enabled)
    groups = []
    for _title, items in layout:
        groups.append([e for e in (_entry(first_key, i) for i in items) if e is not None])
    return groups


def _entry(first_key: dict[str, tuple[str, str, bool]], item: StripItem) -> Entry | None:
    found = [first_key[i] for i in item.ids if i in first_key]
    if not found:
        return None
    names = [key_name(key, short=True) for key, _d, _e in found]  # « ^t » as in a footer
    keys = f"{names[0]}…{names[-1]}" if item.span and len(names) > 1 else "".join(names)
    label = found[0][1] if item.label is None else item.label
    return Entry(keys, label, item.keep, any(enabled for _k, _d, enabled in found))


class KeyStrip(Static):
    """The strip itself: rebuilt when the screen's bindings or the width change."""

    DEFAULT_CSS = """
    KeyStrip {
        height: auto;
        width: 1fr;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, layout: StripLayout, *, max_lines: int = 2, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.layout_spec = layout
        self.max_lines = max_lines
        self._lines = 0

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.rebuild()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        self.rebuild()

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.rebuild()

    def rebuild(self) -> None:
        width = self.size.width or self.app.size.width
        lines = strip_lines(strip_groups(self.screen, self.layout_spec), width, self.max_lines)
        set_text(self, Content("\n").join(lines), layout=len(lines) != self._lines)
        self._lines = len(lines)
