"""The help screen (F1, ?): every key of the screen it was opened from, read from that screen's
active bindings (its own, its focused widgets' from this app, and the app's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from auditor_tui.ui import keymap
from auditor_tui.ui.key_tooltips import screen_grid, tooltip_text
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.plain_text import plain
from auditor_tui.ui.textual_patches import KeysFooter

# Textual's own bindings that apply on every screen, named in French.
BUILTIN_DESCRIPTIONS = {
    "app.focus_next": "Élément suivant",
    "app.focus_previous": "Élément précédent",
}
# Textual's own windows, named in French (ours have a SUB_TITLE).
SCREEN_TITLES = {"CommandPalette": "Commandes"}
SCREEN_SCOPE = "cet écran"
APP_SCOPE = "partout"
PICK = keymap.KEYS["pick_1"]


@dataclass(frozen=True)
class KeyHelp:
    keys: str  # « F1 / ? »
    description: str
    scope: str  # SCREEN_SCOPE or APP_SCOPE
    detail: str = ""  # the binding's tooltip


def screen_title(screen: Screen[Any]) -> str:
    """The screen's French title: its sub-title (« E-mail reçu »), never a class name."""
    return screen.sub_title or SCREEN_TITLES.get(type(screen).__name__, "cet écran")


def key_display(binding: Binding) -> str:
    """The key as the help names it: French names, control keys spelt out (« ctrl+q »)."""
    return keymap.key_name(binding.key)


def keys_of(screen: Screen[Any]) -> list[KeyHelp]:
    """The screen's active keys, one line per description (its keys joined), screen keys first;
    the option keys on one line (« 1…9 »).

    Keys of Textual's own widgets (cursor moves in a text field…) are left out, but for the
    focus moves every screen has; the keys of this app's widgets are kept.
    """
    app, grid = screen.app, screen_grid(screen)
    grouped: dict[tuple[str, str], tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        node, bound = active.node, active.binding
        # This app's bindings all carry an id; Textual's widgets' own (cursor moves…) don't.
        description = BUILTIN_DESCRIPTIONS.get(bound.action) or (
            bound.description if bound.id else ""
        )
        if not description:
            continue
        display = key_display(bound)
        detail = tooltip_text(bound.tooltip, grid)  # « chrono de 45 s »: the audit's grid
        if bound.id in keymap.PICK_IDS:
            description, display, detail = (
                PICK.description,
                PICK.key_display or "",
                "Choisir / cocher l'option de ce numéro",
            )
        scope = APP_SCOPE if node is app else SCREEN_SCOPE
        keys, _ = grouped.setdefault((scope, description), ([], detail))
        if display not in keys:
            keys.append(display)
    lines = [
        KeyHelp(" / ".join(keys), desc, scope, detail)
        for (scope, desc), (keys, detail) in grouped.items()
    ]
    return sorted(lines, key=lambda k: k.scope != SCREEN_SCOPE)


def column_widths(screen_width: int) -> tuple[int, int, int, int]:
    """Touche, Action, Détail, Portée for the screen's width: the detail takes what the others
    leave (the table's margins, each cell's padding and the scroll bar set aside)."""
    keys, action, scope = 14, 20, 9
    detail = screen_width - keys - action - scope - 2 - 2 * 4 - 2
    return keys, action, max(detail, 20), scope


class HelpScreen(Screen[None]):
    CSS_PATH = "help.tcss"
    SUB_TITLE = "Aide"
    BINDINGS = [binding("back", description="Fermer l'aide", tooltip="Revenir à l'écran")]

    def __init__(self, origin: Screen[Any]) -> None:
        super().__init__()
        self.origin_title = screen_title(origin)
        self.keys = keys_of(origin)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(plain(f"Touches de l'écran « {self.origin_title} »"), id="help-title")
        table: DataTable[Text] = DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
        widths = column_widths(self.app.size.width)
        for label, width in zip(("Touche", "Action", "Détail", "Portée"), widths, strict=True):
            table.add_column(label, width=width)
        for k in self.keys:  # a line wraps within its column: nothing cut at 80 columns
            table.add_row(
                *(Text(t) for t in (k.keys, k.description, k.detail, k.scope)), height=None
            )
        yield table
        yield Label(
            "ctrl+p : toutes les commandes · Tab / Maj+Tab : passer d'un élément à l'autre",
            id="help-hint",
        )
        yield KeysFooter(compact=True)

    def action_back(self) -> None:
        self.dismiss()
