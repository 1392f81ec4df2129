"""A store opened read-only: another auditor's folder, or one on a read-only disk, exported
and reported without anything written to it."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from auditor_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError, StoreWriteError
from tests.factories import make_audit, tree_digest
from tests.test_reliability_damage import run_cli
from tests.test_reliability_import import left_unfinished


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    with Store.open(root) as store:
        for n in range(4):
            store.create(make_audit(n, name=f"Lexus {n}"))
        store.replace_dealers([{"name": "Lexus 0"}])
    (root / "index.json").unlink()  # a stale cache: rebuilt in memory, never written back
    return root


def test_read_only_reads_everything_and_writes_nothing(folder: Path) -> None:
    before = tree_digest(folder)
    with Store.open(folder, read_only=True) as store:
        assert store.read_only and len(store) == 4
        assert {s.dealer for s in store.summaries()} == {f"Lexus {n}" for n in range(4)}
        audit = store.get(make_audit(2).id)
        assert store.events(audit.id)[0]["kind"] == "created"
        assert store.dealers() == [{"name": "Lexus 0"}]
        for write in (
            lambda: store.save(audit),
            lambda: store.create(make_audit(9)),
            lambda: store.put_many([make_audit(9)]),
            lambda: store.mark_exported([audit.id], "lot"),
            lambda: store.set_setting("auditor", "Camille"),
            lambda: store.replace_dealers([]),
        ):
            audit.notes["1"] = "changé"
            with pytest.raises(StoreError, match="lecture seule"):
                write()
    assert tree_digest(folder) == before  # no lock file, no index, nothing


def test_a_second_process_may_read_while_the_owner_holds_the_lock(folder: Path) -> None:
    with Store.open(folder) as owner, Store.open(folder, read_only=True) as reader:
        assert len(reader) == len(owner) == 4


def test_read_only_reads_an_unfinished_import_as_finished_and_refuses_a_missing_folder(
    folder: Path, tmp_path: Path
) -> None:
    jsonl = tmp_path / "two.jsonl"
    jsonl.write_text("".join(json.dumps(make_audit(n).to_export()) + "\n" for n in (7, 8)))
    unfinished = left_unfinished(folder, jsonl, tmp_path / "killed")  # an import killed mid-way
    before = tree_digest(unfinished)
    with Store.open(unfinished, read_only=True) as store:
        assert {make_audit(7).id, make_audit(8).id} <= set(store.ids())
        assert store.get(make_audit(8).id).to_dict() == make_audit(8).to_dict()
    assert tree_digest(unfinished) == before  # read as finished, without finishing it
    with pytest.raises(StoreError, match="pas de dossier de données"):
        Store.open(tmp_path / "nowhere", read_only=True)
    assert not (tmp_path / "nowhere").exists()


def test_cli_export_and_report_read_only(folder: Path, tmp_path: Path) -> None:
    before = tree_digest(folder)
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("--db", str(folder), "--read-only", "export", "--out", str(out))
    assert code == EXIT_OK, err
    assert len(out.read_text("utf-8").splitlines()) == 4
    code, report, err = run_cli("--db", str(folder), "--read-only", "report", "--format", "json")
    assert code == EXIT_OK, err
    assert json.loads(report)["counted"] == 4
    assert tree_digest(folder) == before  # no report cache either
    for argv in (["import", str(out)], ["export", "--changed", "--to", str(tmp_path)], []):
        with pytest.raises(SystemExit) as refused:
            run_cli("--db", str(folder), "--read-only", *argv)
        assert refused.value.code == 2


def test_cli_falls_back_to_read_only_when_the_folder_cannot_be_written(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on a read-only disk (EROFS when the lock is taken): export and report say so and
    go on without writing; a command that writes still fails with the error."""
    real_open = Store.open.__func__  # type: ignore[attr-defined]

    def read_only_disk(cls: type[Store], root: Path | None = None, **kwargs: object) -> Store:
        if not kwargs.get("read_only"):
            error = OSError(errno.EROFS, "Read-only file system")
            raise StoreWriteError(root / "store.lock", error, action="de verrouiller le dossier")
        return real_open(cls, root, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Store, "open", classmethod(read_only_disk))
    code, out, err = run_cli("--db", str(folder), "export", "--out", "-")
    assert code == EXIT_OK and len(out.splitlines()) == 4
    assert "lecture seule" in err and "rien n'y est écrit" in err
    code, _, err = run_cli("--db", str(folder), "dealers", "import", str(tmp_path / "x.csv"))
    assert code == EXIT_ERROR and "lecture seule" in err
    for code in (errno.EROFS, errno.EACCES, errno.EPERM):  # read-only disk, no permission
        assert StoreWriteError(folder, OSError(code, "x")).not_writable
    assert not StoreWriteError(folder, OSError(errno.ENOSPC, "x")).not_writable  # only full
