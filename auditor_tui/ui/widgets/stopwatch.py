"""The transfer stopwatch (large digits, against the grid's limit) and the call duration.
Display only: the call screen sets its `state` on each timer tick, the verdict included
(`over`: decided by the core, `transfer_over_limit`); the widget never compares a time with a
limit. Its classes are for the style sheet only: `-over` a transfer past the limit, `-running` /
`-done` its state, `-provisional` a transfer counted from its key while its confirmation is
asked."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Digits, Label

from auditor_tui.domain.suggestions import round_tenth
from auditor_tui.text.french import format_elapsed
from auditor_tui.ui.widgets.static_text import set_text


@dataclass(frozen=True)
class StopwatchState:
    """What the stopwatch shows."""

    limit: str = ""  # the grid's, as said: « 45 s »
    transfer: float | None = None  # seconds, None before a transfer
    running: bool = False
    provisional: bool = False  # counted from the key « x » while its « oui » is asked
    over: bool = False  # past the limit: the core's verdict
    call: float | None = None  # seconds since the call started


def stopwatch_digits(seconds: float | None) -> str:
    """« 32.4 » under 100 s, else « 1:45.2 »; « --.- » before a transfer."""
    if seconds is None:
        return "--.-"
    tenths = round(round_tenth(seconds) * 10)
    if tenths < 1000:
        return f"{tenths // 10:02d}.{tenths % 10}"
    minutes, rest = divmod(tenths, 600)
    return f"{minutes}:{rest // 10:02d}.{rest % 10}"


class Stopwatch(Vertical):
    # Set on every 0.1 s tick, shown when it changes: the children repaint when their text
    # changes (the call clock once a second), not the whole stopwatch ten times a second.
    state: reactive[StopwatchState] = reactive(StopwatchState, repaint=False)
    _ready = False

    def compose(self) -> ComposeResult:
        yield Label("", id="stopwatch-title", markup=False)
        yield Digits(stopwatch_digits(None), id="stopwatch-digits")
        yield Label("", id="stopwatch-call", markup=False)

    def on_mount(self) -> None:
        self._ready = True
        self._show()

    def watch_state(self) -> None:
        self._show()

    def _show(self) -> None:
        if not self._ready or not self.is_attached:  # before the children exist, or after
            return
        shown = self.state
        seconds = shown.transfer
        over = seconds is not None and shown.over
        self.set_class(over, "-over")
        self.set_class(shown.running, "-running")
        self.set_class(seconds is not None and not shown.running, "-done")
        self.set_class(shown.provisional, "-provisional")
        if seconds is None:
            verdict = "—"
        elif shown.provisional:
            verdict = "à valider"
        elif shown.running:
            verdict = "DÉPASSÉ" if over else "en cours"
        else:
            verdict = "hors délai" if over else "à temps"
        limit = f" {shown.limit}" if shown.limit else ""
        # Fixed-size labels (see the CSS): ten updates a second without a layout pass.
        try:
            title = self.query_one("#stopwatch-title", Label)
        except NoMatches:  # the screen is being dismissed: its children are already gone
            return
        set_text(title, f"Transfert{limit} : {verdict}", layout=False)
        digits = self.query_one("#stopwatch-digits", Digits)
        if digits.value != (text := stopwatch_digits(seconds)):
            digits.update(text)
        call = self.query_one("#stopwatch-call", Label)
        set_text(call, f"Appel  {format_elapsed(shown.call)}", layout=False)
