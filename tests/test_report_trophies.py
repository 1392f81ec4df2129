"""The Trophée across years (issue 14 point 6) by hand: winners per year, repeat winners and
streaks; the grid's rule for a quarter at 5 stars (the quarter's average, the default, or every
audit of the quarter), read and checked like the rest of the grid file."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor_tui.domain import grid as grid_module
from auditor_tui.domain.grid import GridError, grid_path, load_grid, parse_grid
from auditor_tui.domain.periods import Period, Quarter
from auditor_tui.domain.record import Audit
from auditor_tui.reports.figures import DealerQuarter
from auditor_tui.reports.report import build_report
from auditor_tui.reports.rows import Filters
from auditor_tui.reports.tables import tables
from auditor_tui.reports.trophies import trophy_history
from tests.test_report_waves import TWO_MISSES
from tests.test_reports import DIJON, LYON, METZ, audit

EVERY_AUDIT_GRID = "lexus-5-etoiles-2026-appel-chaque-audit"


def in_quarter(year: int, n: int, day: int = 10) -> datetime:
    return datetime(year, 3 * n - 1, day, 9, 0, tzinfo=UTC)


def test_history_by_hand_on_dealer_quarters():
    def year_of(key: str, year: int, stars: tuple[int | None, ...]) -> list[DealerQuarter]:
        return [
            DealerQuarter(key, key.title(), Quarter(year, n), 1, 0, 95.0, s)
            for n, s in enumerate(stars, start=1)
            if s is not None
        ]

    quarters = [
        *year_of("annemasse", 2019, (5, 5, 5, 5)),
        *year_of("dijon", 2019, (5, 5, 5, 5)),
        *year_of("orleans", 2019, (5, 4, 5, 5)),  # one 4★ quarter: not a winner
        *year_of("annemasse", 2020, (5, 5, 5, 5)),
        *year_of("dijon", 2020, (5, 5, 5, None)),  # T4 not audited: no trophy
        *year_of("orleans", 2020, (5, 5, 5, 5)),
        *year_of("annemasse", 2021, (5, 5, 5, 5)),
        *year_of("dijon", 2021, (5, 5, 5, 5)),
        # 2022: nobody audited. 2023: Annemasse again, its streak broken by 2022.
        *year_of("annemasse", 2023, (5, 5, 5, 5)),
    ]
    history = trophy_history(quarters, lambda year: 5)
    got = [(y.year, [(w.dealer_key, w.wins, w.streak) for w in y.winners]) for y in history]
    assert got == [
        (2019, [("annemasse", 1, 1), ("dijon", 1, 1)]),
        (2020, [("annemasse", 2, 2), ("orleans", 1, 1)]),
        (2021, [("annemasse", 3, 3), ("dijon", 2, 1)]),  # Dijon won again, not in a row
        (2023, [("annemasse", 4, 1)]),
    ]


def year_of_audits(start: int, where, year: int, stars: tuple[int | None, ...]) -> list[Audit]:
    """One audit per quarter: full marks (100.0 %, 5★), or 83.3 % (4★) where stars is 4."""
    return [
        audit(
            start + n, where, in_quarter(year, n), "Alice", changes=TWO_MISSES if s == 4 else None
        )
        for n, s in enumerate(stars, start=1)
        if s is not None
    ]


def three_years() -> list[Audit]:
    return [
        *year_of_audits(100, DIJON, 2024, (5, 5, 5, 5)),
        *year_of_audits(110, LYON, 2024, (5, 5, 5, 5)),
        *year_of_audits(120, DIJON, 2025, (5, 5, 5, 5)),
        *year_of_audits(130, LYON, 2025, (5, 5, 4, 5)),
        *year_of_audits(140, METZ, 2025, (5, 5, 5, 5)),
        *year_of_audits(150, DIJON, 2026, (5, 5, 5, 5)),
        *year_of_audits(160, LYON, 2026, (5, 5, 5, 5)),
        *year_of_audits(170, METZ, 2026, (5, 5, 5, None)),  # in the running
    ]


def test_history_from_audits_and_its_table():
    report = build_report(three_years())
    got = [
        (y.year, [(w.dealer, w.wins, w.streak) for w in y.winners]) for y in report.trophy_history
    ]
    assert got == [
        (2024, [("Lexus Dijon", 1, 1), ("Lexus Lyon", 1, 1)]),
        (2025, [("Lexus Dijon", 2, 2), ("Lexus Metz", 1, 1)]),
        (2026, [("Lexus Dijon", 3, 3), ("Lexus Lyon", 2, 1)]),
    ]
    assert report.trophy.year == 2026
    assert [e.dealer for e in report.trophy.in_running] == ["Lexus Metz"]
    table = next(t for t in tables(report) if t.name == "trophy_history")
    assert [c.key for c in table.columns] == ["year", "dealer_id", "dealer", "wins", "streak"]
    assert table.rows[-1] == (2026, "lexus-lyon", "Lexus Lyon", 2, 1)
    assert "Lauréats plusieurs fois : Lexus Dijon (3, dont 3 d'affilée), Lexus Lyon (2, dont 1" in (
        table.note
    )
    # A period shows its years; wins and streaks still count the years before.
    only = build_report(three_years(), Filters(period=Period.parse("2026")))
    assert [(y.year, y.winners[0].wins) for y in only.trophy_history] == [(2026, 3)]


@pytest.fixture
def every_audit_grid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The shipped grid, and beside it the same grid under another id whose quarters are
    rated by every audit (`stars.quarter_rule: every_audit`)."""
    folder = tmp_path / "data"
    folder.mkdir()
    shipped = grid_path("lexus-5-etoiles-2026-appel")
    shutil.copy(shipped, folder / shipped.name)
    raw = json.loads(shipped.read_text(encoding="utf-8"))
    raw["id"] = EVERY_AUDIT_GRID
    raw["stars"]["quarter_rule"] = "every_audit"
    (folder / f"grid-{EVERY_AUDIT_GRID}.json").write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setattr(grid_module, "data_dir", lambda: folder)
    load_grid.cache_clear()
    yield EVERY_AUDIT_GRID
    load_grid.cache_clear()


