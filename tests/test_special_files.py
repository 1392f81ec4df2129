"""Special files given to the command line (issue 12, point 6): import reads regular files (and
`-`) up to a size limit and refuses a FIFO, a device or a folder that is not a batch at once;
`export --out` writes through a FIFO or a character device and never replaces a link."""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from auditor_tui.cli.exit_codes import EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.exchange.export import write_jsonl
from auditor_tui.store import Store
from tests.factories import make_audit, tree_digest


def jsonl(*numbers: int) -> bytes:
    buffer = io.StringIO()
    write_jsonl([make_audit(n) for n in numbers], buffer)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    with Store.open(tmp_path / "store") as store:
        store.create(make_audit(1))
    return tmp_path / "store"


def cli(*argv: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """The real command in a process of its own: a hang is a failure, not a stuck suite."""
    return subprocess.run(
        [sys.executable, "-m", "auditor_tui", *argv],
        input=stdin.decode("utf-8"),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parent.parent,
    )


def test_import_of_a_fifo_or_a_device_is_refused_at_once(db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "audits.jsonl"
    os.mkfifo(fifo)  # nobody writes to it: reading it would wait forever
    good = tmp_path / "good.jsonl"
    good.write_bytes(jsonl(5))
    zero = tmp_path / "zero"
    try:
        os.mknod(zero, 0o666 | stat.S_IFCHR, os.makedev(1, 5))
    except PermissionError:
        zero = Path("/dev/zero")  # read only: nothing is written to it
    run = cli("--db", str(db), "import", str(fifo), str(zero), str(good))
    assert run.returncode == EXIT_REJECTED, run.stderr
    assert f"{fifo}, champ (fichier) : c'est un tube nommé (FIFO)" in run.stderr
    assert f"{zero}, champ (fichier) : c'est un périphérique" in run.stderr
    assert "1 ajouté(s)" in run.stdout  # each file on its own: the regular one is imported
    with Store.open(db) as store:
        assert make_audit(5).id in store


def test_import_refuses_a_file_over_the_size_limit(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(jsonl(5, 6, 7))
    before = tree_digest(db)
    assert main(["--db", str(db), "import", "--max-size", "1k", str(big)]) == EXIT_REJECTED
    assert "fichier trop volumineux (plus de 1 ko) : refusé" in capsys.readouterr().err
    assert tree_digest(db) == before
    assert main(["--db", str(db), "import", "--max-size", "1M", str(big)]) == EXIT_OK
    with pytest.raises(SystemExit):
        main(["--db", str(db), "import", "--max-size", "beaucoup", str(big)])
    assert "taille invalide" in capsys.readouterr().err


def test_import_reads_standard_input(db: Path) -> None:
    run = cli("--db", str(db), "import", "-", stdin=jsonl(5))
    assert run.returncode == EXIT_OK, run.stderr
    assert "1 ajouté(s)" in run.stdout
    run = cli("--db", str(db), "import", "--max-size", "100", "-", stdin=jsonl(6))
    assert run.returncode == EXIT_REJECTED and "trop volumineux" in run.stderr
    with Store.open(db) as store:
        assert make_audit(5).id in store and make_audit(6).id not in store


def test_import_of_a_folder_that_is_not_a_batch_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "a.jsonl").write_bytes(jsonl(5))
    assert main(["--db", str(db), "import", str(folder)]) == EXIT_REJECTED
    assert f"{folder} : ni un lot" in capsys.readouterr().err
    empty = tmp_path / "outbox"
    empty.mkdir()
    assert main(["--db", str(db), "import", str(empty)]) == EXIT_OK  # an empty outbox
    assert "aucun lot à importer" in capsys.readouterr().out


def test_export_writes_through_a_fifo_without_replacing_it(db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        run = cli("--db", str(db), "export", "--out", str(fifo))
        assert run.returncode == EXIT_OK, run.stderr
        out, _ = reader.communicate(timeout=60)
    finally:
        reader.kill()
        reader.wait()
    assert out.decode("utf-8").count("\n") == 1 and make_audit(1).id in out.decode("utf-8")
    assert fifo.is_fifo()


def null_device(tmp_path: Path) -> Path:
    """A character device to export to: a null device node of the test's own where the system
    allows making one (as root: never the machine's /dev/null, which a failing version of
    the app would replace), else /dev/null (which such a user cannot replace)."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")
    return node


def test_export_writes_through_a_character_device(db: Path, tmp_path: Path) -> None:
    device = null_device(tmp_path)
    before = os.stat(device)
    assert main(["--db", str(db), "export", "--out", str(device)]) == EXIT_OK
    after = os.stat(device)
    assert (after.st_ino, after.st_rdev, after.st_mode) == (
        before.st_ino,
        before.st_rdev,
        before.st_mode,
    )


def test_export_never_replaces_a_link(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("à garder", encoding="utf-8")
    link = tmp_path / "export.jsonl"
    link.symlink_to(target)
    assert main(["--db", str(db), "export", "--out", str(link)]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert str(link) in err and "lien symbolique" in err and "rien n'a été écrit" in err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text(encoding="utf-8") == "à garder"
    assert main(["--db", str(db), "export", "--out", str(tmp_path)]) == EXIT_REJECTED
    assert "c'est un dossier" in capsys.readouterr().err
