"""docs/keys.md, generated from the bindings of every screen, window and widget of the app (a
test checks it is up to date). Regenerate with `python -m auditor_tui.ui.keys_doc --write`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

from auditor_tui.domain.grid import load_grid
from auditor_tui.ui import keymap
from auditor_tui.ui.key_tooltips import tooltip_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "keys.md"

# Where each class's keys apply, in the order of a day's work: (place, "module:Class", …).
PLACES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Partout", ("app:AuditorApp",)),
    (
        "Accueil",
        ("screens.home:HomeScreen", "screens.home:AuditTable", "widgets.due_calls:DueList"),
    ),
    ("Échéances passées", ("screens.missed:MissedScreen",)),
    ("Créer le dossier ?", ("screens.create_store:CreateStoreScreen",)),
    ("Reprendre ?", ("screens.resume:ResumeScreen",)),
    ("Nouvel audit", ("screens.new_audit:NewAuditScreen", "screens.new_audit:DealerSearch")),
    ("Appel", ("screens.live_call:LiveCallScreen",)),
    (
        "Fenêtres de l'appel",
        ("screens.live_prompts:JumpPrompt", "screens.live_prompts:NotePrompt"),
    ),
    ("Suivi", ("screens.follow_up:FollowUpScreen",)),
    (
        "Fenêtres du suivi",
        (
            "screens.follow_up_modals:EmailModal",
            "screens.follow_up_modals:CallbackModal",
            "screens.follow_up_modals:ReasonModal",
            "screens.follow_up_modals:ConfirmModal",
        ),
    ),
    ("Rapports", ("screens.report:ReportScreen",)),
    ("Aide", ("screens.help:HelpScreen",)),
)
GROUP_ORDER = (
    keymap.CALL,
    keymap.ANSWERS,
    keymap.FOLLOW_UP,
    keymap.NAVIGATION,
    keymap.GENERAL,
)


def load(path: str) -> type[DOMNode]:
    module, name = path.split(":")
    found: type[DOMNode] = getattr(importlib.import_module(f"auditor_tui.ui.{module}"), name)
    return found


def own_bindings(cls: type[DOMNode]) -> Iterator[Binding]:
    """The bindings a class of this app declares, its own and its app bases' (Textual's own
    classes' keys are Textual's)."""
    for base in cls.__mro__:
        if base.__module__.startswith("auditor_tui."):
            for found in base.__dict__.get("BINDINGS", []):
                if isinstance(found, Binding):
                    yield found


@dataclass(frozen=True)
class Use:
    place: str
    binding: Binding


def uses() -> list[Use]:
    """Every binding of the app, with where it applies."""
    return [
        Use(place, found)
        for place, classes in PLACES
        for path in classes
        for found in own_bindings(load(path))
    ]


def split_keys(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def collisions(found: Iterable[Use]) -> dict[str, dict[str, list[str]]]:
    """Keys bound to more than one meaning: {key: {id: [places]}}; empty when every key
    means one thing on every screen."""
    meanings: dict[str, dict[str, list[str]]] = {}
    for use in found:
        for key in split_keys(use.binding.key):
            meanings.setdefault(key, {}).setdefault(use.binding.id or "", []).append(use.place)
    return {key: ids for key, ids in meanings.items() if len(ids) > 1}


def render() -> str:
    """The Markdown of docs/keys.md."""
    by_id: dict[str, list[Use]] = {}
    for use in uses():
        by_id.setdefault(use.binding.id or "", []).append(use)
    lines = [
        "# Keys",
        "",
        "Every key of auditor-tui, generated from the bindings by",
        "`python -m auditor_tui.ui.keys_doc --write` (a test fails when this file is stale).",
        "One key, one meaning on every screen: the binding id is the meaning",
        "(`App.set_keymap({id: keys})` remaps it everywhere). Échap and Entrée name what they",
        "do where they are (Échap: back, or « non » to a question; Entrée / o: open, start,",
        "« oui »). The live call asks « … ? Entrée/o oui · Échap non » in place before a phase",
        "change (Décroché, Transfert, Pris, Fin d'appel, Injoignable) and before « u » takes back",
        "a timed event (« Annuler la prise du transfert ? »); the change happens at the instant",
        "of its key. In a yes/no window (removing what was recorded, creating the",
        "store) « n » answers « non » too. The call's keys name the numbers of the audit's grid",
        "(here the shipped 2026 grid's: the transfer's 45 s, Q1…).",
    ]
    for group in GROUP_ORDER:
        ids = [
            i
            for i, spec in keymap.KEYS.items()
            if spec.group == group and i in by_id and i not in keymap.PICK_IDS[1:]
        ]
        if not ids:
            continue
        lines += ["", f"## {group}", "", "| Key | Does | Where | id |", "| --- | --- | --- | --- |"]
        for key_id in ids:
            lines.append(_row(key_id, by_id[key_id]))
    return "\n".join(lines) + "\n"


def _row(key_id: str, found: list[Use]) -> str:
    spec = keymap.KEYS[key_id]
    order = split_keys(spec.keys)
    bound = {k for use in found for k in split_keys(use.binding.key)}
    keys = [
        keymap.key_name(k)
        for k in sorted(
            bound, key=lambda k: (k not in order, order.index(k) if k in order else 0, k)
        )
    ]
    does: dict[str, list[str]] = {}
    for use in found:
        places = does.setdefault(use.binding.description, [])
        if use.place not in places:
            places.append(use.place)
    if len(does) == 1:
        what = f"{next(iter(does))}: {tooltip_text(spec.tooltip, load_grid())}"
        where = ", ".join(next(iter(does.values())))
    else:
        what = " · ".join(f"{desc} ({', '.join(places)})" for desc, places in does.items())
        where = ", ".join(dict.fromkeys(p for places in does.values() for p in places))
    shown = " / ".join(keys)
    if key_id == keymap.PICK_IDS[0]:  # the nine option keys, on one line
        shown, key_id = spec.key_display or shown, f"pick_1 … pick_{keymap.MAX_OPTIONS}"
        what = f"Choix: {spec.tooltip.replace(' 1 ', ' de ce numéro ')}"
    cells = [shown, what, where, f"`{key_id}`"]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {DOC}")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        DOC.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
