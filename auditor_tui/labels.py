"""The words the home screen needs for its first rows (audit statuses and their French labels,
the folded form the filter compares), without the record model or the dealer directory, which
it would otherwise import before painting them (docs/performance.md)."""

from __future__ import annotations

import unicodedata

STATUSES = ("draft", "awaiting_follow_up", "complete")
STATUS_LABELS = {
    "draft": "brouillon",
    "awaiting_follow_up": "suivi en attente",
    "complete": "terminé",
}


def fold(text: str) -> str:
    """Lowercase, accents stripped, typographic apostrophes made plain: the form search compares."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
