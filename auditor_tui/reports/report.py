"""The whole network report (`build_report`): every figure of reports/figures.py, waves.py,
trophies.py and verbatims.py for the audits the filters keep, and its JSON form.

Which filters apply where (docs/export-columns.md, « Rapports »): the period chooses the
quarters and waves shown; the trophy looks at the whole year of the period, its history at
every year; the network and the ranking are the whole network's (`--dealer` picks lines of the
ranking, the ranks stay the network's), and a ranking's previous rank is read even when the
previous wave is outside the period.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from typing import Any

from auditor_tui.domain.grid import QUARTER_AVERAGE, Grid, load_grid
from auditor_tui.domain.periods import Period, Quarter
from auditor_tui.domain.record import Audit
from auditor_tui.reports.figures import (
    DealerQuarter,
    DealerTrend,
    QuestionStat,
    SectionStat,
    UnreachableDealer,
    dealer_quarters,
    grid_of,
    question_stats,
    section_stats,
    trends,
    unreachable_dealers,
)
from auditor_tui.reports.rows import AuditRow, Filters, row_of
from auditor_tui.reports.trophies import Trophy, TrophyYear, trophy, trophy_history
from auditor_tui.reports.verbatims import Verbatim, verbatims
from auditor_tui.reports.waves import (
    Coverage,
    DirectoryDealer,
    NetworkWave,
    PlanEntry,
    RankEntry,
    coverage,
    dealer_waves,
    network,
    progressions,
    ranking,
    wave_key,
)

REPORT_SCHEMA = "auditor-tui/report/v1"


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
    coverage: tuple[Coverage, ...] = ()
    network: tuple[NetworkWave, ...] = ()
    ranking: tuple[RankEntry, ...] = ()
    progressions: tuple[RankEntry, ...] = ()
    trophy_history: tuple[TrophyYear, ...] = ()
    verbatims: tuple[Verbatim, ...] = ()
    pseudonymised: bool = False  # the verbatims were left out
    quarter_rule: str = QUARTER_AVERAGE  # of the grid rating the trophy's year

    def to_dict(self, table: str | None = None) -> dict[str, Any]:
        """The report for machines (`report --format json`), plain JSON: what it counted, then
        every figure but the verbatims (tens of thousands of notes at ten thousand audits), or
        the one `table` names (`--table`: a table's name, as for CSV)."""
        wanted = set(FIGURES) - {"verbatims"} if table is None else {FIELD_OF.get(table, table)}
        head = {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name in HEAD}
        figures = {k: _plain(getattr(self, k)) for k in FIGURES if k in wanted}
        return {"schema": REPORT_SCHEMA, **head, **figures}


# The JSON's head (what was counted, how), then its figures in order; a table's field where
# its name differs (`--table dealers` is the dealers by quarter).
HEAD = ("filters", "grid_id", "counted", "left_out", "pseudonymised", "quarter_rule")
# The programme's figures (issue 14), their tables' names too (reports/wave_tables.py).
PROGRAMME_FIGURES = (
    "coverage",
    "network",
    "ranking",
    "progressions",
    "trophy_history",
    "verbatims",
)
FIGURES = (
    "dealer_quarters",
    "questions",
    "sections",
    "trophy",
    "unreachable",
    "trends",
    *PROGRAMME_FIGURES,
)
FIELD_OF = {"dealers": "dealer_quarters"}


def json_value(value: Any) -> Any:
    """A figure's (or a verbatim's) JSON-ready form, as in `NetworkReport.to_dict`."""
    return _plain(value)


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


def _rating_grid(rows: Sequence[AuditRow]) -> Grid:
    return grid_of(rows) if rows else load_grid()


def build_report(
    audits: Iterable[Audit] | Iterable[AuditRow],
    filters: Filters | None = None,
    directory: Sequence[DirectoryDealer] = (),
    plan: Mapping[str, Sequence[PlanEntry]] | None = None,
    *,
    pseudonymise: bool = False,
    with_verbatims: bool = True,
) -> NetworkReport:
    """Every figure of the network report, for the audits the filters keep.

    `directory`: the dealer directory (coverage lists its dealers never audited; the network
    counts them). `plan`: the calls of each wave that has a stored plan; a wave without one
    plans every dealer of the directory once. `pseudonymise`: the verbatims are left out;
    `with_verbatims=False`: not gathered either (an output that does not show them: tens of
    thousands of notes at ten thousand audits).
    """
    filters = filters or Filters()
    period = filters.period
    rows = [a if isinstance(a, AuditRow) else row_of(a) for a in audits]
    matching = _kept(rows, dataclasses.replace(filters, period=None))
    counted_all = [r for r in matching if r.counted]
    in_period = [r for r in matching if period is None or r.quarter in period]
    counted = [r for r in in_period if r.counted]
    quarters = dealer_quarters(counted)
    all_quarters = quarters if period is None else dealer_quarters(counted_all)  # same rows
    grid = grid_of(counted) if counted else None
    if period is not None:
        year: int | None = period.last.year
    else:
        year = max((r.quarter.year for r in counted_all), default=None)
    year_grid = _rating_grid([r for r in counted_all if r.quarter.year == year])
    top = year_grid.top_stars

    # The network and the ranking: every dealer, whatever --dealer (it picks lines only).
    network_filters = Filters(None, None, filters.auditor, filters.service)
    network_rows = [r for r in _kept(rows, network_filters) if r.counted]
    waves_all = dealer_waves(network_rows)
    in_waves = [d for d in waves_all if period is None or _in(d.wave, period)]
    ranked = [
        e
        for e in ranking(waves_all)
        if (period is None or _in(e.wave, period)) and filters.keeps_dealer(e.dealer, e.dealer_key)
    ]
    # Coverage: the waves any dealer was called in (or the period names), every dealer listed.
    whole = Filters(period, None, filters.auditor, filters.service)
    shown_waves = {r.wave for r in _kept(rows, whole)}
    if period is not None:
        shown_waves.update(str(q) for q in _quarters(period))
    listed = [d for d in directory if filters.keeps_dealer(d.name, d.key)]
    names = {d.key: d.name for d in directory}
    plan_shown = {
        wave: [c for c in calls if _planned(c, filters, names.get(c.dealer_key, ""))]
        for wave, calls in (plan or {}).items()
        if period is None or _in(wave, period)
    }
    shown_waves.update(plan_shown)
    history = trophy_history(
        all_quarters,
        lambda y: _rating_grid([r for r in counted_all if r.quarter.year == y]).top_stars,
    )
    return NetworkReport(
        filters=filters,
        grid_id=grid.id if grid else None,
        counted=len(counted),
        left_out=len(in_period) - len(counted),
        dealer_quarters=tuple(quarters),
        questions=tuple(question_stats(counted, grid)) if grid else (),
        sections=tuple(section_stats(counted, grid)) if grid else (),
        trophy=trophy(all_quarters, year, top, listed),
        unreachable=tuple(unreachable_dealers(counted)),
        trends=tuple(trends(quarters)),
        coverage=tuple(coverage(in_period, listed, sorted(shown_waves, key=wave_key), plan_shown)),
        network=tuple(network(in_waves, directory, top)),
        ranking=tuple(ranked),
        progressions=tuple(progressions(ranked)),
        trophy_history=tuple(
            y for y in history if period is None or period.first.year <= y.year <= period.last.year
        ),
        verbatims=tuple(verbatims(in_period)) if with_verbatims and not pseudonymise else (),
        pseudonymised=pseudonymise,
        quarter_rule=year_grid.quarter_rule,
    )


def _kept(rows: list[AuditRow], filters: Filters) -> list[AuditRow]:
    """The rows the filters keep: every one, at once, when they filter nothing."""
    if filters == Filters():
        return rows
    return [r for r in rows if filters.keeps(r)]


def _in(wave: str, period: Period) -> bool:
    return wave_key(wave)[0] in period


def _quarters(period: Period) -> list[Quarter]:
    out, q = [], period.first
    while q <= period.last:
        out.append(q)
        q = Quarter(q.year + q.number // 4, q.number % 4 + 1)
    return out


def _planned(call: PlanEntry, filters: Filters, name: str) -> bool:
    """A planned call kept by the filters: its dealer, service and auditor those asked (a call
    the plan gives no service or auditor is kept)."""
    if not filters.keeps_dealer(name, call.dealer_key):
        return False
    if filters.service and call.service not in (None, filters.service):
        return False
    return not (filters.auditor and call.auditor and not filters.keeps_auditor(call.auditor))
