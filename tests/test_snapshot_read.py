"""Readers see one committed state and need nothing but reading (issue 12, points 9 and 10;
issue 11, point 10): `export` and `report` read while another process holds the store, wait for
an import's commit instead of seeing half of it, read an interrupted commit as it will be
finished, fall back to reading on a full disk, rebuild an unreadable index in memory, and
never make a store where there is none."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from auditor_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from auditor_tui.store import Store, lock
from auditor_tui.store.errors import StoreWriteError
from tests.factories import make_audit, tree_digest
from tests.test_left_out import refuse_one_file
from tests.test_reliability_damage import run_cli

COUNT = 6


@pytest.fixture
def db(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    with Store.open(root) as store:
        for n in range(COUNT):
            store.create(make_audit(n, name=f"Lexus {n}"))
    return root


def revisions(store: Store) -> dict[str, int]:
    return {audit_id: store.get(audit_id).revision for audit_id in store.ids()}


def test_a_reader_never_sees_half_of_an_import(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import pauses after its first rename (the commit half applied); a read-only reader
    started then must see the store as it was before or after, never the mix."""
    from auditor_tui.store import commit_lock

    half, go, reader_waits, reader_done = (threading.Event() for _ in range(4))
    real_replace = os.replace
    moved: list[str] = []

    def pausing_replace(src: object, dst: object) -> None:
        real_replace(src, dst)  # type: ignore[arg-type]
        if str(dst).endswith(".json") and "/audits/" in str(dst):
            moved.append(str(dst))
            if len(moved) == 1:
                half.set()
                assert go.wait(60)

    real_pause = commit_lock.pause

    def noticing_pause() -> None:
        reader_waits.set()
        real_pause()

    monkeypatch.setattr(commit_lock, "pause", noticing_pause)
    newer = [make_audit(n, name=f"Lexus {n}") for n in range(COUNT)]
    for audit in newer:
        audit.revision = 2
    seen: list[dict[str, int]] = []

    def importer() -> None:
        with Store.open(db) as store:
            monkeypatch.setattr(os, "replace", pausing_replace)
            store.put_many(newer)

    def reader() -> None:
        with Store.open(db, read_only=True) as store:
            seen.append(revisions(store))
        reader_done.set()

    writing = threading.Thread(target=importer)
    writing.start()
    assert half.wait(60)
    reading = threading.Thread(target=reader)
    reading.start()
    while not (reader_waits.is_set() or reader_done.is_set()):
        reader_waits.wait(0.01)  # whichever comes first: the reader waiting, or done (a bug)
    go.set()
    writing.join(60)
    reading.join(60)
    assert seen and set(seen[0].values()) in ({1}, {2}), seen  # never a mix
    assert seen[0] == {a.id: 2 for a in newer}  # it waited for the commit


def test_a_reader_reads_an_interrupted_import_as_it_will_be_finished(db: Path) -> None:
    """An import killed after its commit point (journal written, renames not done): a
    read-only reader sees the import done, and writes nothing."""
    from tests.test_reliability_damage import plant_journal

    plant_journal(db)
    before = tree_digest(db)
    with Store.open(db, read_only=True) as store:
        assert make_audit(9).id in store and len(store) == COUNT + 1
        assert store.get(make_audit(9).id).id == make_audit(9).id
        assert any("import interrompu" in notice for notice in store.notices)
    code, out, err = run_cli("--db", str(db), "--read-only", "export", "--out", "-")
    assert code == EXIT_OK, err
    assert len(out.splitlines()) == COUNT + 1
    assert tree_digest(db) == before
    with Store.open(db) as store:  # the next writer finishes it, as before
        assert len(store) == COUNT + 1
    assert not (db / "journal.json").exists()


@pytest.mark.parametrize("command", ["export", "report"])
def test_export_and_report_read_while_the_app_holds_the_store(
    db: Path, tmp_path: Path, command: str
) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps(make_audit(60).to_export()) + "\n", encoding="utf-8")
    argv = ["export", "--out", "-"] if command == "export" else ["report", "--format", "json"]
    with Store.open(db) as app:
        app.create(make_audit(50, name="Lexus 50"))  # saved by the app: part of the state
        code, out, err = run_cli("--db", str(db), *argv)
        assert code == EXIT_OK, err
        assert "lecture seule" in err and "ouvert par" in err
        if command == "export":
            assert len(out.splitlines()) == COUNT + 1
        else:
            assert json.loads(out)["counted"] == COUNT + 1
        code, _, err = run_cli("--db", str(db), "import", str(other))  # a writer: refused
        assert code == EXIT_ERROR and "déjà ouvert" in err


