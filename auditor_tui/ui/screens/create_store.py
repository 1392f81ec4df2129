"""The start-up question before a store is made in a folder that does not exist (anywhere but
the user data folder): a mistyped --db must not start an empty store."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from auditor_tui.ui.keymap import NO_KEY, binding
from auditor_tui.ui.plain_text import plain
from auditor_tui.ui.textual_patches import KeysFooter


class CreateStoreScreen(ModalScreen[bool]):
    """Dismissed with True to create the folder, False to quit without creating anything."""

    CSS_PATH = "create_store.tcss"
    SUB_TITLE = "Créer le dossier de données ?"
    BINDINGS = [
        binding(
            "validate",
            action="create",
            description="Créer",
            tooltip="Créer le dossier de données et ouvrir l'application",
        ),
        binding(
            "back",
            action="quit_app",
            description="Quitter",
            tooltip="Quitter sans rien créer (n : non)",
        ),
    ]

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def compose(self) -> ComposeResult:
        with Vertical(id="create-dialog"):
            yield Label("Créer un nouveau dossier de données ?", id="create-question")
            yield Static(plain(str(self.folder)), id="create-folder")
            yield Label(
                "Ce dossier n'existe pas : les audits y seront enregistrés. "
                "Vérifiez le chemin (--db) si vos audits sont ailleurs.",
                id="create-detail",
            )
            yield Label(
                "Entrée / o : créer · Échap / n : quitter sans rien créer", id="create-keys"
            )
        yield KeysFooter(compact=True)

    def on_key(self, event: events.Key) -> None:
        if event.key == NO_KEY:  # « n » answers « non » to a yes/no question
            event.stop()
            self.action_quit_app()

    def action_create(self) -> None:
        self.dismiss(True)

    def action_quit_app(self) -> None:
        self.dismiss(False)
