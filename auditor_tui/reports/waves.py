"""The programme's waves (headless): coverage of the dealer directory, the network's share at
each star level, the ranking of dealers with its moves, the best progressions. Pure functions
over report rows, the directory and the plan; no clock, no UI.

Decisions (docs/export-columns.md, « Rapports »):
* A wave is the audit's own `wave`, else the calendar quarter of its call (`2027-T1`).
* Coverage reads the directory: a dealer never audited in a wave is listed, « manquant ». A wave
  with a stored plan expects its calls; a wave without one, every dealer of the directory once.
* The share at each star level is over the dealers audited in the wave (a dealer with a
  counted audit), not over the directory: a dealer not audited has no star level, and counting
  it as « not 5 stars » would mix coverage (its own figure) into quality.
* Ranking: by wave average, highest first; equal averages (to the tenth shown) share a rank and
  the next rank skips (competition ranking: 1, 1, 3). The previous rank is the dealer's in the
  previous wave that has counted audits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditor_tui.domain.labels import fold
from auditor_tui.domain.periods import Period, Quarter
from auditor_tui.domain.scoring import percent
from auditor_tui.reports.figures import latest_row, rated
from auditor_tui.reports.rows import AuditRow, wave_quarter

# Coverage status of a dealer in a wave, as the report shows it.
AUDITED = "audité"
PENDING = "en cours"
MISSING = "manquant"
UNPLANNED = "hors plan"
STATUSES = (MISSING, PENDING, AUDITED, UNPLANNED)  # the order coverage lists them in


def wave_key(wave: str) -> tuple[Quarter, str]:
    """Waves in time order: by the quarter their name gives, then by name."""
    return (wave_quarter(wave) or _period_start(wave), wave)


def _period_start(wave: str) -> Quarter:
    try:
        return Period.parse(wave).first
    except ValueError:
        return Quarter(9999, 4)  # not a period's name: after every dated wave


@dataclass(frozen=True)
class DirectoryDealer:
    """A dealer of the directory, as coverage and the network need it."""

    key: str
    name: str


@dataclass(frozen=True)
class PlanEntry:
    """One call a stored plan places (domain/plan.py): its wave, dealer (id), service and
    auditor when it says."""

    wave: str
    dealer_key: str
    service: str | None = None
    auditor: str | None = None


@dataclass(frozen=True)
class Coverage:
    wave: str
    dealer_key: str
    dealer: str
    planned: int  # calls the plan places for the dealer in the wave
    audited: int  # counted audits (complete, or unreachable once the call ended)
    pending: int  # audits begun, not counted yet (drafts, follow-up open)
    missing: int  # planned calls neither audited nor begun
    status: str  # audité | en cours | manquant | hors plan


def coverage(
    rows: Iterable[AuditRow],
    directory: Sequence[DirectoryDealer],
    waves: Iterable[str],
    plan: Mapping[str, Sequence[PlanEntry]] | None = None,
) -> list[Coverage]:
    """One line per wave and dealer of the directory (and per dealer audited outside it), by
    wave, the missing first, then by name. `rows`: the audits of the waves, counted or not;
    `plan`: the calls of each wave that has a stored plan (the others plan every dealer of the
    directory once)."""
    made: dict[tuple[str, str], list[AuditRow]] = defaultdict(list)
    names = {d.key: d.name for d in directory}
    for row in rows:
        made[(row.wave, row.dealer_key)].append(row)
        names.setdefault(row.dealer_key, row.dealer)
    plan = plan or {}
    planned: dict[tuple[str, str], int] = defaultdict(int)
    for wave in waves:
        if wave in plan:
            for call in plan[wave]:
                planned[(wave, call.dealer_key)] += 1
        else:
            for d in directory:
                planned[(wave, d.key)] = 1
    shown = {*planned, *made}
    out = []
    for wave, key in shown:
        group = made.get((wave, key), [])
        audited = sum(r.counted for r in group)
        pending = len(group) - audited
        wanted = planned.get((wave, key), 0)
        missing = max(0, wanted - audited - pending)
        status = MISSING if missing else PENDING if pending else AUDITED if wanted else UNPLANNED
        out.append(Coverage(wave, key, names[key], wanted, audited, pending, missing, status))
    out.sort(
        key=lambda c: (wave_key(c.wave), STATUSES.index(c.status), fold(c.dealer), c.dealer_key)
    )
    return out


@dataclass(frozen=True)
class DealerWave:
    dealer_key: str
    dealer: str
    wave: str
    audits: int
    average_percent: float
    stars: int


def dealer_waves(counted: Iterable[AuditRow]) -> list[DealerWave]:
    """One line per dealer and wave of counted audits, in wave order."""
    groups: dict[tuple[str, str], list[AuditRow]] = defaultdict(list)
    for row in counted:
        groups[(row.dealer_key, row.wave)].append(row)
    out = [
        DealerWave(key, latest_row(group).dealer, wave, len(group), avg, stars)
        for (key, wave), group, avg, stars in rated(groups)
    ]
    out.sort(key=lambda d: (wave_key(d.wave), fold(d.dealer), d.dealer_key))
    return out


@dataclass(frozen=True)
class NetworkWave:
    wave: str
    dealers: int  # the directory's dealers, and any dealer audited in the wave outside it
    audited: int  # dealers with a counted audit in the wave
    stars_share: Mapping[str, float]  # "5" … "1": percent of the audited dealers


def network(
    waves_of_dealers: Iterable[DealerWave], directory: Sequence[DirectoryDealer], top_stars: int
) -> list[NetworkWave]:
    by_wave: dict[str, list[DealerWave]] = defaultdict(list)
    for dw in waves_of_dealers:
        by_wave[dw.wave].append(dw)
    known = {d.key for d in directory}
    out = []
    for wave in sorted(by_wave, key=wave_key):
        items = by_wave[wave]
        levels = range(top_stars, 0, -1)
        share = {str(n): percent(sum(d.stars == n for d in items), len(items)) for n in levels}
        out.append(NetworkWave(wave, len(known | {d.dealer_key for d in items}), len(items), share))
    return out


@dataclass(frozen=True)
class RankEntry:
    wave: str
    dealer_key: str
    dealer: str
    rank: int  # 1 is the highest average; equal averages share a rank (1, 1, 3)
    average_percent: float
    stars: int
    previous_rank: int | None  # in the previous wave with counted audits; None: not ranked there
    move: int | None  # previous_rank - rank: places gained (negative: lost)


def ranking(waves_of_dealers: Iterable[DealerWave]) -> list[RankEntry]:
    """Every wave's ranking, in wave order, each best first (ties by name)."""
    by_wave: dict[str, list[DealerWave]] = defaultdict(list)
    for dw in waves_of_dealers:
        by_wave[dw.wave].append(dw)
    out: list[RankEntry] = []
    previous: dict[str, int] = {}
    for wave in sorted(by_wave, key=wave_key):
        items = sorted(by_wave[wave], key=lambda d: (-d.average_percent, fold(d.dealer)))
        ranks: dict[str, int] = {}
        for place, dw in enumerate(items, start=1):
            tied = place > 1 and dw.average_percent == items[place - 2].average_percent
            rank = ranks[items[place - 2].dealer_key] if tied else place
            ranks[dw.dealer_key] = rank
            before = previous.get(dw.dealer_key)
            move = None if before is None else before - rank
            out.append(
                RankEntry(
                    wave, dw.dealer_key, dw.dealer, rank, dw.average_percent, dw.stars, before, move
                )
            )
        previous = ranks
    return out


def progressions(entries: Iterable[RankEntry], best: int = 5) -> list[RankEntry]:
    """Per wave, the dealers that climbed most since the previous wave: the `best` first, and
    any tied with the last of them (a tie is never cut at random); most places gained first."""
    by_wave: dict[str, list[RankEntry]] = defaultdict(list)
    for entry in entries:
        if entry.move is not None and entry.move > 0:
            by_wave[entry.wave].append(entry)
    out: list[RankEntry] = []
    for wave in sorted(by_wave, key=wave_key):
        climbed = sorted(by_wave[wave], key=lambda e: (-(e.move or 0), e.rank, fold(e.dealer)))
        floor = climbed[min(best, len(climbed)) - 1].move or 0
        out.extend(e for e in climbed if (e.move or 0) >= floor)
    return out
