"""Issue 18.4: nothing dropped at the door. Fields a record holds that this version does not
know, at any level, are kept with the audit and written back unchanged by every later save
and export; the import names them once per file; the contract's reserved names never are."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import load_workbook

from auditor_tui.cli.exit_codes import EXIT_CONFLICTS, EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.store import Store
from tests.factories import make_audit, tree_digest


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def write_lines(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def exported(db: Path, tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "out.jsonl"
    assert cli(db, "export", "--out", str(out), *args) == EXIT_OK
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def with_unknown(n: int) -> dict:
    """The issue's example: a central system's region, a newer version's line number."""
    record = make_audit(n).to_export()
    record["x_region"] = "Sud"
    record["call"]["x_line"] = 3
    return record


def test_unknown_fields_are_kept_named_and_exported_back(tmp_path, capsys):
    db = tmp_path / "s"
    path = write_lines(tmp_path / "in.jsonl", [with_unknown(1), with_unknown(2)])
    assert cli(db, "import", str(path)) == EXIT_OK
    out = capsys.readouterr().out
    assert out.count("champs inconnus conservés") == 1  # once per file, not per record
    assert f"{path} : champs inconnus conservés : x_region, call.x_line" in out
    back = exported(db, tmp_path)
    assert [(r["x_region"], r["call"]["x_line"]) for r in back] == [("Sud", 3), ("Sud", 3)]
    # And from there into another store, unchanged again.
    again = tmp_path / "again"
    assert cli(again, "import", str(tmp_path / "out.jsonl")) == EXIT_OK
    assert exported(again, tmp_path) == back


def test_every_level_is_kept(tmp_path, capsys):
    record = make_audit(1).to_export()
    nested = {"a": [1, 2.5, None, True, {"b": "é\u2028"}], "c": {}}
    for name in ("dealer", "call", "follow_up", "identity", "calendar", "deadlines", "score"):
        record[name][f"x_{name}"] = nested
    record["x_top"] = nested
    db = tmp_path / "s"
    assert cli(db, "import", str(write_lines(tmp_path / "in.jsonl", [record]))) == EXIT_OK
    captured = capsys.readouterr()
    assert "avertissement" not in captured.err  # an unknown field in `score` is no other score
    [back] = exported(db, tmp_path)
    assert back == record


def test_reserved_names_are_never_unknown(tmp_path, capsys):
    record = make_audit(1).to_export()
    record["service"] = "VN"
    record["wave"] = "2027-T1"
    record["planned"] = {"date": "2027-01-12", "window": ["10:00", "11:00"]}
    record["history"] = [
        {"at": "2026-11-17T10:30:00+01:00", "event": "created", "detail": None},
        {"at": "2026-11-17T09:38:00Z", "event": "call_ended", "detail": None},
    ]
    record["follow_up"]["email_in_time"] = True
    record["follow_up"]["callback_in_time"] = None
    db = tmp_path / "s"
    assert cli(db, "import", str(write_lines(tmp_path / "in.jsonl", [record]))) == EXIT_OK
    captured = capsys.readouterr()
    assert "champs inconnus" not in captured.out
    # Computed like the score: the e-mail never came (its deadline passed on 17 November),
    # the call-back came the next day; the values given disagree, are named, and replaced.
    assert (
        "avertissement, ligne 1, champ follow_up.email_in_time : valeur fournie True "
        "différente de la valeur recalculée false ; la valeur recalculée est conservée"
    ) in captured.err
    assert "ligne 1, champ follow_up.callback_in_time : valeur fournie None" in captured.err
    [back] = exported(db, tmp_path)
    assert (back["service"], back["wave"], back["planned"]) == ("VN", "2027-T1", record["planned"])
    # Instants of the history in the store's one spelling, like every other.
    assert back["history"] == [
        {"at": "2026-11-17T09:30:00+00:00", "event": "created", "detail": None},
        {"at": "2026-11-17T09:38:00+00:00", "event": "call_ended", "detail": None},
    ]
    assert (back["follow_up"]["email_in_time"], back["follow_up"]["callback_in_time"]) == (
        False,
        True,
    )


def test_reserved_fields_are_checked(tmp_path, capsys):
    record = make_audit(1).to_export()
    record["service"] = "VX"
    record["wave"] = "2027-t1"  # a wave has one spelling, « 2027-T1 »
    record["planned"] = {"date": "2027-02-30", "window": ["11:00", "10:00"]}
    record["history"] = [{"at": "hier", "event": "born", "detail": 3}]
    path = write_lines(tmp_path / "in.jsonl", [record])
    assert cli(tmp_path / "s", "import", str(path)) == EXIT_REJECTED
    err = capsys.readouterr().err
    for field in (
        "service",
        "wave",
        "planned.date",
        "planned.window",
        "history[0].at",
        "history[0].event",
        "history[0].detail",
    ):
        assert f"ligne 1, champ {field} :" in err


