"""`auditor-tui plan` (issue 14.1) over a real store: the JSON shape, the plan stored and
re-drawn only for the calls not made, the directory's opening hours, and every refusal with
its reason and nothing stored."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor_tui.cli.exit_codes import EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.domain.opening import hours_text, parse_closed, parse_hours
from auditor_tui.exchange.dealers_csv import DealerImportError, parse_dealers_csv
from auditor_tui.store import Store
from auditor_tui.store.plans import link_audit, stored_plans
from tests.factories import tree_digest

HEADER = "name;city;department;country;phone"
AUDIT_ID = "0f0e0d0c-0000-4000-8000-000000000001"


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "store"
    assert cli(path, "dealers", "import", "--sample") == EXIT_OK
    capsys.readouterr()
    return path


def plan_json(db: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert cli(db, "plan", *args, "--format", "json") == EXIT_OK
    return json.loads(capsys.readouterr().out)


def test_the_json_is_the_issues_shape(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = plan_json(db, capsys, "--wave", "2027-t1", "--auditor", "Camille", "Julien")
    assert list(out) == ["wave", "start", "end", "calls"]
    assert (out["wave"], out["start"], out["end"]) == ("2027-T1", "2027-01-01", "2027-03-31")
    assert len(out["calls"]) == 41
    for call in out["calls"]:
        assert list(call) == ["dealer", "date", "window", "service", "auditor"]
        assert call["service"] in ("VN", "VO", "APV")
        assert "2027-01-01" < call["date"] <= "2027-03-31"  # 1 January is a holiday
    assert {c["auditor"] for c in out["calls"]} == {"Camille", "Julien"}
    # Stored: shown again as drawn, and drawn again the same for the same seed.
    assert plan_json(db, capsys, "--wave", "2027-T1", "--show") == out
    assert plan_json(db, capsys, "--wave", "2027-T1") == out  # its auditors kept


def test_a_wave_name_that_is_not_a_period(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:  # a usage error, as argparse ends it
        cli(db, "plan", "--wave", "printemps-2027")
    assert exit_.value.code == EXIT_REJECTED
    assert "une période trimestrielle est attendue (ex. 2027-T1)" in capsys.readouterr().err
    assert not (db / "plans.json").exists()


def test_fewer_open_slots_than_calls_stores_nothing(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan_json(db, capsys, "--wave", "2027-T2")
    before = tree_digest(db)
    # 6 and 7 April 2027: two business days, 7 windows each, one auditor, 41 dealers.
    code = cli(db, "plan", "--wave", "2027-T2", "--start", "2027-04-06", "--end", "2027-04-07")
    assert code == EXIT_REJECTED
    err = capsys.readouterr().err
    assert "14 créneau(x) d'une heure × 1 auditeur(s) pour 41 appel(s)" in err
    assert "27 concessionnaire(s) non placé(s)" in err
    assert err.count(" : créneaux ouverts tous pris") == 27
    assert "Aucun plan enregistré" in err
    assert tree_digest(db) == before


def test_drawn_again_only_for_the_calls_not_made(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = plan_json(db, capsys, "--wave", "2027-T1", "--seed", "1")
    with Store.open(db) as store:
        plan = stored_plans(store)["2027-T1"]
        made = plan.calls[5]
        link_audit(store, "2027-T1", made.key, AUDIT_ID)
    again = plan_json(db, capsys, "--wave", "2027-T1", "--seed", "2")
    assert first["calls"][5] in again["calls"]
    assert again != first and len(again["calls"]) == 41
    with Store.open(db) as store:
        kept = [c for c in stored_plans(store)["2027-T1"].calls if c.audit is not None]
    assert kept == [replace(made, audit=AUDIT_ID)]


def test_an_empty_directory_says_how_to_fill_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(tmp_path / "s", "plan", "--wave", "2027-T1") == EXIT_REJECTED
    assert "dealers import" in capsys.readouterr().err


def test_the_directorys_hours_and_closing_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text(
        f"{HEADER};hours_mon;hours_tue;hours_wed;hours_thu;hours_fri;closed\n"
        "Lexus Metz;Metz;57;FR;03 53 01 20 02;;8h-9h;fermé;fermé;fermé;2027-01-04..2027-01-17\n",
        encoding="utf-8",
    )
    db = tmp_path / "s"
    assert cli(db, "dealers", "import", str(csv)) == EXIT_OK
    capsys.readouterr()
    calls = plan_json(db, capsys, "--wave", "2027-T1", "--calls-per-dealer", "3")["calls"]
    # Mondays on their default hours, Tuesdays 08:00-09:00; nothing from 4 to 17 January.
    assert len(calls) == 3
    for call in calls:
        assert not "2027-01-04" <= call["date"] <= "2027-01-17"
    assert all(c["window"] == ["08:00", "09:00"] for c in calls if c["date"] in TUESDAYS)


TUESDAYS = (
    {f"2027-{m:02d}-{d:02d}" for m, d in [(1, 5), (1, 12), (1, 19), (1, 26)]}
    | {f"2027-02-{d:02d}" for d in (2, 9, 16, 23)}
    | {f"2027-03-{d:02d}" for d in (2, 9, 16, 23, 30)}
)


def test_malformed_hours_are_named_with_line_and_field(tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text(
        f"{HEADER};hours_tue;closed\n"
        "Lexus Metz;Metz;57;FR;03 53 01 20 02;9h-8h;\n"
        "Lexus Nancy;Nancy;54;FR;03 53 01 20 03;09:00-12:00;31/02/2027\n"
        "Lexus Reims;Reims;51;FR;03 53 01 20 08;midi;\n",
        encoding="utf-8",
    )
    with pytest.raises(DealerImportError) as caught:
        parse_dealers_csv(csv)
    assert [(p.line, p.field) for p in caught.value.problems] == [
        (2, "hours_tue"),
        (3, "closed"),
        (4, "hours_tue"),
    ]
    assert "la fin doit suivre le début" in str(caught.value)


RANGES = st.lists(st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 45])), max_size=6)
SPELLINGS = [
    "{a:02d}:{b:02d}-{c:02d}:{d:02d}",
    "{a}h{b:02d}-{c}h{d:02d}",
    "{a:02d}:{b:02d} - {c:02d}:{d:02d}",
]


@st.composite
def hours_cells(draw: st.DrawFn) -> str:
    """A weekday's hours as someone may type them: ranges in order, any accepted spelling."""
    marks = sorted({h * 60 + m for h, m in draw(RANGES)})
    if len(marks) < 2:
        return draw(st.sampled_from(["fermé", "Fermé", "-", "closed"]))
    pairs = list(zip(marks[::2], marks[1::2], strict=False))
    sep = draw(st.sampled_from([" ", ", ", " / ", ";"]))
    return sep.join(
        draw(st.sampled_from(SPELLINGS)).format(a=s // 60, b=s % 60, c=e // 60, d=e % 60)
        for s, e in pairs
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(hours_cells(), min_size=7, max_size=7), st.dates(), st.integers(0, 40))
def test_hours_accepted_are_stored_and_read_back_identically(
    cells: list[str], first: object, length: int
) -> None:
    """The directory's boundary: what the import accepts, the store keeps and gives back."""
    import tempfile
    from datetime import timedelta

    last = first + timedelta(days=length)  # type: ignore[operator]
    closed = f"{first}..{last}" if last.year < 10000 else str(first)
    if ";" in "".join(cells):
        cells = [c.replace(";", ",") for c in cells]  # the CSV's own separator
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        header = HEADER + "".join(f";hours_{d}" for d in days) + ";closed"
        csv.write_text(
            f"{header}\nLexus Dijon;Dijon;21;FR;03 53 01 20 06;{';'.join(cells)};{closed}\n",
            encoding="utf-8",
        )
        [parsed] = parse_dealers_csv(csv)
        with Store.open(Path(tmp) / "s") as store:
            store.replace_dealers([parsed.to_dict()])
        with Store.open(Path(tmp) / "s") as store:
            [row] = store.dealers()
    back = type(parsed).from_dict(row)
    assert back == parsed
    opening = back.opening()
    assert opening.week == tuple(parse_hours(c) for c in cells)
    assert opening.closed == parse_closed(closed)
    assert back.hours is None or back.hours == tuple(hours_text(parse_hours(c)) for c in cells)
