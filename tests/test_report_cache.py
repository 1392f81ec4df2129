"""The report's caches (issue 15): the rows without their notes (`report-rows.json`, read by
every report), the notes apart (`report-notes.json`, read for the verbatims alone); what is
cached is read back identical, whatever the texts; each is tied to its audit's file."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor_tui.domain.record import Audit
from auditor_tui.reports import cache as report_cache
from auditor_tui.reports.report import build_report
from auditor_tui.reports.row_codec import pack, unpack
from auditor_tui.reports.rows import AuditRow, row_of
from auditor_tui.reports.verbatims import NoteSpill
from auditor_tui.store import Store
from tests.test_exchange_roundtrip import TEXT
from tests.test_report_waves import programme
from tests.test_reports import DIJON, LYON, NICE, audit, day

ESCAPES = st.sampled_from(["[bold]x[/]", "\x1b[31mrouge\x1b[0m", "=SOMME(A1)", "\r\n", "«  »"])
NOTE = st.one_of(TEXT, ESCAPES, st.lists(st.one_of(TEXT, ESCAPES), max_size=4).map("".join))
QUESTIONS = st.sampled_from(["1", "3", "7b", "12", "22", "general"])


def counting(store: Store, monkeypatch) -> list[str]:
    """The audits read from their files from now on."""
    reads: list[str] = []
    real = store.get

    def get(audit_id: str) -> Audit:
        reads.append(audit_id)
        return real(audit_id)

    monkeypatch.setattr(store, "get", get)
    return reads


def spilled(store: Store) -> tuple[list[AuditRow], dict[str, dict[str, str]]]:
    """The rows, and each audit's notes as the spill gives them back."""
    with NoteSpill() as spill:
        rows = report_cache.load_rows(store, spill=spill)
        notes: dict[str, dict[str, str]] = {}
        for v in spill.first(rows, 1000):
            notes.setdefault(v.audit_id, {})[v.question] = v.note
        assert spill.count(rows) == sum(len(n) for n in notes.values())
    return rows, notes


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    names=st.lists(TEXT, min_size=3, max_size=3),
    auditor=TEXT,
    wave=st.sampled_from([None, "2026-T1", "Vague « printemps » [x]"]),
    service=st.sampled_from([None, "VN", "APV"]),
    notes=st.dictionaries(QUESTIONS, NOTE, max_size=4),
)
def test_cached_rows_and_notes_come_back_identical(
    tmp_path_factory, monkeypatch, names, auditor, wave, service, notes
):
    """Any dealer, city, auditor and note (markup, escape codes, formulas, line ends): the
    rows read back from their cache are those made from the files, without notes; the notes
    from theirs, those of the files; nothing read again from the files."""
    first = audit(1, DIJON, day(2, 10), auditor)
    first.dealer = dataclasses.replace(first.dealer, name=names[0], city=names[1], id=names[2])
    first.notes = dict(notes)
    programme(first, service=service, wave=wave)
    second = audit(2, NICE, day(5, 4), "Bob", status="awaiting_follow_up")
    second.notes = {"3": names[0]}
    db = tmp_path_factory.mktemp("cache") / "s"
    with Store.open(db) as store:
        store.put_many([first, second])
    with Store.open(db) as store:
        made = {a.id: row_of(store.get(a.id)) for a in (first, second)}
        reads = counting(store, monkeypatch)
        rows, found = spilled(store)  # from the files: both caches made
        assert sorted(reads) == sorted(made)
        reads.clear()
        again, found_again = spilled(store)
        plain = report_cache.load_rows(store)
        assert reads == []
    bare = {i: dataclasses.replace(r, notes={}) for i, r in made.items()}
    assert {r.id: r for r in rows} == {r.id: r for r in again} == {r.id: r for r in plain} == bare
    assert found == found_again == {i: dict(r.notes) for i, r in made.items() if r.notes}
    assert made[first.id].notes == {q: n for q, n in notes.items() if n.strip()}


def test_a_report_reads_no_notes_unless_the_verbatims_are_asked(tmp_path, monkeypatch):
    """The rows' cache holds no note; the notes' cache is made the first time the verbatims
    are asked (the files read once more), and followed by each audit's file after."""
    lyon = audit(2, LYON, day(2, 12), "Bob")
    lyon.notes = {"3": "Bonjour sec", "11": "  "}
    dijon = audit(1, DIJON, day(2, 10), "Alice")
    dijon.notes = {"22": "« Lexus Dijon, bonjour »"}
    db = tmp_path / "s"
    with Store.open(db) as store:
        store.put_many([lyon, dijon])
        rows = report_cache.load_rows(store)
    assert [r.notes for r in rows] == [{}, {}]
    assert "bonjour" not in (db / report_cache.CACHE_NAME).read_text(encoding="utf-8")
    assert not (db / report_cache.NOTES_NAME).exists()
    with Store.open(db) as store:
        reads = counting(store, monkeypatch)
        noted = spilled(store)[1]
        assert sorted(reads) == sorted([lyon.id, dijon.id])  # no notes cached yet
        reads.clear()
        assert spilled(store)[1] == noted
        assert reads == []
        edited = store.get(lyon.id)
        edited.notes["3"] = "Bonjour, enfin"
        store.save(edited)
        reads.clear()
        again = spilled(store)[1]
        assert reads == [lyon.id]
    assert noted == {lyon.id: {"3": "Bonjour sec"}, dijon.id: {"22": "« Lexus Dijon, bonjour »"}}
    assert again == {**noted, lyon.id: {"3": "Bonjour, enfin"}}


def test_rows_from_the_cache_give_the_figures_of_the_audits(tmp_path):
    """Two grids' worth of shapes: the same report from the audits and from the cache."""
    audits = [
        programme(audit(n, where, day(2 + n % 3, 1 + n), who, transferred=n % 2 == 0), service=s)
        for n, (where, who, s) in enumerate(
            [(DIJON, "Alice", "VN"), (LYON, "Bob", None), (NICE, "Alice", "APV")] * 4, start=1
        )
    ]
    audits.append(audit(20, NICE, day(6, 1) + timedelta(hours=3), "Bob", unreachable=True))
    with Store.open(tmp_path / "s") as store:
        store.put_many(audits)
        report_cache.load_rows(store)  # made from the files
        cached = report_cache.load_rows(store)
    assert all(isinstance(r, AuditRow) for r in cached)
    assert build_report(cached).to_dict() == build_report(audits).to_dict()


@given(st.lists(st.integers(-(2**40), 2**40) | st.integers(-40, 70), max_size=30))
def test_packed_points_come_back_identical(values: list[int]) -> None:
    """Points and section scores of any size, as the cache writes and reads them (JSON)."""
    packed = json.loads(json.dumps(pack(values), ensure_ascii=False))
    assert tuple(unpack(packed)) == tuple(values)
    if all(-32 <= v <= 63 for v in values):
        assert isinstance(packed, str) and len(packed) == len(values)
