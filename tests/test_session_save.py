"""The one failure policy of `AuditSession`, for the live call and the follow-up alike, on a real
store: a save that fails (a full disk) or a file damaged or removed outside the app raises a
StoreError — never another error, the app must not crash — the change stays in memory, marked
not saved, and a retry writes it once the cause is gone."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.record import Audit
from auditor_tui.session.base import AuditSession, SessionRefused
from auditor_tui.session.call_state import LiveCallError
from auditor_tui.session.followup import FollowUpError, FollowUpSession
from auditor_tui.session.live import LiveCall
from auditor_tui.store import Store
from auditor_tui.store.errors import CorruptFileError, StoreError
from tests.conftest import FullDisk
from tests.factories import T0, dealer, make_audit, tree_digest

GRID = load_grid()
LATER = T0 + timedelta(days=1, hours=2)
# The question each session answers: Q9 during a fresh call; Q20 (left unanswered) in the
# follow-up of a call that ended.
QUESTION = {"live": "9", "follow-up": "20"}


@pytest.fixture(params=["live", "follow-up"])
def session(request: pytest.FixtureRequest, store: Store) -> AuditSession:
    clock = FakeClock(LATER)
    if request.param == "live":
        audit = Audit.new(dealer(), GRID, T0)
        store.create(audit, T0)
        return LiveCall(store, audit.id, clock)
    audit = make_audit(1, status="awaiting_follow_up")
    audit.answers.pop("20")
    store.put_many([audit], moment=T0)
    return FollowUpSession(store, audit.id, clock)


def qid_of(session: AuditSession) -> str:
    return QUESTION["live" if isinstance(session, LiveCall) else "follow-up"]


def file_of(store: Store, session: AuditSession) -> Path:
    return store.audits_dir / f"{session.audit_id}.json"


def tamper(path: Path) -> None:
    """One letter of the dealer's name changed, as an editor would: valid JSON, a valid record,
    a seal that no longer matches."""
    data = json.loads(path.read_text("utf-8"))
    (row,) = data["audit"].values()
    row["record"]["dealer"]["name"] += " (modifié)"
    path.write_text(json.dumps(data), "utf-8")


def test_a_save_on_a_full_disk_keeps_the_answer_and_a_retry_writes_it(
    session: AuditSession, store: Store, full_disk: FullDisk
) -> None:
    qid = qid_of(session)
    before = store.get(session.audit_id).revision
    full_disk.full = True
    with pytest.raises(StoreError, match="disque est plein"):
        session.answer(qid, 1)
    assert session.audit.answers[qid] == [1]  # kept in memory, on screen
    assert session.unsaved
    assert session.save_error is not None and "disque est plein" in session.save_error
    stored = store.get(session.audit_id)
    assert qid not in stored.answers and stored.revision == before
    with pytest.raises(StoreError):  # still full: still not saved, still said
        session.retry_save()
    assert session.unsaved
    full_disk.full = False
    session.retry_save()
    assert not session.unsaved and session.save_error is None
    assert session.saved_at == LATER
    stored = store.get(session.audit_id)
    assert stored.answers[qid] == [1] and stored.revision == before + 1
    last = store.events(session.audit_id)[-1]
    assert (last["kind"], last["field"], last["new"]) == ("answer", f"answers.{qid}", [1])


def test_the_next_change_after_a_failed_save_writes_both(
    session: AuditSession, store: Store, full_disk: FullDisk
) -> None:
    qid = qid_of(session)
    full_disk.full = True
    with pytest.raises(StoreError):
        session.answer(qid, 1)
    full_disk.full = False
    session.set_note(qid, "  rappelé par Mme Martin  ")
    stored = store.get(session.audit_id)
    assert stored.answers[qid] == [1]
    assert stored.notes[qid] == "rappelé par Mme Martin"
    assert not session.unsaved


def test_a_file_changed_outside_the_app_refuses_the_save_and_keeps_the_answer(
    session: AuditSession, store: Store
) -> None:
    qid = qid_of(session)
    path = file_of(store, session)
    tamper(path)
    damaged = path.read_bytes()
    with pytest.raises(CorruptFileError, match="endommagé"):
        session.answer(qid, 1)
    assert session.audit.answers[qid] == [1]
    assert session.save_error is not None and "endommagé" in session.save_error
    assert path.read_bytes() == damaged  # nothing written over it
    assert len(list(path.parent.glob(f"{path.name}.corrupt-*"))) == 1  # a copy kept aside
    with pytest.raises(StoreError):  # a retry says so again, it does not crash
        session.retry_save()
    assert session.unsaved and session.audit.answers[qid] == [1]


def test_a_file_removed_outside_the_app_is_a_store_error_not_a_crash(
    session: AuditSession, store: Store
) -> None:
    qid = qid_of(session)
    file_of(store, session).unlink()
    with pytest.raises(StoreError, match="a disparu du dossier de données"):
        session.answer(qid, 1)
    assert session.audit.answers[qid] == [1]
    assert session.save_error is not None and session.audit_id in session.save_error
    with pytest.raises(StoreError, match="a disparu"):
        session.retry_save()
    assert not file_of(store, session).exists()  # nothing half-written in its place


def test_a_record_that_lost_its_revision_is_a_store_error_not_a_crash(
    session: AuditSession, store: Store
) -> None:
    """A file without a seal (as written before seals) is read as it is: a field the save needs
    removed by hand is reported, not a KeyError out of the store."""
    path = file_of(store, session)
    data = json.loads(path.read_text("utf-8"))
    (row,) = data["audit"].values()
    del row["seal"], row["record"]["revision"]
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(StoreError, match="endommagé \\(champ 'revision' absent\\)"):
        session.answer(qid_of(session), 1)
    assert session.unsaved


def test_a_completed_audit_refuses_every_change_with_the_sessions_own_error(
    session: AuditSession, store: Store
) -> None:
    session.audit.status = "complete"
    own: type[SessionRefused] = LiveCallError if isinstance(session, LiveCall) else FollowUpError
    qid = qid_of(session)
    changes: list[Callable[[], object]] = [
        lambda: session.answer(qid, 1),
        lambda: session.clear(qid),
        lambda: session.set_note(qid, "x"),
    ]
    for change in changes:
        with pytest.raises(own, match="audit terminé : rouvrez-le") as refused:
            change()
        assert isinstance(refused.value, SessionRefused)
    assert not session.unsaved and session.saved_at is None  # nothing was tried


def test_refusals_name_what_is_wrong(session: AuditSession) -> None:
    with pytest.raises(SessionRefused, match="question '99' inconnue dans la grille"):
        session.answer("99", 1)
    with pytest.raises(SessionRefused, match="Q9 : pas d'option 7 \\(1 à 2\\)"):
        session.answer("9", 7)
    with pytest.raises(SessionRefused, match="Q4 sans objet : l'appel n'a pas été transféré"):
        session.audit.call.transferred = False
        session.answer("4", 1)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=200))
def test_a_note_accepted_is_read_back_as_written(session: AuditSession, text: str) -> None:
    """Whatever the keyboard or a paste gives (control characters, markup, formulas): the note
    saved is the text stripped, read back identically from the file."""
    qid = qid_of(session)
    session.set_note(qid, text)
    stored = session.store.get(session.audit_id).notes.get(qid)
    assert stored == (text.strip() or None)


def test_nothing_half_written_when_the_disk_is_full(
    session: AuditSession, store: Store, full_disk: FullDisk, store_path: Path
) -> None:
    before = tree_digest(store_path / "audits")
    full_disk.full = True
    with pytest.raises(StoreError):
        session.set_note(qid_of(session), "verbatim")
    assert tree_digest(store_path / "audits") == before
