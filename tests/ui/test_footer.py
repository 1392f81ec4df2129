"""The key bar: rebuilt when the keys it shows change, not for every change of bindings."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Button

from auditor_tui.ui.widgets.footer import KeysFooter
from tests.ui.screen_text import screen_lines


class Keys(App[None]):
    BINDINGS = [
        Binding("a", "first", "Premier", id="first"),
        Binding("b", "second", "Second", id="second"),
    ]
    second_shown = True

    def compose(self) -> ComposeResult:
        yield Button("un", id="one")
        yield Button("deux", id="two")
        yield KeysFooter(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.second_shown if action == "second" else True


def labels(app: Keys) -> str:
    """The key bar as shown: the screen's last line."""
    return screen_lines(app)[-1]


async def test_the_keys_are_rebuilt_only_when_what_they_show_changes() -> None:
    app = Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeysFooter)
        assert "Premier" in labels(app) and "Second" in labels(app)
        keys = list(footer.children)  # the key widgets the bar is made of
        # Focus moves twice: the screen's bindings change, the keys shown do not: the same
        # key widgets stay (a rebuild would make new ones).
        await pilot.press("tab")
        await pilot.press("tab")
        await pilot.pause()
        assert all(a is b for a, b in zip(footer.children, keys, strict=True))
        # A key hidden (its action no longer available): rebuilt, without it.
        app.second_shown = False
        app.refresh_bindings()
        app.refresh_bindings()
        await pilot.pause()
        assert "Premier" in labels(app) and "Second" not in labels(app)
        rebuilt = list(footer.children)
        assert not any(a is b for a in rebuilt for b in keys)
        # The palette key follows show_command_palette at once.
        footer.show_command_palette = False
        await pilot.pause()
        assert not any(a is b for a in footer.children for b in rebuilt)


async def test_a_rebuild_due_when_the_footer_is_removed_is_dropped() -> None:
    app = Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeysFooter)
        app.second_shown = False
        app.refresh_bindings()  # a rebuild is due after the next refresh…
        await footer.remove()  # …and the footer goes first (its screen closed)
        await pilot.pause()
        assert not footer.is_attached
