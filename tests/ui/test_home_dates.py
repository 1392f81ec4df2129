"""The home Date column never cuts a minute (issue 17.5): the longest dates there are — a
four-letter weekday, a two-digit day, a five-letter month — shown whole at 80×24 and 100×30."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor_tui.domain.clock import FakeClock
from auditor_tui.ui.app import make_app
from tests.ui.conftest import NOW, build_audit, fixed_id, home_ready, row_cells, seed_store
from tests.ui.screen_text import screen_lines

LONGEST = {
    1: (datetime(2026, 1, 14, 9, 55, tzinfo=UTC), "mer. 14 janv. 2026 10:55"),  # winter time
    2: (datetime(2026, 9, 12, 8, 59, tzinfo=UTC), "sam. 12 sept. 2026 10:59"),  # summer time
    3: (datetime(2028, 2, 16, 9, 58, tzinfo=UTC), "mer. 16 févr. 2028 10:58"),
}


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_the_longest_dates_are_whole(tmp_path: Path, size: tuple[int, int]) -> None:
    audits = [
        build_audit(n, dealer, when=when, status="awaiting_follow_up")
        for (n, (when, _)), dealer in zip(
            LONGEST.items(), ["Lexus Dijon", "Lexus Lille", "Lexus Nice"], strict=True
        )
    ]
    db = seed_store(tmp_path / "store", audits)
    app = make_app(db, FakeClock(NOW))
    async with app.run_test(size=size) as pilot:
        home = await home_ready(pilot)
        lines = screen_lines(app)
        for n, (_, shown) in LONGEST.items():
            assert row_cells(home, fixed_id(n))["Date"] == shown
            [line] = [line for line in lines if shown[:13] in line]
            assert f" {shown} " in line, line  # whole, a space before the next column
            assert len(line) <= size[0]
