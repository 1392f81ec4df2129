"""The words the home screen needs for its first rows (audit statuses and their French labels,
which stars an audit has, the folded form the filter compares), without the record model, the
grid or the dealer directory, which it would otherwise import before painting them
(docs/performance.md); and the grid's delays as the screens say them.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor_tui.domain.grid import Grid

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


def transfer_limit_text(grid: Grid) -> str:
    """« 45 s » (« 45,5 s »): the grid's transfer limit (Q4)."""
    from auditor_tui.text.french import number_text

    return f"{number_text(grid.transfer_limit, 'g')} s"


def email_delay_text(grid: Grid) -> str:
    """« 2 h » (« 1 h 30 », « 45 min »): the grid's delay for the e-mail (Q16)."""
    hours, minutes = divmod(round(grid.email_delay.total_seconds() / 60), 60)
    if not minutes:
        return f"{hours} h"
    return f"{hours} h {minutes:02d}" if hours else f"{minutes} min"


def callback_days_text(grid: Grid) -> str:
    """« 2 jours ouvrés » (« 1 jour ouvré »): the grid's delay for the call-back (Q17)."""
    days = grid.callback_business_days
    return f"{days} jours ouvrés" if days > 1 else f"{days} jour ouvré"
