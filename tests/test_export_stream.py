"""Exports that stream (issue 15): each audit read and written as it comes, the file published
only once whole, and the « Réponses » sheet going on past Excel's last row."""

from __future__ import annotations

import io
import json
import os
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from auditor_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.exchange import xlsx_writer
from auditor_tui.exchange.export_xlsx import xlsx_bytes
from auditor_tui.store import Store
from tests.factories import make_audit
from tests.test_export_csv import eighty_seven, unreachable
from tests.test_left_out import refuse_one_file


def store_of(tmp_path, audits):
    db = tmp_path / "s"
    with Store.open(db) as store:
        for audit in audits:
            store.create(audit)
    return db


def rows_of(book, title):
    return list(book[title].iter_rows(values_only=True))


def test_answers_past_the_sheet_limit_go_on_in_sheets_of_their_own(tmp_path):
    """5 audits × 25 questions = 125 answer rows; sheets of 50 rows (header included)."""
    audits = [eighty_seven(1), unreachable(2), make_audit(3), make_audit(4), make_audit(5)]
    whole = load_workbook(_saved(tmp_path / "whole.xlsx", xlsx_bytes(audits)))
    split = load_workbook(_saved(tmp_path / "split.xlsx", xlsx_bytes(audits, max_rows=50)))
    assert split.sheetnames == [
        "Audits",
        "Réponses",
        "Réponses (2)",
        "Réponses (3)",
        "Concessionnaires",
        "Verbatims",
    ]
    answers = rows_of(whole, "Réponses")
    assert len(answers) == 1 + 125
    parts = [rows_of(split, t) for t in ("Réponses", "Réponses (2)", "Réponses (3)")]
    assert [len(p) for p in parts] == [50, 50, 28]  # each with its header
    assert all(p[0] == answers[0] for p in parts)
    assert [row for p in parts for row in p[1:]] == answers[1:]
    assert split["Réponses (3)"].auto_filter.ref == "A1:O28"
    assert rows_of(split, "Audits") == rows_of(whole, "Audits")
    assert rows_of(split, "Concessionnaires") == rows_of(whole, "Concessionnaires")
    assert rows_of(split, "Verbatims") == rows_of(whole, "Verbatims")


def test_a_sheet_that_fills_its_last_row_exactly_has_no_empty_sequel(tmp_path):
    book = load_workbook(_saved(tmp_path / "a.xlsx", xlsx_bytes([make_audit(1)], max_rows=26)))
    assert book.sheetnames == ["Audits", "Réponses", "Concessionnaires", "Verbatims"]
    assert len(rows_of(book, "Réponses")) == 26


def test_the_command_says_where_the_answers_go_on(tmp_path, capsys, monkeypatch):
    db = store_of(tmp_path, [make_audit(1), make_audit(2)])
    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 30)
    out = tmp_path / "a.xlsx"
    assert main(["--db", str(db), "export", "--format", "xlsx", "--out", str(out)]) == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out == f"2 audit(s) exporté(s) vers {out}.\n"
    assert captured.err == (
        "La feuille « Réponses » dépasse les 1 048 576 lignes d'Excel : elle continue dans "
        "« Réponses (2) ».\n"
    )
    assert load_workbook(out).sheetnames[1:3] == ["Réponses", "Réponses (2)"]


def test_an_export_that_fails_midway_leaves_the_previous_file_and_no_other(tmp_path, capsys):
    """The audit that cannot leave is the last one read: what was written before it is
    dropped, the file --out named keeps its content, no temporary file is left beside it."""
    odd = make_audit(9)
    odd.call.transfer_seconds = float("nan")
    db = store_of(tmp_path, [make_audit(1), make_audit(2), odd])
    folder = tmp_path / "out"
    folder.mkdir()
    for fmt in ("jsonl", "csv", "xlsx"):
        out = folder / f"audits.{fmt}"
        out.write_bytes(b"before")
        assert main(["--db", str(db), "export", "--format", fmt, "--out", str(out)]) == EXIT_ERROR
        assert f"audit {odd.id} non exportable" in capsys.readouterr().err
        assert out.read_bytes() == b"before"
    assert sorted(p.name for p in folder.iterdir()) == ["audits.csv", "audits.jsonl", "audits.xlsx"]
    assert main(["--db", str(db), "export", "--out", "-"]) == EXIT_ERROR
    assert capsys.readouterr().out == ""  # not two lines, then an error


