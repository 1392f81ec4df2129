"""`auditor-tui import` / `export` on a real store: round trip, all-or-nothing rejection."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from auditor_tui.cli.exit_codes import EXIT_CONFLICTS, EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.store import Store
from tests.factories import make_audit, tree_digest


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def test_export_import_export_is_identical(tmp_path, capsys):
    first = tmp_path / "a"
    with Store.open(first) as store:
        for n in range(4):
            store.create(make_audit(n, transferred=n % 2 == 0))
    out1 = tmp_path / "one.jsonl"
    assert main(["--db", str(first), "export", "--format", "jsonl", "--out", str(out1)]) == EXIT_OK
    assert main(["--db", str(tmp_path / "b"), "import", str(out1)]) == EXIT_OK
    assert "4 ajouté(s)" in capsys.readouterr().out
    out2 = tmp_path / "two.jsonl"
    assert main(["--db", str(tmp_path / "b"), "export", "--out", str(out2)]) == EXIT_OK
    assert out1.read_bytes() == out2.read_bytes()
    lines = [json.loads(line) for line in out1.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 4
    assert {(r["score"]["points"], r["score"]["max"]) for r in lines} == {(30, 30), (25, 25)}
    assert all(r["deadlines"]["callback"] and r["updated_at"] for r in lines)
    assert oct(out1.stat().st_mode & 0o777) == "0o600"


def test_export_to_stdout(tmp_path, capsys):
    with Store.open(tmp_path / "s") as store:
        store.create(make_audit(1))
    assert main(["--db", str(tmp_path / "s"), "export", "--out", "-"]) == EXIT_OK
    out = capsys.readouterr().out
    assert json.loads(out)["id"] == make_audit(1).id


def test_invalid_file_changes_nothing_and_lists_every_problem(tmp_path, capsys):
    db = tmp_path / "s"
    with Store.open(db) as store:
        store.create(make_audit(1))
    before = tree_digest(db)
    good = make_audit(2).to_export()
    bad_answer = make_audit(3, transferred=False).to_export()
    bad_answer["answers"]["6"] = [1]
    bad_phone = make_audit(4).to_export()
    bad_phone["dealer"]["phone"] = "+331"
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps(good)
        + "\n"
        + json.dumps(bad_answer)
        + "\n{not json\n"
        + json.dumps(bad_phone)
        + "\n",
        encoding="utf-8",
    )
    assert main(["--db", str(db), "import", str(path)]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert f"{path}, ligne 2, champ answers.6" in err
    assert f"{path}, ligne 3, champ (json)" in err
    assert f"{path}, ligne 4, champ dealer.phone" in err
    assert "inchangé" in err
    assert tree_digest(db) == before


def test_merge_by_revision_and_conflicts(tmp_path, capsys):
    db = tmp_path / "s"
    base = make_audit(1)
    with Store.open(db) as store:
        store.create(base)
    newer = make_audit(1)
    newer.revision = 5
    newer.notes["15"] = "rappel très cordial"
    conflicting = make_audit(1)
    conflicting.notes["9"] = "autre contenu"
    assert (
        main(
            [
                "--db",
                str(db),
                "import",
                str(write_jsonl(tmp_path / "c.jsonl", [conflicting.to_export()])),
            ]
        )
        == EXIT_CONFLICTS
    )
    assert "conflit" in capsys.readouterr().err
    with Store.open(db) as store:
        assert store.get(base.id).notes == {}
    assert (
        main(
            ["--db", str(db), "import", str(write_jsonl(tmp_path / "n.jsonl", [newer.to_export()]))]
        )
        == EXIT_OK
    )
    with Store.open(db) as store:
        kept = store.get(base.id)
        assert kept.revision == 5 and kept.notes == {"15": "rappel très cordial"}
        assert [e["kind"] for e in store.events(base.id)][-2:] == ["import", "import"]


def test_wrong_deadline_is_reported_and_recomputed(tmp_path, capsys):
    # The call ended Tuesday 17 November 2026, 09:38 UTC (10:38 in Paris, Dijon): the two
    # business days are Wednesday 18 and Thursday 19, due Thursday 23:59:59 Paris = 22:59:59 UTC.
    record = make_audit(1).to_export()
    assert record["call"]["ended_at"] == "2026-11-17T09:38:00+00:00"
    record["deadlines"]["callback"] = "2026-12-31T22:59:59+00:00"
    path = write_jsonl(tmp_path / "d.jsonl", [record])
    assert main(["--db", str(tmp_path / "s"), "import", str(path)]) == EXIT_OK
    assert "ligne 1, champ deadlines" in capsys.readouterr().err
    with Store.open(tmp_path / "s") as store:
        assert store.get(record["id"]).deadlines["callback"] == "2026-11-19T22:59:59+00:00"


def test_locked_store_gives_a_clear_error(tmp_path, capsys):
    db = tmp_path / "s"
    with Store.open(db):  # a writing command is refused; export reads (tests/test_snapshot_read)
        assert main(["--db", str(db), "import", str(tmp_path / "x.jsonl")]) == 1
    assert str(db) in capsys.readouterr().err


def test_a_command_gives_the_cycle_collector_back(tmp_path, capsys):
    """Commands run with the collector off; main() is also called in-process, as here."""
    assert gc.isenabled()
    Store.open(tmp_path / "s").close()
    assert main(["--db", str(tmp_path / "s"), "export", "--out", "-"]) == EXIT_OK
    assert gc.isenabled()
    assert main(["--db", str(tmp_path / "s"), "import", str(tmp_path / "missing.jsonl")]) != 0
    assert gc.isenabled()
