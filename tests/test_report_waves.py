"""The programme's figures by hand (issue 14 points 4-5): coverage of the directory, the network's
share at each star level, the ranking with ties and moves, the best progressions."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.domain.periods import Period
from auditor_tui.domain.record import Audit
from auditor_tui.reports.report import build_report
from auditor_tui.reports.rows import Filters
from auditor_tui.reports.tables import tables, write_csv
from auditor_tui.reports.waves import (
    DealerWave,
    DirectoryDealer,
    PlanEntry,
    progressions,
    ranking,
)
from auditor_tui.store import Store
from auditor_tui.text.safe_text import formula_unguard
from tests.test_exchange_roundtrip import TEXT
from tests.test_reports import DIJON, LYON, METZ, NICE, audit, day, dealer

PAU = dealer("Lexus Pau", "64", "+33465710303")
DIRECTORY = [DirectoryDealer(d.id or "", d.name) for d in (DIJON, LYON, METZ, NICE, PAU)]

# Percents of a transferred call (max 30), by the grid:
NO_EMAIL = {"16": [2]}  # Q16 « Non »: 0 of 2 → 28/30 = 93.3 %
THREE_TRIES = {"1": [3]}  # Q1 « 3 tentatives »: -1 instead of 1 → 28/30 = 93.3 %
NO_GREETING = {"3": [4]}  # Q3 « Non »: 0 of 3 → 27/30 = 90.0 %
FEW_QUESTIONS = {"11": [2]}  # Q11: 1 of 2 → 29/30 = 96.7 %
TWO_MISSES = {"3": [4], "16": [2]}  # 25/30 = 83.3 %


def with_directory(store: Store) -> Store:
    """The store, its directory the five dealers of DIRECTORY."""
    store.replace_dealers(
        {
            "id": d.id,
            "name": d.name,
            "city": d.city,
            "department": d.department,
            "country": d.country,
            "phone": d.phone,
        }
        for d in (DIJON, LYON, METZ, NICE, PAU)
    )
    return store


def programme(a: Audit, *, service: str | None = None, wave: str | None = None) -> Audit:
    """The audit's service and wave, as the record carries them."""
    a.service, a.wave = service, wave
    return a


def two_waves() -> list[Audit]:
    return [
        # 2026-T1: Dijon 100.0, Lyon 93.3, Metz 93.3, Nice 83.3; Pau not called.
        audit(1, DIJON, day(2, 10), "Alice"),
        audit(2, LYON, day(2, 11), "Bob", changes=NO_EMAIL),
        audit(3, METZ, day(2, 12), "Alice", changes=THREE_TRIES),
        audit(4, NICE, day(3, 2), "Bob", changes=TWO_MISSES),
        # 2026-T2: Dijon 90.0, Lyon 100.0, Metz 96.7, Nice 100.0; Pau begun (a draft).
        audit(5, DIJON, day(5, 10), "Alice", changes=NO_GREETING),
        audit(6, LYON, day(5, 11), "Bob"),
        audit(7, METZ, day(5, 12), "Alice", changes=FEW_QUESTIONS),
        audit(8, NICE, day(6, 2), "Bob"),
        audit(9, PAU, day(6, 3), "Alice", status="draft"),
    ]


def test_coverage_lists_every_dealer_of_the_directory():
    report = build_report(two_waves(), directory=DIRECTORY)
    got = [
        (c.wave, c.dealer, c.status, c.planned, c.audited, c.pending, c.missing)
        for c in report.coverage
    ]
    assert got == [
        # Without a stored plan, each dealer of the directory is planned once per wave; the
        # missing first, then by name.
        ("2026-T1", "Lexus Pau", "manquant", 1, 0, 0, 1),  # never audited: listed all the same
        ("2026-T1", "Lexus Dijon", "audité", 1, 1, 0, 0),
        ("2026-T1", "Lexus Lyon", "audité", 1, 1, 0, 0),
        ("2026-T1", "Lexus Metz", "audité", 1, 1, 0, 0),
        ("2026-T1", "Lexus Nice", "audité", 1, 1, 0, 0),
        ("2026-T2", "Lexus Pau", "en cours", 1, 0, 1, 0),  # the draft
        ("2026-T2", "Lexus Dijon", "audité", 1, 1, 0, 0),
        ("2026-T2", "Lexus Lyon", "audité", 1, 1, 0, 0),
        ("2026-T2", "Lexus Metz", "audité", 1, 1, 0, 0),
        ("2026-T2", "Lexus Nice", "audité", 1, 1, 0, 0),
    ]
    # A period names its waves, audited or not: 2026-T3 has no audit yet, all five missing.
    t3 = build_report(two_waves(), Filters(period=Period.parse("2026-T3")), DIRECTORY)
    assert {(c.wave, c.status) for c in t3.coverage} == {("2026-T3", "manquant")}
    assert len(t3.coverage) == 5
    # The dealer filter keeps its lines only.
    pau = build_report(two_waves(), Filters(dealer="pau"), DIRECTORY)
    assert [(c.wave, c.status) for c in pau.coverage] == [
        ("2026-T1", "manquant"),
        ("2026-T2", "en cours"),
    ]


