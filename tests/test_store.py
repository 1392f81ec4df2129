"""The store: durable per-audit files, event log, index cache, lock, journaled imports."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import timedelta

import pytest

from auditor_tui.store import Store
from auditor_tui.store.errors import CorruptFileError, StoreLockedError, StoreWriteError
from auditor_tui.store.paths import ENV_VAR, default_store_path
from tests.factories import T0, make_audit, tree_digest


def test_create_save_and_event_log(store, store_path):
    audit = make_audit(1, status="draft")
    audit.answers = {}
    store.create(audit, T0)
    audit.answers["1"] = [1]
    store.save(audit, moment=T0 + timedelta(seconds=5))
    audit.answers["3"] = [1, 2]
    audit.notes["3"] = "« Lexus Dijon bonjour »"
    store.save(audit, moment=T0 + timedelta(seconds=9))
    assert audit.revision == 3
    again = store.get(audit.id)
    assert again.answers == {"1": [1], "3": [1, 2]}
    assert again.revision == 3 and again.updated_at == "2026-11-17T09:30:09+00:00"
    events = store.events(audit.id)
    assert [(e["kind"], e["field"], e["old"], e["new"]) for e in events] == [
        ("created", None, None, None),
        ("edit", "answers.1", None, [1]),
        ("edit", "answers.3", None, [1, 2]),
        ("edit", "notes.3", None, "« Lexus Dijon bonjour »"),
    ]
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    # Saving without a change writes nothing and keeps the revision.
    store.save(audit)
    assert store.get(audit.id).revision == 3


def test_files_are_owner_only(store, store_path):
    store.create(make_audit(1))
    store.flush_index()
    for path in [store_path, store_path / "audits", *store_path.rglob("*.json")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


def test_saving_touches_only_that_audit(store, store_path):
    for n in range(5):
        store.create(make_audit(n))
    before = {p.name: p.stat().st_mtime_ns for p in (store_path / "audits").iterdir()}
    audit = store.get(make_audit(2).id)
    audit.notes["1"] = "changed"
    store.save(audit)
    after = {p.name: p.stat().st_mtime_ns for p in (store_path / "audits").iterdir()}
    assert [name for name in after if after[name] != before[name]] == [f"{audit.id}.json"]


def _follow_up_behind_the_index(store_path, n):
    """Audit n set awaiting follow-up by the store, then the index from before put back: its
    file changed behind the index's back (as a sealed file can only be changed)."""
    stale_index = (store_path / "index.json").read_bytes()
    with Store.open(store_path) as store:
        audit = store.get(make_audit(n).id)
        audit.status = "awaiting_follow_up"
        store.save(audit)
    (store_path / "index.json").write_bytes(stale_index)


def test_index_is_rebuilt_from_audit_files(store_path):
    with Store.open(store_path) as store:
        for n in range(3):
            store.create(make_audit(n, name=f"Lexus {n}"))
    (store_path / "index.json").unlink()
    with Store.open(store_path) as store:
        assert sorted(s.dealer for s in store.summaries()) == ["Lexus 0", "Lexus 1", "Lexus 2"]
    # An audit file changed behind the index's back is re-read.
    _follow_up_behind_the_index(store_path, 1)
    with Store.open(store_path) as store:
        statuses = {s.id: s.status for s in store.summaries()}
        assert statuses[make_audit(1).id] == "awaiting_follow_up"


def _audits_at(store_path, count):
    """`count` audits an hour apart (the last the newest), the index written at close."""
    with Store.open(store_path) as store:
        for n in range(count):
            store.create(make_audit(n, name=f"Lexus {n}", when=T0 + timedelta(hours=n)))


