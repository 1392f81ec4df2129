"""CSV for Excel in France: BOM, `;`, decimal comma, documented columns, right numbers."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.domain.record import Audit
from auditor_tui.exchange.export_csv import write_csv
from auditor_tui.store import Store
from tests.factories import GRID, make_audit

DOC = Path(__file__).resolve().parent.parent / "docs" / "export-columns.md"


def eighty_seven(n: int = 1) -> Audit:
    """Transferred call, 30 points possible; Q11 option 2 (1 pt of 2), Q12 phone only (1 of 2),
    Q16 « Non » (0 of 2): 30 - 1 - 1 - 2 = 26 points; 100 × 26 / 30 = 86.67 → 86,7 % → 4★."""
    audit = make_audit(n)
    audit.answers["11"] = [2]
    audit.answers["12"] = [1]
    audit.answers["16"] = [2]
    return audit


def unreachable(n: int = 2) -> Audit:
    audit = make_audit(n, transferred=False)
    audit.answers = {"1": [4]}
    audit.follow_up.callback_at = None
    audit.follow_up.callback_method = None
    return audit


def read(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def export_text(audits: list[Audit]) -> str:
    buffer = io.StringIO()
    write_csv(audits, buffer)
    return buffer.getvalue()


def expected_columns() -> list[str]:
    """The documented rule (docs/export-columns.md), applied to the grid by hand."""
    head = [
        "id",
        "revision",
        "questionnaire",
        "status",
        "outcome",
        "auditor",
        "dealer_id",
        "dealer",
        "dealer_city",
        "dealer_department",
        "dealer_country",
        "dealer_phone",
        "quarter",
        "wave",
        "service",
        "planned_date",
        "planned_window",
        "call_started_at",
        "call_ended_at",
        "attempts",
        "transferred",
        "transfer_seconds",
        "points",
        "max",
        "percent",
        "stars",
    ]
    sections = [f"section_{s.id}_{part}" for s in GRID.sections for part in ("points", "max")]
    follow = [
        "email_deadline",
        "email_received_at",
        "email_in_time",
        "callback_deadline",
        "callback_at",
        "callback_in_time",
        "callback_method",
        "reopened",
        "reopen_reason",
    ]
    questions: list[str] = []
    for q in GRID.questions():
        questions += ([f"q{q.id}_points"] if q.scored else []) + [
            f"q{q.id}_options",
            f"q{q.id}_labels",
        ]
    tail = [
        "receptionist_name",
        "advisor_name",
        "callback_note",
        "notes",
        "created_at",
        "updated_at",
        "other_fields",
    ]
    return head + sections + follow + questions + tail


def test_header_is_the_documented_columns():
    text = export_text([eighty_seven()])
    header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert header == expected_columns()
    # 26 head columns, 4 sections × 2, 9 follow-up columns, 22 scored question ids × 3 (points,
    # options, labels) and 3 unscored (Q2, Q4, Q19) × 2, 7 tail columns: 26+8+9+66+6+7 = 122.
    assert len(header) == 122
    assert "q2_points" not in header and "q7a_points" in header and "q7b_options" in header
    documented = set(re.findall(r"`([a-z0-9_<>]+)`", DOC.read_text(encoding="utf-8")))
    generic = {"section_<id>_points", "section_<id>_max"} | {
        "q<id>_points",
        "q<id>_options",
        "q<id>_labels",
    }
    assert generic <= documented
    for name in header:
        if not re.match(r"(section_|q\d)", name):
            assert name in documented, name


def test_bom_separator_crlf_and_french_numbers():
    text = export_text([eighty_seven(), unreachable()])
    assert text.startswith("\ufeffid;revision;")
    assert "\r\n" in text
    first, second = read(text)
    assert first["points"] == "26" and first["max"] == "30"
    assert first["percent"] == "86,7" and first["stars"] == "4"
    assert first["transferred"] == "oui" and first["transfer_seconds"] == "30,0"
    assert first["q11_points"] == "1" and first["q11_options"] == "2"
    assert first["q12_points"] == "1" and first["q12_labels"] == "Numéro de téléphone"
    assert first["q16_points"] == "0" and first["q16_options"] == "2"
    # Q3 (multi, 3 options at 1 pt, cap 3): positions joined by « | », never « , » or « / ».
    assert first["q3_options"] == "1|2|3" and first["q3_points"] == "3"
    assert first["q1_points"] == "1"
    # Sections: Q11, Q12 in « Conversation » (10 - 2 = 8), Q16 in « Suivi » (6 - 2 = 4).
    assert (first["section_conversation_points"], first["section_conversation_max"]) == (
        "8",
        "10",
    )
    assert (first["section_suivi_points"], first["section_suivi_max"]) == ("4", "6")
    # Instants in Europe/Paris: the call started 09:30 UTC in November (UTC+1).
    assert first["call_started_at"] == "2026-11-17 10:30:00"
    assert first["quarter"] == "2026-T4"
    assert first["callback_deadline"] == "2026-11-19 23:59:59"
    assert first["dealer_phone"] == "03 53 01 20 01"
    assert second["outcome"] == "unreachable"
    assert (second["points"], second["max"], second["percent"], second["stars"]) == (
        "0",
        "30",
        "0,0",
        "1",
    )
    assert second["q1_options"] == "4" and second["q1_points"] == "0"
    assert second["q3_points"] == "" and second["q3_options"] == ""


def test_questions_not_applicable_are_empty_cells():
    row = read(export_text([make_audit(3, transferred=False)]))[0]
    assert row["transferred"] == "non" and row["transfer_seconds"] == ""
    assert row["q5_points"] == "" and row["q5_options"] == "" and row["q4_options"] == ""
    assert row["max"] == "25" and row["percent"] == "100,0"


def test_text_that_excel_would_run_as_a_formula_is_quoted():
    audit = make_audit(4)
    audit.dealer.name = '=HYPERLINK("http://x.example")'
    audit.notes["3"] = "+ accueil chaleureux"
    row = read(export_text([audit]))[0]
    assert row["dealer"] == '\'=HYPERLINK("http://x.example")'
    assert row["notes"] == "Q3 : + accueil chaleureux"  # starts with « Q3 », harmless
    assert row["q1_points"] == "1"  # numbers are never quoted, negative ones included


def test_cli_csv_file_is_owner_only(tmp_path, capsys):
    db = tmp_path / "s"
    with Store.open(db) as store:
        store.create(eighty_seven())
    out = tmp_path / "audits.csv"
    assert main(["--db", str(db), "export", "--format", "csv", "--out", str(out)]) == EXIT_OK
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline=""), delimiter=";"))
    assert [r["percent"] for r in rows] == ["86,7"]


def test_pseudonymised_csv_leaves_out_staff_names_and_notes(tmp_path, capsys):
    db = tmp_path / "s"
    with Store.open(db) as store:
        for n in (1, 2):
            audit = make_audit(n)
            audit.call.receptionist_name = "Claire Martin"
            audit.call.advisor_name = "Jérôme Petit" if n == 1 else "jerome  PETIT"
            audit.notes["9"] = "Jérôme m'a demandé mon nom"
            audit.follow_up.callback_note = "rappel de Jérôme Petit"
            store.create(audit)
    out = tmp_path / "p.csv"
    args = ["--db", str(db), "export", "--format", "csv", "--pseudonymise", "--out", str(out)]
    assert main(args) == EXIT_OK
    text = out.read_text(encoding="utf-8-sig")
    assert "Claire" not in text and "Jérôme" not in text and "PETIT" not in text
    first, second = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert re.fullmatch(r"personne-[0-9a-f]{8}", first["advisor_name"])
    # Stable: the same person (case, accents, spaces aside) gets the same pseudonym.
    assert first["advisor_name"] == second["advisor_name"] != first["receptionist_name"]
    assert first["notes"] == "" and first["callback_note"] == ""
    # The store keeps the real names; a second export gives the same pseudonyms.
    with Store.open(db) as store:
        assert store.get(make_audit(1).id).call.advisor_name == "Jérôme Petit"
    again = tmp_path / "p2.csv"
    assert main([*args[:-1], str(again)]) == EXIT_OK
    assert again.read_bytes() == out.read_bytes()


def test_one_export_mixing_transfers_and_answers_gives_each_audit_its_own_cells():
    """Answers repeat from audit to audit and their cells are made once per export: a
    transfer-only question stays empty for a call that was not transferred, and two audits
    with different options on a question each show their own."""
    other = eighty_seven(5)
    other.answers["11"] = [4]
    audits = [eighty_seven(1), make_audit(3, transferred=False), other, eighty_seven(4)]
    rows = {r["id"]: r for r in read(export_text(audits))}
    first, untransferred, changed, again = (rows[a.id] for a in audits)
    assert first["q5_options"] != "" and untransferred["q5_options"] == ""
    assert untransferred["q5_points"] == "" and untransferred["max"] == "25"
    assert (first["q11_options"], first["q11_points"]) == ("2", "1")
    assert (changed["q11_options"], changed["q11_points"]) == ("4", "2")
    assert {k: v for k, v in again.items() if k != "id"} == {
        k: v for k, v in first.items() if k != "id"
    }