def test_coverage_follows_a_stored_plan_and_names_dealers_outside_it():
    outsider = dealer("Lexus Brest", "29", "+33353012003")
    audits = [*two_waves()[:4], audit(20, outsider, day(3, 5), "Alice")]
    plan = {
        "2026-T1": [
            PlanEntry("2026-T1", "lexus-dijon", "VN", "Alice"),
            PlanEntry("2026-T1", "lexus-dijon", "APV", "Alice"),  # two calls for Dijon
            PlanEntry("2026-T1", "lexus-pau", "VO", "Bob"),
        ]
    }
    report = build_report(audits, directory=DIRECTORY, plan=plan)
    got = {c.dealer: (c.status, c.planned, c.audited, c.missing) for c in report.coverage}
    assert got == {
        "Lexus Dijon": ("manquant", 2, 1, 1),  # one of its two calls made
        "Lexus Pau": ("manquant", 1, 0, 1),
        "Lexus Lyon": ("hors plan", 0, 1, 0),  # audited, the plan did not ask
        "Lexus Metz": ("hors plan", 0, 1, 0),
        "Lexus Nice": ("hors plan", 0, 1, 0),
        "Lexus Brest": ("hors plan", 0, 1, 0),  # not even in the directory
    }
    # By service: the plan's VO call only (the audits carry no service: none is kept).
    vo = build_report(audits, Filters(service="VO"), DIRECTORY, plan)
    assert [(c.dealer, c.planned, c.audited) for c in vo.coverage] == [("Lexus Pau", 1, 0)]


def test_network_share_is_over_the_dealers_audited():
    report = build_report(two_waves(), directory=DIRECTORY)
    t1, t2 = report.network
    # T1: four of the five dealers audited; 5★: Dijon 100.0, Lyon 93.3, Metz 93.3 → 3 of 4 =
    # 75.0 %; 4★: Nice 83.3 → 1 of 4 = 25.0 %.
    assert (t1.wave, t1.dealers, t1.audited) == ("2026-T1", 5, 4)
    assert t1.stars_share == {"5": 75.0, "4": 25.0, "3": 0.0, "2": 0.0, "1": 0.0}
    # T2: the draft is not counted: four audited, every one ≥ 90.0 % → 5★ for all.
    assert (t2.wave, t2.dealers, t2.audited) == ("2026-T2", 5, 4)
    assert t2.stars_share["5"] == 100.0
    # Three of seven: 42.9 % (3/7 = 42.857…, rounded to one decimal).
    sevens = [
        audit(
            30 + n,
            dealer(f"Lexus N{n}", "21", f"+3335301200{n}"),
            day(8, 3),
            "Bob",
            changes={} if n < 3 else TWO_MISSES,
        )
        for n in range(7)
    ]
    (t3,) = build_report(sevens).network
    assert (t3.dealers, t3.audited, t3.stars_share["5"], t3.stars_share["4"]) == (7, 7, 42.9, 57.1)


def test_ranking_ties_share_a_rank_and_moves_follow():
    report = build_report(two_waves(), directory=DIRECTORY)
    got = [
        (e.wave, e.rank, e.dealer, e.average_percent, e.previous_rank, e.move)
        for e in report.ranking
    ]
    assert got == [
        # T1: Lyon and Metz both 93.3: rank 2 both, Nice is 4th (competition ranking 1, 2, 2, 4).
        ("2026-T1", 1, "Lexus Dijon", 100.0, None, None),
        ("2026-T1", 2, "Lexus Lyon", 93.3, None, None),
        ("2026-T1", 2, "Lexus Metz", 93.3, None, None),
        ("2026-T1", 4, "Lexus Nice", 83.3, None, None),
        # T2: Lyon and Nice 100.0 share the first rank; Metz 3rd; Dijon 4th.
        ("2026-T2", 1, "Lexus Lyon", 100.0, 2, 1),
        ("2026-T2", 1, "Lexus Nice", 100.0, 4, 3),
        ("2026-T2", 3, "Lexus Metz", 96.7, 2, -1),
        ("2026-T2", 4, "Lexus Dijon", 90.0, 1, -3),
    ]
    # Best progressions: Nice +3, Lyon +1.
    assert [(e.dealer, e.move) for e in report.progressions] == [
        ("Lexus Nice", 3),
        ("Lexus Lyon", 1),
    ]
    # A period shows its waves; the previous rank still comes from the wave before it; the
    # dealer filter picks lines, the ranks stay the network's.
    t2_nice = build_report(two_waves(), Filters(period=Period.parse("2026-T2"), dealer="nice"))
    assert [(e.rank, e.previous_rank) for e in t2_nice.ranking] == [(1, 4)]


