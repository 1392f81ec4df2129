"""The start-up question after a crash or a closed terminal: resume the audit left mid-call?"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from auditor_tui.store.index import Summary
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.plain_text import plain
from auditor_tui.ui.screens.home_rows import format_moment
from auditor_tui.ui.textual_patches import KeysFooter


class ResumeScreen(ModalScreen[bool]):
    """Dismissed with True to resume, False for later."""

    CSS_PATH = "resume.tcss"
    SUB_TITLE = "Reprendre l'audit ?"
    BINDINGS = [
        binding(
            "validate",
            action="resume",
            description="Reprendre",
            tooltip="Rouvrir l'appel laissé en cours (o : oui)",
        ),
        binding("back", action="later", description="Plus tard", tooltip="Aller à l'accueil"),
    ]

    def __init__(self, summary: Summary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        s = self.summary
        with Vertical(id="resume-dialog"):
            yield Label(
                plain(f"Reprendre l'audit en cours chez {s.dealer} ?"), id="resume-question"
            )
            started = s.started_at or s.created_at
            yield Label(
                f"Appel commencé le {format_moment(started)} — les réponses et les temps "
                "enregistrés sont conservés.",
                id="resume-detail",
            )
            yield Label("Entrée / o : reprendre · Échap : plus tard", id="resume-keys")
        yield KeysFooter(compact=True)

    def action_resume(self) -> None:
        self.dismiss(True)

    def action_later(self) -> None:
        self.dismiss(False)
