"""No fictional dealer in a real store: an empty directory stays empty, the app says how to
import the real one (the exact command for this store), and the 41 sample dealers come only
from `auditor-tui dealers import --sample`."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from textual.widgets import OptionList

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.domain.clock import FakeClock
from auditor_tui.exchange.dealers_csv import empty_directory_text, import_command
from auditor_tui.store import Store
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.new_audit import NewAuditScreen
from tests.ui.conftest import home_ready, seed_store, wait_for
from tests.ui.flow_helpers import Notices


def test_the_import_command_names_this_store() -> None:
    assert import_command(None) == "auditor-tui dealers import FICHIER.csv"
    assert import_command(Path("/srv/mes audits")) == (
        "auditor-tui --db '/srv/mes audits' dealers import FICHIER.csv"
    )
    assert (
        import_command(Path("/srv/a"), "--sample")
        == "auditor-tui --db /srv/a dealers import --sample"
    )
    text = empty_directory_text(Path("/srv/a"))
    assert "« auditor-tui --db /srv/a dealers import FICHIER.csv »" in text
    assert "--sample" in text and "fictifs" in text


async def test_first_start_leaves_the_directory_empty_and_says_how_to_import(
    tmp_path: Path, clock: FakeClock
) -> None:
    db = seed_store(tmp_path / "mes audits", dealers=False)
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        notices = Notices(app)
        await home_ready(pilot)
        await wait_for(pilot, lambda: "Annuaire vide" in str(notices), "the notice")
        command = f"auditor-tui --db {shlex.quote(str(db))} dealers import FICHIER.csv"
        assert command in str(notices)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewAuditScreen), "the new audit")
        await app.workers.wait_for_complete()
        await pilot.pause()
        options = app.screen.query_one("#dealers", OptionList)
        assert options.option_count == 1
        hint = str(options.get_option_at_index(0).prompt)
        assert command in hint
        await pilot.press("enter")  # nothing to start an audit on
        await pilot.pause()
        assert isinstance(app.screen, NewAuditScreen)
    with Store.open(db) as store:
        assert store.dealers() == []
        assert len(store) == 0


async def test_the_sample_comes_when_asked_for(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "essai"
    assert main(["--db", str(db), "dealers", "import", "--sample"]) == EXIT_OK
    assert "41 concessionnaire(s) d'exemple importé(s) (numéros fictifs" in capsys.readouterr().out
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        notices = Notices(app)
        await home_ready(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewAuditScreen), "the new audit")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#dealers", OptionList).option_count == 41
        assert "Annuaire vide" not in str(notices)
        assert app.dealer_count == 41


def test_sample_and_file_do_not_go_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "s"), "dealers", "import", "--sample", "x.csv"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(tmp_path / "s"), "dealers", "import"])
    assert exit_info.value.code == 2
    assert not (tmp_path / "s").exists()
