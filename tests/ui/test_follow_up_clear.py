"""Pilot tests: removing a recorded e-mail or call-back from its modal (ctrl+r, then a
confirmation), cancelling it, the answers kept and the suggestions worked out again, and the
home queue showing the audit waiting again — from the keyboard, against a real store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label

from auditor_tui.session.followup import CLEAR_CALLBACK, CLEAR_EMAIL
from auditor_tui.ui.app import AuditorApp
from auditor_tui.ui.screens import follow_up_modals
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.screens.follow_up_modals import CallbackModal, ConfirmModal, EmailModal
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.widgets.followup_queue import FollowUpQueue, QueueRow
from tests.ui.test_follow_up import (
    CALLBACK,
    EMAIL,
    GRID,
    MATCH,
    METHOD,
    Recorder,
    app_at,
    open_home,
    press_until_screen,
    screen_text,
    store_of,
    type_into,
    until,
)

Q16, Q17, Q18, Q19 = (str(r["question"]) for r in (EMAIL, CALLBACK, MATCH, METHOD))


def label(qid: str, position: int) -> str:
    return GRID.question(qid).option(position).label


async def open_modal(pilot: Pilot[Any], key: str) -> EmailModal | CallbackModal:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, EmailModal | CallbackModal))
    modal = pilot.app.screen
    assert isinstance(modal, EmailModal | CallbackModal)
    return modal


async def record_email(pilot: Pilot[Any], screen: FollowUpScreen, typed: str) -> None:
    await open_modal(pilot, "e")
    await type_into(pilot, typed)
    await pilot.press("enter")
    await until(pilot, lambda: pilot.app.screen is screen)


async def record_callback(pilot: Pilot[Any], screen: FollowUpScreen, typed: str, note: str) -> None:
    """By phone (the agreed method, preselected), with a note."""
    await open_modal(pilot, "r")
    await type_into(pilot, typed)
    await pilot.press("tab", "tab")
    await pilot.press(*list(note))
    await pilot.press("enter")
    await until(pilot, lambda: pilot.app.screen is screen)


async def ask_to_remove(pilot: Pilot[Any], key: str) -> ConfirmModal:
    """Open the e-mail (e) or call-back (c) modal and press ctrl+r: the confirmation."""
    await open_modal(pilot, key)
    await pilot.press("ctrl+r")
    await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal))
    confirm = pilot.app.screen
    assert isinstance(confirm, ConfirmModal)
    return confirm


async def back_home(pilot: Pilot[Any], app: AuditorApp, countdown: str) -> None:
    """Escape to the home screen and wait until the queue (recomputed off the UI thread)
    shows its one row with this countdown."""
    await pilot.press("escape")
    await until(pilot, lambda: isinstance(app.screen, HomeScreen))

    def shown() -> bool:
        rows = list(app.screen.query(QueueRow))
        return len(rows) == 1 and rows[0].countdown == countdown

    await until(pilot, shown)


def fits(widget: Any, size: tuple[int, int]) -> bool:
    region = widget.region
    return bool(region.width) and region.right <= size[0] and region.bottom <= size[1]


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_record_an_email_remove_it_and_the_queue_waits_again(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app, audit = app_at(tmp_path, timedelta(minutes=30))  # Tuesday 11:30 Paris
    async with app.run_test(size=size) as pilot:
        notes = Recorder(app)
        await open_home(pilot)
        (row,) = app.screen.query(QueueRow)
        assert row.countdown == "e-mail : 1 h 30 · rappel : jeu. 19 nov. 23:59"
        screen = await press_until_screen(pilot, "o")
        await record_email(pilot, screen, "17/11/2026 11:20")
        store = store_of(app)
        assert store.get(audit.id).follow_up.email_received_at == "2026-11-17T10:20:00+00:00"
        await back_home(pilot, app, "e-mail reçu · rappel : jeu. 19 nov. 23:59")

        # the wrong audit: open it again, the e-mail modal says what is noted and how to remove
        screen = await press_until_screen(pilot, "o")
        modal = await open_modal(pilot, "e")
        recorded = str(modal.query_one("#modal-recorded").render())
        assert "Noté : mar. 17 nov. 11:20 (contenait les informations demandées)" in recorded
        keys = modal.query_one(".modal-keys", Label)
        assert "ctrl+r : supprimer" in str(keys.render())
        assert fits(keys, size)
        await pilot.press("ctrl+r")
        await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        assert confirm.question == "Supprimer l'e-mail reçu noté sur cet audit ?"
        assert "E-mail noté : mar. 17 nov. 11:20" in confirm.detail
        assert fits(confirm.query_one(".modal-keys", Label), size)
        revision = store.get(audit.id).revision
        await pilot.press("enter")  # oui
        await until(pilot, lambda: app.screen is screen)

        stored = store.get(audit.id)
        assert stored.follow_up.email_received_at is None
        assert stored.follow_up.email_has_information is None
        assert stored.revision == revision + 1
        removed = [e for e in store.events(audit.id) if e["kind"] == CLEAR_EMAIL]
        assert {e["field"] for e in removed} == {
            "follow_up.email_received_at",
            "follow_up.email_has_information",
            "history",  # the e-mail's arrival leaves the history with it
        }
        assert "E-mail reçu supprimé." in notes.text()
        assert "rien pour l'instant (e)" in screen_text(screen, "#fu-evidence")
        assert "reste" in screen_text(screen, "#fu-times").splitlines()[1]
        summary = next(s for s in store.summaries() if s.id == audit.id)
        assert not summary.email_received

        await back_home(pilot, app, "e-mail : 1 h 30 · rappel : jeu. 19 nov. 23:59")


async def test_cancelling_keeps_what_was_recorded(tmp_path: Path) -> None:
    app, audit = app_at(tmp_path, timedelta(minutes=30))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_home(pilot)
        screen = await press_until_screen(pilot, "o")
        await record_email(pilot, screen, "17/11/2026 11:20")
        store = store_of(app)
        revision = store.get(audit.id).revision
        for no in ("n", "escape"):
            await ask_to_remove(pilot, "e")
            await pilot.press(no)
            # back in the e-mail modal, which closes without a change
            await until(pilot, lambda: isinstance(app.screen, EmailModal))
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is screen)
        stored = store.get(audit.id)
        assert stored.revision == revision
        assert stored.follow_up.email_received_at == "2026-11-17T10:20:00+00:00"
        assert not [e for e in store.events(audit.id) if e["kind"] == CLEAR_EMAIL]


async def test_nothing_recorded_nothing_to_remove(tmp_path: Path) -> None:
    app, audit = app_at(tmp_path, timedelta(minutes=30))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_home(pilot)
        await press_until_screen(pilot, "o")
        for key in ("e", "r"):
            modal = await open_modal(pilot, key)
            assert not modal.query("#modal-recorded")
            assert "supprimer" not in str(modal.query_one(".modal-keys", Label).render())
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert app.screen is modal  # no confirmation: there is nothing to remove
            await pilot.press("escape")
        assert store_of(app).get(audit.id).revision == audit.revision


async def test_removed_email_keeps_the_answer_and_suggests_again(tmp_path: Path) -> None:
    """Q16 was accepted as « Oui » from an e-mail noted on the wrong audit: removing the e-mail
    keeps « Oui » (said in the notification) and proposes « Non »; the auditor accepts it."""
    app, audit = app_at(tmp_path, timedelta(days=1))  # the e-mail's deadline has passed
    async with app.run_test(size=(100, 40)) as pilot:
        await open_home(pilot)
        notes = Recorder(app)
        screen = await press_until_screen(pilot, "o")
        await record_email(pilot, screen, "17/11/2026 12:40")
        await pilot.press("a")
        store = store_of(app)
        assert store.get(audit.id).answers[Q16] == [EMAIL["yes"]]
        points = store.get(audit.id).score().points

        confirm = await ask_to_remove(pilot, "e")
        assert f"Q16 → {label(Q16, EMAIL['yes'])}" in confirm.detail
        await pilot.press("o")  # oui
        await until(pilot, lambda: app.screen is screen)
        stored = store.get(audit.id)
        assert stored.follow_up.email_received_at is None
        assert stored.answers[Q16] == [EMAIL["yes"]]  # not changed behind the auditor's back
        assert stored.score().points == points
        assert (
            f"E-mail reçu supprimé.\nRéponses gardées, à revoir : Q16 → {label(Q16, EMAIL['yes'])}"
        ) in notes.text()
        suggestions = screen_text(screen, "#fu-suggestions")
        assert f"Q16 → {label(Q16, EMAIL['no'])} (aucun e-mail reçu dans les 2 h)" in suggestions

        await pilot.press("a")  # the auditor decides
        assert store.get(audit.id).answers[Q16] == [EMAIL["no"]]


async def test_remove_a_call_back_with_its_method_and_note(tmp_path: Path) -> None:
    app, audit = app_at(tmp_path, timedelta(days=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_home(pilot)
        notes = Recorder(app)
        screen = await press_until_screen(pilot, "o")
        await record_callback(pilot, screen, "18/11/2026 10:15", "Essai proposé")
        await pilot.press("A")  # Q16 Non, Q17 Oui, Q18 Oui, Q19 par téléphone
        store = store_of(app)
        given = {q: store.get(audit.id).answers[q] for q in (Q17, Q18, Q19)}
        assert given == {
            Q17: [CALLBACK["yes"]],
            Q18: [MATCH["yes"]],
            Q19: [METHOD["options"]["phone"]],
        }

        confirm = await ask_to_remove(pilot, "r")
        assert confirm.question == "Supprimer le rappel noté sur cet audit ?"
        assert "par téléphone — « Essai proposé »" in confirm.detail
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        stored = store.get(audit.id)
        fu = stored.follow_up
        assert (fu.callback_at, fu.callback_method, fu.callback_note) == (None, None, "")
        assert {q: stored.answers[q] for q in given} == given
        assert {e["field"] for e in store.events(audit.id) if e["kind"] == CLEAR_CALLBACK} == {
            "follow_up.callback_at",
            "follow_up.callback_method",
            "follow_up.callback_note",
            "history",
        }
        kept = ", ".join(f"Q{q} → {label(q, p[0])}" for q, p in given.items())
        assert f"Rappel reçu supprimé.\nRéponses gardées, à revoir : {kept}" in notes.text()
        assert "rien pour l'instant (r)" in screen_text(screen, "#fu-evidence")

        # the call-back is awaited again (the e-mail never came)
        await back_home(pilot, app, "e-mail : en retard · rappel : jeu. 19 nov. 23:59")


async def test_replacing_a_call_back_keeps_its_note_unless_edited(tmp_path: Path) -> None:
    """Replace, the other way out of a wrong call-back: the modal shows the note recorded, so
    correcting the time does not lose it."""
    app, audit = app_at(tmp_path, timedelta(days=1))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_home(pilot)
        screen = await press_until_screen(pilot, "o")
        await record_callback(pilot, screen, "18/11/2026 10:15", "Essai proposé")
        modal = await open_modal(pilot, "r")
        assert modal.query_one("#callback-note", Input).value == "Essai proposé"
        await type_into(pilot, "18/11/2026 10:45")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        fu = store_of(app).get(audit.id).follow_up
        assert (fu.callback_at, fu.callback_note) == ("2026-11-18T09:45:00+00:00", "Essai proposé")


async def test_an_email_removed_after_its_deadline_is_overdue_without_a_bell(
    tmp_path: Path,
) -> None:
    """The bell is for a deadline passing while the app is open; an e-mail removed after its
    deadline makes the row overdue again, and no bell rings for it."""
    app, audit = app_at(tmp_path, timedelta(hours=3))
    async with app.run_test(size=(100, 40)) as pilot:
        await open_home(pilot)
        screen = await press_until_screen(pilot, "o")
        await record_email(pilot, screen, "17/11/2026 12:40")
        await ask_to_remove(pilot, "e")
        await pilot.press("enter")
        await until(pilot, lambda: app.screen is screen)
        notes = Recorder(app)
        await back_home(pilot, app, "e-mail : en retard · rappel : jeu. 19 nov. 23:59")
        assert app.screen.query_one(QueueRow).has_class("-overdue")
        app.screen.query_one(FollowUpQueue).tick()
        await pilot.pause()
        assert notes.bells == 0
        assert "échéance" not in notes.text().lower()
        assert store_of(app).get(audit.id).follow_up.email_received_at is None


def test_every_binding_of_the_modals_has_a_description_and_an_id() -> None:
    ours = [
        binding
        for modal in (EmailModal, CallbackModal, ConfirmModal)
        for cls in modal.__mro__
        if cls.__module__ == follow_up_modals.__name__
        for binding in cls.__dict__.get("BINDINGS", [])
    ]
    assert {b.id for b in ours} >= {"remove", "validate", "back", "save"}
    for binding in ours:
        assert binding.description and binding.id and binding.tooltip, binding


async def test_f1_in_a_window_lists_its_keys_and_question_mark_still_types(
    tmp_path: Path,
) -> None:
    """F1 works in a modal whose text field has the focus (« ? » types itself there)."""
    from auditor_tui.ui.screens.help import HelpScreen, keys_of

    app, _audit = app_at(tmp_path, timedelta(minutes=30))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_home(pilot)
        screen = await press_until_screen(pilot, "o")
        await record_email(pilot, screen, "17/11/2026 11:20")
        modal = await open_modal(pilot, "e")
        field = modal.query_one(Input)
        field.focus()
        await pilot.pause()
        before = field.value
        await pilot.press("question_mark")
        assert field.value == before + "?" and app.screen is modal
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        listed = {k.description: k.keys for k in keys_of(modal)}
        assert listed["Supprimer"] == "ctrl+r" and "Enregistrer" in listed
        await pilot.press("f1")
        await until(pilot, lambda: app.screen is modal)
