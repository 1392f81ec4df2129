"""The key bar at the bottom of every screen: Textual's Footer, rebuilt once per burst of
binding changes rather than once per change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's Footer (8.2) rebuilds all its keys after every change of the screen's bindings:
    a screen that starts (its focus set, its layout chosen, shown) or an action that changes
    focus and bindings at once sends two or three changes in a row, so the keys were rebuilt
    two or three times for one visible result (12-17 ms each at start, docs/performance.md).
    Here a change arriving while a rebuild is already due joins it: the rebuild reads the
    bindings as they are when it runs, so it shows every change made before it."""

    _rebuild_due = False

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_due:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_due = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_due = False  # a change from now on needs a rebuild of its own
        await self.recompose()
