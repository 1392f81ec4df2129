"""Pilot tests of the report screen's programme tabs at 80×24: coverage from the directory, the
network, the ranking, the Trophée's history, the verbatims (the highlighted note whole, hostile
text shown as text) and the service filter — against a real store."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static, TabbedContent

from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.record import Audit
from auditor_tui.store import Store
from auditor_tui.ui.screens.report import ReportScreen
from tests.test_report_trophies import three_years
from tests.test_report_verbatims import noted, with_notes
from tests.test_report_waves import DIJON, NICE, two_waves, with_directory
from tests.test_reports import audit, day
from tests.ui.screen_text import screen_lines, screen_text
from tests.ui.test_report_screen import cells, report_on, settle, summary


async def test_coverage_network_and_ranking_at_80_by_24(tmp_path: Path) -> None:
    with with_directory(Store.open(tmp_path / "s")) as store:
        async with report_on(store, two_waves(), (80, 24)) as (pilot, screen):
            await pilot.press("alt+o")
            assert screen.query_one(TabbedContent).active == "tab-coverage"
            assert pilot.app.focused is screen.query_one("#table-coverage", DataTable)
            # Pau, never audited in T1, is listed first, « manquant »; in T2 its draft is
            # « en cours » (hand-computed in tests/test_report_waves.py).
            assert cells(screen, "coverage")[0] == [
                "2026-T1",
                "Lexus Pau",
                "manquant",
                "1",
                "0",
                "0",
                "1",
            ]
            assert ["2026-T2", "Lexus Pau", "en cours", "1", "0", "1", "0"] in cells(
                screen, "coverage"
            )
            text = screen_text(pilot.app)
            assert "Couverture par vague" in text and "Lexus Pau" in text
            await pilot.press("alt+r")
            assert cells(screen, "network")[0] == [
                "2026-T1",
                "5",
                "4",
                "75,0 %",
                "25,0 %",
                "0,0 %",
                "0,0 %",
                "0,0 %",
            ]
            await pilot.press("alt+l")
            ranking = cells(screen, "ranking")
            assert [row[:3] for row in ranking[:4]] == [
                ["2026-T1", "1", "Lexus Dijon"],
                ["2026-T1", "2", "Lexus Lyon"],
                ["2026-T1", "2", "Lexus Metz"],  # a tie shares the rank
                ["2026-T1", "4", "Lexus Nice"],
            ]
            assert ranking[5][2:] == ["Lexus Nice", "100,0 %", "★★★★★", "4", "+3"]
            await pilot.press("alt+p")
            assert [row[1:3] for row in cells(screen, "progressions")] == [
                ["Lexus Nice", "+3"],
                ["Lexus Lyon", "+1"],
            ]
            # The tab shown is on screen whole at 80 columns, with the key strip.
            text = screen_text(pilot.app)
            assert "Progressions" in text and "Échap Retour" in text


async def test_trophy_history_tab(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, three_years(), (80, 24)) as (pilot, screen):
            await pilot.press("alt+a")
            assert cells(screen, "trophy_history") == [
                ["2024", "Lexus Dijon", "1", "1"],
                ["2024", "Lexus Lyon", "1", "1"],
                ["2025", "Lexus Dijon", "2", "2"],
                ["2025", "Lexus Metz", "1", "1"],
                ["2026", "Lexus Dijon", "3", "3"],
                ["2026", "Lexus Lyon", "2", "1"],
            ]
            assert "Lauréats plusieurs fois : Lexus Dijon (3, dont 3 d'affilée)" in screen_text(
                pilot.app
            )


def detail(screen: ReportScreen) -> str:
    return str(screen.query_one("#verbatim-detail", Static).render())


async def test_verbatims_read_whole_and_hostile_text_shown_as_text(tmp_path: Path) -> None:
    hostile = noted(
        audit(9, NICE, day(8, 3), "Alice"),
        q1="[b]gras[/b] \x1b[31mrouge\x1b[0m et une note assez longue pour ne pas tenir dans la "
        "colonne du tableau : le conseiller a rappelé deux fois, puis envoyé la brochure.",
    )
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, [*with_notes(), hostile], (80, 24)) as (pilot, screen):
            await pilot.press("alt+v")
            assert pilot.app.focused is screen.query_one("#table-verbatims", DataTable)
            first = cells(screen, "verbatims")[0]
            assert first[:3] == ["1", "2026-T3", "Lexus Nice"]
            line = next(x for x in screen_lines(pilot.app) if "2026-T3  Lexus Nice" in x)
            assert line.rstrip().endswith("…") and len(line) <= 80  # cut in the table
            shown = detail(screen)
            assert shown.startswith("Q1 Avez-vous réussi à établir le contact")
            assert "[b]gras[/b] �[31mrouge�[0m" in shown  # markup and escapes as text
            assert "puis envoyé la brochure." in shown  # whole, wrapped below the table
            assert " brochure." in screen_text(pilot.app)  # its last line on screen
            await pilot.press("down")
            await pilot.pause()
            assert "« Lexus Dijon, bonjour »" in detail(screen)
            assert "Lexus Dijon · 2026-T1 · VN · Alice" in detail(screen)
            text = screen_text(pilot.app)
            assert "brochure." not in text  # the first note left the detail
            assert "« Lexus Dijon, bonjour »" in text


async def test_the_service_filter(tmp_path: Path) -> None:
    audits: list[Audit] = with_notes()
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, audits, (80, 24)) as (pilot, screen):
            await pilot.press("slash", "tab", "tab", "tab", *"apv")
            await settle(pilot)
            assert str(summary(screen).render()).startswith("Service APV · 1 audit(s) compté(s)")
            assert [row[1] for row in cells(screen, "dealers")] == ["2026-T1"]
            assert [row[0] for row in cells(screen, "dealers")] == ["Lexus Lyon"]
            await pilot.press("x")
            await settle(pilot)
            assert summary(screen).has_class("-error")
            assert "Service illisible : 'apvx', VN, VO, APV attendu" in str(
                summary(screen).render()
            )
            assert [row[0] for row in cells(screen, "dealers")] == ["Lexus Lyon"]  # kept


async def test_the_verbatims_tab_shows_the_first_500_notes(tmp_path: Path) -> None:
    grid_ids = [q.id for q in load_grid().questions()]  # 25 question ids
    audits = []
    for n in range(21):  # 21 × 25 = 525 notes
        a = audit(100 + n, DIJON, day(2, 1 + n), "Alice")
        a.notes = {qid: f"note {n}-{qid}" for qid in grid_ids}
        audits.append(a)
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, audits, (80, 24)) as (pilot, screen):
            await pilot.press("alt+v")
            shown = cells(screen, "verbatims")
            # Question 1 first, the audits in call order: the first 21 notes are Q1's.
            assert len(shown) == 500 and shown[0][-1] == "note 0-1" and shown[21][-1] == "note 0-2"
            note = str(screen.query_one("#note-verbatims", Static).render())
            assert note.startswith("Les 500 premières sur 525 : filtrez (période, concession")
            assert "auditor-tui report --format csv --table verbatims" in note
