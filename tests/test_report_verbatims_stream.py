"""`report --table verbatims` in bounded memory (issue 15): the notes read from their cache (or
the audits' files), set aside on disk a question at a time and written as they come; the same
notes, in the same order and the same bytes as the report's table gives them."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.reports import cache as report_cache
from auditor_tui.reports import verbatim_output
from auditor_tui.reports.cache import NOTES_NAME
from auditor_tui.reports.report import build_report
from auditor_tui.reports.verbatims import NoteSpill
from auditor_tui.store import Store
from tests.test_exchange_roundtrip import TEXT
from tests.test_reliability_damage import run_cli
from tests.test_report_verbatims import with_notes
from tests.test_reports import DIJON, audit, day

# with_notes(): Q3 (grid order) in T1 at Dijon then Lyon, in T2 at Nice; Q11; Q22.
NOTES = [
    "« Lexus Dijon, bonjour »",
    "Bonjour sec",
    "Pas de nom",
    "Très à l'écoute",
    '=HYPERLINK("x")',
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    root = tmp_path / "s"
    with Store.open(root) as store:
        store.put_many(with_notes())
    return root


def csv_notes(db: Path, *more: str) -> list[list[str]]:
    code, out, err = run_cli(
        "--db", str(db), "report", "--format", "csv", "--table", "verbatims", *more
    )
    assert code == EXIT_OK, err
    return list(csv.reader(io.StringIO(out, newline="")))[1:]


def test_notes_cached_then_followed_per_audit(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """First from the files (the notes' cache made), then from the cache; an audit's note
    edited is read again from its file alone. The notes set aside on disk are removed."""
    spool = tmp_path / "tmp"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    first = csv_notes(db)
    assert [(r[0], r[2], r[4], r[-1]) for r in first] == [
        ("3", "2026-T1", "Lexus Dijon", "« Lexus Dijon, bonjour »"),
        ("3", "2026-T1", "Lexus Lyon", "Bonjour sec"),
        ("3", "2026-T2", "Lexus Nice", "Pas de nom"),
        ("11", "2026-T1", "Lexus Dijon", "Très à l'écoute"),
        ("22", "2026-T2", "Lexus Dijon", '\'=HYPERLINK("x")'),  # guarded
    ]
    assert "Bonjour sec" in (db / NOTES_NAME).read_text(encoding="utf-8")
    assert csv_notes(db) == first
    with Store.open(db) as store:
        lyon = store.get(with_notes()[1].id)
        lyon.notes = {"3": "Bonjour, enfin", "24": "Rappel promis"}
        store.save(lyon)
    again = csv_notes(db)
    assert [r[-1] for r in again] == [
        "« Lexus Dijon, bonjour »",
        "Bonjour, enfin",
        "Pas de nom",
        "Très à l'écoute",
        '\'=HYPERLINK("x")',
        "Rappel promis",  # Q24, after Q22
    ]
    cached = (db / NOTES_NAME).read_text(encoding="utf-8")
    assert "Bonjour, enfin" in cached and "Bonjour sec" not in cached
    # Filtered as the report is: by dealer, period, service.
    assert [r[-1] for r in csv_notes(db, "--period", "2026-T2")] == [
        "Pas de nom",
        '\'=HYPERLINK("x")',
    ]
    assert [r[-1] for r in csv_notes(db, "--service", "APV")] == ["Bonjour, enfin", "Rappel promis"]
    assert list(spool.iterdir()) == []


def test_a_damaged_notes_cache_is_read_again_from_the_files(db: Path) -> None:
    truth = csv_notes(db)
    cache = db / NOTES_NAME
    cache.write_text(
        cache.read_text(encoding="utf-8").replace("Bonjour sec", "Bonjour inventé"),
        encoding="utf-8",
    )
    assert csv_notes(db) == truth
    assert "Bonjour inventé" not in cache.read_text(encoding="utf-8")  # made again


def test_json_is_the_report_s_own_bytes(db: Path) -> None:
    """The notes written one at a time: the very text `json.dumps` makes of the report."""
    whole = build_report(with_notes()).to_dict("verbatims")
    code, out, _ = run_cli("--db", str(db), "report", "--format", "json", "--table", "verbatims")
    assert code == EXIT_OK
    assert out == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
    assert [v["note"] for v in json.loads(out)["verbatims"]] == NOTES
    code, out, _ = run_cli(
        "--db", str(db), "report", "--format", "json", "--table", "verbatims", "--period", "2027"
    )
    assert code == EXIT_OK and json.loads(out)["verbatims"] == []
    assert out.endswith('"verbatims": []\n}\n')


def test_the_terminal_table_is_drawn_a_part_at_a_time(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verbatim_output, "PART", 2)
    code, out, _ = run_cli("--db", str(db), "report", "--table", "verbatims")
    assert code == EXIT_OK
    assert out.count("Verbatims par question") == 1  # its title once, over the first part
    assert out.count("Les notes des auditeurs, question par question.") == 1  # under the last
    places = [out.index(note) for note in NOTES]
    assert places == sorted(places)
    assert out.index("Verbatims par question") < places[0]
    assert out.index("Les notes des auditeurs") > places[-1]


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(notes=st.lists(TEXT, min_size=1, max_size=4))
def test_any_note_comes_back_identical_through_the_spill(tmp_path_factory, notes):
    """Notes of any text (markup, escape codes, line ends): the same from the audits' files
    and from the notes' cache, set aside on disk and given back."""
    questions = ["3", "11", "22", "general"]
    a = audit(9, DIJON, day(4, 2), "Alice")
    a.notes = dict(zip(questions, notes, strict=False))
    kept = [n for n in notes if n.strip()]
    root = tmp_path_factory.mktemp("spill") / "s"
    with Store.open(root) as store:
        store.put_many([a])
    for _ in range(2):  # from the files, then from the cache
        argv = ("--db", str(root), "report", "--format", "json", "--table", "verbatims")
        code, out, _ = run_cli(*argv)
        assert code == EXIT_OK
        assert [v["note"] for v in json.loads(out)["verbatims"]] == kept


def test_notes_on_their_way_to_the_spill_are_not_kept_in_memory(tmp_path: Path) -> None:
    """Read from the audits' files (no notes' cache yet), 900 notes of 2,000 characters each
    (1.8 MB) go to disk: what stays in memory after is the rows', not the notes'."""
    audits = []
    for n in range(300):
        a = audit(1000 + n, DIJON, day(3, 1 + n % 28), "Alice")
        a.notes = {q: f"{n}-{q}-" + "x" * 2000 for q in ("3", "11", "general")}
        audits.append(a)
    with Store.open(tmp_path / "s") as store:
        store.put_many(audits)
        report_cache.load_rows(store)  # the rows' cache made: only the notes read below
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            with NoteSpill() as spill:
                rows = report_cache.load_rows(store, spill=spill)
                assert spill.count(rows) == 900
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    assert len(rows) == 300 and kept < 600_000  # the rows: about 400 bytes each
