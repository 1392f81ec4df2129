"""The key bar at the bottom of every screen: Textual's Footer, rebuilt only when the keys it
shows change."""

from __future__ import annotations

from collections.abc import Hashable

from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's Footer (8.2) rebuilds all its keys after every change of the screen's
    bindings, even when the keys shown stay the same: a screen that starts (its focus set, then
    the bindings refreshed again after a refresh) rebuilt them two or three times for one
    visible result, 12-17 ms each and a frame (docs/performance.md), and so did every focus
    move. Here a rebuild that would show the same keys is skipped; the command palette key
    follows `show_command_palette` at once (Textual's Footer waits for a bindings change)."""

    _shown: Hashable = None  # what the keys showed at the last rebuild

    def watch_show_command_palette(self) -> None:
        if self.is_attached:
            self.call_after_refresh(self.recompose)

    def _keys(self) -> Hashable:
        """What compose would show: the keys, their labels and states, the palette key."""
        return (
            self.show_command_palette,
            self.compact,
            tuple(
                (binding.key, binding.key_display, binding.description, enabled, tooltip)
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show
            ),
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return  # its screen was closed since the rebuild was asked for
        keys = self._keys()
        if keys == self._shown and self.children:
            return  # the same keys (no children: none shown yet, the bindings not ready)
        self._shown = keys
        await super().recompose()
