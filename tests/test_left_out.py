"""Figures one can trust (issue 12, point 8): what a report or an export leaves out is named
and makes the command fail; the report's cache is tied to the index and to its own checksum."""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path

import pytest

from auditor_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from auditor_tui.reports.cache import CACHE_NAME
from auditor_tui.store import Store, audit_files, reading
from auditor_tui.store.layout import audit_file
from tests.factories import make_audit
from tests.test_reliability_damage import run_cli

UNREADABLE = make_audit(2).id


@pytest.fixture
def db(tmp_path: Path) -> Path:
    root = tmp_path / "store"
    with Store.open(root) as store:
        for n in range(4):
            store.create(make_audit(n, name=f"Lexus {n}"))
    return root


def refuse_one_file(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The file `name` of audits/ cannot be opened (EACCES): the tests run as root, for whom
    a mode of 000 changes nothing."""
    real = reading.open_regular

    def refused(path: str | os.PathLike[str]) -> int:
        if Path(path).name == name:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(reading, "open_regular", refused)
    monkeypatch.setattr(audit_files, "open_regular", refused)


@pytest.mark.parametrize("read_only", [False, True])
def test_a_report_names_an_audit_it_could_not_read_and_fails(
    db: Path, monkeypatch: pytest.MonkeyPatch, read_only: bool
) -> None:
    refuse_one_file(monkeypatch, f"{UNREADABLE}.json")
    flag = ["--read-only"] if read_only else []
    code, out, err = run_cli("--db", str(db), *flag, "report", "--format", "json")
    assert code == EXIT_ERROR
    assert json.loads(out)["counted"] == 3  # the figures of what could be read, still shown
    assert str(db / "audits" / f"{UNREADABLE}.json") in err and "permission refusée" in err
    assert "1 audit(s) laissé(s) hors du rapport" in err


def test_an_export_names_an_audit_it_could_not_read_and_fails(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse_one_file(monkeypatch, f"{UNREADABLE}.json")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("--db", str(db), "export", "--out", str(out))
    assert code == EXIT_ERROR
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert str(db / "audits" / f"{UNREADABLE}.json") in err
    assert "1 audit(s) laissé(s) hors de l'export" in err


def test_a_damaged_audit_found_at_open_fails_a_report(db: Path) -> None:
    (db / "audits" / f"{UNREADABLE}.json").write_text("{abîmé", encoding="utf-8")
    code, out, err = run_cli("--db", str(db), "report", "--format", "json")
    assert code == EXIT_ERROR and json.loads(out)["counted"] == 3
    assert "1 audit(s) laissé(s) hors du rapport" in err


def test_an_edited_report_cache_is_not_believed(db: Path) -> None:
    code, out, _ = run_cli("--db", str(db), "report", "--format", "json")
    truth = json.loads(out)
    cache = db / CACHE_NAME
    text = cache.read_text(encoding="utf-8")
    # Each row's percent (the only decimal number, before its sections' points) made 12.5.
    invented = re.sub(r',\d+\.\d+,"', ',12.5,"', text)
    assert invented != text
    cache.write_text(invented, encoding="utf-8")
    code, out, _ = run_cli("--db", str(db), "report", "--format", "json")
    assert code == EXIT_OK and json.loads(out) == truth


def test_a_cached_row_follows_its_audit_file_not_only_its_revision(db: Path) -> None:
    """An audit file replaced outside the app with the same revision (a restored copy, a
    resealed edit): the index is made again from the file, and the report follows it."""
    assert run_cli("--db", str(db), "report", "--format", "json")[0] == EXIT_OK
    audit = make_audit(1, name="Lexus 1")
    with Store.open(db) as store:
        events = store.events(audit.id)
        record = store.get(audit.id).to_dict()
    record["answers"]["11"] = [2]  # one point less, same revision
    path = db / "audits" / f"{audit.id}.json"
    path.write_text(json.dumps(audit_file(record, 0, events)), encoding="utf-8")
    code, out, _ = run_cli("--db", str(db), "report", "--format", "json", "--dealer", "Lexus 1")
    assert code == EXIT_OK
    [quarter] = json.loads(out)["dealer_quarters"]
    assert quarter["average_percent"] == round(29 / 30 * 100, 1)
