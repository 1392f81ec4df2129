"""Hostile names on screen (issue 12, point 7): a dealer named like markup or holding escape
sequences is shown as text, and a report filter typed as markup changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.geometry import Region
from textual.widget import Widget

from auditor_tui.store import Store
from auditor_tui.store.index import Summary
from auditor_tui.ui.screens.resume import ResumeScreen
from tests.test_left_out import refuse_one_file
from tests.test_reports import audit, day, dealer
from tests.ui.test_report_screen import cells, report_on, settle

NAMES = ["[/x]", "[link=http://evil.example]clic[/link]", "Lexus \x1b]8;;http://evil\x07lien"]


def shown(widget: Widget) -> str:
    """What the widget sends to the terminal, as text."""
    lines = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "".join(segment.text for line in lines for segment in line)


async def test_hostile_names_and_filters_are_shown_as_text(tmp_path: Path) -> None:
    audits = [
        audit(n * 2 + q, dealer(name, "21", "+33353012001"), day(2 + 3 * q, 1 + n), "A")
        for n, name in enumerate(NAMES)
        for q in (0, 1)  # two quarters: a trend for each dealer
    ]
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, audits, (160, 50)) as (pilot, screen):
            names = {row[0] for row in cells(screen, "dealers")}
            assert {"[/x]", "[link=http://evil.example]clic[/link]"} <= names
            assert "Lexus �]8;;http://evil�lien" in names
            await pilot.press("alt+e")  # the trends tab: the highlighted dealer's curve and name
            await settle(pilot)
            label = screen.query_one("#trend-label")
            text = shown(label)
            assert any(name[:4] in text for name in NAMES) and "\x1b" not in text
            for _ in NAMES:
                await pilot.press("down")
                await pilot.pause()
                assert "\x1b" not in shown(label) and "\x07" not in shown(label)
            await pilot.press("slash", "tab", *"[/x]")  # the dealer filter, typed as markup
            await settle(pilot)
            assert [row[0] for row in cells(screen, "dealers")] == ["[/x]", "[/x]"]
            assert "[/x]" in shown(screen.query_one("#report-summary"))


async def test_the_resume_question_shows_the_name_as_text() -> None:
    draft = audit(1, dealer(NAMES[0], "21", "+33353012001"), day(2, 1), "A", status="draft")

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ResumeScreen(Summary.of(draft)))

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "chez [/x] ?" in shown(app.screen.query_one("#resume-question"))


async def test_the_report_screen_says_when_an_audit_could_not_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audits = [audit(n, dealer("Lexus Dijon", "21", "+33353012001"), day(2, n), "A") for n in (1, 2)]
    refuse_one_file(monkeypatch, f"{audits[1].id}.json")
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, audits, (120, 30)) as (_pilot, screen):
            text = shown(screen.query_one("#report-summary"))
            assert "1 audit(s) compté(s)" in text and "1 illisible(s), laissé(s) de côté" in text
