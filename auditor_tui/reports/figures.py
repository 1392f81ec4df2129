"""Network reports (headless): per dealer and quarter, per question, per section, the « Trophée
de la Qualité », unreachable dealers and trends. Pure functions over audits; no clock, no UI.

Decisions (docs/export-columns.md, « Rapports »):
* Counted audits: `complete` ones, plus unreachable ones whose call has ended (there is no
  follow-up to wait for). Drafts and audits still awaiting their follow-up are left out:
  their unanswered questions would read as zeros.
* Quarter: from the call's start (else the first dial attempt, else the creation), in
  Europe/Paris.
* A dealer's quarter (or wave): average of its counted audits' percents (an unreachable audit
  is 0 %), rounded half-up to one decimal; its stars are the grid's thresholds applied to that
  average (not an average of stars), or, when the grid's `stars.quarter_rule` is
  `every_audit`, its weakest audit's stars.
* Questions and sections describe what happened during calls: unreachable audits are left
  out of them (they are listed on their own).
* Trophy: the top star level in each of the year's four quarters; a quarter without a counted
  audit keeps a dealer out (it is listed as still in the running, with the missing quarters).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import attrgetter, mul
from typing import Any, TypeVar

from auditor_tui.domain.grid import QUARTER_EVERY_AUDIT, Grid, load_grid
from auditor_tui.domain.labels import fold
from auditor_tui.domain.periods import Quarter
from auditor_tui.domain.scoring import OUTCOME_UNREACHABLE, percent
from auditor_tui.reports.compact import Points
from auditor_tui.reports.rows import AuditRow

K = TypeVar("K")

# ---- figures ----------------------------------------------------------------------------------


def average(values: Sequence[float]) -> float:
    """Mean of values with at most one decimal (percents, points), rounded half-up to one
    decimal as percents are (0.0 for nothing). Summed in exact tenths, never in binary."""
    if not values:
        return 0.0
    tenths = sum(map(round, map(mul, values, repeat(10))))  # round(v * 10) each, in C
    return _tenths_mean(tenths, len(values))


def weighted_average(counts: Mapping[Any, int]) -> float:
    """`average` of values given with how many times each comes (a Counter)."""
    n = sum(counts.values())
    return _tenths_mean(sum(round(v * 10) * k for v, k in counts.items()), n) if n else 0.0


def _tenths_mean(tenths: int, n: int) -> float:
    mean = Decimal(tenths) / (10 * n)
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


_CALLED = attrgetter("call_at", "id")  # in C: a group's latest row among 100,000
_GRID, _PERCENT, _OUTCOME = (
    attrgetter("questionnaire"),
    attrgetter("percent"),
    attrgetter("outcome"),
)


def latest_row(rows: Sequence[AuditRow]) -> AuditRow:
    return max(rows, key=_CALLED)


def grid_of(rows: Sequence[AuditRow]) -> Grid:
    """The grid that rates a group: the one of its latest audit (its only one, most often:
    then known without looking for the latest)."""
    grids = set(map(_GRID, rows))
    if len(grids) == 1:
        return load_grid(grids.pop())
    return load_grid(latest_row(rows).questionnaire)


def period_stars(group: Sequence[AuditRow], average_percent: float) -> int:
    """The stars of a dealer's counted audits of one quarter or wave, by the rule of the grid
    that rates the group (`Grid.quarter_rule`)."""
    grid = grid_of(group)
    if grid.quarter_rule == QUARTER_EVERY_AUDIT:
        return min(load_grid(r.questionnaire).stars_for(r.percent) for r in group)
    return grid.stars_for(average_percent)


def unreachable_count(rows: Sequence[AuditRow]) -> int:
    return list(map(_OUTCOME, rows)).count(OUTCOME_UNREACHABLE)


def _by_dealer(rows: Iterable[AuditRow]) -> dict[str, list[AuditRow]]:
    groups: dict[str, list[AuditRow]] = defaultdict(list)
    for row in rows:
        groups[row.dealer_key].append(row)
    return groups


@dataclass(frozen=True)
class DealerQuarter:
    dealer_key: str
    dealer: str
    quarter: Quarter
    audits: int
    unreachable: int
    average_percent: float
    stars: int


def rated(
    groups: Mapping[K, Sequence[AuditRow]],
) -> Iterator[tuple[K, Sequence[AuditRow], float, int]]:
    """Each group of a dealer's counted audits (of a quarter, of a wave) with its average and
    stars (`period_stars`)."""
    for key, group in groups.items():
        avg = average(list(map(_PERCENT, group)))
        yield key, group, avg, period_stars(group, avg)


def dealer_quarters(rows: Iterable[AuditRow]) -> list[DealerQuarter]:
    """One line per dealer and quarter, by dealer name then quarter."""
    groups: dict[tuple[str, Quarter], list[AuditRow]] = defaultdict(list)
    for row in rows:
        groups[(row.dealer_key, row.quarter)].append(row)
    out = [
        DealerQuarter(
            dealer_key=key,
            dealer=latest_row(group).dealer,
            quarter=quarter,
            audits=len(group),
            unreachable=unreachable_count(group),
            average_percent=avg,
            stars=stars,
        )
        for (key, quarter), group, avg, stars in rated(groups)
    ]
    out.sort(key=lambda d: (fold(d.dealer), d.dealer_key, d.quarter))
    return out


@dataclass(frozen=True)
class DealerSummary:
    dealer_key: str
    dealer: str
    city: str
    audits: int  # every audit given, counted or not
    counted: int
    unreachable: int
    average_percent: float | None  # of the counted audits
    stars: int | None
    last_call: datetime | None  # UTC, of the counted audits


def dealer_summaries(rows: Iterable[AuditRow]) -> list[DealerSummary]:
    out = []
    for key, group in _by_dealer(rows).items():
        counted = [r for r in group if r.counted]
        avg = average([r.percent for r in counted]) if counted else None
        latest = latest_row(group)
        out.append(
            DealerSummary(
                dealer_key=key,
                dealer=latest.dealer,
                city=latest.city,
                audits=len(group),
                counted=len(counted),
                unreachable=sum(not r.reached for r in counted),
                average_percent=avg,
                stars=grid_of(counted).stars_for(avg) if avg is not None else None,
                last_call=latest_row(counted).call_at if counted else None,
            )
        )
    out.sort(key=lambda d: (fold(d.dealer), d.dealer_key))
    return out


@dataclass(frozen=True)
class QuestionStat:
    question: str
    number: int
    text: str
    section: str
    audits: int  # reached audits where the question applies
    full: int  # of which with full points
    share: float | None  # percent of `audits` with full points; None when no audit applies
    average_points: float | None
    max_points: int


def question_stats(rows: Iterable[AuditRow], grid: Grid) -> list[QuestionStat]:
    """Scored questions of `grid`, weakest practice (lowest share of full points) first."""
    order = {qid: i for i, qid in enumerate(grid.question_ids)}
    # Rows answering the same questions share them (reports/compact.py): their points are
    # counted a column at a time, in C (100,000 rows of 22 questions).
    points: dict[str, Counter[int]] = defaultdict(Counter)
    full: dict[str, int] = defaultdict(int)
    for (keys, maxima), columns in _point_columns(rows, grid.id):
        for qid, maximum, column in zip(keys, maxima, columns, strict=True):
            counts = Counter(column)
            points[qid].update(counts)
            full[qid] += sum(n for got, n in counts.items() if got >= maximum)
    out = []
    for q in grid.questions():
        if not q.scored:
            continue
        counts = points[q.id]
        n = counts.total()
        out.append(
            QuestionStat(
                question=q.id,
                number=q.number,
                text=q.text,
                section=grid.section_of(q.id).title,
                audits=n,
                full=full[q.id],
                share=percent(full[q.id], n) if n else None,
                average_points=weighted_average(counts) if n else None,
                max_points=q.max_points or 0,
            )
        )
    out.sort(key=lambda s: (s.share is None, s.share or 0.0, order[s.question]))
    return out


@dataclass(frozen=True)
class SectionStat:
    section: str
    audits: int
    average_percent: float | None  # mean of each audit's section percent
    points: int
    max: int


def _point_columns(
    rows: Iterable[AuditRow], grid_id: str
) -> Iterator[tuple[tuple[tuple[str, ...], tuple[int, ...]], Iterator[tuple[int, ...]]]]:
    """The reached rows of the grid grouped by the questions they answer (and their maxima),
    each group's points a column per question."""
    groups: dict[tuple[int, int], tuple[tuple[str, ...], tuple[int, ...], list[Any]]] = {}
    for row in rows:
        if row.outcome == OUTCOME_UNREACHABLE or row.questionnaire != grid_id:
            continue
        keys, got, maxima = Points.parts(row.questions)
        group = groups.get((id(keys), id(maxima)))
        if group is None:
            group = groups[(id(keys), id(maxima))] = (keys, maxima, [])
        group[2].append(got)
    for keys, maxima, lines in groups.values():
        yield (keys, maxima), zip(*lines, strict=True)


