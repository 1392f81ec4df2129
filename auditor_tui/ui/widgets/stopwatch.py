"""The transfer stopwatch (large digits, against the grid's limit) and the call duration.
Display only: the screen sets the attributes on each timer tick; the `-over` class marks a
transfer past the limit, `-running` / `-done` its state, `-provisional` a transfer counted from
its key while its confirmation is asked."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Digits, Label

from auditor_tui.domain.suggestions import round_tenth
from auditor_tui.text.french import format_elapsed, number_text
from auditor_tui.ui.widgets.static_text import set_text


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
    # Set on every 0.1 s tick: the children repaint when their text changes (the call clock
    # once a second), not the whole stopwatch ten times a second.
    transfer: reactive[float | None] = reactive(None, repaint=False)
    limit: reactive[float | None] = reactive(None, repaint=False)  # the grid's, set on mount
    running: reactive[bool] = reactive(False, repaint=False)
    provisional: reactive[bool] = reactive(False, repaint=False)
    call: reactive[float | None] = reactive(None, repaint=False)
    _ready = False

    def compose(self) -> ComposeResult:
        yield Label("", id="stopwatch-title", markup=False)
        yield Digits(stopwatch_digits(None), id="stopwatch-digits")
        yield Label("", id="stopwatch-call", markup=False)

    def on_mount(self) -> None:
        self._ready = True
        self._show()

    def watch_transfer(self) -> None:
        self._show()

    def watch_running(self) -> None:
        self._show()

    def watch_provisional(self) -> None:
        self._show()

    def watch_limit(self) -> None:
        self._show()

    def watch_call(self) -> None:
        self._show()

    def _show(self) -> None:
        if not self._ready or not self.is_attached:  # before the children exist, or after
            return
        seconds = self.transfer
        # Rounded to the tenth, as the measured transfer is: 45.04 s is still « Oui ».
        over = seconds is not None and self.limit is not None and round_tenth(seconds) > self.limit
        self.set_class(over, "-over")
        self.set_class(self.running, "-running")
        self.set_class(seconds is not None and not self.running, "-done")
        self.set_class(self.provisional, "-provisional")
        if seconds is None:
            state = "—"
        elif self.provisional:
            state = "à valider"
        elif self.running:
            state = "DÉPASSÉ" if over else "en cours"
        else:
            state = "hors délai" if over else "à temps"
        limit = "" if self.limit is None else f" {number_text(self.limit, 'g')} s"
        # Fixed-size labels (see the CSS): ten updates a second without a layout pass.
        try:
            title = self.query_one("#stopwatch-title", Label)
        except NoMatches:  # the screen is being dismissed: its children are already gone
            return
        set_text(title, f"Transfert{limit} : {state}", layout=False)
        digits = self.query_one("#stopwatch-digits", Digits)
        if digits.value != (text := stopwatch_digits(seconds)):
            digits.update(text)
        call = self.query_one("#stopwatch-call", Label)
        set_text(call, f"Appel  {format_elapsed(self.call)}", layout=False)
