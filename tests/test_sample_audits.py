"""The example audits shipped with the app (`data/audits-sample.jsonl`): what
scripts/make_sample_audits.py writes through the app's own code, valid, fictional, and
imported by `import --sample` into an empty store only."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor_tui.cli.commands import SAMPLE_AUDITS_FILE
from auditor_tui.cli.exit_codes import EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.domain.resources import data_path
from auditor_tui.exchange.dealers_csv import sample_dealers_path
from auditor_tui.store import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from make_sample_audits import sample_jsonl  # noqa: E402

SHIPPED = ROOT / "data" / SAMPLE_AUDITS_FILE
# France's numbers reserved for fiction (ARCEP): 01 99 00, 03 53 01 and 04 65 71, then 4 digits.
FICTION = re.compile(r"\+33(19900|35301|46571)\d{4}")


def records(data: bytes) -> list[dict[str, Any]]:
    out = []
    for line in data.decode("utf-8").splitlines():
        record = json.loads(line)
        # The calendar names the installed `holidays` version: it may differ from the one the
        # file was written with, and changes no date of 2026.
        (record.get("calendar") or {}).pop("holidays_version", None)
        out.append(record)
    return out


def test_the_shipped_file_is_what_the_script_writes() -> None:
    assert data_path(SAMPLE_AUDITS_FILE).read_bytes() == SHIPPED.read_bytes()  # what --sample reads
    assert records(SHIPPED.read_bytes()) == records(sample_jsonl()), (
        "data/audits-sample.jsonl is out of date: run scripts/make_sample_audits.py and commit it"
    )


def test_the_examples_are_fiction_and_varied() -> None:
    shipped = records(SHIPPED.read_bytes())
    text = SHIPPED.read_text(encoding="utf-8") + sample_dealers_path().read_text(encoding="utf-8")
    phones = re.findall(r"\+\d{6,}", text)
    assert phones and all(FICTION.fullmatch(p) for p in phones), phones
    national = re.findall(r"\b0\d(?: \d\d){4}\b", text)
    assert national and all(FICTION.fullmatch("+33" + n[1:].replace(" ", "")) for n in national)
    emails = re.findall(r"[\w.-]+@[\w.-]+", text)
    assert emails and all(e.endswith((".example", "@example.org")) for e in emails), emails
    assert {r["status"] for r in shipped} == {"complete", "awaiting_follow_up"}
    assert {r["outcome"] for r in shipped} == {"reached", "unreachable"}
    assert {r["call"]["transferred"] for r in shipped} == {True, False}
    assert {r["score"]["stars"] for r in shipped} >= {1, 4, 5}
    assert {r["dealer"]["country"] for r in shipped} == {"FR", "MC"}


def test_import_sample_fills_an_empty_store_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store"
    assert main(["--db", str(db), "import", "--sample"]) == EXIT_OK
    out, err = capsys.readouterr()
    assert err == "" and "12 ajouté(s), 0 remplacé(s)" in out
    with Store.open(db) as store:
        assert len(store) == 12 and not store.damaged
    assert main(["--db", str(db), "import", "--sample"]) == EXIT_REJECTED
    out, err = capsys.readouterr()
    assert out == "" and "contient déjà des audits" in err
    with Store.open(db) as store:
        assert len(store) == 12
