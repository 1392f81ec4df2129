"""Issue 12, points 1-3: exchange files a careless or hostile colleague could send. Every test
here reproduces an attack reported on the store as it was, then holds the fix."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auditor_tui.cli.exit_codes import EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.exchange.sync import changed_ids
from auditor_tui.store import Store
from tests.factories import make_audit, tree_digest

SEPARATORS = "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg"  # a Word line break is \x0b


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_bytes("".join(line + "\n" for line in lines).encode("utf-8"))
    return path


def record(n: int = 1, **changes: object) -> dict:
    out = make_audit(n).to_export()
    out.update(changes)
    return out


# ---- 12.1: what the store accepts, its own export carries ------------------------------------


def test_separator_characters_in_a_note_travel_through_the_stores_own_export(tmp_path, capsys):
    alice, boss = tmp_path / "alice", tmp_path / "boss"
    audit = make_audit(1)
    audit.notes["9"] = SEPARATORS
    audit.auditor = "Zoé\u2028Martin"
    with Store.open(alice) as store:
        store.create(audit)
    out = tmp_path / "all.jsonl"
    assert cli(alice, "export", "--out", str(out)) == EXIT_OK
    data = out.read_bytes()
    assert data.count(b"\n") == 1  # one record, one line, whatever splits lines
    assert len(data.decode("utf-8").splitlines()) == 1  # even str.splitlines()
    assert cli(boss, "import", str(out)) == EXIT_OK
    with Store.open(boss) as store:
        assert store.get(audit.id).notes["9"] == SEPARATORS
        assert store.get(audit.id).auditor == "Zoé\u2028Martin"


def test_a_raw_line_separator_inside_a_json_string_is_valid_json(tmp_path, capsys):
    line = json.dumps(record(1, auditor="Zoé\u2028\u2029\x85Martin"), ensure_ascii=False)
    assert "\u2028" in line
    path = write_lines(tmp_path / "raw.jsonl", [line])
    assert cli(tmp_path / "s", "import", str(path)) == EXIT_OK
    with Store.open(tmp_path / "s") as store:
        assert store.get(make_audit(1).id).auditor == "Zoé\u2028\u2029\x85Martin"


@pytest.mark.parametrize("value", ["1e999", "-1e999", "NaN", "Infinity", "-Infinity"])
def test_numbers_that_are_not_finite_are_refused_with_line_and_field(tmp_path, capsys, value):
    good = json.dumps(record(1))
    bad = json.dumps(record(2)).replace('"transfer_seconds": 30.0', f'"transfer_seconds": {value}')
    assert value in bad
    db = tmp_path / "s"
    with Store.open(db):
        pass
    before = tree_digest(db)
    path = write_lines(tmp_path / "inf.jsonl", [good, bad])
    assert cli(db, "import", str(path)) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert "ligne 2, champ call.transfer_seconds" in err
    assert tree_digest(db) == before


def test_an_infinite_number_in_an_unknown_field_is_named_too(tmp_path, capsys):
    line = json.dumps(record(1)).replace('"status"', '"x_extra": {"ratio": 1e400}, "status"', 1)
    path = write_lines(tmp_path / "inf.jsonl", [line])
    assert cli(tmp_path / "s", "import", str(path)) == EXIT_REJECTED
    assert "ligne 1, champ x_extra.ratio" in capsys.readouterr().err


def test_an_xlsx_export_holds_control_characters_and_opens(tmp_path, capsys):
    db = tmp_path / "s"
    audit = make_audit(1)
    audit.notes["9"] = "ligne\x0bWord _x000B_ \x00\x1f\r\nfin"
    audit.auditor = SEPARATORS
    with Store.open(db) as store:
        store.create(audit)
    out = tmp_path / "a.xlsx"
    assert cli(db, "export", "--format", "xlsx", "--out", str(out)) == EXIT_OK
    book = load_workbook(out)  # openpyxl could not open the file with `inf` in it
    rows = list(book["Audits"].iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    # As Excel writes them: a character XML cannot hold as _xHHHH_, a literal « _x » escaped.
    assert row["auditor"] == "a\u2028b\u2029c\x85d_x000B_e_x000C_f_x001C_g"
    assert row["notes"] == "Q9 : ligne_x000B_Word _x005F_x000B_ _x0000__x001F__x000D_\nfin"
    from auditor_tui.exchange.xlsx_writer import unescape

    assert unescape(row["notes"]) == "Q9 : " + audit.notes["9"]


def test_a_batch_is_marked_exported_only_once_read_back(tmp_path, capsys):
    """An audit the importer refuses (here a phone number an older version stored as typed)
    stops the batch before anything is marked, and the auditor is told which and why."""
    db, outbox = tmp_path / "s", tmp_path / "outbox"
    odd = make_audit(5)
    odd.dealer.phone = "03 53 01 20 01"
    with Store.open(db) as store:
        for n in range(4):
            store.create(make_audit(n))
        store.create(odd)
    assert cli(db, "export", "--changed", "--to", str(outbox)) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert odd.id in err and "dealer.phone" in err
    assert "aucun audit n'est marqué exporté" in err
    assert not outbox.exists() or not any(outbox.rglob("manifest.json"))
    with Store.open(db) as store:
        assert len(changed_ids(store)) == 5  # nothing marked: all still to send
    assert cli(db, "export", "--changed", "--to", str(outbox)) == EXIT_REJECTED
    assert "Aucun audit" not in capsys.readouterr().out


# ---- 12.2: one audit, one identity ------------------------------------------------------------

CANONICAL = "6ba7b810-9dad-41d1-80b4-00c04fd430c8"


@pytest.mark.parametrize(
    "spelling",
    [
        "{" + CANONICAL + "}",
        CANONICAL.upper(),
        CANONICAL.replace("-", ""),
        "urn:uuid:" + CANONICAL,
        " " + CANONICAL,
        CANONICAL + "\t",
        CANONICAL + "\n",
        CANONICAL[:-1] + "\u0668",  # ARABIC-INDIC DIGIT EIGHT
        "urn:" * 70 + CANONICAL,
    ],
)
def test_only_the_canonical_id_is_accepted(tmp_path, capsys, spelling):
    assert uuid.UUID(spelling.strip().removeprefix("urn:" * 69)) == uuid.UUID(CANONICAL)
    db = tmp_path / "s"
    with Store.open(db):
        pass
    before = tree_digest(db)
    path = write_lines(tmp_path / "ids.jsonl", [json.dumps(record(0, id=spelling))])
    assert cli(db, "import", str(path)) == EXIT_REJECTED
    assert "ligne 1, champ id" in capsys.readouterr().err
    assert tree_digest(db) == before
    canonical = write_lines(tmp_path / "ok.jsonl", [json.dumps(record(0, id=CANONICAL))])
    assert cli(db, "import", str(canonical)) == EXIT_OK
    with Store.open(db) as store:
        assert store.ids() == [CANONICAL]
        assert [p.name for p in (db / "audits").iterdir()] == [CANONICAL + ".json"]


def test_the_app_makes_canonical_ids():
    from auditor_tui.domain.grid import load_grid
    from auditor_tui.domain.record import Audit, is_canonical_id
    from tests.factories import T0, dealer

    ids = {Audit.new(dealer(), load_grid(), T0).id for _ in range(50)}
    assert len(ids) == 50 and all(is_canonical_id(i) for i in ids)


def test_the_store_builds_no_file_name_from_another_spelling(tmp_path):
    from auditor_tui.store.errors import StoreError

    audit = make_audit(1)
    audit.id = "{" + audit.id.upper() + "}"
    with Store.open(tmp_path / "s") as store, pytest.raises(StoreError, match="identifiant"):
        store.create(audit)
    assert list((tmp_path / "s" / "audits").iterdir()) == []


# ---- 12.3: instants in UTC, one spelling --------------------------------------------------------


def _with_instants(n: int, **instants: str) -> dict:
    out = record(n)
    for key, value in instants.items():
        where, _, name = key.rpartition("__")
        (out[where] if where else out)[name] = value
    return out


def test_offsets_and_z_are_normalised_to_utc(tmp_path, capsys):
    given = _with_instants(
        1,
        call__started_at="2026-11-17T23:30:00+14:00",  # 09:30 UTC
        call__ended_at="2026-11-17T09:38:00Z",
        follow_up__callback_at="2026-11-18t04:30:00-05:00",
        created_at="2026-11-17T09:30:00.999Z",
    )
    given["call"]["attempts"] = ["2026-11-17T10:30:00+01:00"]
    given.pop("deadlines")
    path = write_lines(tmp_path / "z.jsonl", [json.dumps(given)])
    db = tmp_path / "s"
    assert cli(db, "import", str(path)) == EXIT_OK
    out = tmp_path / "out.jsonl"
    assert cli(db, "export", "--out", str(out)) == EXIT_OK
    back = json.loads(out.read_text(encoding="utf-8"))
    assert back["call"]["started_at"] == "2026-11-17T09:30:00+00:00"
    assert back["call"]["ended_at"] == "2026-11-17T09:38:00+00:00"
    assert back["call"]["attempts"] == ["2026-11-17T09:30:00+00:00"]
    assert back["follow_up"]["callback_at"] == "2026-11-18T09:30:00+00:00"
    assert back["created_at"] == "2026-11-17T09:30:00+00:00"  # kept to the second


@pytest.mark.parametrize(
    "spelling",
    [
        "2026-11-17T09:30:00+00:00:30",  # seconds in the offset
        "2026-W47-2T09:30:00+00:00",  # week date
        "20261117T093000Z",  # basic format
        "2026-11-17T09:30:00,5+00:00",  # comma fraction
        "2026-11-17 09:30:00+00:00",  # space
        "2026-11-17T09:30+00:00",  # no seconds
        "2026-11-17T09:30:00",  # no offset
        "2026-11-17T09:30:00+24:00",  # offset out of range
        "2026-11-17T09:30:60Z",  # leap second: no datetime holds it
        "２０２６-11-17T09:30:00Z",  # non-ASCII digits
    ],
)
def test_anything_but_rfc_3339_is_refused(tmp_path, capsys, spelling):
    given = _with_instants(1, call__started_at=spelling)
    path = write_lines(tmp_path / "bad.jsonl", [json.dumps(given, ensure_ascii=False)])
    assert cli(tmp_path / "s", "import", str(path)) == EXIT_REJECTED
    assert "ligne 1, champ call.started_at" in capsys.readouterr().err


def test_the_same_revision_spelled_with_z_is_no_conflict(tmp_path, capsys):
    db = tmp_path / "s"
    first = write_lines(tmp_path / "a.jsonl", [json.dumps(record(1))])
    assert cli(db, "import", str(first)) == EXIT_OK
    spelled = record(1)
    spelled["call"]["started_at"] = spelled["call"]["started_at"].replace("+00:00", "Z")
    spelled["created_at"] = (
        spelled["created_at"]
        .replace("+00:00", "+00:00")
        .replace("T09:30:00+00:00", "T10:30:00+01:00")
    )
    again = write_lines(tmp_path / "b.jsonl", [json.dumps(spelled)])
    assert cli(db, "import", str(again)) == EXIT_OK
    assert "1 inchangé(s)" in capsys.readouterr().out


def test_export_order_is_right_across_offsets(tmp_path, capsys):
    early = _with_instants(2, created_at="2026-11-17T10:00:00+02:00")  # 08:00 UTC
    late = _with_instants(1, created_at="2026-11-17T09:00:00+00:00")
    path = write_lines(tmp_path / "o.jsonl", [json.dumps(late), json.dumps(early)])
    db = tmp_path / "s"
    assert cli(db, "import", str(path)) == EXIT_OK
    out = tmp_path / "out.jsonl"
    assert cli(db, "export", "--out", str(out)) == EXIT_OK
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert ids == [early["id"], late["id"]]


def test_a_number_that_is_not_finite_does_not_hide_the_other_problems(tmp_path, capsys):
    bad = record(1, id=CANONICAL.upper())
    bad["answers"]["9"] = [7]
    line = json.dumps(bad).replace('"transfer_seconds": 30.0', '"transfer_seconds": 1e999')
    path = write_lines(tmp_path / "two.jsonl", [line])
    assert cli(tmp_path / "s", "import", str(path)) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert "ligne 1, champ call.transfer_seconds : nombre fini attendu, trouvé 1e999" in err
    assert "ligne 1, champ id :" in err and "ligne 1, champ answers.9 :" in err
    assert err.count("call.transfer_seconds") == 1


def test_an_infinite_number_an_older_version_stored_is_named_by_every_export(tmp_path, capsys):
    """Before the fix, `transfer_seconds: 1e999` went into the store (written `Infinity`),
    then into an XLSX as `inf` that openpyxl could not open."""
    db = tmp_path / "s"
    odd = make_audit(2)
    odd.call.transfer_seconds = float("inf")
    with Store.open(db) as store:
        store.create(make_audit(1))
        store.create(odd)
    for fmt in ("jsonl", "csv", "xlsx"):
        out = tmp_path / f"all.{fmt}"
        assert cli(db, "export", "--format", fmt, "--out", str(out)) == 1
        err = capsys.readouterr().err
        assert f"audit {odd.id} non exportable" in err and "call.transfer_seconds" in err
        assert not out.exists()
    assert cli(db, "export", "--changed", "--to", str(tmp_path / "outbox")) == EXIT_REJECTED
    assert "aucun audit n'est marqué exporté" in capsys.readouterr().err
    with Store.open(db) as store:
        assert len(changed_ids(store)) == 2
