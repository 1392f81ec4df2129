"""`auditor-tui dealers import FILE.csv`: all or nothing, every bad line reported with its line
and field, the sample directory imported whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor_tui.cli import EXIT_OK, EXIT_REJECTED, main
from auditor_tui.dealers import sample_dealers_path
from auditor_tui.store import Store

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
