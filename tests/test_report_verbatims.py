"""The verbatims (issue 14 point 7): the auditors' notes gathered per question across audits,
filtered by wave, dealer and service; in the report's JSON and CSV and the XLSX's « Verbatims »
sheet, each read back identical; left out by --pseudonymise."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.domain.periods import Period
from auditor_tui.domain.record import Audit
from auditor_tui.exchange.export_xlsx import xlsx_bytes
from auditor_tui.exchange.xlsx_writer import unescape
from auditor_tui.reports.report import build_report
from auditor_tui.reports.rows import Filters
from auditor_tui.reports.tables import tables, write_csv
from auditor_tui.reports.verbatims import VERBATIM_COLUMNS
from auditor_tui.store import Store
from auditor_tui.text.safe_text import formula_unguard
from tests.test_exchange_roundtrip import TEXT
from tests.test_report_waves import programme
from tests.test_reports import DIJON, LYON, NICE, audit, day


def noted(a: Audit, **notes: str) -> Audit:
    a.notes = {qid.removeprefix("q"): text for qid, text in notes.items()}
    return a


def with_notes() -> list[Audit]:
    return [
        noted(
            programme(audit(1, DIJON, day(2, 10), "Alice"), service="VN"),
            q11="Très à l'écoute",
            q3="« Lexus Dijon, bonjour »",
        ),
        noted(programme(audit(2, LYON, day(2, 12), "Bob"), service="APV"), q3="Bonjour sec"),
        # A call whose follow-up is still open: not counted in the figures, its notes are
        # verbatims all the same.
        noted(audit(3, NICE, day(5, 4), "Alice", status="awaiting_follow_up"), q3="Pas de nom"),
        noted(audit(4, DIJON, day(5, 6), "Bob"), q7b="  ", q22='=HYPERLINK("x")'),  # blank: none
    ]


def test_notes_gathered_per_question_then_wave_and_dealer():
    report = build_report(with_notes())
    got = [(v.question, v.wave, v.dealer, v.service, v.note) for v in report.verbatims]
    assert got == [
        # Q3 (grid order), T1 before T2, Dijon before Lyon.
        ("3", "2026-T1", "Lexus Dijon", "VN", "« Lexus Dijon, bonjour »"),
        ("3", "2026-T1", "Lexus Lyon", "APV", "Bonjour sec"),
        ("3", "2026-T2", "Lexus Nice", None, "Pas de nom"),
        ("11", "2026-T1", "Lexus Dijon", "VN", "Très à l'écoute"),
        ("22", "2026-T2", "Lexus Dijon", None, '=HYPERLINK("x")'),
    ]
    first = report.verbatims[0]
    assert first.text.startswith("Le conseiller a-t-il entamé la conversation")
    assert first.auditor == "Alice" and first.call_at == day(2, 10)

    def notes(filters: Filters) -> list[str]:
        return [v.note for v in build_report(with_notes(), filters).verbatims]

    assert notes(Filters(period=Period.parse("2026-T2"))) == ["Pas de nom", '=HYPERLINK("x")']
    assert notes(Filters(dealer="lyon")) == ["Bonjour sec"]
    assert notes(Filters(service="VN")) == ["« Lexus Dijon, bonjour »", "Très à l'écoute"]
    assert notes(Filters(auditor="bob")) == ["Bonjour sec", '=HYPERLINK("x")']


def test_pseudonymised_report_leaves_them_out(tmp_path, capsys):
    db = tmp_path / "s"
    with Store.open(db) as store:
        store.put_many(with_notes())
    # Every figure but the verbatims by default; --table asks for them (any format).
    assert main(["--db", str(db), "report", "--format", "json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert "verbatims" not in data and data["counted"] == 3 and "ranking" in data
    argv = ["--db", str(db), "report", "--format", "json", "--table", "verbatims"]
    assert main(argv) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert list(data) == [
        "schema",
        "filters",
        "grid_id",
        "counted",
        "left_out",
        "pseudonymised",
        "quarter_rule",
        "verbatims",
    ]
    assert len(data["verbatims"]) == 5 and data["pseudonymised"] is False
    assert data["verbatims"][3] == {
        "question": "11",
        "text": "Le conseiller vous a-t-il posé des questions supplémentaires pour connaître vos"
        " besoins ?",
        "wave": "2026-T1",
        "dealer_key": "lexus-dijon",
        "dealer": "Lexus Dijon",
        "service": "VN",
        "auditor": "Alice",
        "audit_id": "00000000-0000-0000-0000-000000000001",
        "call_at": "2026-02-10T09:00:00+00:00",
        "note": "Très à l'écoute",
    }
    assert main([*argv, "--pseudonymise"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert data["verbatims"] == [] and data["pseudonymised"] is True
    assert data["counted"] == 3  # the figures are the same
    argv = ["--db", str(db), "report", "--pseudonymise", "--table", "verbatims"]
    assert main(argv) == EXIT_OK
    assert "Retirés (pseudonymisation)." in capsys.readouterr().out


def test_csv_guards_formulas_and_keeps_the_columns(tmp_path, capsys):
    db = tmp_path / "s"
    with Store.open(db) as store:
        store.put_many(with_notes())
    argv = [
        "--db",
        str(db),
        "report",
        "--format",
        "csv",
        "--table",
        "verbatims",
        "--dealer",
        "dijon",
    ]
    assert main(argv) == EXIT_OK
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == list(VERBATIM_COLUMNS)
    assert [r[-1] for r in rows[1:]] == [
        "« Lexus Dijon, bonjour »",
        "Très à l'écoute",
        '\'=HYPERLINK("x")',  # an apostrophe first: a spreadsheet shows it as text
    ]
    assert rows[1][:3] == ["3", rows[1][1], "2026-T1"] and rows[1][5] == "VN"
    assert rows[1][8] == "2026-02-10T09:00:00+00:00"
    # Without --table, the terminal report leaves out the tables with a line per note, or per
    # dealer and wave (the network and the progressions sum those up).
    assert main(["--db", str(db), "report"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Réseau par vague" in out and "Meilleures progressions" in out
    for long in ("Verbatims", "Couverture par vague", "Classement par vague"):
        assert long not in out


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(TEXT, TEXT)
def test_every_note_comes_back_identical_from_csv_json_and_xlsx(note: str, dealer_name: str):
    a = audit(7, DIJON, day(3, 3), "Alice")
    a.dealer = dataclasses.replace(a.dealer, name=dealer_name or "Lexus Dijon")  # DIJON kept
    a.notes = {"12": note}
    later = audit(8, NICE, day(3, 3) + timedelta(hours=1), "Bob")
    later.notes = {"13": "deuxième"}  # Q13 after Q12, whatever the dealer's name
    kept = [note] if note.strip() else []  # a blank note is no verbatim
    report = build_report([a, later])
    assert [v.note for v in report.verbatims] == [*kept, "deuxième"]

    buffer = io.StringIO()
    write_csv(next(t for t in tables(report) if t.name == "verbatims"), buffer)
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue(), newline="")))
    assert [formula_unguard(r["note"]) for r in rows] == [*kept, "deuxième"]
    if kept:
        assert formula_unguard(rows[0]["dealer"]) == a.dealer.name

    assert [
        v["note"] for v in json.loads(json.dumps(report.to_dict("verbatims")))["verbatims"]
    ] == [
        *kept,
        "deuxième",
    ]

    sheet = load_workbook(io.BytesIO(xlsx_bytes([a, later])))["Verbatims"]
    cells = [
        dict(zip(VERBATIM_COLUMNS, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert [unescape(c["note"]) for c in cells] == [*kept, "deuxième"]
