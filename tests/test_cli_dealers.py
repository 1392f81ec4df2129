"""`auditor-tui dealers import FILE.csv`: all or nothing, every bad line reported with its line
and field, the sample directory imported whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor_tui.cli.exit_codes import EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.exchange.dealers_csv import sample_dealers_path
from auditor_tui.store import Store
from tests.factories import tree_digest

DATA = Path(__file__).parent / "data"
BAD = DATA / "dealers-bad.csv"

# (line, field) of every problem in dealers-bad.csv; line 2 is good, line 8 is blank.
BAD_LINES = [
    (3, "name"),  # name missing
    (4, "country"),  # BE
    (5, "phone"),  # too short
    (6, "phone"),  # a British number for a French dealer
    (7, "department"),  # 20: Corsica is 2A / 2B
    (9, "department"),  # a department for Monaco
    (10, "name"),  # Lexus Dijon again
    (11, "department"),  # missing for FR
    (11, "email"),
]


def dealers_of(db: Path) -> list[dict[str, object]]:
    with Store.open(db) as store:
        return store.dealers()


def test_sample_directory_is_imported_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store"
    assert main(["--db", str(db), "dealers", "import", str(sample_dealers_path())]) == EXIT_OK
    assert "41 concessionnaire(s) importé(s)" in capsys.readouterr().out
    dealers = dealers_of(db)
    assert len(dealers) == 41
    dijon = next(d for d in dealers if d["name"] == "Lexus Dijon")
    assert dijon["phone"] == "+33353012006" and dijon["department"] == "21"


def test_bad_file_is_refused_with_every_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "store"
    assert main(["--db", str(db), "dealers", "import", str(sample_dealers_path())]) == EXIT_OK
    before = dealers_of(db)
    dealers_file = (db / "dealers.json").read_bytes()
    capsys.readouterr()

    assert main(["--db", str(db), "dealers", "import", str(BAD)]) == EXIT_REJECTED
    out, err = capsys.readouterr()
    assert out == ""
    assert "9 problèmes" in err
    for line, field in BAD_LINES:
        assert f"dealers-bad.csv, ligne {line}, champ {field} :" in err, (line, field)
    reported = [ln for ln in err.splitlines() if ln.startswith("  - ")]
    assert len(reported) == len(BAD_LINES)
    assert "ligne 2," not in err and "ligne 8," not in err
    assert "Annuaire inchangé." in err

    assert dealers_of(db) == before  # the store is unchanged, byte for byte
    assert (db / "dealers.json").read_bytes() == dealers_file


def test_bad_file_into_an_empty_store_imports_nothing(tmp_path: Path) -> None:
    db = tmp_path / "store"
    assert main(["--db", str(db), "dealers", "import", str(BAD)]) == EXIT_REJECTED
    assert dealers_of(db) == []


def test_replacing_the_directory_leaves_every_audit_as_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README « The dealer directory »: a dealer gone from the new file, or whose number
    changed, stays in its audits, their exports and the reports exactly as recorded."""
    db = tmp_path / "store"
    assert main(["--db", str(db), "dealers", "import", str(sample_dealers_path())]) == EXIT_OK
    assert main(["--db", str(db), "import", "--sample"]) == EXIT_OK
    before_csv, before_report = tmp_path / "before.csv", tmp_path / "before.json"
    assert main(["--db", str(db), "export", "--format", "csv", "--out", str(before_csv)]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "report", "--format", "json"]) == EXIT_OK
    before_report.write_text(capsys.readouterr().out, encoding="utf-8")
    audit_files = tree_digest(db / "audits")

    # The new directory: Dijon gone, Lille moved with a new number, a newcomer.
    new = tmp_path / "concessions.csv"
    new.write_text(
        "name;city;department;country;phone\n"
        "Lexus Lille;Villeneuve-d'Ascq;59;FR;03 53 01 20 99\n"
        "Lexus Ajaccio;Ajaccio;2A;FR;04 65 71 30 20\n",
        encoding="utf-8",
    )
    assert main(["--db", str(db), "dealers", "import", str(new)]) == EXIT_OK
    assert [d["name"] for d in dealers_of(db)] == ["Lexus Lille", "Lexus Ajaccio"]

    assert tree_digest(db / "audits") == audit_files
    with Store.open(db) as store:
        audits = [store.get(i) for i in store.ids()]
    dijon = [a.dealer for a in audits if a.dealer.name == "Lexus Dijon"]
    lille = [a.dealer for a in audits if a.dealer.name == "Lexus Lille"]
    assert len(dijon) == 4 and {d.phone for d in dijon} == {"+33353012006"}
    assert len(lille) == 2 and {(d.phone, d.city) for d in lille} == {("+33199001004", "Lille")}
    after_csv = tmp_path / "after.csv"
    assert main(["--db", str(db), "export", "--format", "csv", "--out", str(after_csv)]) == 0
    assert after_csv.read_bytes() == before_csv.read_bytes()
    capsys.readouterr()
    assert main(["--db", str(db), "report", "--format", "json"]) == EXIT_OK
    after, before = (json.loads(t) for t in (capsys.readouterr().out, before_report.read_text()))
    # Every figure of the audits is as it was; coverage and the network read the directory.
    directory_figures = ("coverage", "network")
    assert {k: v for k, v in after.items() if k not in directory_figures} == {
        k: v for k, v in before.items() if k not in directory_figures
    }
    assert {c["dealer"] for c in after["coverage"] if c["status"] == "manquant"} == {
        "Lexus Ajaccio",  # the newcomer, never audited
        "Lexus Lille",  # audited in T1 and T3, missing in T2 and T4
    }
    # The network: Lille and Ajaccio, and the dealers audited in the wave outside the directory
    # (T1 Dijon, Marseille; T2 Monaco, Dijon, Marseille; T3 Dijon, Nantes; T4 Dijon, Bordeaux).
    assert [n["dealers"] for n in after["network"]] == [4, 5, 4, 4]


def test_db_and_read_only_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """« dealers import --sample --db X »: the folder was read as the CSV file (« not allowed
    with --sample »); now the store's, as before the command; --read-only likewise."""
    db = tmp_path / "store"
    assert main(["dealers", "import", "--sample", "--db", str(db)]) == EXIT_OK
    assert "41 concessionnaire(s) d'exemple importé(s)" in capsys.readouterr().out
    assert len(dealers_of(db)) == 41
    before = tree_digest(db)
    out = tmp_path / "audits.jsonl"
    assert main(["export", "--out", str(out), "--db", str(db), "--read-only"]) == EXIT_OK
    assert out.read_text(encoding="utf-8") == "" and tree_digest(db) == before
    with pytest.raises(SystemExit) as refused:  # importing writes: refused, as before the command
        main(["dealers", "import", "--sample", "--db", str(db), "--read-only"])
    assert refused.value.code == 2 and tree_digest(db) == before