def section_stats(rows: Iterable[AuditRow], grid: Grid) -> list[SectionStat]:
    # Rows share their sections (reports/compact.py): each distinct one is counted, then
    # taken as many times.
    seen: dict[int, tuple[tuple[tuple[str, int, int], ...], int]] = {}
    for row in rows:
        if row.outcome != OUTCOME_UNREACHABLE and row.questionnaire == grid.id:
            sections = row.sections
            known = seen.get(id(sections))
            seen[id(sections)] = (sections, known[1] + 1 if known else 1)
    scored: dict[str, Counter[tuple[int, int]]] = defaultdict(Counter)
    for sections, count in seen.values():
        for title, got, maximum in sections:
            if maximum:
                scored[title][(got, maximum)] += count
    out = []
    for section in grid.sections:
        scores = scored[section.title]
        percents: Counter[float] = Counter()
        for (got, maximum), n in scores.items():
            percents[percent(got, maximum)] += n
        out.append(
            SectionStat(
                section=section.title,
                audits=scores.total(),
                average_percent=weighted_average(percents) if scores else None,
                points=sum(p * n for (p, _m), n in scores.items()),
                max=sum(m * n for (_p, m), n in scores.items()),
            )
        )
    return out


@dataclass(frozen=True)
class UnreachableDealer:
    dealer_key: str
    dealer: str
    unreachable: int
    audits: int  # counted audits of the dealer in the period
    quarters: tuple[Quarter, ...]
    last_at: datetime  # UTC, the last unreachable audit


