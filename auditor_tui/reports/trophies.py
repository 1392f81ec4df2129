"""The « Trophée de la Qualité » (headless): a year's winners and those still in the running,
and its history across years, with repeat winners and streaks. Pure functions over the dealers'
quarters (reports/figures.py).

The trophy of a year goes to the dealers at the top star level in each of its four quarters
(a quarter's stars follow the grid's `stars.quarter_rule`); a quarter without a counted audit
keeps a dealer out, listed as still in the running with the missing quarters — a dealer of the
directory not audited yet in the year too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from auditor_tui.domain.labels import fold
from auditor_tui.domain.periods import Quarter
from auditor_tui.reports.figures import DealerQuarter
from auditor_tui.reports.waves import DirectoryDealer


@dataclass(frozen=True)
class TrophyEntry:
    dealer_key: str
    dealer: str
    stars: tuple[int | None, ...]  # per quarter T1..T4, None when not audited
    missing: tuple[Quarter, ...]


@dataclass(frozen=True)
class Trophy:
    year: int | None
    top_stars: int
    candidates: tuple[TrophyEntry, ...]  # top stars in all four quarters
    in_running: tuple[TrophyEntry, ...]  # top stars in every quarter audited, some not yet


def trophy(
    quarters: Iterable[DealerQuarter],
    year: int | None,
    top_stars: int,
    directory: Sequence[DirectoryDealer] = (),
) -> Trophy:
    """The year's candidates and those still in the running; a dealer of the directory not
    audited yet this year is in the running too, its four quarters missing."""
    if year is None:
        return Trophy(None, top_stars, (), ())
    by_dealer: dict[str, dict[Quarter, DealerQuarter]] = defaultdict(dict)
    for dq in quarters:
        if dq.quarter.year == year:
            by_dealer[dq.dealer_key][dq.quarter] = dq
    candidates: list[TrophyEntry] = []
    running: list[TrophyEntry] = []
    for key, seen in by_dealer.items():
        if any(dq.stars < top_stars for dq in seen.values()):
            continue
        stars = tuple(seen[q].stars if q in seen else None for q in Quarter.all_of(year))
        missing = tuple(q for q in Quarter.all_of(year) if q not in seen)
        name = seen[max(seen)].dealer
        (running if missing else candidates).append(TrophyEntry(key, name, stars, missing))
    for d in directory:
        if d.key not in by_dealer:
            running.append(TrophyEntry(d.key, d.name, (None,) * 4, Quarter.all_of(year)))
    for entries in (candidates, running):
        entries.sort(key=lambda e: (fold(e.dealer), e.dealer_key))
    return Trophy(year, top_stars, tuple(candidates), tuple(running))


@dataclass(frozen=True)
class TrophyWinner:
    dealer_key: str
    dealer: str
    wins: int  # years won so far, this one included
    streak: int  # years won in a row, ending with this one


@dataclass(frozen=True)
class TrophyYear:
    year: int
    winners: tuple[TrophyWinner, ...]


def trophy_history(
    quarters: Iterable[DealerQuarter], top_stars: Callable[[int], int]
) -> list[TrophyYear]:
    """Every year with a rated quarter, oldest first, with its winners (by name); a winner of
    the year before continues its streak, a year without the trophy (or not audited) breaks it.
    `top_stars(year)`: the top star level of that year's grid."""
    by_year: dict[int, list[DealerQuarter]] = defaultdict(list)
    for dq in quarters:
        by_year[dq.quarter.year].append(dq)
    wins: dict[str, int] = defaultdict(int)
    streaks: dict[str, int] = {}  # of the year before: a year not audited breaks every streak
    out = []
    for year in sorted(by_year):
        if year - 1 not in by_year:
            streaks = {}
        winners = []
        for entry in trophy(by_year[year], year, top_stars(year)).candidates:
            key = entry.dealer_key
            wins[key] += 1
            winners.append(TrophyWinner(key, entry.dealer, wins[key], streaks.get(key, 0) + 1))
        streaks = {w.dealer_key: w.streak for w in winners}
        out.append(TrophyYear(year, tuple(winners)))
    return out
