"""The follow-up screen of one audit (work in progress: full screen lands shortly)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Label

from auditor_tui.clock import Clock
from auditor_tui.store import Store


class FollowUpScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Retour", id="follow_up.back")]

    def __init__(self, store: Store, audit_id: str, clock: Clock) -> None:
        super().__init__()
        self.store = store
        self.audit_id = audit_id
        self.clock = clock

    def compose(self) -> ComposeResult:
        audit = self.store.get(self.audit_id)
        yield Label(f"Suivi : {audit.dealer.name}")
        yield Footer()