def test_the_newest_summaries_come_first_when_their_files_are_unchanged(store_path):
    _audits_at(store_path, 7)
    seen = []
    with Store.open(store_path, first=seen.append, first_count=3) as store:
        everything = store.summaries()
    assert len(seen) == 1
    assert [s.dealer for s in seen[0]] == ["Lexus 6", "Lexus 5", "Lexus 4"]
    assert seen[0] == everything[:3]
    # The index keeps one entry per line, newest first (what lets the head be read alone).
    lines = (store_path / "index.json").read_bytes().split(b"\n")
    assert len(lines) == 1 + 7 + 1
    assert [line[1:37].decode() for line in lines[1:-1]] == [s.id for s in everything]


def test_the_newest_summaries_are_not_given_early_when_the_index_cannot_tell(store_path):
    _audits_at(store_path, 4)
    # One of the newest files changed behind the index's back: not early, right afterwards.
    _follow_up_behind_the_index(store_path, 2)
    seen = []
    with Store.open(store_path, first=seen.append, first_count=3) as store:
        statuses = {s.dealer: s.status for s in store.summaries()}
    assert seen == [] and statuses["Lexus 2"] == "awaiting_follow_up"
    # The index rewritten at that close: early again.
    with Store.open(store_path, first=seen.append, first_count=3):
        pass
    assert [s.status for s in seen[0]] == ["complete", "awaiting_follow_up", "complete"]
    # No index (or a damaged one): nothing early, everything after.
    seen.clear()
    (store_path / "index.json").unlink()
    with Store.open(store_path, first=seen.append) as store:
        assert seen == [] and len(store.summaries()) == 4
    index = store_path / "index.json"
    index.write_bytes(index.read_bytes().replace(b"Lexus 3", b"Lexus 9"))
    with Store.open(store_path, first=seen.append) as store:
        assert seen == [] and "Lexus 3" in {s.dealer for s in store.summaries()}


def test_damaged_audit_file_is_reported_kept_and_the_rest_usable(store_path):
    with Store.open(store_path) as store:
        for n in range(3):
            store.create(make_audit(n))
    path = store_path / "audits" / f"{make_audit(0).id}.json"
    damaged = path.read_bytes()[:100]
    path.write_bytes(damaged)
    with Store.open(store_path) as store:
        assert len(store.damaged) == 1
        assert str(path) in store.damaged[0].message
        assert store.damaged[0].backup is not None
        assert store.damaged[0].backup.read_bytes() == damaged
        assert len(store.summaries()) == 2
        assert path.read_bytes() == damaged  # never overwritten silently
        with pytest.raises(CorruptFileError):
            store.get(make_audit(0).id)