def test_export_reads_the_audits_in_creation_order_not_the_index_order(tmp_path, capsys):
    """The index lists the newest call first; an export lists creation order (ties by id)."""
    from datetime import UTC, datetime

    late = make_audit(1, when=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    early = make_audit(2, when=datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    tie = make_audit(0, when=datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    db = store_of(tmp_path, [late, early, tie])
    assert main(["--db", str(db), "export", "--out", "-"]) == EXIT_OK
    ids = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    assert ids == [tie.id, early.id, late.id]


def _saved(path, data):
    path.write_bytes(data)
    return path


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    notes=st.lists(st.text(max_size=40), min_size=1, max_size=4),
    days=st.lists(st.integers(0, 20), min_size=1, max_size=4),
)
def test_what_streams_out_is_what_the_audits_give_and_reads_back(tmp_path_factory, notes, days):
    """Any text a note holds, any creation order: the streamed JSONL and CSV are byte for
    byte the files made from the audits in memory, and the JSONL imports back to the same."""
    from datetime import UTC, datetime, timedelta

    from auditor_tui.exchange.importing import comparable
    from auditor_tui.exchange.sync import csv_bytes, jsonl_bytes

    tmp_path = tmp_path_factory.mktemp("stream")
    audits = []
    for n, (note, day) in enumerate(zip(notes, days, strict=False)):
        audit = make_audit(n, when=datetime(2026, 10, 1, 9, 0, tzinfo=UTC) + timedelta(days=day))
        audit.notes["9"] = note
        audits.append(audit)
    db = store_of(tmp_path, audits)
    with Store.open(db) as store:
        stored = [store.get(a.id) for a in audits]
    for fmt, made in (("jsonl", jsonl_bytes(stored)), ("csv", csv_bytes(stored))):
        out = tmp_path / f"a.{fmt}"
        assert main(["--db", str(db), "export", "--format", fmt, "--out", str(out)]) == EXIT_OK
        assert out.read_bytes() == made
    back = tmp_path / "back"
    assert main(["--db", str(back), "import", str(tmp_path / "a.jsonl")]) == EXIT_OK
    with Store.open(back) as store:
        assert [comparable(store.get(a.id)) for a in stored] == [comparable(a) for a in stored]


def test_a_large_export_made_by_two_processes_is_the_same_file(tmp_path, capsys, monkeypatch):
    """Chunks of two audits, every other one made by a forked child: the same bytes as the
    file made from the audits in memory; what the child meets (an audit that cannot leave,
    an unreadable one) is told as the parent would."""
    from auditor_tui.exchange import parallel
    from auditor_tui.exchange.sync import csv_bytes, jsonl_bytes

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 4)
    monkeypatch.setattr(parallel, "CHUNK", 2)
    audits = [make_audit(n, name=f"Lexus {n % 3}") for n in range(9)]
    for n, audit in enumerate(audits):
        audit.notes["9"] = f"Note <{n}> & « verbatim »"
    db = store_of(tmp_path, audits)
    with Store.open(db) as store:
        stored = [store.get(a.id) for a in audits]
    for fmt, made in (("jsonl", jsonl_bytes(stored)), ("csv", csv_bytes(stored))):
        out = tmp_path / f"a.{fmt}"
        assert main(["--db", str(db), "export", "--format", fmt, "--out", str(out)]) == EXIT_OK
        assert out.read_bytes() == made
    assert capsys.readouterr().out.endswith("9 audit(s) exporté(s) vers " + f"{out}.\n")
    # The workbook: every part as the one made in memory (the zip's dates aside); the dealer
    # rows made by the child count in « Concessionnaires » and give their notes to
    # « Verbatims » like the parent's.
    book = tmp_path / "a.xlsx"
    assert main(["--db", str(db), "export", "--format", "xlsx", "--out", str(book)]) == EXIT_OK
    assert capsys.readouterr().out == f"9 audit(s) exporté(s) vers {book}.\n"
    with zipfile.ZipFile(book) as made_here, zipfile.ZipFile(io.BytesIO(xlsx_bytes(stored))) as ref:
        assert made_here.namelist() == ref.namelist()
        for name in ref.namelist():
            assert made_here.read(name) == ref.read(name), name
    dealers = rows_of(load_workbook(book), "Concessionnaires")
    assert sorted((row[1], row[3]) for row in dealers[1:]) == [
        ("Lexus 0", 3),
        ("Lexus 1", 3),
        ("Lexus 2", 3),
    ]

    ordered = sorted(audits, key=lambda a: (a.created_at, a.id))
    unreadable = ordered[3].id  # in the second chunk: the child's
    with monkeypatch.context() as patch:
        refuse_one_file(patch, f"{unreadable}.json")
        out = tmp_path / "b.jsonl"
        assert main(["--db", str(db), "export", "--out", str(out)]) == EXIT_ERROR
    captured = capsys.readouterr()
    assert "8 audit(s) exporté(s)" in captured.out
    assert "audit illisible, laissé hors de l'export : " in captured.err
    assert f"{unreadable}.json" in captured.err
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [
        a.id for a in ordered if a.id != unreadable
    ]

    odd = store_of(tmp_path / "odd", [make_audit(n) for n in range(8)])
    with Store.open(odd) as store:
        child = sorted(store.ids())[2]
        audit = store.get(child)
        audit.call.transfer_seconds = float("inf")
        store.save(audit)
    out = tmp_path / "c.jsonl"
    assert main(["--db", str(odd), "export", "--out", str(out)]) == EXIT_ERROR
    assert f"audit {child} non exportable" in capsys.readouterr().err
    assert not out.exists()


def test_chunks_a_child_took_and_never_sent_are_made_by_the_parent(tmp_path, monkeypatch):
    """The child is killed after taking two chunks (what `kill` or the memory killer would
    do): the parent makes them itself, and the file is whole and the same."""
    from auditor_tui.exchange import parallel
    from auditor_tui.exchange.sync import jsonl_bytes

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 4)
    monkeypatch.setattr(parallel, "CHUNK", 2)

    def killed(fd, tickets, *rest):  # runs in the forked child
        parallel._take(tickets)
        parallel._take(tickets)
        os._exit(9)

    monkeypatch.setattr(parallel, "_child", killed)
    audits = [make_audit(n, name=f"Lexus {n % 3}") for n in range(9)]
    db = store_of(tmp_path, audits)
    with Store.open(db) as store:
        stored = [store.get(a.id) for a in audits]
    out = tmp_path / "a.jsonl"
    assert main(["--db", str(db), "export", "--out", str(out)]) == EXIT_OK
    assert out.read_bytes() == jsonl_bytes(stored)


