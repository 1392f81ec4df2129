"""What an answer key changes on the live call screen (its line of the list, the score), the
garbage collector's full collections while the call is shown (none while keys come, one when
the auditor pauses), as seen on screen and through `gc.callbacks`. No timing is asserted."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.app import App
from textual.geometry import Region

from auditor_tui.domain.clock import FakeClock
from auditor_tui.ui.app import make_app
from auditor_tui.ui.collector import QuietCollector
from auditor_tui.ui.widgets.question_list import QuestionList, SectionStrip
from auditor_tui.ui.widgets.score_panel import ScorePanel
from tests.ui.conftest import build_audit, fixed_id, seed_store
from tests.ui.live_helpers import go_to, on_the_call
from tests.ui.screen_text import screen_lines

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


def region_lines(app: App[object], region: Region) -> list[str]:
    """The screen's text inside `region`, line by line."""
    lines = screen_lines(app)[region.y : region.bottom]
    return [line.ljust(region.right)[region.x : region.right] for line in lines]


async def test_an_answer_changes_its_line_of_the_list_only(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (160, 50)) as pilot:
        await go_to(pilot, "3")
        question_list = app.screen.query_one(QuestionList)
        before = region_lines(app, question_list.region)
        await pilot.press("1")
        await pilot.pause()
        after = region_lines(app, question_list.region)
        changed = [(b.strip(), a.strip()) for b, a in zip(before, after, strict=True) if a != b]
        assert [(b.split()[:3], a.split()[:3]) for b, a in changed] == [
            (["·", "Q3", "–/3"], ["✓", "Q3", "1/3"])
        ]
        assert " 3✓ " in "\n".join(region_lines(app, app.screen.query_one(SectionStrip).region))


async def test_an_answer_shows_in_the_score(live_db: Path, clock: FakeClock) -> None:
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        await go_to(pilot, "3")
        panel = app.screen.query_one(ScorePanel)
        before = [line.strip() for line in region_lines(app, panel.region)]
        assert "0 / 0 répondus · —" in before and "Total 0 / 25 · 0,0 %" in before
        await pilot.press("1")  # Q3's first option: +1 of the 3 points it is worth
        await pilot.pause()
        after = [line.strip() for line in region_lines(app, panel.region)]
        assert "1 / 3 répondus · 33,3 %" in after and "Total 1 / 25 · 4,0 %" in after
        assert "★☆☆☆☆ provisoire" in after
        assert "Établir le contact      1/4" in after


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


def full_collections_during(action: Callable[[], object]) -> int:
    """How many full collections of the garbage collector ran during `action`."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(1)

    gc.callbacks.append(note)
    try:
        action()
    finally:
        gc.callbacks.remove(note)
    return len(seen)


def churn(rounds: int) -> None:
    """What key presses do to the collector, in bulk: objects made that outlive the young
    collections (as the app's do), then let go."""
    for _ in range(rounds):
        kept = [[] for _ in range(200_000)]
        del kept


def rounds_for_a_full_collection() -> int:
    """The churn it takes, on the collector's own schedule, for a full collection to run."""
    for rounds in range(1, 60):
        if full_collections_during(lambda: churn(1)):
            return rounds
    raise AssertionError("no full collection after 60 rounds of churn: the premise changed")


async def test_full_collections_wait_while_the_call_is_shown(
    live_db: Path, clock: FakeClock, thresholds: tuple[int, int, int]
) -> None:
    rounds = rounds_for_a_full_collection()
    app = make_app(live_db, clock)
    async with on_the_call(app, AUDIT, (80, 24)) as pilot:
        assert full_collections_during(lambda: churn(2 * rounds)) == 0  # the call is shown
        await pilot.press("escape")  # home: the collector's own schedule again
        await pilot.pause()
        assert full_collections_during(lambda: churn(2 * rounds)) >= 1


def test_quiet_collector_runs_when_no_key_comes(thresholds: tuple[int, int, int]) -> None:
    now = [100.0]
    collector = QuietCollector(quiet=1.0, every=30.0, at_most=300.0, monotonic=lambda: now[0])
    assert not collector.idle()  # not started: the collector's own schedule
    rounds = rounds_for_a_full_collection()
    collector.start()
    assert collector.active
    assert full_collections_during(lambda: churn(2 * rounds)) == 0  # none while keys come
    assert full_collections_during(collector.idle) == 0  # just opened: keys may come
    now[0] += 1.5
    assert full_collections_during(collector.idle) == 1  # quiet: what came before, collected
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
    assert not collector.active
    assert full_collections_during(lambda: churn(2 * rounds)) >= 1  # its own schedule again
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
