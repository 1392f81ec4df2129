"""A store folder someone else prepared (issue 12, point 5): the store never follows a link it
did not make, never reads a FIFO, never changes a folder that is not its own, and says which
path it refuses (exit 1); an empty `--db` is refused."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from auditor_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from tests.factories import make_audit, tree_digest
from tests.test_reliability_damage import run_cli
from tests.test_special_files import cli


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    with Store.open(folder) as store:
        for n in range(3):
            store.create(make_audit(n))
    return folder


def shared_folder(tmp_path: Path) -> Path:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    (shared / "notes.txt").write_text("à un collègue", encoding="utf-8")
    return shared


def test_an_audits_folder_that_is_a_link_is_refused_and_its_target_untouched(
    root: Path, tmp_path: Path
) -> None:
    shared = shared_folder(tmp_path)
    for name in os.listdir(root / "audits"):
        os.replace(root / "audits" / name, shared / name)
    (root / "audits").rmdir()
    (root / "audits").symlink_to(shared, target_is_directory=True)
    (shared / f"{make_audit(0).id}.json").write_text("abîmé", encoding="utf-8")
    before = tree_digest(shared)
    for read_only in (False, True):
        with pytest.raises(StoreError, match="lien symbolique") as refused:
            Store.open(root, read_only=read_only)
        assert str(root / "audits") in str(refused.value)
    code, _, err = run_cli("--db", str(root), "report")
    assert code == EXIT_ERROR and str(root / "audits") in err
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777  # the sticky bit kept
    assert tree_digest(shared) == before  # no .corrupt-* copy written into it


def test_a_journal_whose_staging_folder_is_a_link_moves_nothing_in(
    root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / f"{make_audit(7).id}.json"
    victim.write_text('{"secret": "ailleurs"}', encoding="utf-8")
    (root / "staging-1-1").symlink_to(outside, target_is_directory=True)
    journal = {"moves": [[f"staging-1-1/{victim.name}", f"audits/{victim.name}"]],
               "stage": "staging-1-1"}  # fmt: skip
    (root / "journal.json").write_text(json.dumps(journal), encoding="utf-8")
    with Store.open(root) as store:
        assert any(d.path == root / "journal.json" for d in store.damaged)
        assert make_audit(7).id not in store
    assert victim.read_text(encoding="utf-8") == '{"secret": "ailleurs"}'
    assert not (root / "audits" / victim.name).exists()


def test_a_staged_file_that_is_a_link_is_not_moved_in(root: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.json"
    victim.write_text("{}", encoding="utf-8")
    stage = root / "staging-1-1"
    stage.mkdir(mode=0o700)
    name = f"{make_audit(7).id}.json"
    (stage / name).symlink_to(victim)
    journal = {"moves": [[f"staging-1-1/{name}", f"audits/{name}"]], "stage": "staging-1-1"}
    (root / "journal.json").write_text(json.dumps(journal), encoding="utf-8")
    with Store.open(root) as store:
        assert any(d.path == root / "journal.json" for d in store.damaged)
    assert not os.path.lexists(root / "audits" / name)


@pytest.mark.parametrize("target", ["audit", "index.json", "settings.json", "dealers.json"])
def test_a_store_file_that_is_a_link_is_never_read_nor_copied(
    root: Path, tmp_path: Path, target: str
) -> None:
    outside = tmp_path / "private.json"
    secret = {"settings": {"1": {"secret": "hors du dossier"}}, "dealers": {"1": {"name": "X"}}}
    outside.write_text(json.dumps(secret), encoding="utf-8")
    path = root / "audits" / f"{make_audit(1).id}.json" if target == "audit" else root / target
    path.unlink(missing_ok=True)
    path.symlink_to(outside)
    with Store.open(root) as store:
        assert store.setting("secret") is None
        if target == "dealers.json":
            with pytest.raises(StoreError, match="lien symbolique"):
                store.dealers()
        else:
            assert store.dealers() == []
        if target == "audit":
            assert make_audit(1).id not in store
        else:
            assert len(store) == 3
        if target != "index.json":  # a cache: rebuilt (and written anew when closed)
            assert any(d.path == path and "lien symbolique" in d.message for d in store.damaged)
    copies = [p for p in tmp_path.rglob("*") if "corrupt" in p.name]
    assert all("hors du dossier" not in p.read_text("utf-8", "replace") for p in copies)
    assert json.loads(outside.read_text(encoding="utf-8")) == secret


def test_a_fifo_in_the_store_never_hangs_it(root: Path) -> None:
    (root / "index.json").unlink()
    os.mkfifo(root / "index.json")
    os.mkfifo(root / "settings.json")
    run = cli("--db", str(root), "--read-only", "report", "--format", "json")
    assert json.loads(run.stdout)["counted"] == 3, run.stderr
    assert f"{root / 'settings.json'}" in run.stderr and "tube nommé" in run.stderr
    run = cli("--db", str(root), "report", "--format", "json")  # the index is written anew
    assert json.loads(run.stdout)["counted"] == 3, run.stderr
    assert (root / "index.json").is_file()


def test_an_unreadable_audits_folder_is_named_not_a_traceback(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.scandir

    def refused(path: object) -> object:
        if Path(str(path)) == root / "audits":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refused)  # the tests run as root: mode 000 would not do
    code, _, err = run_cli("--db", str(root), "--read-only", "export", "--out", "-")
    assert code == EXIT_ERROR
    assert str(root / "audits") in err and "permission refusée" in err and "Traceback" not in err


def test_a_shared_folder_is_never_made_a_store(tmp_path: Path) -> None:
    shared = shared_folder(tmp_path)
    with pytest.raises(StoreError, match="partagé"):
        Store.open(shared)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert sorted(os.listdir(shared)) == ["notes.txt"]


def test_an_empty_db_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    here = tmp_path / "here"
    here.mkdir(mode=0o755)
    here.chmod(0o755)
    monkeypatch.chdir(here)
    for argv in (["--db", "", "report"], ["--db", " ", "export", "--out", "-"], ["--db", ""]):
        with pytest.raises(SystemExit) as refused:
            main(argv)
        assert refused.value.code == EXIT_REJECTED
        assert "--db" in capsys.readouterr().err
    assert os.listdir(here) == [] and stat.S_IMODE(here.stat().st_mode) == 0o755
    Store.open(tmp_path / "s").close()
    code, _, _ = run_cli("--db", str(tmp_path / "s"), "report")
    assert code == EXIT_OK
