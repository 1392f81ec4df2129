"""Pilot tests of the report screen: opened with r from the home screen, tabs from the
keyboard, filters, the trend sparkline, reloading — against a real store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Sparkline, Static, TabbedContent

from auditor_tui.domain.record import Audit
from auditor_tui.reports.rows import AuditRow
from auditor_tui.store import Store
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.screens.report import TABS, ReportScreen, spark_text
from tests.test_reports import DIJON, audit, day, the_set
from tests.ui.conftest import seed_store


class Host(App[None]):
    """The report screen alone on a store (the home screen has its own tests)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        self.push_screen(ReportScreen(self.store))


@asynccontextmanager
async def report_on(
    store: Store, audits: list[Audit], size: tuple[int, int]
) -> AsyncIterator[tuple[Pilot[None], ReportScreen]]:
    """The report screen alone on `store`, holding `audits`, loaded."""
    store.put_many(audits)
    app = Host(store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        yield pilot, app.screen


async def settle(pilot: Pilot[object]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def cells(screen: ReportScreen, name: str) -> list[list[str]]:
    table = screen.query_one(f"#table-{name}", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def summary(screen: ReportScreen) -> Static:
    return screen.query_one("#report-summary", Static)


def test_the_curve_reads_percents_on_one_scale() -> None:
    # Eight blocks for 0–100 %: 12,5 points each, a full block from 87,5 % on.
    assert spark_text([0.0, 12.4, 12.5, 50.0, 87.4, 87.5, 100.0]) == "▁▁▂▅▇██"


async def test_r_on_the_home_screen_opens_the_report(tmp_path: Path, app_factory) -> None:
    finished = [a for a in the_set() if a.status != "draft"]
    app = app_factory(seed_store(tmp_path / "store", finished))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        # Hand-computed in tests/test_reports.py: Dijon T1 94.0 % 5★, T2 83.3 % 4★…
        assert cells(screen, "dealers")[:2] == [
            ["Lexus Dijon", "2026-T1", "2", "0", "94,0 %", "★★★★★"],
            ["Lexus Dijon", "2026-T2", "1", "0", "83,3 %", "★★★★☆"],
        ]
        assert "7 audit(s) compté(s)" in str(summary(screen).render())
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_tabs_from_the_keyboard_and_the_trend(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, the_set(), (160, 50)) as (pilot, screen):
            app = pilot.app
            tabs = screen.query_one(TabbedContent)
            for name, key, _title in TABS:
                await pilot.press(key)
                assert tabs.active == f"tab-{name}"
                assert app.focused is screen.query_one(f"#table-{name}", DataTable)
            await pilot.press(">")  # from the last tab, round to the first
            assert tabs.active == "tab-dealers"
            await pilot.press("<")
            assert tabs.active == "tab-verbatims"
            await pilot.press("alt+e")
            # Weakest questions first: Q1 at 80,0 % (4 of 5 reached audits).
            assert cells(screen, "questions")[0][:1] == ["1"]
            assert cells(screen, "questions")[0][-4:] == ["4", "80,0 %", "0,6", "1"]
            # Trends: Dijon first, 94,0 → 83,3; the sparkline follows the highlighted row.
            first = cells(screen, "trends")[0]
            assert first[:4] == ["Lexus Dijon", "█▇", "83,3 %", "−10,7"]  # 94 % full, 83 % ▇
            spark = screen.query_one("#trend-spark", Sparkline)
            assert list(spark.data or []) == [94.0, 83.3]
            await pilot.press("down")
            await pilot.pause()
            assert list(spark.data or []) == [50.0]  # Lyon, one quarter
            # Metz: 5★ in T3 only → in the running; nobody has all four quarters.
            assert cells(screen, "trophy") == [
                ["Lexus Metz", "en course", "—", "—", "★★★★★", "—", "2026-T1, 2026-T2, 2026-T4"]
            ]


async def test_filters_and_a_bad_period(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, the_set(), (80, 24)) as (pilot, screen):
            app = pilot.app
            await pilot.press("slash")
            assert app.focused is screen.query_one("#filter-period", Input)
            await pilot.press(*"2026-T1")
            await settle(pilot)
            assert [row[:2] for row in cells(screen, "dealers")] == [
                ["Lexus Dijon", "2026-T1"],
                ["Lexus Lyon", "2026-T1"],
            ]
            await pilot.press("tab", *"dijon")
            await settle(pilot)
            assert [row[:2] for row in cells(screen, "dealers")] == [["Lexus Dijon", "2026-T1"]]
            await pilot.press("shift+tab", "ctrl+a", *"2026-T9")
            await settle(pilot)
            assert summary(screen).has_class("-error")
            assert "Période illisible" in str(summary(screen).render())
            assert len(cells(screen, "dealers")) == 1  # the last good figures stay
            # Escape leaves the filter for the table; a second one closes the screen.
            await pilot.press("escape")
            assert app.focused is screen.query_one("#table-dealers", DataTable)
            await pilot.press("escape")
            assert not isinstance(app.screen, ReportScreen)


async def test_reload_reads_new_audits(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, the_set()[:2], (80, 24)) as (pilot, screen):
            assert "2 audit(s) compté(s)" in str(summary(screen).render())
            store.create(audit(50, DIJON, day(8, 3), "Alice"))
            await pilot.press("f5")
            await settle(pilot)
            assert "3 audit(s) compté(s)" in str(summary(screen).render())
            assert [row[1] for row in cells(screen, "dealers")] == ["2026-T1", "2026-T3"]


def test_every_binding_has_a_description_and_an_id() -> None:
    for binding in ReportScreen.BINDINGS:
        assert binding.description and binding.id, binding  # type: ignore[union-attr]


async def test_a_recompute_never_describes_the_rows(tmp_path: Path, monkeypatch) -> None:
    """Textual describes a worker by the repr of its arguments unless told otherwise: the
    report's rows (100,000 of them: seconds and 160 MB at each keystroke of a filter, on the
    UI thread) are never made into text."""
    described: list[str] = []
    monkeypatch.setattr(AuditRow, "__repr__", lambda row: described.append(row.id) or "row")
    with Store.open(tmp_path / "s") as store:
        async with report_on(store, the_set(), (80, 24)) as (pilot, screen):
            await pilot.press("/")
            await pilot.press(*"2026-T1")
            await settle(pilot)
            assert "Période 2026-T1 · 4 audit(s) compté(s)" in str(summary(screen).render())
    assert described == []
