"""An audit's file changed outside the app while the app runs: opening it from the home screen
says so (as the live call does) instead of a traceback, and a follow-up change that cannot be
saved is kept on screen marked « NON ENREGISTRÉ », saved again on request (as in the call)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.store.errors import CorruptFileError
from auditor_tui.ui.app import make_app
from auditor_tui.ui.messages import unreadable_audit_text
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.screens.live_call import LiveCallScreen
from tests.conftest import FullDisk
from tests.ui.conftest import NOW, build_audit, fixed_id, home_ready, seed_store, wait_for
from tests.ui.flow_helpers import Notices, open_follow_up, open_row

AWAITING = fixed_id(2)
DRAFT = fixed_id(4)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A draft (newest) and an audit awaiting its follow-up, with the sample dealers."""
    return seed_store(
        tmp_path / "store",
        [
            build_audit(
                2, "Lexus Lille", when=NOW - timedelta(days=1), status="awaiting_follow_up"
            ),
            build_audit(4, "Lexus Versailles", when=NOW - timedelta(hours=3)),
        ],
    )


def tamper(db: Path, audit_id: str) -> None:
    """Change one letter of the dealer's name in the audit's file, as an editor would: valid
    JSON, a valid record, but its seal no longer matches."""
    path = db / "audits" / f"{audit_id}.json"
    data = json.loads(path.read_text("utf-8"))
    (row,) = data["audit"].values()
    row["record"]["dealer"]["name"] += " (modifié)"
    path.write_text(json.dumps(data), "utf-8")


@pytest.mark.parametrize("audit_id", [AWAITING, DRAFT], ids=["follow-up", "live-call"])
async def test_opening_an_audit_changed_outside_says_so_instead_of_crashing(
    db: Path, clock: FakeClock, audit_id: str
) -> None:
    """The same message on the way to the follow-up and to the live call; the list stays."""
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        notices = Notices(app)
        home = await home_ready(pilot)
        tamper(db, audit_id)
        await open_row(pilot, home, audit_id)
        await wait_for(pilot, lambda: "illisible" in str(notices), "the message")
        assert app.is_running
        assert isinstance(app.screen, HomeScreen)  # nothing to show: the list stays
        assert not any(isinstance(s, LiveCallScreen | FollowUpScreen) for s in app.screen_stack)
        assert f"Audit {audit_id} illisible" in str(notices)
        assert "endommagé" in str(notices)
        assert list((db / "audits").glob(f"{audit_id}.json.corrupt-*")), "a copy kept beside it"
        await pilot.press("down")  # the app goes on
    assert app.return_code in (0, None)


def test_one_text_for_an_unreadable_audit() -> None:
    error = CorruptFileError(Path("/s/audits/x.json"), None, "sceau invalide")
    text = unreadable_audit_text("x", error)
    assert text.startswith("Audit x illisible : ")
    assert "sceau invalide" in text


async def test_a_follow_up_change_not_saved_stays_marked_and_is_saved_again(
    db: Path, full_disk: FullDisk
) -> None:
    clock = FakeClock(NOW)
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        notices = Notices(app)
        screen = await open_follow_up(pilot, AWAITING)
        qid = screen.session.questions()[0]
        full_disk.full = True  # the disk fills up: the system refuses the store's writes
        await pilot.press("1")
        save_state = screen.query_one("#fu-save-state", Static)
        assert str(save_state.content).startswith("⚠ NON ENREGISTRÉ")
        assert save_state.has_class("-error")
        assert "NON ENREGISTRÉ" in str(notices)
        assert screen.session.audit.answers.get(qid) == [1]  # kept, shown as not saved
        assert app.store is not None
        assert qid not in app.store.get(AWAITING).answers
        full_disk.full = False
        await pilot.press("ctrl+s")  # save again
        assert str(save_state.content).startswith("✓ enregistré")
        assert not save_state.has_class("-error")
        assert app.store.get(AWAITING).answers.get(qid) == [1]


async def test_a_follow_up_whose_file_is_damaged_meanwhile_refuses_the_change_clearly(
    db: Path, clock: FakeClock
) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        notices = Notices(app)
        screen = await open_follow_up(pilot, AWAITING)
        tamper(db, AWAITING)
        await pilot.press("1")
        assert app.is_running
        save_state = screen.query_one("#fu-save-state", Static)
        assert str(save_state.content).startswith("⚠ NON ENREGISTRÉ")
        assert "NON ENREGISTRÉ" in str(notices)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen), "home")


@pytest.mark.parametrize(
    ("audit_id", "screen_type", "save_state"),
    [(AWAITING, FollowUpScreen, "#fu-save-state"), (DRAFT, LiveCallScreen, "#save-state")],
    ids=["follow-up", "live-call"],
)
async def test_an_audit_file_removed_meanwhile_is_not_saved_and_said_so(
    db: Path, clock: FakeClock, audit_id: str, screen_type: type, save_state: str
) -> None:
    """The file deleted outside the app while its screen is open: the answer stays on screen
    marked « NON ENREGISTRÉ », saying the file went away; the app goes on (no traceback)."""
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        notices = Notices(app)
        home = await home_ready(pilot)
        await open_row(pilot, home, audit_id)
        await wait_for(pilot, lambda: isinstance(app.screen, screen_type), "the audit's screen")
        (db / "audits" / f"{audit_id}.json").unlink()
        await pilot.press("1")
        assert app.is_running
        state = app.screen.query_one(save_state, Static)
        assert str(state.content).startswith("⚠ NON ENREGISTRÉ")
        assert "a disparu du dossier de données" in str(notices)
        await pilot.press("ctrl+s")  # saving again says so again
        assert app.is_running
        assert str(state.content).startswith("⚠ NON ENREGISTRÉ")
