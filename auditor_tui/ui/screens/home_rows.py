"""The home table's rows: one per audit, made from its summary with a folded search text, its
cells formatted only when shown (dates in French, stars only once complete), and the filter
typed above the table.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text

from auditor_tui.domain.labels import STATUS_LABELS, final_stars, fold
from auditor_tui.text.french import STAR, format_dated, percent_text, stars_text, thousands
from auditor_tui.ui.plain_text import cell

if TYPE_CHECKING:
    from auditor_tui.store.index import Summary


WIDE = 120  # from this width on, the table also shows the city and the percent
NO_VALUE = "—"

# Fixed widths, so that the narrow set fits 80 columns with the scroll bar. The date is as wide
# as its longest form, a four-letter weekday, a two-digit day and a five-letter month
# (« mer. 14 janv. 2026 10:55 »: 24), so that no month cuts its minutes.
DATE_WIDTH = len("mer. 14 janv. 2026 10:55")
COLUMNS_WIDE = (
    ("Concessionnaire", 26),
    ("Ville", 18),
    ("Date", DATE_WIDTH),
    ("Statut", 16),
    ("Score", 6),
    ("%", 7),
    ("Étoiles", 7),
)
COLUMNS_NARROW = (
    ("Concessionnaire", 16),
    ("Date", DATE_WIDTH),
    ("Statut", 16),
    ("Score", 5),
    (STAR, 5),
)


@functools.lru_cache(maxsize=4096)  # the rows shown, formatted again at each key of the filter
def format_moment(instant: str, zone: str | None = None) -> str:
    """« sam. 21 nov. 2026 14:05 », in the given zone (Paris by default)."""
    from auditor_tui.domain.instants import parse_instant  # at the first rows, not the first frame
    from auditor_tui.domain.periods import PARIS_ZONE

    return format_dated(parse_instant(instant), zone or PARIS_ZONE)


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit as the home table shows it, with its folded search text. Built for every audit
    (the filter searches them all), so its cells are computed only for the rows shown."""

    summary: Summary
    search: str

    @classmethod
    def of(cls, summary: Summary) -> AuditRow:
        return cls(summary, search_text(summary))

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def status(self) -> str:
        return self.summary.status

    @property
    def dealer(self) -> str:
        return self.summary.dealer

    @property
    def city(self) -> str:
        return self.summary.city

    @property
    def date(self) -> str:
        return format_moment(self.summary.started_at or self.summary.created_at)

    @property
    def status_label(self) -> str:
        return status_label(self.summary.status)

    @property
    def score(self) -> str:
        return f"{self.summary.points}/{self.summary.max}"

    @property
    def percent(self) -> str:
        final = self.summary.status != "draft"  # a draft's score is still running
        return percent_text(self.summary.percent) if final else NO_VALUE

    @property
    def stars(self) -> str:
        """A complete audit's stars; « — » before (labels.final_stars)."""
        stars = final_stars(self.summary.status, self.summary.stars)
        return NO_VALUE if stars is None else stars_text(stars)

    def cells(self, wide: bool) -> tuple[str, ...]:
        if wide:
            return (
                self.dealer,
                self.city,
                self.date,
                self.status_label,
                self.score,
                self.percent,
                self.stars,
            )
        return (self.dealer, self.date, self.status_label, self.score, self.stars)


def status_label(status: str) -> str:
    """« suivi en attente » for awaiting_follow_up."""
    return STATUS_LABELS.get(status, status)


def search_text(summary: Summary) -> str:
    """What the filter searches: the dealer, the city and the status, folded."""
    return fold(f"{summary.dealer} {summary.city} {status_label(summary.status)}")


def audit_rows(summaries: Iterable[Summary]) -> list[AuditRow]:
    """A row per summary, in the same order. The search texts repeat (a few dozen dealers, three
    statuses): each is folded once."""
    folded: dict[tuple[str, str, str], str] = {}
    rows = []
    for summary in summaries:
        key = (summary.dealer, summary.city, summary.status)
        search = folded.get(key)
        if search is None:
            search = folded[key] = search_text(summary)
        rows.append(AuditRow(summary, search))
    return rows


Cells = tuple[Text, ...]


def cell_texts(row: AuditRow, wide: bool) -> Cells:
    """A row's cells for the table: a dealer's name or city is shown as written (plain_text)."""
    return tuple(cell(text) for text in row.cells(wide))


def count_text(count: int) -> str:
    """« 10 000 audits », « 1 audit » (narrow no-break space between thousands)."""
    return f"{thousands(count)} audit{'s' if count > 1 else ''}"


def filter_rows(rows: Iterable[AuditRow], query: str) -> list[AuditRow]:
    """Rows whose dealer, city or status contains every term of the query (accents ignored)."""
    terms = fold(query).split()
    if not terms:
        return list(rows)
    if len(terms) == 1:
        (term,) = terms
        return [row for row in rows if term in row.search]
    return [row for row in rows if all(term in row.search for term in terms)]


def narrows(query: str, previous: str) -> bool:
    """Whether every row matching `query` also matches `previous` (each term of `previous` is
    part of a term of `query`: « lyon » after « lyo »), so that filtering the previous matches
    is enough."""
    terms = fold(query).split()
    return all(any(old in term for term in terms) for old in fold(previous).split())
