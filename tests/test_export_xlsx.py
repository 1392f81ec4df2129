"""XLSX export: four sheets, typed numbers equal to the CSV's, text never a formula."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import datetime

from openpyxl import load_workbook

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.store import Store
from tests.factories import make_audit
from tests.test_export_csv import eighty_seven, unreachable


def sheet_rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def export_both(tmp_path):
    db = tmp_path / "s"
    lyon = make_audit(3, transferred=False, name="Lexus Lyon")
    odd = make_audit(4, name="=1+1")
    odd.notes["9"] = "nom redemandé deux fois"
    with Store.open(db) as store:
        for audit in (eighty_seven(1), unreachable(2), lyon, odd):
            store.create(audit)
    xlsx, csv_path = tmp_path / "a.xlsx", tmp_path / "a.csv"
    assert main(["--db", str(db), "export", "--format", "xlsx", "--out", str(xlsx)]) == EXIT_OK
    assert main(["--db", str(db), "export", "--format", "csv", "--out", str(csv_path)]) == EXIT_OK
    return xlsx, csv_path


def test_sheets_hold_the_same_numbers_as_the_csv(tmp_path, capsys):
    xlsx, csv_path = export_both(tmp_path)
    assert oct(xlsx.stat().st_mode & 0o777) == "0o600"
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Audits", "Réponses", "Concessionnaires", "Verbatims"]
    audits = sheet_rows(book["Audits"])
    from_csv = list(csv.DictReader(csv_path.open(encoding="utf-8-sig"), delimiter=";"))
    assert [a["id"] for a in audits] == [r["id"] for r in from_csv]
    assert list(audits[0]) == list(from_csv[0])  # same columns, same order
    for cell, text in zip(audits, from_csv, strict=True):
        assert cell["points"] == int(text["points"]) and cell["max"] == int(text["max"])
        assert cell["percent"] == float(text["percent"].replace(",", "."))
        assert cell["stars"] == int(text["stars"])
    first = audits[0]
    assert (first["points"], first["max"], first["percent"], first["stars"]) == (26, 30, 86.7, 4)
    assert isinstance(first["percent"], float) and isinstance(first["points"], int)
    assert first["transferred"] is True and first["q11_points"] == 1
    assert first["call_started_at"] == datetime(2026, 11, 17, 10, 30)  # Europe/Paris
    assert audits[1]["outcome"] == "unreachable" and audits[1]["q3_points"] is None
    assert audits[3]["dealer"] == "=1+1"  # text, not a formula
    assert book["Audits"]["H5"].data_type == "s"


def test_answers_sheet_has_one_row_per_audit_and_question(tmp_path, capsys):
    xlsx, _ = export_both(tmp_path)
    answers = sheet_rows(load_workbook(xlsx)["Réponses"])
    assert len(answers) == 4 * 25  # four audits × 25 question ids: 1…24 with 7a and 7b
    by_key = {(a["audit_id"], a["question"]): a for a in answers}
    q11 = by_key[(eighty_seven(1).id, "11")]
    assert (q11["options"], q11["points"], q11["max_points"], q11["applicable"]) == (
        "2",
        1,
        2,
        True,
    )
    assert q11["section"] == "Conversation téléphonique" and q11["number"] == 11
    q5_lyon = by_key[(make_audit(3).id, "5")]
    assert q5_lyon["applicable"] is False and q5_lyon["points"] is None
    assert q11["note"] is None
    assert by_key[(make_audit(4).id, "9")]["note"] == "nom redemandé deux fois"
    q2 = by_key[(make_audit(3).id, "2")]
    assert q2["points"] is None and q2["max_points"] is None and q2["options"] == "1"


def test_dealers_sheet_summarises_counted_audits(tmp_path, capsys):
    xlsx, _ = export_both(tmp_path)
    dealers = {d["dealer"]: d for d in sheet_rows(load_workbook(xlsx)["Concessionnaires"])}
    dijon = dealers["Lexus Dijon"]
    # Dijon: 86.7 % and an unreachable audit (0 %): (86.7 + 0) / 2 = 43.35 → 43.4 → 1★.
    assert (dijon["audits"], dijon["counted"], dijon["unreachable"]) == (2, 2, 1)
    assert dijon["average_percent"] == 43.4 and dijon["stars"] == 1
    lyon = dealers["Lexus Lyon"]
    assert (lyon["audits"], lyon["average_percent"], lyon["stars"]) == (1, 100.0, 5)
    assert lyon["last_call"] == datetime(2026, 11, 17, 10, 30)


def test_verbatims_sheet_has_the_notes_and_none_once_pseudonymised(tmp_path, capsys):
    xlsx, _ = export_both(tmp_path)
    (note,) = sheet_rows(load_workbook(xlsx)["Verbatims"])  # one audit has a note: « =1+1 »'s
    assert note == {
        "question": "9",
        "text": "Le conseiller vous a-t-il demandé / reconfirmé votre nom ?",
        "wave": "2026-T4",  # 17 November 2026
        "dealer_id": "=1+1",
        "dealer": "=1+1",
        "service": None,
        "auditor": None,  # no auditor given: an empty cell
        "audit_id": make_audit(4).id,
        "call_at": datetime(2026, 11, 17, 10, 30),  # Europe/Paris
        "note": "nom redemandé deux fois",
    }
    shared = tmp_path / "shared.xlsx"
    db = str(tmp_path / "s")
    argv = ["--db", db, "export", "--format", "xlsx", "--pseudonymise", "--out", str(shared)]
    assert main(argv) == EXIT_OK
    sheet = load_workbook(shared)["Verbatims"]
    assert [c.value for c in sheet[1]][-1] == "note" and sheet.max_row == 1  # the header alone


def test_openpyxl_stays_off_the_start_up_path_and_textual_out_of_the_core():
    code = (
        "import sys\n"
        "import auditor_tui.cli.main, auditor_tui.exchange.sync, auditor_tui.exchange.export_csv\n"
        "import auditor_tui.exchange.privacy, auditor_tui.exchange.export_xlsx\n"
        "import auditor_tui.reports.figures, auditor_tui.reports.tables\n"
        "assert 'textual' not in sys.modules, 'the core imported textual'\n"
        "import auditor_tui.ui.app\n"
        "assert 'openpyxl' not in sys.modules, 'openpyxl imported at start-up'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_workbook_structure_and_text_escaping(tmp_path):
    import io

    from auditor_tui.exchange.xlsx_writer import Sheet, column_letter, write_workbook

    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
    buffer = io.BytesIO()
    rows = [
        ['a & b <c> "d"', 86.7, 3, True, datetime(2026, 3, 29, 2, 30, 15), None],
        ["bell\x07 gone", None, -1, False, None, "=SUM(A1:A2)"],
    ]
    header = ["text", "percent", "int", "bool", "when", "formula-like"]
    write_workbook([Sheet("Données é", header, rows, decimal=("percent",))], buffer)
    ws = load_workbook(io.BytesIO(buffer.getvalue()))["Données é"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:F3"
    assert ws["A1"].font.b and [c.value for c in ws[1]] == header
    assert [c.value for c in ws[2]] == [
        'a & b <c> "d"',
        86.7,
        3,
        True,
        datetime(2026, 3, 29, 2, 30, 15),
        None,
    ]
    assert ws["B2"].number_format == "0.0" and ws["E2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert ws["A3"].value == "bell_x0007_ gone"  # what XML cannot hold, escaped as Excel does
    assert ws["F3"].value == "=SUM(A1:A2)" and ws["F3"].data_type == "s"
