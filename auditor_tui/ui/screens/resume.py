"""The start-up question after a crash or a closed terminal: resume the audit left mid-call?"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from auditor_tui.safe_text import terminal_text
from auditor_tui.store import Summary
from auditor_tui.ui.screens.home import format_moment
from auditor_tui.ui.widgets.footer import KeysFooter


class ResumeScreen(ModalScreen[bool]):
    """Dismissed with True to resume, False for later."""

    CSS_PATH = "resume.tcss"
    BINDINGS = [
        Binding("enter", "resume", "Reprendre", id="resume.resume"),
        Binding("escape", "later", "Plus tard", id="resume.later"),
    ]

    def __init__(self, summary: Summary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        s = self.summary
        with Vertical(id="resume-dialog"):
            yield Label(
                f"Reprendre l'audit en cours chez {terminal_text(s.dealer)} ?",
                id="resume-question",
                markup=False,  # a dealer's name is text, never markup
            )
            started = s.started_at or s.created_at
            yield Label(
                f"Appel commencé le {format_moment(started)} — les réponses et les temps "
                "enregistrés sont conservés.",
                id="resume-detail",
            )
            yield Label("Entrée : reprendre · Échap : plus tard", id="resume-keys")
        yield KeysFooter(compact=True)

    def action_resume(self) -> None:
        self.dismiss(True)

    def action_later(self) -> None:
        self.dismiss(False)
