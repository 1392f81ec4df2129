"""The current question in full: its text, its options numbered for the keys 1–9 with their
marks (checkboxes for a multi-select, radio marks otherwise) and points, its note, and why it
cannot be answered when it can't (« s.o. »). Display only: the screen sets `state`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.events import Resize
from textual.reactive import reactive
from textual.widgets import Static

from auditor_tui.domain.grid import Question
from auditor_tui.text.safe_text import terminal_text
from auditor_tui.ui.widgets.static_text import set_text

MAX_OPTIONS = 9  # one digit key each
COMPACT_WIDTH = 70  # below this, a prefix shared by the options is printed once
MIN_PREFIX = 20


@dataclass(frozen=True)
class QuestionState:
    question: Question
    chosen: tuple[int, ...] = ()
    note: str = ""
    blocked: str | None = None  # why it cannot be answered now (N/A, unreachable)
    not_applicable: bool = False
    later: str | None = None  # answered after the call: said, the keys still work


def shared_prefix(labels: Sequence[str]) -> str:
    """The words two or more long labels all start with (« Oui, le conseiller m'a invité à
    faire un essai »), or "" when too short to be worth printing once."""
    if len(labels) < 2:
        return ""
    words = [label.split(" ") for label in labels]
    common: list[str] = []
    for group in zip(*words, strict=False):
        if any(w != group[0] for w in group):
            break
        common.append(group[0])
    if any(len(w) <= len(common) for w in words):
        common = common[:-1]  # keep something of every label
    prefix = " ".join(common)
    return prefix if len(prefix) >= MIN_PREFIX else ""


def points_text(points: int) -> str:
    return f"{points:+d}".replace("-", "−") if points else "0"


class OptionRow(Horizontal):
    def compose(self) -> ComposeResult:
        self._mark = Static(classes="option-mark", markup=False)
        self._label = Static(classes="option-label", markup=False)
        self._points = Static(classes="option-points", markup=False)
        yield self._mark
        yield self._label
        yield self._points

    def show(self, mark: str, label: str, points: str, chosen: bool) -> None:
        set_text(self._mark, mark, layout=False)  # fixed width, one line
        set_text(self._label, label)
        set_text(self._points, points, layout=False)
        self.set_class(chosen, "-chosen")


class QuestionView(VerticalScroll, can_focus=False):
    # Display only: the children are updated one by one, and only those that change repaint.
    state: reactive[QuestionState | None] = reactive(None, repaint=False)
    compact: reactive[bool] = reactive(False, repaint=False)
    _ready = False

    def compose(self) -> ComposeResult:
        yield Static(id="q-heading", markup=False)
        yield Static(id="q-text", markup=False)
        yield Static(id="q-blocked", markup=False)
        yield Static(id="q-prefix", markup=False)
        self._rows = [OptionRow(id=f"q-option-{i + 1}") for i in range(MAX_OPTIONS)]
        yield from self._rows
        yield Static(id="q-note", markup=False)

    def on_mount(self) -> None:
        self._heading = self.query_one("#q-heading", Static)
        self._text = self.query_one("#q-text", Static)
        self._blocked = self.query_one("#q-blocked", Static)
        self._prefix = self.query_one("#q-prefix", Static)
        self._note = self.query_one("#q-note", Static)
        self._ready = True
        self._show()

    def show_option(self, position: int) -> None:
        """Scroll the option just pressed into view (long questions on small terminals)."""
        if 1 <= position <= MAX_OPTIONS:
            self.query_one(f"#q-option-{position}").scroll_visible(animate=False)

    def on_resize(self, event: Resize) -> None:
        self.compact = event.size.width < COMPACT_WIDTH

    def watch_state(self) -> None:
        self._show()

    def watch_compact(self) -> None:
        self._show()

    def _show(self) -> None:
        state = self.state
        if state is None or not self._ready:
            return
        q = state.question
        kind = "choix multiples" if q.multi else "choix unique"
        worth = (
            f"{q.max_points} pt{'s' if (q.max_points or 0) > 1 else ''} max"
            if q.scored
            else "non noté"
        )
        set_text(self._heading, f"Q{q.id} · {kind} · {worth}")
        set_text(self._text, q.text)
        blocked = self._blocked
        set_text(
            blocked,
            f"s.o. — {state.blocked}"
            if state.not_applicable
            else state.blocked or state.later or "",
        )
        blocked.display = state.blocked is not None or state.later is not None
        self.set_class(state.blocked is not None, "-blocked")

        labels = [o.label for o in q.options]
        prefix = ""
        if self.compact:
            prefix = shared_prefix([o.label for o in q.options if not o.exclusive])
        prefix_w = self._prefix
        set_text(prefix_w, f"{prefix} …")
        prefix_w.display = bool(prefix)
        for i, row in enumerate(self._rows):
            if i >= len(q.options):
                row.display = False
                continue
            option = q.options[i]
            row.display = True
            chosen = option.position in state.chosen
            if q.multi:
                mark = f"[{'x' if chosen else ' '}] {option.position}"
            else:
                mark = f"({'•' if chosen else ' '}) {option.position}"
            label = labels[i]
            if prefix and label.startswith(prefix + " "):
                label = "… " + label[len(prefix) + 1 :]
            row.show(mark, label, points_text(option.points) if q.scored else "", chosen)
        note = self._note
        set_text(note, f"Note : « {terminal_text(state.note)} »" if state.note else "")
        note.display = bool(state.note)
