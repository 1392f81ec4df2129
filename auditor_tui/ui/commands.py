"""The command palette's entries (ctrl+p): the app's main actions, in French."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

if TYPE_CHECKING:
    from auditor_tui.ui.app import AuditorApp


def main_commands(app: AuditorApp) -> Iterator[SystemCommand]:
    yield SystemCommand(
        "Nouvel audit", "Choisir un concessionnaire et préparer l'appel", app.action_new_audit
    )
    yield SystemCommand(
        "Reprendre l'audit en cours",
        "Rouvrir l'appel laissé en cours (après une fermeture ou un arrêt)",
        app.action_resume,
    )
    yield SystemCommand("Rapports", "Scores et suivis des audits", app.action_reports)
    yield SystemCommand(
        "Avance automatique (activer / désactiver)",
        "Après une réponse à choix unique, passer à la question suivante sans réponse",
        app.action_toggle_auto_advance,
    )
    yield SystemCommand("Aide", "Les touches de l'écran courant", app.action_help)
    yield SystemCommand("Changer de thème", "Thème clair ou sombre", app.action_change_theme)
    yield SystemCommand("Quitter", "Fermer auditor-tui (tout est enregistré)", app.exit)
