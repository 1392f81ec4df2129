"""Batch folders from another auditor (issue 12, point 4): a manifest names only plain files of
its own folder, and a malformed one is refused with its path, never a traceback."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import pytest

from auditor_tui.cli.exit_codes import EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.exchange.export import write_jsonl
from auditor_tui.exchange.manifest import BATCH_SCHEMA
from auditor_tui.store import Store
from tests.factories import make_audit, tree_digest


def jsonl(*numbers: int) -> bytes:
    buffer = io.StringIO()
    write_jsonl([make_audit(n) for n in numbers], buffer)
    return buffer.getvalue().encode("utf-8")


def entry(data: bytes) -> dict[str, object]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def plant_batch(folder: Path, files: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"schema": BATCH_SCHEMA, "batch": folder.name, "files": files}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def db(tmp_path: Path) -> Path:
    with Store.open(tmp_path / "store") as store:
        store.create(make_audit(1))
    return tmp_path / "store"


def imported(db: Path) -> set[str]:
    with Store.open(db) as store:
        return set(store.ids())


@pytest.mark.parametrize("how", ["absolute", "parent", "nested", "dot-dot"])
def test_a_manifest_cannot_name_a_file_outside_its_folder(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    outside = tmp_path / "elsewhere" / "x.jsonl"
    outside.parent.mkdir()
    data = jsonl(7)
    outside.write_bytes(data)
    batch = tmp_path / "outbox" / "20261117T093000Z-abcdef"
    name = {
        "absolute": str(outside),
        "parent": "../../elsewhere/x.jsonl",
        "nested": "sub/x.jsonl",
        "dot-dot": "..",
    }[how]
    if how == "nested":
        (batch / "sub").mkdir(parents=True)
        (batch / "sub" / "x.jsonl").write_bytes(data)
    plant_batch(batch, {name: entry(data)})
    before = tree_digest(db)
    assert main(["--db", str(db), "import", str(batch.parent)]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert str(batch / "manifest.json") in err and "nom de fichier" in err
    assert tree_digest(db) == before
    assert make_audit(7).id not in imported(db)


def test_a_batch_file_that_is_a_link_leading_out_is_refused(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = jsonl(7)
    outside = tmp_path / "x.jsonl"
    outside.write_bytes(data)
    batch = plant_batch(tmp_path / "outbox" / "b1", {"audits.jsonl": entry(data)})
    (batch / "audits.jsonl").symlink_to(outside)
    assert main(["--db", str(db), "import", str(batch)]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert str(batch / "audits.jsonl") in err and "lien" in err
    assert make_audit(7).id not in imported(db)


def test_a_batch_folder_that_is_a_link_is_not_followed(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = jsonl(7)
    real = plant_batch(tmp_path / "private" / "b1", {"audits.jsonl": entry(data)})
    (real / "audits.jsonl").write_bytes(data)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    (outbox / "b1").symlink_to(real, target_is_directory=True)
    assert main(["--db", str(db), "import", str(outbox)]) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert str(outbox / "b1") in err and "lien" in err
    assert make_audit(7).id not in imported(db)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"schema": "auditor-tui/batch/v1", "files": ' + '{"a":' * 100_000,
        '{"schema": "auditor-tui/batch/v1", "files": {"audits.jsonl": 3}}',
        '{"schema": "auditor-tui/batch/v1", "files": ["audits.jsonl"]}',
        "\udcff".encode("utf-8", "surrogateescape").decode("latin-1"),
    ],
    ids=["deep list", "deep object", "entry not an object", "files a list", "not utf-8"],
)
def test_a_malformed_manifest_is_refused_with_its_path(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    batch = tmp_path / "outbox" / "b1"
    batch.mkdir(parents=True)
    (batch / "manifest.json").write_bytes(text.encode("latin-1", "replace"))
    (batch / "audits.jsonl").write_bytes(jsonl(7))
    before = tree_digest(db)
    for target in (batch, batch.parent):
        assert main(["--db", str(db), "import", str(target)]) == EXIT_REJECTED
        err = capsys.readouterr().err
        assert str(batch / "manifest.json") in err and "Traceback" not in err
    assert tree_digest(db) == before


def test_a_plain_batch_still_imports(db: Path, tmp_path: Path) -> None:
    data = jsonl(7, 8)
    batch = plant_batch(tmp_path / "outbox" / "b1", {"audits.jsonl": entry(data)})
    (batch / "audits.jsonl").write_bytes(data)
    assert main(["--db", str(db), "import", str(batch.parent)]) == EXIT_OK
    assert {make_audit(7).id, make_audit(8).id} <= imported(db)
    assert os.path.exists(batch / "manifest.json")