def test_the_quarter_rule_decides_the_trophy(every_audit_grid):
    def dijon_2026(grid_id: str) -> list[Audit]:
        audits = year_of_audits(200, DIJON, 2026, (5, 5, 5, 5))
        # A second T2 call at 83.3 %: T2's average (100.0 + 83.3) / 2 = 91.65 → 91.7 → 5★,
        # but one audit of T2 is 4★.
        audits.append(audit(210, DIJON, in_quarter(2026, 2, 20), "Alice", changes=TWO_MISSES))
        for a in audits:
            a.questionnaire = grid_id
        return audits

    by_average = build_report(dijon_2026("lexus-5-etoiles-2026-appel"))
    t2 = next(d for d in by_average.dealer_quarters if d.quarter == Quarter(2026, 2))
    assert (t2.average_percent, t2.stars) == (91.7, 5)
    assert [e.dealer for e in by_average.trophy.candidates] == ["Lexus Dijon"]
    assert by_average.quarter_rule == "average"

    by_every_audit = build_report(dijon_2026(every_audit_grid))
    t2 = next(d for d in by_every_audit.dealer_quarters if d.quarter == Quarter(2026, 2))
    assert (t2.average_percent, t2.stars) == (91.7, 4)  # the weakest audit's stars
    assert by_every_audit.trophy.candidates == ()
    assert by_every_audit.trophy_history[0].winners == ()
    assert by_every_audit.quarter_rule == "every_audit"
    network = next(t for t in tables(by_every_audit) if t.name == "network")
    assert "quand chacun de ses audits l'est" in network.note


def test_the_shipped_grid_rates_a_quarter_by_its_average():
    grid = load_grid()
    assert grid.quarter_rule == "average"
    raw = json.loads(grid_path(grid.id).read_text(encoding="utf-8"))
    assert raw["stars"]["quarter_rule"] == "average"
    del raw["stars"]["quarter_rule"]  # absent: the average too
    assert parse_grid(raw).quarter_rule == "average"


def test_a_bad_quarter_rule_names_its_field():
    raw = json.loads(grid_path("lexus-5-etoiles-2026-appel").read_text(encoding="utf-8"))
    for bad, said in (("chaque", "'chaque'"), (3, "attendu str")):
        broken = copy.deepcopy(raw)
        broken["stars"]["quarter_rule"] = bad
        with pytest.raises(GridError) as err:
            parse_grid(broken, "grille.json")
        (problem,) = err.value.problems
        assert problem.startswith("étoiles, champ 'quarter_rule'") and said in problem
        assert "grille.json" in str(err.value)
