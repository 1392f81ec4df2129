"""Incremental export: one batch of what changed since the last export, manifest written last."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.exchange import sync
from auditor_tui.exchange.manifest import batch_files
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreWriteError
from tests.factories import T0, make_audit


def batches(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


def manifest(batch: Path) -> dict:
    return json.loads((batch / "manifest.json").read_text(encoding="utf-8"))


def carried(batch: Path) -> list[tuple[str, int]]:
    lines = (batch / "audits.jsonl").read_text(encoding="utf-8").splitlines()
    return [(r["id"], r["revision"]) for r in map(json.loads, lines)]


def export_changed(db: Path, out: Path, *extra: str) -> int:
    return main(["--db", str(db), "export", "--changed", "--to", str(out), *extra])


def test_a_series_of_edits(tmp_path, capsys):
    db, out = tmp_path / "s", tmp_path / "outbox"
    a, b = make_audit(1), make_audit(2)

    # Nothing at all: nothing written, not even the folder, and it says so.
    assert export_changed(db, out) == EXIT_OK
    assert "aucun fichier écrit" in capsys.readouterr().out
    assert not out.exists()

    with Store.open(db) as store:
        store.create(a, T0)
        store.create(b, T0)
    assert export_changed(db, out) == EXIT_OK
    assert "2 audit(s) écrit(s)" in capsys.readouterr().out
    [first] = batches(out)
    assert sorted(carried(first)) == [(a.id, 1), (b.id, 1)]
    m = manifest(first)
    assert m["schema"] == "auditor-tui/batch/v1" and m["batch"] == first.name
    assert m["count"] == 2 and m["app_version"] and m["pseudonymised"] is False
    assert sorted((x["id"], x["revision"]) for x in m["audits"]) == [(a.id, 1), (b.id, 1)]
    data = (first / "audits.jsonl").read_bytes()
    assert m["files"] == {
        "audits.jsonl": {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    }
    with Store.open(db) as store:
        assert all(s.exported_revision == s.revision == 1 for s in store.summaries())
        assert store.get(a.id).export_batch == first.name
        assert store.get(a.id).revision == 1  # marking does not bump the revision

    # Nothing changed since: nothing written.
    assert export_changed(db, out) == EXIT_OK
    assert "Aucun audit créé ou modifié" in capsys.readouterr().out
    assert batches(out) == [first]

    # An edit after export bumps the revision: the next batch carries that audit only.
    with Store.open(db) as store:
        edited = store.get(a.id)
        edited.answers["11"] = [2]
        store.save(edited, moment=T0 + timedelta(days=1))
    assert export_changed(db, out) == EXIT_OK
    second = next(p for p in batches(out) if p != first)
    assert carried(second) == [(a.id, 2)]

    # A new audit and another edit, with a CSV alongside.
    c = make_audit(3, name="Lexus Lyon")
    with Store.open(db) as store:
        store.create(c, T0 + timedelta(days=2))
        edited = store.get(b.id)
        edited.notes["9"] = "rappelé"
        store.save(edited, moment=T0 + timedelta(days=2))
    assert export_changed(db, out, "--format", "csv") == EXIT_OK
    third = next(p for p in batches(out) if p not in (first, second))
    assert sorted(carried(third)) == sorted([(b.id, 2), (c.id, 1)])
    assert set(manifest(third)["files"]) == {"audits.jsonl", "audits.csv"}
    csv_bytes = (third / "audits.csv").read_bytes()
    assert csv_bytes.startswith(b"\xef\xbb\xbfid;")
    assert manifest(third)["files"]["audits.csv"]["sha256"] == hashlib.sha256(csv_bytes).hexdigest()

    # Every file owner-only, every batch folder private.
    for path in out.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))

    # Plain export still writes everything, and marks nothing.
    whole = tmp_path / "all.jsonl"
    assert main(["--db", str(db), "export", "--out", str(whole)]) == EXIT_OK
    assert len(whole.read_text(encoding="utf-8").splitlines()) == 3
    assert export_changed(db, out) == EXIT_OK
    assert "Aucun audit" in capsys.readouterr().out


def test_manifest_is_written_last_and_the_store_marked_after_it(store, tmp_path, monkeypatch):
    store.create(make_audit(1))
    written: list[str] = []  # the batch's files, as each takes its name on disk
    real = os.replace

    def spy(src: Any, dst: Any, **kw: Any) -> None:
        if os.fspath(dst).startswith(str(tmp_path / "out")):
            assert store.summaries()[0].exported_revision == 0  # not marked before the files
            written.append(Path(dst).name)
        real(src, dst, **kw)

    monkeypatch.setattr(os, "replace", spy)
    batch = sync.export_changed(store, tmp_path / "out", T0, extra={"audits.csv": "csv"})
    assert batch is not None and batch.count == 1
    assert written == ["audits.jsonl", "audits.csv", "manifest.json"]
    assert store.summaries()[0].exported_revision == 1


def test_a_failed_batch_has_no_manifest_and_is_carried_again(store, tmp_path, monkeypatch):
    store.create(make_audit(1))
    real = os.replace

    def full_disk(src: Any, dst: Any, **kw: Any) -> None:
        if Path(dst).name == "audits.csv":  # the disk fills up as the CSV is written
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(src, dst, **kw)

    monkeypatch.setattr(os, "replace", full_disk)
    out = tmp_path / "out"
    with pytest.raises(StoreWriteError, match="disque est plein"):
        sync.export_changed(store, out, T0, extra={"audits.csv": "csv"})
    [broken] = batches(out)
    assert not (broken / "manifest.json").exists()
    assert store.summaries()[0].exported_revision == 0
    monkeypatch.setattr(os, "replace", real)
    batch = sync.export_changed(store, out, T0 + timedelta(seconds=1))
    assert batch is not None and batch.count == 1
    # On the importing side the incomplete folder is skipped.
    found = batch_files(out)
    assert found.files == [batch.folder / "audits.jsonl"] and found.incomplete == [broken]


def test_pseudonymised_batch(tmp_path, capsys):
    db, out = tmp_path / "s", tmp_path / "out"
    audit = make_audit(1)
    audit.call.advisor_name = "Jérôme Petit"
    audit.follow_up.callback_note = "Jérôme a rappelé"
    with Store.open(db) as store:
        store.create(audit)
    assert export_changed(db, out, "--pseudonymise", "--format", "xlsx") == EXIT_OK
    [batch] = batches(out)
    assert manifest(batch)["pseudonymised"] is True
    assert set(manifest(batch)["files"]) == {"audits.jsonl", "audits.xlsx"}
    record = json.loads((batch / "audits.jsonl").read_text(encoding="utf-8"))
    assert record["call"]["advisor_name"].startswith("personne-")
    assert record["follow_up"]["callback_note"] == "" and record["notes"] == {}
    assert "Jérôme" not in (batch / "audits.jsonl").read_text(encoding="utf-8")


def test_changed_and_to_go_together(tmp_path, capsys):
    db = str(tmp_path / "s")
    for args in (["--changed", "--out", str(tmp_path / "x.jsonl")], ["--to", str(tmp_path / "o")]):
        with pytest.raises(SystemExit) as refused:
            main(["--db", db, "export", *args])
        assert refused.value.code == 2  # the command line refused
        assert "--changed va avec --to" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no store, no file, no folder


def test_what_is_read_back_otherwise_than_sent_is_named(tmp_path):
    """The batch's JSONL is read back a line at a time against the audits sent: a line read
    otherwise names its audit and the fields; a line missing says how many were read."""
    audits = [make_audit(n) for n in range(3)]
    path = tmp_path / "audits.jsonl"
    path.write_bytes(sync.jsonl_bytes(audits))
    assert sync.read_back(path, iter(audits), 3) == []
    edited = make_audit(1)
    edited.notes["9"] = "autre chose"
    assert sync.read_back(path, iter([audits[0], edited, audits[2]]), 3) == [
        f"audit {edited.id} (ligne 2) : relu autrement (notes)"
    ]
    path.write_bytes(sync.jsonl_bytes(audits[:2]))
    assert sync.read_back(path, iter(audits), 3) == [
        "audits.jsonl : 2 audit(s) relu(s) pour 3 écrit(s)"
    ]
    path.write_bytes(sync.jsonl_bytes(audits)[:-40] + b"\n")
    [problem] = sync.read_back(path, iter(audits), 3)
    assert problem.startswith(f"audit {audits[2].id} (ligne 3), champ ")
