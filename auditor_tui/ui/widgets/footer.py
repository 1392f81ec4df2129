"""The key bar at the bottom of every screen: Textual's Footer, rebuilt only when what it shows
changes, and once per burst of changes."""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's Footer (8.2) rebuilds all its keys after every change of the screen's bindings,
    even when the keys shown stay the same: a screen that starts (its focus set, then set again
    after a refresh, its layout chosen) rebuilt them two or three times for one visible result,
    12-17 ms each and a frame (docs/performance.md). Here a change arriving while a rebuild is
    due joins it, and a rebuild that would show the same keys is skipped. The command palette
    key follows `show_command_palette` (Textual's Footer waits for the next bindings change)."""

    _rebuild_due = False
    _shown: Hashable = None  # what the keys show, as of the last rebuild

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._schedule()

    def watch_show_command_palette(self) -> None:
        if self._bindings_ready and self.is_attached:
            self._schedule()

    def _schedule(self) -> None:
        if not self._rebuild_due:
            self._rebuild_due = True
            self.call_after_refresh(self._rebuild)

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

    async def _rebuild(self) -> None:
        self._rebuild_due = False  # a change from now on needs a rebuild of its own
        if not self.is_attached:
            return  # its screen was closed meanwhile
        keys = self._keys()
        if keys != self._shown:
            self._shown = keys
            await self.recompose()
