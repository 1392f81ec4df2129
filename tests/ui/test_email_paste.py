"""Paste anywhere in the e-mail window (the real app at 80×24): a block of headers pasted
while the time field or the checkbox has the focus is read as headers (before: appended to the
pre-filled time, « heure illisible »); a time pasted alone still goes into the time field.
F1 in the window names it in French."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.events import Paste
from textual.widgets import Checkbox, Input, Label, Static, TextArea

from auditor_tui.ui.screens.follow_up_modals import EmailModal
from auditor_tui.ui.screens.help import HelpScreen
from tests.ui.test_follow_up import app_at, open_home, press_until_screen, store_of, until

RAW = "Subject: Brochure NX\nDate: Tue, 17 Nov 2026 12:59:59 +0100\n"
OUTLOOK = (
    "De : Lexus Dijon <contact@lexus-dijon.example>\n"
    "Envoyé : mardi 17 novembre 2026 12:40\n"
    "À : Claire Martin\n"
    "Objet : Votre demande"
)


async def open_email(pilot: object) -> EmailModal:
    await pilot.press("e")  # type: ignore[attr-defined]
    await until(pilot, lambda: isinstance(pilot.app.screen, EmailModal))  # type: ignore[arg-type, attr-defined]
    modal = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(modal, EmailModal)
    return modal


@pytest.mark.parametrize(
    ("focus", "pasted", "read"),
    [
        ("#modal-time", RAW, "17/11/2026 12:59:59"),
        ("#modal-time", OUTLOOK, "17/11/2026 12:40:00"),
        ("#email-info", RAW, "17/11/2026 12:59:59"),
        ("#email-info", OUTLOOK, "17/11/2026 12:40:00"),
        ("#email-headers", OUTLOOK, "17/11/2026 12:40:00"),
        # what a terminal sends: the newlines of a paste as carriage returns
        ("#modal-time", OUTLOOK.replace("\n", "\r"), "17/11/2026 12:40:00"),
        ("#email-info", RAW.replace("\n", "\r"), "17/11/2026 12:59:59"),
        ("#email-headers", OUTLOOK.replace("\n", "\r"), "17/11/2026 12:40:00"),
    ],
)
async def test_headers_pasted_whichever_field_has_the_focus(
    tmp_path: Path, focus: str, pasted: str, read: str
) -> None:
    app, audit = app_at(tmp_path, timedelta(hours=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_home(pilot)
        screen = await press_until_screen(pilot, "o")
        modal = await open_email(pilot)
        modal.query_one(focus).focus()
        await pilot.pause()
        assert app.focused is not None
        app.focused.post_message(Paste(pasted))  # what the terminal sends on a paste
        await pilot.pause()
        assert modal.query_one("#modal-time", Input).value == read
        assert modal.query_one("#email-headers", TextArea).text == pasted.replace("\r", "\n")
        assert "Date: lue" in str(modal.query_one("#email-parsed", Static).content)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen is screen)
        assert store_of(app).get(audit.id).follow_up.email_received_at is not None


async def test_a_time_pasted_alone_goes_into_the_time_field(tmp_path: Path) -> None:
    app, _audit = app_at(tmp_path, timedelta(hours=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_home(pilot)
        await press_until_screen(pilot, "o")
        modal = await open_email(pilot)
        field = modal.query_one("#modal-time", Input)
        assert app.focused is field
        await pilot.press("ctrl+u")
        field.post_message(Paste("17/11/2026 12:40"))
        await pilot.pause()
        assert field.value == "17/11/2026 12:40"
        assert modal.query_one("#email-headers", TextArea).text == ""
        assert isinstance(modal.query_one("#email-info"), Checkbox)


async def test_f1_names_the_email_window_in_french(tmp_path: Path) -> None:
    app, _audit = app_at(tmp_path, timedelta(hours=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_home(pilot)
        await press_until_screen(pilot, "o")
        await open_email(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        title = str(app.screen.query_one("#help-title", Label).render())
        assert title == "Touches de l'écran « E-mail reçu »"
        listed = {k.description: k.keys for k in app.screen.keys}  # type: ignore[attr-defined]
        assert listed["Annuler"] == "Échap" and listed["Enregistrer"] == "ctrl+s"
