"""Network report figures on a small set, computed by hand (the computations are in comments)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.domain.lifecycle import complete, end_call
from auditor_tui.domain.periods import Period, Quarter
from auditor_tui.domain.record import Audit, DealerRef, format_instant
from auditor_tui.reports.figures import DealerQuarter, average
from auditor_tui.reports.report import build_report
from auditor_tui.reports.rows import Filters
from auditor_tui.reports.tables import display, tables
from auditor_tui.reports.trophies import trophy
from auditor_tui.store import Store
from tests.factories import GRID, best_answers


def dealer(name: str, dep: str, phone: str) -> DealerRef:
    return DealerRef(name, "FR", dep, phone, name.lower().replace(" ", "-"), name[6:])


DIJON = dealer("Lexus Dijon", "21", "+33353012001")
LYON = dealer("Lexus Lyon", "69", "+33465710101")
METZ = dealer("Lexus Metz", "57", "+33353012002")
NICE = dealer("Lexus Nice", "06", "+33465710202")


def audit(
    seq: int,
    where: DealerRef,
    when: datetime,
    auditor: str,
    *,
    transferred: bool = True,
    changes: dict[str, list[int]] | None = None,
    unreachable: bool = False,
    status: str = "complete",
) -> Audit:
    a = Audit.new(where, GRID, when, auditor=auditor)
    a.id = str(uuid.UUID(int=seq))
    a.call.attempts = [format_instant(when)]
    a.call.started_at = format_instant(when)
    a.call.transferred = transferred and not unreachable
    if unreachable:
        a.answers = {"1": [4]}
    else:
        a.answers = {**best_answers(transferred), **(changes or {})}
        a.follow_up.callback_at = format_instant(when + timedelta(days=1))
        a.follow_up.callback_method = "phone"
    if status == "draft":
        return a
    end_call(a, when + timedelta(minutes=10))
    if status == "complete":
        complete(a)
    return a


def day(month: int, d: int, hour: int = 9) -> datetime:
    return datetime(2026, month, d, hour, 0, tzinfo=UTC)


def the_set() -> list[Audit]:
    return [
        # 1: full marks, transferred: 30/30 = 100.0 %.
        audit(1, DIJON, day(2, 10), "Alice"),
        # 2: not transferred (max 25); Q11 option 2 (1 of 2), Q16 « Non » (0 of 2):
        #    25 - 1 - 2 = 22/25 = 88.0 %.
        audit(2, DIJON, day(3, 5), "Alice", transferred=False, changes={"11": [2], "16": [2]}),
        # 3: transferred; Q1 « 3 tentatives » (-1 instead of 1: -2), Q3 « Non » (0 of 3: -3):
        #    30 - 5 = 25/30 = 83.33 → 83.3 %.
        audit(3, DIJON, day(5, 10), "Alice", changes={"1": [3], "3": [4]}),
        # 4: unreachable, complete: 0/30 = 0.0 %.
        audit(4, LYON, day(1, 20), "Bob", unreachable=True),
        # 5: full marks: 100.0 %.
        audit(5, LYON, day(2, 20), "Bob"),
        # 6: a draft: left out of every figure.
        audit(6, NICE, day(4, 2), "Alice", status="draft"),
        # 7: unreachable, call ended, follow-up never expected: counted, 0.0 %.
        audit(7, NICE, day(4, 3), "Alice", unreachable=True, status="awaiting_follow_up"),
        # 8: full marks, called 30 June 22:30 UTC = 1 July 00:30 in Paris: quarter T3.
        audit(8, METZ, datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "Bob"),
    ]


def test_dealer_quarters_counts_and_stars():
    report = build_report(the_set())
    # Counted: 1, 2, 3, 4, 5, 7, 8 = 7; left out: the draft (6).
    assert (report.counted, report.left_out) == (7, 1)
    got = [
        (d.dealer, str(d.quarter), d.audits, d.unreachable, d.average_percent, d.stars)
        for d in report.dealer_quarters
    ]
    assert got == [
        # Dijon T1: (100.0 + 88.0) / 2 = 94.0 → ≥ 90 → 5★.  T2: 83.3 → ≥ 80 → 4★.
        ("Lexus Dijon", "2026-T1", 2, 0, 94.0, 5),
        ("Lexus Dijon", "2026-T2", 1, 0, 83.3, 4),
        # Lyon T1: (0.0 + 100.0) / 2 = 50.0 → < 60 → 1★ (the unreachable call counts 0 %).
        ("Lexus Lyon", "2026-T1", 2, 1, 50.0, 1),
        # Metz: 30 June 22:30 UTC is 1 July in Paris → T3.
        ("Lexus Metz", "2026-T3", 1, 0, 100.0, 5),
        # Nice T2: the draft is left out, the unreachable call counts: 0.0 → 1★.
        ("Lexus Nice", "2026-T2", 1, 1, 0.0, 1),
    ]


def test_questions_weakest_first():
    stats = build_report(the_set()).questions
    # Reached counted audits: 1, 2, 3, 5, 8 (five). Transferred among them: 1, 3, 5, 8.
    by_id = {s.question: s for s in stats}
    # Q1: full (1 pt) in 1, 2, 5, 8 → 4/5 = 80.0 %; points 1+1-1+1+1 = 3 → 3/5 = 0.6.
    assert (by_id["1"].audits, by_id["1"].full, by_id["1"].share) == (5, 4, 80.0)
    assert by_id["1"].average_points == 0.6
    # Q3: full (3 pts) everywhere but 3 → 80.0 %; (3+3+0+3+3)/5 = 2.4.
    assert (by_id["3"].share, by_id["3"].average_points) == (80.0, 2.4)
    # Q11: 2 got 1 of 2 → 80.0 %; (2+1+2+2+2)/5 = 1.8.  Q16: 2 got 0 → 80.0 %; 8/5 = 1.6.
    assert (by_id["11"].share, by_id["11"].average_points) == (80.0, 1.8)
    assert (by_id["16"].share, by_id["16"].average_points) == (80.0, 1.6)
    # Q5 applies to the four transferred calls only, all full.
    assert (by_id["5"].audits, by_id["5"].share) == (4, 100.0)
    assert "2" not in by_id and "19" not in by_id  # unscored
    # Weakest first; ties in grid order.
    assert [s.question for s in stats[:5]] == ["1", "3", "11", "16", "5"]
    assert stats[0].section == "Établir le contact" and stats[0].max_points == 1


def test_section_averages():
    got = {
        s.section: (s.audits, s.average_percent, s.points, s.max)
        for s in build_report(the_set()).sections
    }
    # Contact (max 9 transferred: Q1 1 + Q3 3 + Q5-Q8 5; 4 without transfer):
    #   1: 9/9 = 100, 2: 4/4 = 100, 3: (-1 + 0 + 5)/9 = 44.4, 5: 100, 8: 100
    #   mean (100 + 100 + 44.4 + 100 + 100) / 5 = 88.88 → 88.9; points 9+4+4+9+9 = 35 of 40.
    assert got["Établir le contact"] == (5, 88.9, 35, 40)
    # Conversation (max 10): 2 has 9/10 = 90 → (4 × 100 + 90) / 5 = 98.0; 49 of 50.
    assert got["Conversation téléphonique"] == (5, 98.0, 49, 50)
    # Suivi (max 6): 2 has 4/6 = 66.7 → (400 + 66.7) / 5 = 93.34 → 93.3; 28 of 30.
    assert got["Suivi"] == (5, 93.3, 28, 30)
    assert got["Maintenir le contact"] == (5, 100.0, 25, 25)


def test_unreachable_dealers_and_trends():
    report = build_report(the_set())
    assert [
        (u.dealer, u.unreachable, u.audits, [str(q) for q in u.quarters])
        for u in report.unreachable
    ] == [
        ("Lexus Lyon", 1, 2, ["2026-T1"]),
        ("Lexus Nice", 1, 1, ["2026-T2"]),
    ]
    trends = {t.dealer: t for t in report.trends}
    # Dijon: T1 94.0 then T2 83.3: change 83.3 - 94.0 = -10.7 points.
    assert trends["Lexus Dijon"].percents == (94.0, 83.3)
    assert trends["Lexus Dijon"].change == -10.7
    assert trends["Lexus Lyon"].change is None
    table = {t.name: t for t in tables(report)}["trends"]
    keys = [c.key for c in table.columns]
    row = dict(zip(keys, next(r for r in table.rows if r[1] == "Lexus Dijon"), strict=True))
    assert display(row["change"], "change") == "−10,7"
    assert display(row["last_percent"], "percent") == "83,3 %"
    assert row["percents"] == "94.0 83.3" and row["quarters"] == "2026-T1, 2026-T2"


def test_trophy_needs_top_stars_in_all_four_quarters():
    def dq(key: str, quarter: str, stars: int) -> DealerQuarter:
        return DealerQuarter(key, key.title(), Quarter.parse(quarter), 1, 0, 95.0, stars)

    quarters = [
        *(dq("pau", f"2026-T{n}", 5) for n in range(1, 5)),  # 5★ × 4: candidate
        *(dq("metz", f"2026-T{n}", 5) for n in (1, 2, 4)),  # T3 not audited: in the running
        *(dq("lyon", f"2026-T{n}", 5) for n in (1, 2, 3)),
        dq("lyon", "2026-T4", 4),  # one 4★ quarter: out
        *(dq("nice", f"2025-T{n}", 5) for n in range(1, 5)),  # another year
    ]
    result = trophy(quarters, 2026, 5)
    assert [e.dealer_key for e in result.candidates] == ["pau"]
    assert [(e.dealer_key, e.stars, [str(q) for q in e.missing]) for e in result.in_running] == [
        ("metz", (5, 5, None, 5), ["2026-T3"])
    ]
    assert trophy(quarters, 2025, 5).candidates[0].dealer_key == "nice"


def test_trophy_of_the_set_uses_the_whole_year():
    report = build_report(the_set(), Filters(period=Period.parse("2026-T3")))
    # Metz: 5★ in T3 only → in the running, T1, T2 and T4 missing; nobody has four quarters.
    assert report.trophy.year == 2026 and report.trophy.candidates == ()
    assert [(e.dealer, [str(q) for q in e.missing]) for e in report.trophy.in_running] == [
        ("Lexus Metz", ["2026-T1", "2026-T2", "2026-T4"])
    ]
    # The period still limits the other figures.
    assert [str(d.quarter) for d in report.dealer_quarters] == ["2026-T3"]


def test_filters():
    audits = the_set()
    t1 = build_report(audits, Filters(period=Period.parse("2026-T1")))
    assert t1.counted == 4  # 1, 2, 4, 5
    assert {d.dealer for d in t1.dealer_quarters} == {"Lexus Dijon", "Lexus Lyon"}
    lyon = build_report(audits, Filters(dealer="LYON"))
    assert [d.dealer for d in lyon.dealer_quarters] == ["Lexus Lyon"]
    assert build_report(audits, Filters(dealer="lexus-metz")).counted == 1
    bob = build_report(audits, Filters(auditor="bob"))
    assert bob.counted == 3 and bob.left_out == 0  # 4, 5, 8
    empty = build_report(audits, Filters(period=Period.parse("2025")))
    assert empty.counted == 0 and empty.questions == () and empty.trophy.year == 2025


def test_periods_and_quarters():
    assert str(Period.parse("2026")) == "2026"
    assert Period.parse("2026-Q2") == Period(Quarter(2026, 2), Quarter(2026, 2))
    assert str(Period.parse("2026-T1..2026-T3")) == "2026-T1..2026-T3"
    # The end of a range may leave out the start's year: what `report --help` shows.
    assert Period.parse("2026-T1..T3") == Period.parse("2026-T1..2026-T3")
    assert Period.parse("2026-t2..q4") == Period(Quarter(2026, 2), Quarter(2026, 4))
    assert Period.parse("2025-T4..2026-T1") == Period(Quarter(2025, 4), Quarter(2026, 1))
    assert Quarter(2026, 3) in Period.parse("2026") and Quarter(2025, 4) not in Period.parse("2026")
    for bad in ("2026-T5", "T2", "2026-T3..2026-T1", "2026-T3..T1", "T1..T3", "2026-T1..T5"):
        with pytest.raises(ValueError):
            Period.parse(bad)
    # 31 March 23:59:59 in Paris (UTC+2 since 29 March) is T1; one second later, T2.
    assert Quarter.of(datetime(2026, 3, 31, 21, 59, 59, tzinfo=UTC)) == Quarter(2026, 1)
    assert Quarter.of(datetime(2026, 3, 31, 22, 0, 0, tzinfo=UTC)) == Quarter(2026, 2)


def test_average_rounds_half_up_on_decimals():
    # (86.7 + 0.0) / 2 = 43.35 exactly → 43.4 (binary floats would give 43.349999…).
    assert average([86.7, 0.0]) == 43.4
    assert average([]) == 0.0


def test_cli_report_formats(tmp_path, capsys):
    db = tmp_path / "s"
    with Store.open(db) as store:
        for a in the_set():
            store.create(a)
    assert main(["--db", str(db), "report", "--format", "json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "auditor-tui/report/v1" and data["counted"] == 7
    assert data["dealer_quarters"][0] == {
        "dealer_key": "lexus-dijon",
        "dealer": "Lexus Dijon",
        "quarter": "2026-T1",
        "audits": 2,
        "unreachable": 0,
        "average_percent": 94.0,
        "stars": 5,
    }
    assert data["trends"][0]["change"] == -10.7
    assert main(["--db", str(db), "report", "--format", "csv", "--period", "2026-T1"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        "dealer_id,dealer,quarter,audits,unreachable,average_percent,stars",
        "lexus-dijon,Lexus Dijon,2026-T1,2,0,94.0,5",
        "lexus-lyon,Lexus Lyon,2026-T1,2,1,50.0,1",
    ]
    assert main(["--db", str(db), "report", "--auditor", "alice"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "auditeur « alice »" in out and "94,0 %" in out and "★★★★★" in out
    assert "Lexus Lyon" not in out.split("Concessions injoignables")[0]
    for bad, said in (("--table", "tableau inconnu"), ("--period", "trimestre attendu")):
        with pytest.raises(SystemExit) as refused:  # the command line refused: 2
            main(["--db", str(db), "report", bad, "2026-T9"])
        assert refused.value.code == 2 and said in capsys.readouterr().err


def test_rows_cache_reads_only_what_changed(tmp_path, monkeypatch):
    from auditor_tui.reports import cache as report_cache

    with Store.open(tmp_path / "s") as store:
        store.put_many(the_set())
        reads: list[str] = []
        real_get = store.get

        def counting_get(audit_id: str) -> Audit:
            reads.append(audit_id)
            return real_get(audit_id)

        monkeypatch.setattr(store, "get", counting_get)
        first = report_cache.load_rows(store)
        assert len(reads) == 8 and len(first) == 8
        cache = tmp_path / "s" / report_cache.CACHE_NAME
        assert oct(cache.stat().st_mode & 0o777) == "0o600"
        reads.clear()
        again = report_cache.load_rows(store)
        assert reads == [] and sorted(again, key=lambda r: r.id) == sorted(
            first, key=lambda r: r.id
        )
        # An edit bumps the revision: only that audit is read again, and the figures follow.
        edited = real_get(str(uuid.UUID(int=5)))
        edited.answers["16"] = [2]  # Lyon's full call loses Q16's 2 points: 28/30 = 93.3 %
        store.save(edited)
        reads.clear()
        rows = report_cache.load_rows(store)
        assert reads == [edited.id]
        lyon = next(d for d in build_report(rows).dealer_quarters if d.dealer == "Lexus Lyon")
        assert lyon.average_percent == 46.7  # (0.0 + 93.3) / 2 = 46.65 → 46.7
        # A damaged cache, or one written by another version, is only a slower report.
        cache.write_text("{not json", encoding="utf-8")
        reads.clear()
        assert len(report_cache.load_rows(store)) == 8 and len(reads) == 8
        monkeypatch.setattr(report_cache, "CACHE_VERSION", 99)
        reads.clear()
        assert len(report_cache.load_rows(store)) == 8 and len(reads) == 8
