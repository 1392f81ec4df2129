"""Network reports (headless): per dealer and quarter, per question, per section, the « Trophée
de la Qualité », unreachable dealers and trends. Pure functions over audits; no clock, no UI.

Decisions (docs/export-columns.md, « Rapports »):
* Counted audits: `complete` ones, plus unreachable ones whose call has ended (there is no
  follow-up to wait for). Drafts and audits still awaiting their follow-up are left out:
  their unanswered questions would read as zeros.
* Quarter: from the call's start (else the first dial attempt, else the creation), in
  Europe/Paris.
* A dealer's quarter: average of its counted audits' percents (an unreachable audit is 0 %),
  rounded half-up to one decimal; its stars are the grid's thresholds applied to that
  average (not an average of stars).
* Questions and sections describe what happened during calls: unreachable audits are left
  out of them (they are listed on their own).
* Trophy: the top star level in each of the year's four quarters; a quarter without a counted
  audit keeps a dealer out (it is listed as still in the running, with the missing quarters).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from operator import mul
from typing import Any

from auditor_tui.domain.grid import Grid, load_grid
from auditor_tui.domain.labels import fold
from auditor_tui.domain.periods import Period, Quarter
from auditor_tui.domain.record import Audit
from auditor_tui.domain.scoring import percent
from auditor_tui.reports.rows import AuditRow, Filters, row_of

# ---- figures ----------------------------------------------------------------------------------


def average(values: Sequence[float]) -> float:
    """Mean of values with at most one decimal (percents, points), rounded half-up to one
    decimal as percents are (0.0 for nothing). Summed in exact tenths, never in binary."""
    if not values:
        return 0.0
    tenths = sum(map(round, map(mul, values, repeat(10))))  # round(v * 10) each, in C
    mean = Decimal(tenths) / (10 * len(values))
    return float(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _latest(rows: Sequence[AuditRow]) -> AuditRow:
    return max(rows, key=lambda r: (r.call_at, r.id))


def _grid_of(rows: Sequence[AuditRow]) -> Grid:
    """The grid that rates a group: the one of its latest audit."""
    return load_grid(_latest(rows).questionnaire)


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


def dealer_quarters(rows: Iterable[AuditRow]) -> list[DealerQuarter]:
    """One line per dealer and quarter, by dealer name then quarter."""
    groups: dict[tuple[str, Quarter], list[AuditRow]] = defaultdict(list)
    for row in rows:
        groups[(row.dealer_key, row.quarter)].append(row)
    out = []
    for (key, quarter), group in groups.items():
        avg = average([r.percent for r in group])
        out.append(
            DealerQuarter(
                dealer_key=key,
                dealer=_latest(group).dealer,
                quarter=quarter,
                audits=len(group),
                unreachable=sum(not r.reached for r in group),
                average_percent=avg,
                stars=_grid_of(group).stars_for(avg),
            )
        )
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
        latest = _latest(group)
        out.append(
            DealerSummary(
                dealer_key=key,
                dealer=latest.dealer,
                city=latest.city,
                audits=len(group),
                counted=len(counted),
                unreachable=sum(not r.reached for r in counted),
                average_percent=avg,
                stars=_grid_of(counted).stars_for(avg) if avg is not None else None,
                last_call=_latest(counted).call_at if counted else None,
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
    reached = [r for r in rows if r.reached and r.questionnaire == grid.id]
    order = {qid: i for i, qid in enumerate(grid.question_ids)}
    points: dict[str, list[int]] = defaultdict(list)  # one pass over the audits
    full: dict[str, int] = defaultdict(int)
    for row in reached:
        for qid, (got, maximum) in row.questions.items():
            points[qid].append(got)
            full[qid] += got >= maximum
    out = []
    for q in grid.questions():
        if not q.scored:
            continue
        n = len(points[q.id])
        out.append(
            QuestionStat(
                question=q.id,
                number=q.number,
                text=q.text,
                section=grid.section_of(q.id).title,
                audits=n,
                full=full[q.id],
                share=percent(full[q.id], n) if n else None,
                average_points=average(points[q.id]) if n else None,
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


def section_stats(rows: Iterable[AuditRow], grid: Grid) -> list[SectionStat]:
    scored: dict[str, list[tuple[int, int]]] = defaultdict(list)  # one pass over the audits
    for row in rows:
        if row.reached and row.questionnaire == grid.id:
            for title, got, maximum in row.sections:
                if maximum:
                    scored[title].append((got, maximum))
    out = []
    for section in grid.sections:
        scores = scored[section.title]
        out.append(
            SectionStat(
                section=section.title,
                audits=len(scores),
                average_percent=average([percent(p, m) for p, m in scores]) if scores else None,
                points=sum(p for p, _ in scores),
                max=sum(m for _, m in scores),
            )
        )
    return out


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


def trophy(quarters: Iterable[DealerQuarter], year: int | None, top_stars: int) -> Trophy:
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
    for entries in (candidates, running):
        entries.sort(key=lambda e: (fold(e.dealer), e.dealer_key))
    return Trophy(year, top_stars, tuple(candidates), tuple(running))


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
        last = _latest(missed)
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


# ---- the whole report ---------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkReport:
    filters: Filters
    grid_id: str | None
    counted: int  # audits counted in the figures (filters applied)
    left_out: int  # audits matching the filters but not counted (drafts, follow-up pending)
    dealer_quarters: tuple[DealerQuarter, ...]
    questions: tuple[QuestionStat, ...]
    sections: tuple[SectionStat, ...]
    trophy: Trophy
    unreachable: tuple[UnreachableDealer, ...]
    trends: tuple[DealerTrend, ...]

    def to_dict(self) -> dict[str, Any]:
        """The report for machines (`report --format json`): every figure, plain JSON."""
        plain = _plain(self)
        assert isinstance(plain, dict)
        return {"schema": REPORT_SCHEMA, **plain}


REPORT_SCHEMA = "auditor-tui/report/v1"


def _plain(value: Any) -> Any:
    """JSON-ready form: quarters and periods as text, instants as ISO 8601 UTC."""
    if isinstance(value, (Quarter, Period)):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, DealerTrend):
            out["change"] = value.change
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def build_report(
    audits: Iterable[Audit] | Iterable[AuditRow], filters: Filters | None = None
) -> NetworkReport:
    """Every figure of the network report, for the audits the filters keep.

    The trophy looks at the whole year of the period (its last year; without a period, the
    latest year audited), whatever quarters the period itself covers.
    """
    filters = filters or Filters()
    rows = [a if isinstance(a, AuditRow) else row_of(a) for a in audits]
    matching = [r for r in rows if filters.keeps(r, period=False)]
    counted_all = [r for r in matching if r.counted]
    in_period = [r for r in matching if filters.period is None or r.quarter in filters.period]
    counted = [r for r in in_period if r.counted]
    quarters = dealer_quarters(counted)
    grid = _grid_of(counted) if counted else None
    if filters.period is not None:
        year: int | None = filters.period.last.year
    else:
        year = max((r.quarter.year for r in counted_all), default=None)
    year_rows = [r for r in counted_all if year is not None and r.quarter.year == year]
    top = (_grid_of(year_rows) if year_rows else load_grid()).stars[0].stars
    return NetworkReport(
        filters=filters,
        grid_id=grid.id if grid else None,
        counted=len(counted),
        left_out=len(in_period) - len(counted),
        dealer_quarters=tuple(quarters),
        questions=tuple(question_stats(counted, grid)) if grid else (),
        sections=tuple(section_stats(counted, grid)) if grid else (),
        trophy=trophy(dealer_quarters(year_rows), year, top),
        unreachable=tuple(unreachable_dealers(counted)),
        trends=tuple(trends(quarters)),
    )
