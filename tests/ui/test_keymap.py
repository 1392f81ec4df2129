"""One keymap for the whole app: a key means one thing on every screen, every binding has an id
from the keymap, a description and a tooltip, key names are French, and docs/keys.md is the
table generated from the bindings."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import ModalScreen

import auditor_tui.ui
from auditor_tui.domain.clock import FakeClock
from auditor_tui.ui import keymap
from auditor_tui.ui.app import make_app
from auditor_tui.ui.keys_doc import DOC, PLACES, Use, collisions, load, render, uses
from auditor_tui.ui.widgets.key_strip import KeyStrip
from tests.ui.conftest import build_audit, fixed_id, seed_store
from tests.ui.live_helpers import go_to, on_the_call

AUDIT = fixed_id(40)


def test_docs_keys_md_is_the_table_of_the_bindings() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/keys.md is stale: python -m auditor_tui.ui.keys_doc --write"
    )


def test_a_key_means_one_thing_on_every_screen() -> None:
    assert collisions(uses()) == {}


def test_a_key_with_two_meanings_is_found() -> None:
    """What the check above would say of the keys of before: « x » transfer in the call and
    clear in the follow-up."""
    found = [
        Use("Appel", Binding("x", "transfer_start", "Transfert", id="transfer_start")),
        Use("Suivi", Binding("delete,x", "clear", "Effacer", id="clear")),
        Use("Appel", Binding("delete", "clear", "Effacer", id="clear")),
    ]
    assert collisions(found) == {"x": {"transfer_start": ["Appel"], "clear": ["Suivi"]}}


def _classes_with_bindings() -> set[type[DOMNode]]:
    found: set[type[DOMNode]] = set()
    for module in pkgutil.walk_packages(auditor_tui.ui.__path__, "auditor_tui.ui."):
        loaded = importlib.import_module(module.name)
        for _name, cls in inspect.getmembers(loaded, inspect.isclass):
            if cls.__module__ == module.name and cls.__dict__.get("BINDINGS"):
                found.add(cls)
    return found


def test_every_class_with_keys_is_in_the_table() -> None:
    covered = {base for _place, paths in PLACES for path in paths for base in load(path).__mro__}
    missing = {cls.__qualname__ for cls in _classes_with_bindings() - covered}
    assert not missing, f"add them to keys_doc.PLACES: {sorted(missing)}"


def test_every_binding_comes_from_the_keymap_with_a_description_and_a_tooltip() -> None:
    for use in uses():
        binding = use.binding
        assert binding.id in keymap.KEYS, (use.place, binding)
        spec = keymap.KEYS[binding.id]
        assert set(binding.key.split(",")) <= set(spec.keys.split(",")), (use.place, binding)
        assert binding.description and binding.tooltip, (use.place, binding)
        if not spec.contextual:
            assert binding.description == spec.description, (use.place, binding)


def test_a_contextless_key_cannot_be_renamed_on_one_screen() -> None:
    with pytest.raises(ValueError, match="same on every screen"):
        keymap.binding("end_call", description="Terminer")
    with pytest.raises(ValueError, match="not among its keys"):
        keymap.binding("validate", keys="y")


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("escape", "Échap"),
        ("enter", "Entrée"),
        ("delete", "Suppr"),
        ("backspace", "Retour arr."),
        ("home", "Origine"),
        ("end", "Fin"),
        ("pageup", "Pg préc."),
        ("pagedown", "Pg suiv."),
        ("f1", "F1"),
        ("ctrl+q", "ctrl+q"),
        ("shift+tab", "Maj+Tab"),
        ("colon", ":"),
        ("greater_than_sign", ">"),
        ("alt+c", "alt+c"),
        ("A", "A"),
    ],
)
def test_key_names_are_french(key: str, name: str) -> None:
    assert keymap.key_name(key) == name


def test_footers_write_control_keys_short() -> None:
    assert keymap.key_name("ctrl+p", short=True) == "^p"
    assert keymap.key_name("escape", short=True) == "Échap"


def test_every_window_has_a_french_title() -> None:
    """F1 names the window it was opened from (« EmailModal » before)."""
    windows = [c for c in _classes_with_bindings() if issubclass(c, ModalScreen)]
    assert windows
    for window in windows:
        for cls in window.__subclasses__() or [window]:
            title = getattr(cls, "SUB_TITLE", "")
            assert title and "Modal" not in title and "Prompt" not in title, cls


async def test_one_remap_changes_the_key_on_every_screen(tmp_path: Path, clock: FakeClock) -> None:
    """The binding id is the meaning: remapping « clear » moves it in the call's key strip
    (and on every screen that clears an answer)."""
    db = seed_store(tmp_path / "store", [build_audit(40, "Lexus Dijon")])
    app = make_app(db, clock)
    app.set_keymap({"clear": "ctrl+d"})
    async with on_the_call(app, AUDIT) as pilot:
        strip = str(app.screen.query_one(KeyStrip).render())
        assert "^d Effacer" in strip and "Suppr" not in strip
        await go_to(pilot, "3")
        await pilot.press("1")
        assert app.store is not None and app.store.get(AUDIT).answers == {"3": [1]}
        await pilot.press("ctrl+d")
        assert app.store.get(AUDIT).answers == {}


def test_the_doc_says_how_to_regenerate_it() -> None:
    assert "python -m auditor_tui.ui.keys_doc --write" in DOC.read_text(encoding="utf-8")
    assert Path(DOC).name == "keys.md"
