"""The live call's actions: its keys (`LIVE_BINDINGS`, from the keymap) and the same in the
command palette (ctrl+p), named and keyed as in the key strip and the help."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider

from auditor_tui.ui import keymap
from auditor_tui.ui.key_tooltips import screen_grid, tooltip_text
from auditor_tui.ui.keymap import binding, key_name

LIVE_BINDINGS: list[BindingType] = [
    *keymap.bindings(
        "attempt",
        "answered",
        "transfer_start",
        "transfer_pickup",
        "discovery",
        "end_call",
        "undo",
        *keymap.PICK_IDS,
        "clear",
        "accept",
        "dismiss",
        "agreed_method",
        "note",
        "jump",
        "remaining",
        "previous_section",
        "next_section",
        "scroll_up",
        "scroll_down",
    ),
    binding(
        "save",
        action="retry_save",
        description="Réenregistrer",
        tooltip="Réessayer l'enregistrement qui a échoué",
        show=False,
    ),
    binding("previous", description="Question préc.", tooltip="Question précédente"),
    binding("next", description="Question suiv.", tooltip="Question suivante"),
    binding(
        "back",
        description="Accueil",
        tooltip="Retour à l'accueil (l'audit reste un brouillon) ; annule une question posée",
    ),
    binding(
        "validate",
        description="Oui",
        tooltip="Répondre oui à la question posée (fin d'appel, transfert…)",
        show=False,
    ),
]


def shown_key(binding: Binding) -> str:
    """« t », « 1…9 », « Suppr »: the binding's first key, as the key strip names it."""
    return binding.key_display or key_name(binding.key.split(",")[0])


class LiveCallCommands(Provider):
    """The live call's actions in the command palette (ctrl+p), named as in the Footer."""

    def _commands(self) -> list[tuple[str, str, str]]:
        grid = screen_grid(self.screen)
        return [
            (
                f"{b.description} ({b.key_display or key_name(b.key.split(',')[0])})",
                tooltip_text(b.tooltip, grid),
                b.action,
            )
            for b in type(self.screen).BINDINGS
            if isinstance(b, Binding) and b.show
        ]

    def _runner(self, action: str) -> Callable[[], object]:
        screen = self.screen
        return lambda: screen.run_action(action)

    async def discover(self) -> Hits:
        for name, help_text, action in self._commands():
            yield DiscoveryHit(name, self._runner(action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, action in self._commands():
            if (match := matcher.match(f"{name} {help_text}")) > 0:
                yield Hit(match, matcher.highlight(name), self._runner(action), help=help_text)