def test_second_process_is_refused(store_path):
    with Store.open(store_path):
        code = (
            "import sys; from pathlib import Path; from auditor_tui.store import Store\n"
            "from auditor_tui.store.errors import StoreLockedError\n"
            "try:\n    Store.open(Path(sys.argv[1]))\n"
            "except StoreLockedError as e:\n    print(e); sys.exit(3)\n"
        )
        run = subprocess.run(
            [sys.executable, "-c", code, str(store_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 3, run.stderr
        assert str(store_path) in run.stdout and str(os.getpid()) in run.stdout
    with pytest.raises(StoreLockedError), Store.open(store_path):
        Store.open(store_path)


def test_failed_write_keeps_last_good_state(store, store_path, monkeypatch):
    audit = make_audit(1)
    store.create(audit)
    path = store_path / "audits" / f"{audit.id}.json"
    before = path.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    audit.notes["9"] = "perdu ?"
    with pytest.raises(StoreWriteError) as err:
        store.save(audit)
    assert str(path) in str(err.value)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert "9" not in store.get(audit.id).notes


@pytest.mark.parametrize("syncfs", [True, False], ids=["syncfs", "fsync-each"])
def test_a_large_import_is_staged_in_subfolders_and_synced(store_path, monkeypatch, syncfs):
    """40 audits (a large import), synced once (syncfs) or file by file where there is none:
    the same store, read back whole, with nothing left beside it. (An import killed at each of
    its steps: tests/test_reliability_import.py.)"""
    import auditor_tui.store.staging as store_module

    if not syncfs:
        monkeypatch.setattr(store_module, "can_sync_filesystem", lambda: False)
    synced = []
    real_sync = store_module.sync_filesystem
    monkeypatch.setattr(store_module, "sync_filesystem", lambda f: synced.append(f) or real_sync(f))
    audits = [make_audit(n, name=f"Lexus {n}") for n in range(40)]
    with Store.open(store_path) as store:
        store.put_many(audits)
        assert {s.id for s in store.summaries()} == {a.id for a in audits}
    assert len(synced) == (1 if syncfs else 0)
    with Store.open(store_path) as store:  # the index written from the staged files' stats
        assert not store.damaged and len(store) == 40
        assert [store.get(a.id).to_dict() for a in audits] == [a.to_dict() for a in audits]
        assert {store.events(a.id)[0]["kind"] for a in audits} == {"import"}
    # The store's own files, one per audit: nothing staged is left beside them.
    audit_files = [f"audits/{a.id}.json" for a in audits]
    assert sorted(str(p.relative_to(store_path)) for p in store_path.rglob("*")) == sorted(
        ["audits", *audit_files, "commit.lock", "index.json", "store.lock"]
    )


def test_a_failed_file_system_sync_leaves_the_store_as_it_was(store_path, monkeypatch):
    import auditor_tui.store.staging as store_module

    with Store.open(store_path) as store:
        store.create(make_audit(100))
    before = tree_digest(store_path)

    def failing(folder):
        raise OSError(5, "Input/output error", str(folder))

    monkeypatch.setattr(store_module, "sync_filesystem", failing)
    monkeypatch.setattr(store_module, "can_sync_filesystem", lambda: True)
    audits = [make_audit(n) for n in range(40)]
    with Store.open(store_path) as store:
        with pytest.raises(StoreWriteError) as err:
            store.put_many(audits)
        assert str(store_path) in str(err.value) and "entrée-sortie" in str(err.value)
        assert len(store) == 1
    assert tree_digest(store_path) == before
    monkeypatch.undo()
    with Store.open(store_path) as store:  # the same import, once the disk is back
        store.put_many(audits)
        assert len(store) == 41


def test_an_import_that_gives_nothing_to_write_writes_nothing(store_path):
    with Store.open(store_path) as store:
        store.create(make_audit(1))
    before = tree_digest(store_path)
    with Store.open(store_path) as store:
        store.put_many([])
    after = tree_digest(store_path)
    assert after == before


def test_a_record_is_read_without_its_event_log_whatever_its_notes_say(store_path):
    """Reading an audit decodes its file only up to the event log's key: a note quoting that
    key (escaped in the file) does not cut the record short."""
    audit = make_audit(1)
    audit.notes["3"] = 'Il a parlé des "events" : "events": {} et }}, "events"'
    audit.notes["5"] = "Une note longue. " * 1500  # a record larger than the first read
    with Store.open(store_path) as store:
        store.create(audit)
    with Store.open(store_path) as store:
        again = store.get(audit.id)
        assert again.to_dict() == audit.to_dict()
        assert store.events(audit.id)[0]["kind"] == "created"


def test_a_directory_valid_as_json_but_not_as_tinydb_is_reported_and_kept(store_path):
    """A changed byte can leave valid JSON that TinyDB cannot read (a document id « 1M »):
    reported at open with a copy kept aside, then a clear error, never a traceback."""
    with Store.open(store_path) as store:
        store.replace_dealers([{"name": "Lexus Dijon"}, {"name": "Lexus Metz"}])
        store.set_setting("auditor", "Camille")
    dealers = store_path / "dealers.json"
    damaged = dealers.read_bytes().replace(b'"1":', b'"1M":')
    dealers.write_bytes(damaged)
    settings = store_path / "settings.json"
    settings.write_text('{"settings": ["auditor", "Camille"]}')
    with Store.open(store_path) as store:
        assert {d.path for d in store.damaged} == {dealers, settings}
        message = next(d.message for d in store.damaged if d.path == dealers)
        assert "'1M'" in message and "dealers" in message
        with pytest.raises(CorruptFileError):
            store.dealers()
        assert store.setting("auditor", "défaut") == "défaut"  # preferences: defaults
    assert dealers.read_bytes() == damaged


def _audit_json(store_path, n):
    path = store_path / "audits" / f"{make_audit(n).id}.json"
    return path, json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize(
    "change",
    ["a letter of a note", "the score's evidence: an answer", "an event of the log", "a key"],
)
def test_a_sealed_audit_file_changed_outside_the_app_is_reported_and_kept(store_path, change):
    """Every audit file carries a seal over its record and its event log: a change that
    leaves a valid record (the kind no parser can see) is caught at open, reported with a
    copy kept, and the file is never written over."""
    with Store.open(store_path) as store:
        for n in range(3):
            audit = make_audit(n)
            audit.notes["3"] = "Accueil chaleureux"
            store.create(audit)
    path, data = _audit_json(store_path, 1)
    row = data["audit"]["1"]
    if change == "a letter of a note":
        row["record"]["notes"]["3"] = "Accueil chaleureuX"
    elif change == "the score's evidence: an answer":
        row["record"]["answers"]["5"] = [2]
    elif change == "an event of the log":
        data["events"]["1"]["at"] = "2026-11-17T09:31:00+00:00"
    else:
        row["seal_"] = row.pop("seal")
    damaged = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    path.write_bytes(damaged)
    with Store.open(store_path) as store:
        assert [d.path for d in store.damaged] == [path]
        assert store.damaged[0].backup is not None
        assert store.damaged[0].backup.read_bytes() == damaged
        assert make_audit(1).id not in store and len(store) == 2
        with pytest.raises(CorruptFileError):
            store.get(make_audit(1).id)
        with pytest.raises(CorruptFileError):
            store.save(make_audit(1))
        store.get(make_audit(2).id)  # the others are usable
    assert path.read_bytes() == damaged


def test_an_audit_file_written_before_seals_is_read_then_sealed_by_its_next_save(store_path):
    with Store.open(store_path) as store:
        store.create(make_audit(1))
    path, data = _audit_json(store_path, 1)
    del data["audit"]["1"]["seal"]
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    with Store.open(store_path) as store:
        assert not store.damaged
        audit = store.get(make_audit(1).id)
        audit.notes["9"] = "relu"
        store.save(audit)
    _path, data = _audit_json(store_path, 1)
    assert len(data["audit"]["1"]["seal"]) == 64
    with Store.open(store_path) as store:
        assert not store.damaged and store.get(audit.id).notes["9"] == "relu"


def test_default_location(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env-store"))
    assert default_store_path() == tmp_path / "env-store"
    monkeypatch.delenv(ENV_VAR)
    assert default_store_path().name == "auditor-tui"


def test_dealers_and_settings(store):
    store.replace_dealers([{"id": "lexus-dijon", "name": "Lexus Dijon"}])
    assert store.dealers() == [{"id": "lexus-dijon", "name": "Lexus Dijon"}]
    store.set_setting("auditor", "Camille")
    store.set_setting("identity", {"name": "Jean Martin"})
    assert store.setting("auditor") == "Camille"
    assert store.setting("identity") == {"name": "Jean Martin"}
    assert store.setting("absent", 4) == 4


def test_damaged_settings_fall_back_to_defaults_and_keep_a_copy(store_path):
    with Store.open(store_path) as store:
        store.set_setting("auditor", "Camille")
    settings = store_path / "settings.json"
    settings.write_bytes(b'{"settings": {"1": {"audi')
    with Store.open(store_path) as store:
        assert any(str(settings) in d.message for d in store.damaged)
        assert store.setting("auditor", "?") == "?"
        store.set_setting("auditor", "Louise")
        assert store.setting("auditor") == "Louise"
    copies = list(store_path.glob("settings.json.corrupt-*"))
    assert [c.read_bytes() for c in copies] == [b'{"settings": {"1": {"audi']
