"""A follow-up change the store cannot save is handled as in the live call: kept in memory,
marked, and written by the next save (a reopening keeps its reason)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auditor_tui.session.followup import FollowUpSession
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from tests.conftest import FullDisk
from tests.factories import T0, make_audit

NOW = T0 + timedelta(days=1)


@pytest.fixture
def session(store: Store) -> FollowUpSession:
    audit = make_audit(1, status="awaiting_follow_up")
    audit.answers.pop("20")
    store.put_many([audit], moment=T0)
    return FollowUpSession(store, audit.id)


def test_a_failed_save_keeps_the_change_marked_and_a_retry_writes_it(
    session: FollowUpSession, store: Store, full_disk: FullDisk
) -> None:
    full_disk.full = True
    with pytest.raises(StoreError, match="disque est plein"):
        session.answer("20", 1, NOW)
    assert session.audit.answers["20"] == [1]  # still on screen
    assert session.save_error is not None and "disque est plein" in session.save_error
    assert "20" not in store.get(session.audit.id).answers
    with pytest.raises(StoreError):
        session.retry_save(NOW)
    full_disk.full = False
    session.retry_save(NOW)
    assert session.save_error is None
    assert session.saved_at == NOW
    assert store.get(session.audit.id).answers["20"] == [1]


def test_a_reopening_not_saved_keeps_its_reason_for_the_next_save(
    session: FollowUpSession, store: Store, full_disk: FullDisk
) -> None:
    session.answer("20", 1, NOW)
    session.complete(NOW)
    full_disk.full = True
    with pytest.raises(StoreError):
        session.reopen("rappel noté sur le mauvais audit", NOW)
    assert session.audit.status == "awaiting_follow_up"
    assert store.get(session.audit.id).status == "complete"
    full_disk.full = False
    session.retry_save(NOW)
    assert store.get(session.audit.id).status == "awaiting_follow_up"
    events = store.events(session.audit.id)
    assert any(
        e["kind"] == "reopen" and e["new"] == "rappel noté sur le mauvais audit" for e in events
    )