def test_ranking_by_hand_on_wave_averages():
    def dw(key: str, wave: str, avg: float) -> DealerWave:
        return DealerWave(key, key.title(), wave, 1, avg, 5)

    waves = [
        dw("a", "2027-T1", 95.0),
        dw("b", "2027-T1", 95.0),
        dw("c", "2027-T1", 95.0),
        dw("d", "2027-T1", 80.0),
        dw("e", "2027-T1", 70.0),
        # T2: e climbs 5 → 1, d 4 → 2 (tied with c, 1 → 2), a and b drop to 4, 4.
        dw("e", "2027-T2", 99.0),
        dw("d", "2027-T2", 90.0),
        dw("c", "2027-T2", 90.0),
        dw("a", "2027-T2", 85.0),
        dw("b", "2027-T2", 85.0),
        dw("f", "2027-T2", 10.0),
    ]
    entries = ranking(waves)
    t1 = [(e.dealer_key, e.rank) for e in entries if e.wave == "2027-T1"]
    assert t1 == [("a", 1), ("b", 1), ("c", 1), ("d", 4), ("e", 5)]
    t2 = [(e.dealer_key, e.rank, e.previous_rank, e.move) for e in entries if e.wave == "2027-T2"]
    assert t2 == [
        ("e", 1, 5, 4),
        ("c", 2, 1, -1),
        ("d", 2, 4, 2),
        ("a", 4, 1, -3),
        ("b", 4, 1, -3),
        ("f", 6, None, None),  # not ranked in T1
    ]
    assert [(e.dealer_key, e.move) for e in progressions(entries)] == [("e", 4), ("d", 2)]
    # The best one only, and the ties of the last one kept: a tie is never cut at random.
    many = [dw(k, "2027-T1", 50.0 + n) for n, k in enumerate("pqr")] + [
        dw(k, "2027-T2", 90.0 - n) for n, k in enumerate("pqr")
    ]  # T1: r 1, q 2, p 3 → T2: p 1 (+2), q 2 (=), r 3 (-2)
    assert [(e.dealer_key, e.move) for e in progressions(ranking(many), best=1)] == [("p", 2)]
    tied = [dw(k, "2027-T1", 50.0) for k in "xy"] + [dw("z", "2027-T1", 60.0)]
    tied += [dw(k, "2027-T2", 70.0) for k in "xy"] + [dw("z", "2027-T2", 10.0)]
    # T1: z 1, x 2, y 2 → T2: x 1, y 1 (+1 each), z 3.
    assert [(e.dealer_key, e.move) for e in progressions(ranking(tied), best=1)] == [
        ("x", 1),
        ("y", 1),
    ]


def test_the_wave_of_the_record_wins_over_the_call_date():
    # Called on 2 April (T2 by the calendar) but planned in the wave 2026-T1.
    late = programme(audit(40, PAU, day(4, 2), "Alice"), wave="2026-T1", service="APV")
    report = build_report([*two_waves()[:4], late], directory=DIRECTORY)
    assert [c.status for c in report.coverage if c.dealer == "Lexus Pau"] == ["audité"]
    assert report.network[0].audited == 5
    assert [str(d.quarter) for d in report.dealer_quarters if d.dealer == "Lexus Pau"] == [
        "2026-T1"
    ]
    apv = build_report([*two_waves()[:4], late], Filters(service="APV"))
    assert apv.counted == 1 and [e.dealer for e in apv.ranking] == ["Lexus Pau"]


