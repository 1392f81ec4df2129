"""ctrl+c on the call: it does not quit (Textual's), and says how to quit."""

from __future__ import annotations

from pathlib import Path

from auditor_tui.domain.clock import FakeClock
from auditor_tui.ui.app import make_app
from tests.ui.conftest import build_audit, fixed_id, seed_store, wait_for
from tests.ui.live_helpers import on_the_call
from tests.ui.screen_text import screen_text

AUDIT = fixed_id(41)


async def test_ctrl_c_on_the_call_says_how_to_quit(tmp_path: Path, clock: FakeClock) -> None:
    db = seed_store(tmp_path / "store", [build_audit(41, "Lexus Dijon")])
    app = make_app(db, clock)
    async with on_the_call(app, AUDIT, (80, 24), notifications=True) as pilot:
        await pilot.press("t", "ctrl+c")
        await wait_for(pilot, lambda: "ctrl+q" in screen_text(app), "how to quit")
