"""The words the home screen needs for its first rows (audit statuses and their French labels,
which stars an audit has, the folded form the filter compares), without the record model, the
grid or the dealer directory, which it would otherwise import before painting them
(docs/performance.md)."""

from __future__ import annotations

import unicodedata

STATUSES = ("draft", "awaiting_follow_up", "complete")
STATUS_LABELS = {
    "draft": "brouillon",
    "awaiting_follow_up": "suivi en attente",
    "complete": "terminé",
}
STATUS_COMPLETE = "complete"  # the one status whose score is final


def final_stars(status: str, stars: int) -> int | None:
    """An audit's stars — its final score's, through the grid's thresholds — exist once it is
    complete; before, none (None: « — » on screen, empty or null in exports). The home list,
    the follow-up, the reports and every export show only these; the live call adds the
    running score's, labelled « provisoire » (scoring.shown_stars)."""
    return stars if status == STATUS_COMPLETE else None


def fold(text: str) -> str:
    """Lowercase, accents stripped, typographic apostrophes made plain: the form search compares."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
