"""Attributes down (issue 13 point 5): the stopwatch shows the state the call screen sets on it
(`StopwatchState`), the verdict included (`over`, decided by the core's `transfer_over_limit`);
it compares no time with any limit. And no module of the UI reads a widget's class to decide
what to do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Digits, Label

import auditor_tui.ui
from auditor_tui.ui.widgets.stopwatch import Stopwatch, StopwatchState


class OneStopwatch(App[None]):
    def compose(self) -> ComposeResult:
        yield Stopwatch()


@pytest.mark.parametrize(
    ("transfer", "running", "over", "title", "digits"),
    [
        (None, False, False, "Transfert 45 s : —", "--.-"),
        (12.0, True, False, "Transfert 45 s : en cours", "12.0"),
        # the widget shows the verdict it is given, whatever the seconds: it does not decide
        (12.0, True, True, "Transfert 45 s : DÉPASSÉ", "12.0"),
        (100.0, False, False, "Transfert 45 s : à temps", "1:40.0"),
        (46.0, False, True, "Transfert 45 s : hors délai", "46.0"),
        (None, False, True, "Transfert 45 s : —", "--.-"),  # no transfer, no verdict
    ],
)
async def test_the_stopwatch_shows_what_it_is_given(
    transfer: float | None, running: bool, over: bool, title: str, digits: str
) -> None:
    app = OneStopwatch()
    async with app.run_test(size=(40, 8)) as pilot:
        watch = app.query_one(Stopwatch)
        watch.state = StopwatchState("45 s", transfer, running, over=over, call=75.0)
        await pilot.pause()
        assert str(watch.query_one("#stopwatch-title", Label).render()) == title
        assert watch.query_one("#stopwatch-digits", Digits).value == digits
        assert str(watch.query_one("#stopwatch-call", Label).render()) == "Appel  01:15"


def test_no_ui_module_decides_from_a_widgets_class() -> None:
    package = Path(auditor_tui.ui.__file__).parent
    readers = [
        f"{path.relative_to(package)}:{n}"
        for path in sorted(package.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\.has_class\(", line)
    ]
    assert readers == []
