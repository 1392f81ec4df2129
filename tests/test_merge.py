"""The supervisor's side: several auditors' files merged into one store, each file all or
nothing, manifests checked; and the whole week, end to end through the CLI."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor_tui.cli.exit_codes import EXIT_CONFLICTS, EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.domain.lifecycle import complete, end_call, reopen
from auditor_tui.domain.record import Audit, DealerRef, format_instant
from auditor_tui.store import Store
from tests.factories import GRID, best_answers, make_audit, tree_digest


def cli(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def one_batch(db: Path, out: Path) -> Path:
    before = set(out.iterdir()) if out.exists() else set()
    assert cli(db, "export", "--changed", "--to", str(out)) == EXIT_OK
    [batch] = set(out.iterdir()) - before
    return batch


def test_batch_into_a_fresh_store_exports_identically(tmp_path, capsys):
    alice, boss = tmp_path / "alice", tmp_path / "boss"
    with Store.open(alice) as store:
        for n in range(3):
            store.create(make_audit(n, transferred=n != 1))
    batch = one_batch(alice, tmp_path / "out")
    assert cli(boss, "import", str(batch / "audits.jsonl")) == EXIT_OK
    again = tmp_path / "again.jsonl"
    assert cli(boss, "export", "--out", str(again)) == EXIT_OK
    assert again.read_bytes() == (batch / "audits.jsonl").read_bytes()


def test_revisions_merge_and_conflicts_overwrite_nothing(tmp_path, capsys):
    boss = tmp_path / "boss"
    base = make_audit(1)
    v2 = make_audit(1)
    v2.revision, v2.answers["11"] = 2, [2]
    rival = make_audit(1)
    rival.revision, rival.answers["11"] = 2, [3]  # same revision, other content
    old = make_audit(1)

    def file(name: str, *audits: Audit) -> str:
        path = tmp_path / name
        path.write_text(
            "".join(json.dumps(a.to_export(), ensure_ascii=False) + "\n" for a in audits),
            encoding="utf-8",
        )
        return str(path)

    assert cli(boss, "import", file("r1.jsonl", base)) == EXIT_OK
    assert cli(boss, "import", file("r2.jsonl", v2)) == EXIT_OK
    assert "1 remplacé(s)" in capsys.readouterr().out
    digest = tree_digest(boss / "audits")
    assert cli(boss, "import", file("conflict.jsonl", rival)) == EXIT_CONFLICTS
    captured = capsys.readouterr()
    assert "conflit" in captured.err and "même révision 2" in captured.err
    assert "1 conflit(s)" in captured.out
    assert tree_digest(boss / "audits") == digest  # nothing overwritten
    assert cli(boss, "import", file("old.jsonl", old), file("same.jsonl", v2)) == EXIT_OK
    out = capsys.readouterr().out
    assert "1 plus ancien(s) ignoré(s)" in out and "1 inchangé(s)" in out
    with Store.open(boss) as store:
        assert len(store) == 1
        kept = store.get(base.id)
        assert kept.revision == 2 and kept.answers["11"] == [2]


def test_manifest_mismatch_rejects_the_file_and_changes_nothing(tmp_path, capsys):
    alice, boss = tmp_path / "alice", tmp_path / "boss"
    with Store.open(alice) as store:
        store.create(make_audit(1))
        store.create(make_audit(2))
    batch = one_batch(alice, tmp_path / "out")
    with Store.open(boss) as store:
        store.create(make_audit(7))
    before = tree_digest(boss)
    data = batch / "audits.jsonl"
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    data.write_text(lines[0], encoding="utf-8")  # a truncated transfer: valid JSONL, one lost
    assert cli(boss, "import", str(data)) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert "manifeste" in err and "altéré ou incomplet" in err
    assert "le dossier de données est inchangé" in err
    assert tree_digest(boss) == before

    # A file the manifest does not list, and an unreadable manifest: refused as well.
    stray = batch / "other.jsonl"
    stray.write_text(lines[1], encoding="utf-8")
    assert cli(boss, "import", str(stray)) == EXIT_REJECTED
    assert "absent du manifeste" in capsys.readouterr().err
    (batch / "manifest.json").write_text("{not json", encoding="utf-8")
    assert cli(boss, "import", str(stray)) == EXIT_REJECTED
    assert "manifeste invalide" in capsys.readouterr().err
    assert tree_digest(boss) == before


def test_several_files_each_all_or_nothing(tmp_path, capsys):
    boss = tmp_path / "boss"
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(make_audit(1).to_export()) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    broken = make_audit(2).to_export()
    broken["answers"]["1"] = [9]
    bad.write_text(
        json.dumps(make_audit(3).to_export()) + "\n" + json.dumps(broken) + "\n", encoding="utf-8"
    )
    assert cli(boss, "import", str(good), str(bad)) == EXIT_REJECTED
    captured = capsys.readouterr()
    assert f"{good} : 1 ajouté(s)" in captured.out
    assert f"{bad}, ligne 2, champ answers.1" in captured.err
    with Store.open(boss) as store:
        assert store.ids() == [make_audit(1).id]  # the good file in, nothing of the bad one


# ---- the week, end to end --------------------------------------------------------------------

MONDAY = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
DIJON = DealerRef("Lexus Dijon", "FR", "21", "+33353012001", "lexus-dijon", "Dijon")
LYON = DealerRef("Lexus Lyon", "FR", "69", "+33465710101", "lexus-lyon", "Lyon")
NICE = DealerRef("Lexus Nice", "FR", "06", "+33465710202", "lexus-nice", "Nice")


def call(dealer: DealerRef, auditor: str, when: datetime, seq: int, *, weak: bool = False):
    """A completed audit of a call at `when`: full marks, or (weak) Q16 « Non » and Q17 missed,
    i.e. 30 - 2 - 2 = 26/30 = 86.7 % → 4★."""
    audit = Audit.new(dealer, GRID, when, auditor=auditor)
    audit.id = str(uuid.UUID(int=seq))
    audit.call.attempts = [format_instant(when)]
    audit.call.started_at = format_instant(when)
    audit.call.transferred = True
    audit.call.transfer_seconds = 20.0
    audit.answers = best_answers(True)
    if weak:
        audit.answers["16"], audit.answers["17"] = [2], [2]
    audit.follow_up.callback_at = format_instant(when + timedelta(days=1))
    audit.follow_up.callback_method = "phone"
    end_call(audit, when + timedelta(minutes=9))
    complete(audit)
    return audit


def test_two_auditors_a_week_of_edits_merge_and_report(tmp_path, capsys):
    alice, bob, boss = tmp_path / "alice", tmp_path / "bob", tmp_path / "boss"
    out_a, out_b = tmp_path / "outbox-alice", tmp_path / "outbox-bob"
    quarter_days = [datetime(2026, m, 10, 9, 0, tzinfo=UTC) for m in (2, 5, 8)]

    # Before the week: the first three quarters, already sent in one batch each.
    with Store.open(alice) as store:
        for i, day in enumerate(quarter_days):
            store.create(call(DIJON, "Alice", day, 10 + i), day)
    with Store.open(bob) as store:
        for i, day in enumerate(quarter_days):
            store.create(call(LYON, "Bob", day, 20 + i), day)
            store.create(call(NICE, "Bob", day + timedelta(hours=2), 30 + i), day)
    one_batch(alice, out_a)
    one_batch(bob, out_b)

    # Monday: Alice calls Dijon (T4), a weak result, and saves a draft for Nice; Bob calls
    # Lyon, a weak result too, and Nice, a good one.
    with Store.open(alice) as store:
        store.create(call(DIJON, "Alice", MONDAY, 13, weak=True), MONDAY)
        draft = Audit.new(NICE, GRID, MONDAY, auditor="Alice")
        draft.id = str(uuid.UUID(int=40))
        store.create(draft, MONDAY)
    with Store.open(bob) as store:
        store.create(call(LYON, "Bob", MONDAY + timedelta(hours=1), 23, weak=True), MONDAY)
        store.create(call(NICE, "Bob", MONDAY + timedelta(hours=3), 33), MONDAY)
    one_batch(alice, out_a)
    one_batch(bob, out_b)

    # Tuesday: Bob finds Lyon's call-back in time after all: he reopens the audit and gives
    # Q17 its points (30 - 2 = 28/30 = 93.3 % → 5★). Alice changes nothing.
    tuesday = MONDAY + timedelta(days=1)
    with Store.open(bob) as store:
        lyon = store.get(str(uuid.UUID(int=23)))
        reopen(lyon, "rappel reçu en retard dans la boîte")
        lyon.answers["17"] = [1]
        complete(lyon)
        store.save(lyon, kind="reopen", reason="rappel reçu", moment=tuesday)
    assert cli(alice, "export", "--changed", "--to", str(out_a)) == EXIT_OK
    assert "Aucun audit" in capsys.readouterr().out
    one_batch(bob, out_b)

    # Wednesday: Alice fills in her Nice draft a little (still a draft): carried again.
    with Store.open(alice) as store:
        draft = store.get(str(uuid.UUID(int=40)))
        draft.answers["1"] = [1]
        store.save(draft, moment=tuesday + timedelta(days=1))
    one_batch(alice, out_a)

    # Friday: the supervisor merges both outboxes, then merges them again (nothing new).
    assert cli(boss, "import", str(out_a), str(out_b)) == EXIT_OK
    capsys.readouterr()
    digest = tree_digest(boss / "audits")
    assert cli(boss, "import", str(out_a), str(out_b)) == EXIT_OK
    out = capsys.readouterr().out
    assert "0 ajouté(s), 0 remplacé(s)" in out and "conflit(s)" in out
    assert tree_digest(boss / "audits") == digest

    # No duplicate, no loss: exactly every audit of both auditors, at its latest revision.
    mine = {}
    for db in (alice, bob):
        with Store.open(db) as store:
            mine.update({s.id: s.revision for s in store.summaries()})
    with Store.open(boss) as store:
        merged = {s.id: s.revision for s in store.summaries()}
    assert merged == mine and len(merged) == 13  # Dijon 4, Lyon 4, Nice 4, Alice's draft
    assert merged[str(uuid.UUID(int=23))] == 2

    # The report: Lyon and Nice are 5★ in every quarter of 2026 (Lyon's T4 only thanks to
    # Tuesday's edit: 93.3 %); Dijon's T4 is 86.7 % → 4★, so Dijon is out. The draft is left
    # out of the figures.
    assert cli(boss, "report", "--format", "json", "--period", "2026") == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["counted"] == 12 and report["left_out"] == 1
    lyon_t4 = next(
        d
        for d in report["dealer_quarters"]
        if d["dealer_key"] == "lexus-lyon" and d["quarter"] == "2026-T4"
    )
    assert (lyon_t4["average_percent"], lyon_t4["stars"]) == (93.3, 5)
    dijon_t4 = next(
        d
        for d in report["dealer_quarters"]
        if d["dealer_key"] == "lexus-dijon" and d["quarter"] == "2026-T4"
    )
    assert (dijon_t4["average_percent"], dijon_t4["stars"]) == (86.7, 4)
    trophy = report["trophy"]
    assert trophy["year"] == 2026
    assert [c["dealer"] for c in trophy["candidates"]] == ["Lexus Lyon", "Lexus Nice"]
    assert trophy["in_running"] == []
    assert cli(boss, "report", "--format", "csv", "--table", "trophy") == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "dealer_id,dealer,status,t1,t2,t3,t4,missing",
        "lexus-lyon,Lexus Lyon,candidat,5,5,5,5,",
        "lexus-nice,Lexus Nice,candidat,5,5,5,5,",
    ]
    assert cli(boss, "report", "--table", "dealers", "--dealer", "dijon") == EXIT_OK
    table = capsys.readouterr().out
    assert "Lexus Dijon" in table and "Lexus Lyon" not in table
    assert "86,7 %" in table and "★★★★" in table
