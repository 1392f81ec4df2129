"""The help screen (F1, ?): every key of the screen it was opened from, read from that screen's
active bindings (its own, its focused widgets' from this app, and the app's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from auditor_tui.ui.widgets.footer import KeysFooter

# Textual's own bindings that apply on every screen, named in French.
BUILTIN_DESCRIPTIONS = {
    "app.focus_next": "Élément suivant",
    "app.focus_previous": "Élément précédent",
}
SCREEN_SCOPE = "cet écran"
APP_SCOPE = "partout"


@dataclass(frozen=True)
class KeyHelp:
    keys: str  # « F1 / ? »
    description: str
    scope: str  # SCREEN_SCOPE or APP_SCOPE


def key_display(app: App[Any], binding: Binding) -> str:
    """As in the Footer, but control keys spelt out (« ctrl+q » rather than « ^q »)."""
    if binding.key.startswith("ctrl+") and not binding.key_display:
        return binding.key
    return app.get_key_display(binding)


def keys_of(screen: Screen[Any]) -> list[KeyHelp]:
    """The screen's active keys, one line per description (its keys joined), screen keys first.

    Keys of Textual's own widgets (cursor moves in a text field…) are left out, but for the
    focus moves every screen has; the keys of this app's widgets are kept.
    """
    app = screen.app
    grouped: dict[tuple[str, str], list[str]] = {}
    for active in screen.active_bindings.values():
        node, binding = active.node, active.binding
        # This app's bindings all carry an id; Textual's widgets' own (cursor moves…) don't.
        description = BUILTIN_DESCRIPTIONS.get(binding.action) or (
            binding.description if binding.id else ""
        )
        if not description:
            continue
        scope = APP_SCOPE if node is app else SCREEN_SCOPE
        keys = grouped.setdefault((scope, description), [])
        display = key_display(app, binding)
        if display not in keys:
            keys.append(display)
    lines = [KeyHelp(" / ".join(keys), desc, scope) for (scope, desc), keys in grouped.items()]
    return sorted(lines, key=lambda k: k.scope != SCREEN_SCOPE)


class HelpScreen(Screen[None]):
    CSS_PATH = "help.tcss"
    SUB_TITLE = "Aide"
    BINDINGS = [
        Binding("escape,f1,question_mark", "close", "Fermer l'aide", id="help.close"),
    ]

    def __init__(self, origin: Screen[Any]) -> None:
        super().__init__()
        self.origin_title = origin.sub_title or type(origin).__name__
        self.keys = keys_of(origin)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(f"Touches de l'écran « {self.origin_title} »", id="help-title")
        table: DataTable[str] = DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
        table.add_column("Touche", width=18)
        table.add_column("Action", width=36)
        table.add_column("Portée", width=10)
        table.add_rows((k.keys, k.description, k.scope) for k in self.keys)
        yield table
        yield Label(
            "ctrl+p : toutes les commandes · Tab / Maj+Tab : passer d'un élément à l'autre",
            id="help-hint",
        )
        yield KeysFooter(compact=True)

    def action_close(self) -> None:
        self.dismiss()
