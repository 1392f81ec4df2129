"""Keys named in French for people (« Échap », « Entrée », « ^q » where room is short): the key
strips, the help, the footers and docs/keys.md name keys from here."""

from __future__ import annotations

import re

from textual.keys import format_key

KEY_NAMES = {
    "escape": "Échap",
    "enter": "Entrée",
    "tab": "Tab",
    "space": "Espace",
    "home": "Origine",
    "end": "Fin",
    "pageup": "Pg préc.",
    "pagedown": "Pg suiv.",
    "delete": "Suppr",
    "backspace": "Retour arr.",
    "insert": "Inser",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}
MODIFIER_NAMES = {"shift": "Maj"}


def key_name(key: str, *, short: bool = False) -> str:
    """« Échap », « Suppr », « Pg suiv. », « F1 », « ctrl+q », « Maj+Tab », « : »; `short`:
    « ^q » for a control key (where room is short: the footers)."""
    *modifiers, base = key.split("+") if key != "+" else ["+"]
    if short and modifiers == ["ctrl"]:
        return f"^{base}"
    if base in KEY_NAMES:
        name = KEY_NAMES[base]
    elif re.fullmatch(r"f\d{1,2}", base):
        name = base.upper()
    else:
        name = format_key(base)
    return "+".join([*(MODIFIER_NAMES.get(m, m) for m in modifiers), name])


def keys_name(keys: str, separator: str = " / ") -> str:
    """Every key of a binding's key list, named: « Suppr / Retour arr. »."""
    return separator.join(key_name(k.strip()) for k in keys.split(","))
