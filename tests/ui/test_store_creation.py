"""The app asks before creating a store in a folder that does not exist, anywhere but the user
data folder: Entrée / o creates it, Échap / n quits without creating anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor_tui.domain.clock import FakeClock
from auditor_tui.store import paths
from auditor_tui.store.paths import asks_before_creating
from auditor_tui.ui.app import make_app
from auditor_tui.ui.screens.create_store import CreateStoreScreen
from auditor_tui.ui.screens.home import HomeScreen
from tests.ui.conftest import home_ready, seed_store, wait_for


@pytest.fixture(autouse=True)
def user_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The user data folder (platformdirs) of these tests, and no $AUDITOR_TUI_DB."""
    folder = tmp_path / "user-data" / "auditor-tui"
    monkeypatch.setattr(paths, "user_store_path", lambda: folder)
    monkeypatch.delenv(paths.ENV_VAR, raising=False)
    return folder


def test_which_folders_are_asked_about(tmp_path: Path, user_folder: Path) -> None:
    new = tmp_path / "nouveau"
    assert asks_before_creating(new) == new
    assert asks_before_creating(None) is None  # the user data folder
    assert asks_before_creating(user_folder) is None
    assert asks_before_creating(seed_store(tmp_path / "existant")) is None
    (tmp_path / "vide").mkdir()
    assert asks_before_creating(tmp_path / "vide") is None  # exists: opened as it is


def test_a_mistyped_environment_variable_is_asked_about_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(paths.ENV_VAR, str(tmp_path / "audtis"))
    assert asks_before_creating(None) == tmp_path / "audtis"


@pytest.mark.parametrize("key", ["escape", "n"])
async def test_no_quits_without_creating_anything(
    tmp_path: Path, clock: FakeClock, key: str
) -> None:
    folder = tmp_path / "audtis"  # a typing mistake
    app = make_app(folder, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CreateStoreScreen), "the question")
        assert str(folder) in str(app.screen.query_one("#create-folder").render())
        await pilot.press(key)
        await wait_for(pilot, lambda: not app.is_running, "the app to quit")
    assert app.return_code == 0
    assert app.store is None
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("key", ["enter", "o"])
async def test_yes_creates_the_store_and_opens_the_app(
    tmp_path: Path, clock: FakeClock, key: str
) -> None:
    folder = tmp_path / "nouveau" / "audits 2027"
    app = make_app(folder, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, CreateStoreScreen), "the question")
        assert app.store is None  # nothing opened, nothing created, while it asks
        assert not folder.exists()
        await pilot.press(key)
        home = await home_ready(pilot)
        assert isinstance(home, HomeScreen) and home.shown_ids == []
        assert app.store is not None
    assert (folder / "audits").is_dir()


async def test_the_user_data_folder_is_created_without_asking(
    clock: FakeClock, user_folder: Path
) -> None:
    app = make_app(None, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        assert not any(isinstance(s, CreateStoreScreen) for s in app.screen_stack)
    assert (user_folder / "audits").is_dir()


async def test_an_existing_folder_opens_without_asking(tmp_path: Path, clock: FakeClock) -> None:
    app = make_app(seed_store(tmp_path / "store"), clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        assert not any(isinstance(s, CreateStoreScreen) for s in app.screen_stack)
