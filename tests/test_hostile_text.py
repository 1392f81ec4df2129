"""Nothing hostile reaches a terminal or a spreadsheet (issue 12, point 7): the report's CSV
guards formulas as the audit CSV does, the XLSX marks such text cells as text, and every rich
output escapes markup and shows control characters instead of sending them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.exchange.export_xlsx import xlsx_bytes
from auditor_tui.store import Store
from auditor_tui.text.safe_text import FORMULA_STARTS, formula_guard, terminal_text
from tests.test_reliability_damage import run_cli
from tests.test_reports import audit, day, dealer

FORMULAS = [
    '=HYPERLINK("http://evil.example","clic")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "@SUM(A1:A9)",
    "-2+3",
    "\t=1+1",
]
MARKUP = ["[/x]", "[link=http://evil.example]clic[/link]", "[bold red]alerte"]
ESCAPES = [
    "Lexus \x1b[31mrouge\x1b[0m",
    "\x1b]8;;http://evil.example\x07lien\x1b]8;;\x07",
    "\x1b]0;titre volé\x07",
    "C1 \x9b31m",
    "à l'envers \u202egnp.exe",
]
HOSTILE = FORMULAS + MARKUP + ESCAPES


@pytest.fixture
def db(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    with Store.open(root) as store:
        store.put_many(
            [
                audit(n, dealer(name, "21", "+33353012001"), day(2, 1 + n), name)
                for n, name in enumerate(HOSTILE, start=1)
            ]
        )
    return root


def test_the_report_csv_guards_every_formula(db: Path) -> None:
    for table in ("dealers", "trends", "unreachable", "trophy"):
        code, out, err = run_cli("--db", str(db), "report", "--format", "csv", "--table", table)
        assert code == EXIT_OK, err
        for row in csv.reader(io.StringIO(out)):
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), (table, cell)
    code, out, _ = run_cli("--db", str(db), "report", "--format", "csv")
    names = {row[1] for row in csv.reader(io.StringIO(out))}
    assert {formula_guard(name) for name in FORMULAS} <= names


def test_the_report_table_prints_names_as_text(db: Path) -> None:
    code, out, err = run_cli("--db", str(db), "report", "--table", "dealers")
    assert code == EXIT_OK, err
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out and "\u202e" not in out
    assert "[/x]" in out and "[link=http://evil.example]" in out and "[bold red]" in out
    assert "Lexus �[31mrouge" in out
    code, out, err = run_cli("--db", str(db), "report", "--dealer", "[/x]", "--auditor", "\x1b[2J")
    assert code == EXIT_OK, err
    assert "[/x]" in out and "\x1b" not in out


def test_command_line_messages_show_control_characters(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = tmp_path / "outbox"
    odd = outbox / "lot \x1b]0;titre volé\x07"
    odd.mkdir(parents=True)
    (odd / "audits.jsonl").write_text("{}\n", encoding="utf-8")
    assert main(["--db", str(db), "import", str(outbox)]) == EXIT_OK
    err = capsys.readouterr().err
    assert "lot incomplet" in err and "\x1b" not in err and "\x07" not in err


def test_the_xlsx_marks_formula_like_text_as_text(db: Path) -> None:
    with Store.open(db, read_only=True) as store:
        data = xlsx_bytes([store.get(i) for i in store.ids()])
    book = load_workbook(io.BytesIO(data))
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.value)
                    seen += 1
                elif isinstance(cell.value, str):
                    assert not cell.quotePrefix
    assert seen >= len(FORMULAS)  # the names kept as they are, shown as text


@given(st.text())
def test_terminal_text_leaves_no_control_character(text: str) -> None:
    shown = terminal_text(text)
    assert not any(c < " " or "\x7f" <= c <= "\x9f" or c in "\u202e\u2066" for c in shown)
    assert len(shown) == len(text)  # one shown character for each: nothing hidden
    if text.isprintable():
        assert shown == text
