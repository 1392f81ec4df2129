"""An unreachable dealer in the real app at 80×24: three failed attempts and the end of the call
leave a complete audit (not « suivi en attente »), nothing in the follow-up queue, null
deadlines in the exports; one left awaiting by an older version is completed at start-up."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.lifecycle import end_call
from auditor_tui.domain.record import format_instant
from auditor_tui.store import Store
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.widgets.followup_queue import FollowUpQueue
from tests.ui.conftest import (
    NOW,
    build_audit,
    fixed_id,
    home_ready,
    row_cells,
    seed_store,
    wait_for,
)
from tests.ui.flow_helpers import Notices, open_call

GRID = load_grid()
Q1 = GRID.rule_question("attempts")
UNREACHABLE = int(GRID.rule("attempts")["unreachable_option"])
AUDIT = fixed_id(40)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return seed_store(tmp_path / "store", [build_audit(40, "Lexus Dijon", when=NOW)])


async def back_home(pilot: Pilot[Any]) -> HomeScreen:
    await pilot.press("escape")
    home = await home_ready(pilot)
    await wait_for(pilot, lambda: home.query_one(FollowUpQueue).loaded, "the queue")
    return home


def exported(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    out = tmp_path / "audits.jsonl"
    assert main(["--db", str(db), "export", "--format", "jsonl", "--out", str(out)]) == EXIT_OK
    capsys.readouterr()
    (record,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return record


@pytest.mark.parametrize(
    "keys",
    [
        # f and the « injoignable » suggestion are asked first: Entrée says « oui »
        pytest.param(["t", "t", "t", "f enter", "a enter"], id="end-of-call-then-accept"),
        pytest.param(["t", "t", "t", "t", "a enter"], id="fourth-attempt-then-accept"),
    ],
)
async def test_an_unreachable_dealer_completes_at_the_end_of_the_call(
    db: Path,
    clock: FakeClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    keys: list[str],
) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_call(pilot)
        for key in keys[:-1]:
            await pilot.press(*key.split())
            clock.advance(30)
        assert "Je n'ai pas réussi à joindre" in str(screen.query_one("#suggestion").render())
        await pilot.press(*keys[-1].split())
        live = screen.live
        assert live is not None
        assert live.audit.answers == {Q1: [UNREACHABLE]}
        assert live.audit.status == "complete"
        assert "terminé" in str(screen.query_one("#dealer").render())
        assert app.store is not None
        stored = app.store.get(AUDIT)
        assert (stored.status, stored.deadlines) == ("complete", None)
        home = await back_home(pilot)
        assert home.query_one(FollowUpQueue).entries == []
        assert row_cells(home, AUDIT)["Statut"] == "terminé"
    record = exported(db, tmp_path, capsys)
    assert record["status"] == "complete"
    assert record["outcome"] == "unreachable"
    assert record["deadlines"] == {"email": None, "callback": None}


async def test_one_left_awaiting_by_an_older_version_is_completed_at_start_up(
    tmp_path: Path, clock: FakeClock
) -> None:
    old = build_audit(41, "Lexus Nice", when=NOW - timedelta(days=1))
    old.call.attempts = [format_instant(NOW - timedelta(days=1, seconds=-30 * i)) for i in range(3)]
    end_call(old, NOW - timedelta(days=1) + timedelta(minutes=2))
    old.answers = {Q1: [UNREACHABLE]}  # as the old code left it: awaiting, with deadlines
    assert old.status == "awaiting_follow_up" and old.deadlines
    db = seed_store(tmp_path / "store", [old])
    app = make_app(db, clock)
    notices = Notices(app)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        await wait_for(pilot, lambda: home.query_one(FollowUpQueue).loaded, "the queue")
        assert home.query_one(FollowUpQueue).entries == []
        assert "1 audit(s) de concessionnaire injoignable terminé(s)" in str(notices)
        assert "échéance" not in str(notices)  # no expiry rung for it
    with Store.open(db) as store:
        stored = store.get(old.id)
        assert (stored.status, stored.deadlines) == ("complete", None)