def unreachable_dealers(rows: Iterable[AuditRow]) -> list[UnreachableDealer]:
    """Dealers with at least one unreachable audit, the most often unreachable first."""
    out = []
    for key, group in _by_dealer(rows).items():
        missed = [r for r in group if not r.reached]
        if not missed:
            continue
        last = latest_row(missed)
        out.append(
            UnreachableDealer(
                dealer_key=key,
                dealer=last.dealer,
                unreachable=len(missed),
                audits=len(group),
                quarters=tuple(sorted({r.quarter for r in missed})),
                last_at=last.call_at,
            )
        )
    out.sort(key=lambda u: (-u.unreachable, fold(u.dealer), u.dealer_key))
    return out


@dataclass(frozen=True)
class DealerTrend:
    dealer_key: str
    dealer: str
    quarters: tuple[Quarter, ...]
    percents: tuple[float, ...]
    stars: tuple[int, ...]

    @property
    def change(self) -> float | None:
        """Last quarter's average minus the previous one's, in points of percent."""
        if len(self.percents) < 2:
            return None
        return float(Decimal(str(self.percents[-1])) - Decimal(str(self.percents[-2])))


def trends(quarters: Iterable[DealerQuarter]) -> list[DealerTrend]:
    by_dealer: dict[str, list[DealerQuarter]] = defaultdict(list)
    for dq in quarters:
        by_dealer[dq.dealer_key].append(dq)
    out = []
    for key, items in by_dealer.items():
        items.sort(key=lambda d: d.quarter)
        out.append(
            DealerTrend(
                dealer_key=key,
                dealer=items[-1].dealer,
                quarters=tuple(d.quarter for d in items),
                percents=tuple(d.average_percent for d in items),
                stars=tuple(d.stars for d in items),
            )
        )
    out.sort(key=lambda t: (fold(t.dealer), t.dealer_key))
    return out