def test_cli_report_json_and_csv(tmp_path, capsys):
    db = tmp_path / "s"
    with with_directory(Store.open(db)) as store:
        store.put_many(two_waves())
    assert main(["--db", str(db), "report", "--format", "json", "--period", "2026-T2"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["coverage"][0] == {
        "wave": "2026-T2",
        "dealer_key": "lexus-pau",
        "dealer": "Lexus Pau",
        "planned": 1,
        "audited": 0,
        "pending": 1,
        "missing": 0,
        "status": "en cours",
    }
    assert data["network"] == [
        {
            "wave": "2026-T2",
            "dealers": 5,
            "audited": 4,
            "stars_share": {"5": 100.0, "4": 0.0, "3": 0.0, "2": 0.0, "1": 0.0},
        }
    ]
    assert data["ranking"][1] == {
        "wave": "2026-T2",
        "dealer_key": "lexus-nice",
        "dealer": "Lexus Nice",
        "rank": 1,
        "average_percent": 100.0,
        "stars": 5,
        "previous_rank": 4,
        "move": 3,
    }
    argv = [
        "--db",
        str(db),
        "report",
        "--format",
        "csv",
        "--table",
        "ranking",
        "--period",
        "2026-T1",
    ]
    assert main(argv) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        "wave,rank,dealer_id,dealer,average_percent,stars,previous_rank,move",
        "2026-T1,1,lexus-dijon,Lexus Dijon,100.0,5,,",
        "2026-T1,2,lexus-lyon,Lexus Lyon,93.3,5,,",
        "2026-T1,2,lexus-metz,Lexus Metz,93.3,5,,",
        "2026-T1,4,lexus-nice,Lexus Nice,83.3,4,,",
    ]
    assert main(["--db", str(db), "report", "--table", "network", "--period", "2026-T1"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "75,0 %" in out and "25,0 %" in out and "concessions auditées" in out


def test_coverage_reads_the_stored_plan_of_its_wave(tmp_path, capsys):
    db = str(tmp_path / "s")
    assert main(["--db", db, "dealers", "import", "--sample"]) == EXIT_OK
    assert main(["--db", db, "import", "--sample"]) == EXIT_OK
    argv = ["--db", db, "plan", "--wave", "2026-T4", "--calls-per-dealer", "2", "--auditor", "A"]
    assert main(argv) == EXIT_OK
    capsys.readouterr()
    assert main(["--db", db, "plan", "--wave", "2026-T4", "--show", "--format", "json"]) == EXIT_OK
    calls = json.loads(capsys.readouterr().out)["calls"]
    assert main(["--db", db, "report", "--format", "json", "--period", "2026-T3..T4"]) == EXIT_OK
    coverage = json.loads(capsys.readouterr().out)["coverage"]
    t3 = [c for c in coverage if c["wave"] == "2026-T3"]
    t4 = [c for c in coverage if c["wave"] == "2026-T4"]
    # T3 has no stored plan: the 41 dealers of the directory once each.
    assert len(t3) == 41 and {c["planned"] for c in t3} == {1}
    # T4 follows its plan: two calls for each of the 41 dealers; Bordeaux and Dijon audited
    # once in T4 (the sample), one call still to make each.
    assert len(t4) == 41 and sum(c["planned"] for c in t4) == len(calls) == 82
    assert {c["dealer"]: c["missing"] for c in t4 if c["audited"]} == {
        "Lexus Bordeaux": 1,
        "Lexus Dijon": 1,
    }
    # By service: the plan's VN calls only.
    vn = sum(c["service"] == "VN" for c in calls)
    assert (
        main(["--db", db, "report", "--format", "json", "--period", "2026-T4", "--service", "VN"])
        == 0
    )
    by_service = json.loads(capsys.readouterr().out)["coverage"]
    assert sum(c["planned"] for c in by_service) == vn and 0 < vn < 82


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TEXT.filter(str.strip), min_size=1, max_size=4, unique=True))
def test_every_directory_name_comes_back_identical_from_coverage(names: list[str]):
    directory = [DirectoryDealer(f"d{n}", name) for n, name in enumerate(names)]
    report = build_report([], Filters(period=Period.parse("2027-T1")), directory)
    buffer = io.StringIO()
    write_csv(next(t for t in tables(report) if t.name == "coverage"), buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue(), newline="")))
    assert sorted(formula_unguard(r["dealer"]) for r in rows) == sorted(names)
    assert {formula_unguard(r["dealer_id"]) for r in rows} == {d.key for d in directory}
    data = json.loads(json.dumps(report.to_dict("coverage")))
    assert sorted(c["dealer"] for c in data["coverage"]) == sorted(names)
    assert {c["status"] for c in data["coverage"]} == {"manquant"}
