"""Every key a screen shows is readable whole at 80×24 (issue 11, leftovers): the home screen,
the new audit (whichever field has the focus), the reports, the help, the resume and
create-store questions — none cut under the palette key or at the edge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from auditor_tui.domain.clock import FakeClock
from auditor_tui.store import paths
from auditor_tui.ui.app import AuditorApp, make_app
from auditor_tui.ui.screens.create_store import CreateStoreScreen
from auditor_tui.ui.screens.help import HelpScreen
from auditor_tui.ui.screens.new_audit import NewAuditScreen
from auditor_tui.ui.screens.report import ReportScreen
from auditor_tui.ui.screens.resume import ResumeScreen
from tests.ui.conftest import build_audit, home_ready, seed_store, wait_for
from tests.ui.screen_text import screen_lines

APP_KEYS = ["^q Quitter", "F1 Aide", "^p Commandes"]
HOME_KEYS = ["Entrée Ouvrir", "n Nouvel audit", "/ Filtrer", "F2 Rapports", "^q Quitter", "F1 Aide"]
NEW_AUDIT_KEYS = ["Entrée Commencer", "^t Copier le n°", "Échap Retour", *APP_KEYS]
REPORT_KEYS = ["Échap Retour", "/ Filtrer", "<> Onglets", "F5 Actualiser", *APP_KEYS]
HELP_KEYS = ["Échap Fermer l'aide", *APP_KEYS]


def keys_shown(app: AuditorApp, lines: int = 2) -> str:
    """The screen's last `lines` lines, where its keys are."""
    shown = screen_lines(app)[-lines:]
    assert all(len(line) <= 80 for line in shown)
    return "\n".join(shown)


def assert_whole(app: AuditorApp, keys: list[str]) -> None:
    shown = keys_shown(app)
    for key in keys:  # followed by a space, a line end or the next key: not cut
        assert f"{key} " in shown or f"{key}\n" in shown or shown.endswith(key), (key, shown)


async def settled(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_home_new_audit_report_and_help(tmp_path: Path, clock: FakeClock) -> None:
    app = make_app(seed_store(tmp_path / "s", [build_audit(1, status="complete")]), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        assert_whole(app, HOME_KEYS)

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewAuditScreen), "the new audit")
        await settled(pilot)
        assert_whole(app, [*NEW_AUDIT_KEYS, "↑↓ Concessionnaire"])  # in the search field
        await pilot.press("tab", "tab")  # an identity field: no dealer to move through
        await settled(pilot)
        assert_whole(app, NEW_AUDIT_KEYS)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
        await settled(pilot)
        assert_whole(app, HELP_KEYS)
        table = "\n".join(screen_lines(app))  # its four columns in 80, details wrapped
        assert "Portée" in table and "cet écran" in table
        assert "Revenir à l'accueil sans" in table and "créer d'audit" in table  # wrapped
        await pilot.press("escape", "escape")

        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen), "the reports")
        await settled(pilot)
        assert_whole(app, REPORT_KEYS)
        await pilot.press("slash")  # a filter field: « < » and « > » are typed there
        await settled(pilot)
        assert_whole(app, [k for k in REPORT_KEYS if k != "<> Onglets"])


async def test_the_resume_question(tmp_path: Path, clock: FakeClock) -> None:
    app = make_app(seed_store(tmp_path / "s", [build_audit(1, started=True)]), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ResumeScreen), "the question")
        await settled(pilot)
        assert_whole(app, ["Entrée Reprendre", "Échap Plus tard"])


async def test_the_create_store_question(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths, "user_store_path", lambda: tmp_path / "user-data")
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    app = make_app(tmp_path / "nouveau", clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CreateStoreScreen), "the question")
        await settled(pilot)
        assert_whole(app, ["Entrée Créer", "Échap Quitter"])