def test_a_text_longer_than_an_excel_cell_is_cut_there_and_kept_whole_in_the_jsonl(tmp_path):
    """Excel holds 32,767 characters (UTF-16 units) in a cell and « repairs » a workbook with
    a longer one: a note pasted whole (a record may hold 1 MB) is cut in the XLSX, saying so;
    the JSON Lines keep it whole."""
    from auditor_tui.exchange.sync import jsonl_bytes
    from auditor_tui.exchange.xlsx_writer import CELL_CHARS, CUT

    audit = make_audit(1)
    audit.notes["9"] = "Début. " + "😀" * 20_000  # 40,007 UTF-16 units
    book = load_workbook(_saved(tmp_path / "a.xlsx", xlsx_bytes([audit])))

    def units(text: str) -> int:
        return len(text.encode("utf-16-le")) // 2

    audits = dict(zip(*rows_of(book, "Audits")[:2], strict=True))
    [note] = [row[-1] for row in rows_of(book, "Réponses")[1:] if row[6] == "9"]
    [verbatim] = [row[-1] for row in rows_of(book, "Verbatims")[1:]]
    for cell in (audits["notes"], note, verbatim):
        # within the limit: one unit less where the cut fell between the two halves of an emoji
        assert CELL_CHARS - 1 <= units(cell) <= CELL_CHARS and cell.endswith(CUT), units(cell)
    assert note.startswith("Début. 😀😀") and audits["notes"].startswith("Q9 : Début. 😀")
    assert json.loads(jsonl_bytes([audit]))["notes"]["9"] == audit.notes["9"]


def test_white_space_a_reader_could_drop_is_said_to_be_kept_and_only_there(tmp_path):
    """`xml:space="preserve"` where a text starts or ends with white space, holds a line end,
    a tab or two spaces in a row (what Excel would otherwise drop), not on every cell: the
    « Réponses » sheet a fifth smaller; every text read back as written."""
    texts = [" devant", "derrière ", "deux  espaces", "ligne\nsuite", "tab\tulation", "simple"]
    audits = []
    for n, text in enumerate(texts):
        audit = make_audit(n)
        audit.notes["9"] = text
        audits.append(audit)
    data = xlsx_bytes(audits)
    book = load_workbook(_saved(tmp_path / "a.xlsx", data))
    notes = [row[-1] for row in rows_of(book, "Réponses")[1:] if row[6] == "9"]
    assert notes == texts
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        answers = parts.read("xl/worksheets/sheet2.xml").decode()
    for text in texts[:-1]:
        assert f'<t xml:space="preserve">{text}</t>' in answers
    assert "<t>simple</t>" in answers and '<t xml:space="preserve">simple' not in answers
