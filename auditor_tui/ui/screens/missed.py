"""« Pendant votre absence », read again: the deadlines that passed while the app was closed and
whose audit the auditor has not opened yet (issue 17.4). Entrée opens the audit (which marks it
seen); Échap goes back to the home screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ListItem, ListView

from auditor_tui.domain.expiry_memory import Missed
from auditor_tui.domain.periods import PARIS_ZONE
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.plain_text import plain


class MissedItem(ListItem):
    def __init__(self, missed: Missed, text: str) -> None:
        super().__init__(Label(plain(text)))
        self.missed = missed


class MissedScreen(ModalScreen[str | None]):
    """Dismissed with the id of the audit to open, or None."""

    CSS_PATH = "missed.tcss"
    SUB_TITLE = "Pendant votre absence"
    BINDINGS = [binding("back", description="Retour", tooltip="Revenir à l'accueil")]

    def __init__(self, missed: Sequence[Missed], zones: Mapping[str, str]) -> None:
        """`zones`: each audit's dealer zone (Paris when unknown)."""
        super().__init__()
        self.missed = list(missed)
        self.zones = dict(zones)

    def compose(self) -> ComposeResult:
        with Vertical(id="missed-box"):
            count = len(self.missed)
            plural = "s" if count > 1 else ""
            yield Label(
                f"{count} échéance{plural} passée{plural} pendant votre absence",
                classes="modal-title",
            )
            yield ListView(
                *(
                    MissedItem(m, m.text(self.zones.get(m.audit_id, PARIS_ZONE)))
                    for m in self.missed
                ),
                id="missed-list",
            )
            yield Label("Entrée : ouvrir l'audit · Échap : retour", classes="modal-keys")

    def on_mount(self) -> None:
        self.query_one(ListView).focus()

    @on(ListView.Selected, "#missed-list")
    def _chosen(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, MissedItem):
            self.dismiss(event.item.missed.audit_id)

    def action_back(self) -> None:
        self.dismiss(None)