def test_a_save_by_the_app_keeps_them(tmp_path, capsys):
    db = tmp_path / "s"
    assert cli(db, "import", str(write_lines(tmp_path / "in.jsonl", [with_unknown(1)]))) == 0
    with Store.open(db) as store:
        audit = store.get(make_audit(1).id)
        audit.notes["9"] = "a changé"
        store.save(audit)
        changed = [e["field"] for e in store.events(audit.id) if e["kind"] == "edit"]
    assert changed == ["notes.9"]  # the unknown fields are not an edit
    [back] = exported(db, tmp_path)
    assert back["revision"] == 2 and back["x_region"] == "Sud" and back["call"]["x_line"] == 3


def test_same_revision_other_unknown_fields_is_a_conflict(tmp_path, capsys):
    """Equal revision, equal known content, other unknown fields: content differs, so it is a
    conflict (nothing overwritten) as for any field; a sender that changes a field bumps the
    revision."""
    db = tmp_path / "s"
    assert cli(db, "import", str(write_lines(tmp_path / "a.jsonl", [with_unknown(1)]))) == 0
    digest = tree_digest(db / "audits")
    other = with_unknown(1)
    other["x_region"] = "Nord"
    assert cli(db, "import", str(write_lines(tmp_path / "b.jsonl", [other]))) == EXIT_CONFLICTS
    assert "champs inconnus" not in capsys.readouterr().out.split("b.jsonl")[-1]
    assert tree_digest(db / "audits") == digest
    other["revision"] = 2
    assert cli(db, "import", str(write_lines(tmp_path / "c.jsonl", [other]))) == EXIT_OK
    assert exported(db, tmp_path)[0]["x_region"] == "Nord"


def test_the_record_size_limit_counts_them(tmp_path, capsys):
    """One record is at most MAX_RECORD_BYTES of UTF-8 on its line, unknown fields included."""
    from auditor_tui.exchange.jsonl import MAX_RECORD_BYTES

    record = make_audit(1).to_export()
    record["x_blob"] = ""
    room = MAX_RECORD_BYTES - len(json.dumps(record, ensure_ascii=False).encode())
    record["x_blob"] = "é" * (room // 2) + "a" * (room % 2)
    line = json.dumps(record, ensure_ascii=False).encode() + b"\n"
    assert len(line) == MAX_RECORD_BYTES + 1
    (tmp_path / "fits.jsonl").write_bytes(line)
    assert cli(tmp_path / "s", "import", str(tmp_path / "fits.jsonl")) == EXIT_OK
    assert exported(tmp_path / "s", tmp_path)[0]["x_blob"] == record["x_blob"]
    (tmp_path / "over.jsonl").write_bytes(line.replace(b'"x_blob": "', b'"x_blob": "a'))
    assert cli(tmp_path / "t", "import", str(tmp_path / "over.jsonl")) == EXIT_REJECTED
    assert "ligne 1, champ (ligne) : enregistrement de plus de 1 000 000 octets" in (
        capsys.readouterr().err
    )


def test_csv_and_xlsx_carry_them_in_one_column(tmp_path, capsys):
    """Unknown fields in `other_fields`; the programme's `service`, `wave`, `planned` in their
    own columns (docs/export-columns.md), never in `other_fields`."""
    db = tmp_path / "s"
    record = with_unknown(1)
    record["service"] = "APV"
    record["wave"] = "2027-T1"
    record["planned"] = {"date": "2027-01-12", "window": ["10:00", "11:00"]}
    assert cli(db, "import", str(write_lines(tmp_path / "in.jsonl", [record]))) == EXIT_OK
    out = tmp_path / "a.csv"
    assert cli(db, "export", "--format", "csv", "--out", str(out)) == EXIT_OK
    [row] = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";")
    expected = {"x_region": "Sud", "call": {"x_line": 3}}
    assert json.loads(row["other_fields"]) == expected
    programme = ("wave", "service", "planned_date", "planned_window")
    assert [row[k] for k in programme] == ["2027-T1", "APV", "2027-01-12", "10:00-11:00"]
    book = tmp_path / "a.xlsx"
    assert cli(db, "export", "--format", "xlsx", "--out", str(book)) == EXIT_OK
    rows = list(load_workbook(book)["Audits"].iter_rows(values_only=True))
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert json.loads(cells["other_fields"]) == expected
    assert [cells[k] for k in programme] == ["2027-T1", "APV", "2027-01-12", "10:00-11:00"]


def test_a_pseudonymised_export_leaves_unknown_fields_out(tmp_path, capsys):
    db = tmp_path / "s"
    record = with_unknown(1)
    record["wave"] = "2026-T4"
    assert cli(db, "import", str(write_lines(tmp_path / "in.jsonl", [record]))) == EXIT_OK
    [back] = exported(db, tmp_path, "--pseudonymise")
    assert "x_region" not in back and "x_line" not in back["call"]
    assert back["wave"] == "2026-T4"
