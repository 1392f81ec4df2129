"""The Textual application shell."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header


class AuditorApp(App[int]):
    TITLE = "auditor-tui"
    SUB_TITLE = "Programme 5 Étoiles — Contact Management Appel"
    BINDINGS = [Binding("ctrl+q", "quit", "Quitter", id="quit")]

    def __init__(self, db: Path | None = None) -> None:
        super().__init__()
        self.db = db

    def compose(self) -> ComposeResult:
        yield Header()
        yield Footer()


def make_app(db: Path | None = None) -> AuditorApp:
    return AuditorApp(db)
