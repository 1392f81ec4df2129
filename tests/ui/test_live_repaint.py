"""What an answer key repaints on the live call screen (only the lines that changed), the
garbage collector's schedule while the call is shown, and the widgets' caches let go when it
closes. Behaviour only: no timing is asserted."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.geometry import Region

from auditor_tui.domain.clock import FakeClock
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.live_collector import NEVER, QuietCollector
from auditor_tui.ui.widgets.question_list import QuestionList, SectionStrip
from auditor_tui.ui.widgets.score_panel import ScorePanel
from tests.ui.conftest import build_audit, fixed_id, seed_store
from tests.ui.live_helpers import go_to, live_of, on_the_call, screen_of

AUDIT = fixed_id(32)


@pytest.fixture
def live_db(tmp_path: Path) -> Path:
    return seed_store(tmp_path / "store", [build_audit(32, "Lexus Dijon")])


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    try:
        yield saved
    finally:
        gc.set_threshold(*saved)


def line_of(lines: list[str], qid: str) -> int:
    return next(i for i, line in enumerate(lines) if line.split()[1:2] == [f"Q{qid}"])


async def test_an_answer_changes_one_line_of_the_list(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (160, 50)) as pilot:
        await go_to(pilot, "3")
        question_list = app.screen.query_one(QuestionList)
        before = [line.plain for line in question_list.lines]
        y = line_of(before, "3")
        assert before[y].split()[0] == "·"
        await pilot.press("1")
        assert live_of(pilot).store.get(AUDIT).answers["3"] == [1]
        after = [line.plain for line in question_list.lines]
        assert [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [y]
        assert after[y].split()[0] == "✓"
        # what is painted is that line
        width = question_list.size.width
        painted = question_list.render_lines(Region(0, y, width, 1))[0].text
        assert painted.strip().startswith("✓ Q3")
        strip = app.screen.query_one(SectionStrip)
        assert "3✓" in str(strip.render())


async def test_an_answer_changes_the_totals_and_one_section_of_the_score(
    live_db: Path, clock: FakeClock
) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await go_to(pilot, "3")
        panel = app.screen.query_one(ScorePanel)
        before = [line.plain for line in panel.lines]
        await pilot.press("1")
        after = [line.plain for line in panel.lines]
        changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        assert changed and changed[0] >= 1 and len(changed) <= 5  # not the whole panel
        assert after == str(panel.render()).split("\n")
        width = panel.size.width
        painted = [panel.render_lines(Region(0, y, width, 1))[0].text.rstrip() for y in changed]
        assert painted == [after[y].rstrip() for y in changed]


async def test_the_strip_keeps_its_height_and_follows_the_section(
    live_db: Path, clock: FakeClock
) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        strip = app.screen.query_one(SectionStrip)
        await go_to(pilot, "3")
        height = strip.size.height
        await pilot.press("1")
        assert strip.size.height == height
        assert "3✓" in str(strip.render())
        await go_to(pilot, "21")
        await pilot.pause()
        title = str(strip.render()).splitlines()[0]
        assert title.startswith("◀ ") and "21" in str(strip.render())
        assert strip.size.height == strip.render().get_height(strip.styles, strip.size.width)  # type: ignore[arg-type]


async def test_full_collections_wait_while_the_call_is_shown(
    live_db: Path, clock: FakeClock, thresholds: tuple[int, int, int]
) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        assert gc.get_threshold()[2] == NEVER
        assert gc.get_threshold()[:2] == thresholds[:2]
        screen_of(pilot).action_back()
        await pilot.pause()
        assert gc.get_threshold() == thresholds


def test_quiet_collector_runs_when_no_key_comes(thresholds: tuple[int, int, int]) -> None:
    now = [100.0]
    collector = QuietCollector(quiet=1.0, every=30.0, at_most=300.0, monotonic=lambda: now[0])
    assert not collector.idle()  # not started: the collector's own schedule
    collector.start()
    assert collector.active and gc.get_threshold()[2] == NEVER
    assert not collector.idle()  # just opened: keys may come
    now[0] += 1.5
    assert collector.idle()  # quiet: what came before the call is collected
    now[0] += 10
    assert not collector.idle()  # collected 10 s ago
    now[0] += 25
    collector.activity()
    now[0] += 0.5
    assert not collector.idle()  # due, but a key was just pressed
    now[0] += 0.6
    assert collector.idle()
    for _ in range(299):  # keys all the time: at most every 300 s all the same
        now[0] += 1
        collector.activity()
        assert not collector.idle()
    now[0] += 1
    assert collector.idle()
    collector.stop()
    assert not collector.active and gc.get_threshold() == thresholds
    collector.stop()  # twice: harmless
    assert gc.get_threshold() == thresholds


def test_quiet_collector_leaves_a_disabled_collector_alone(
    thresholds: tuple[int, int, int],
) -> None:
    now = [0.0]
    collector = QuietCollector(monotonic=lambda: now[0])
    collector.start()
    gc.disable()
    try:
        now[0] += 1000
        assert not collector.idle()
    finally:
        gc.enable()
        collector.stop()