@pytest.mark.parametrize("argv", [["export", "--out", "-"], ["report"], ["--read-only", "report"]])
def test_a_missing_store_is_not_made_by_a_reader(tmp_path: Path, argv: list[str]) -> None:
    nowhere = tmp_path / "nowhere"
    code, out, err = run_cli("--db", str(nowhere), *argv)
    assert code == EXIT_ERROR and out == ""
    assert str(nowhere) in err and "pas de dossier de données" in err
    assert not nowhere.exists()
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli("--db", str(tmp_path / "empty"), *argv)
    assert code == EXIT_ERROR and os.listdir(tmp_path / "empty") == []


def test_readers_need_no_free_space(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk: opening for writing fails (lock.info cannot be written); export and report
    read all the same, saying so."""
    real = lock.atomic_write_bytes

    def full(path: Path, data: bytes, **kwargs: object) -> None:
        raise StoreWriteError(path, OSError(errno.ENOSPC, "No space left on device"))

    monkeypatch.setattr(lock, "atomic_write_bytes", full)
    code, out, err = run_cli("--db", str(db), "export", "--out", "-")
    assert code == EXIT_OK, err
    assert len(out.splitlines()) == COUNT and "disque est plein" in err and "lecture seule" in err
    code, out, err = run_cli("--db", str(db), "report", "--format", "json")
    assert code == EXIT_OK and json.loads(out)["counted"] == COUNT
    monkeypatch.setattr(lock, "atomic_write_bytes", real)


def test_an_unreadable_index_is_rebuilt_in_memory(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (db / "index.json").chmod(0o000)
    refuse_one_file(monkeypatch, "index.json")  # as root, the mode alone would not refuse
    before = tree_digest(db)
    code, out, err = run_cli("--db", str(db), "--read-only", "report", "--format", "json")
    assert code == EXIT_OK, err
    assert json.loads(out)["counted"] == COUNT
    assert str(db / "index.json") in err and "refait" in err
    assert tree_digest(db) == before


def reads_during_import(base: Path, jsonl: Path, work: Path) -> tuple[int, int]:
    """Copy `base` (audits at revision 1) to `work` and import `jsonl` into it with the CLI
    (the same audits at revision 2, and new ones), while this process reads the store
    read-only, again and again: each read must see the import whole or not at all. Returns
    the reads made before and after the commit (scripts/reliability.py runs it at scale)."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(base, work)
    with Store.open(work, read_only=True) as store:
        before = len(store)
    after = len(jsonl.read_bytes().splitlines())  # every audit of the base is in the file
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor_tui", "--db", str(work), "import", str(jsonl)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=Path(__file__).resolve().parent.parent,
    )
    seen = {1: 0, 2: 0}
    try:
        while True:
            finished = proc.poll() is not None
            with Store.open(work, read_only=True) as store:
                revisions = {s.revision for s in store.summaries()}
                assert len(revisions) == 1, f"a mix of revisions: {sorted(revisions)}"
                assert len(store) == (before if revisions == {1} else after), len(store)
            seen[revisions.pop()] += 1
            if finished:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_OK, err.decode()
    return seen[1], seen[2]


def import_case(folder: Path, count: int, new: int) -> tuple[Path, Path]:
    """A store of `count` audits at revision 1, and a file of them at revision 2 with `new`
    more."""
    base = folder / "base"
    with Store.open(base) as store:
        store.put_many([make_audit(n, name=f"Lexus {n % 41}") for n in range(count)])
    audits = [make_audit(n, name=f"Lexus {n % 41}") for n in range(count + new)]
    for audit in audits:
        audit.revision = 2
    jsonl = folder / "import.jsonl"
    jsonl.write_text("".join(json.dumps(a.to_export()) + "\n" for a in audits), encoding="utf-8")
    return base, jsonl


def test_reads_during_an_import_see_it_whole_or_not_at_all(tmp_path: Path) -> None:
    base, jsonl = import_case(tmp_path, 60, 20)
    _, after = reads_during_import(base, jsonl, tmp_path / "work")
    assert after >= 1  # the last read, after the import: everything at revision 2
