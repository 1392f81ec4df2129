"""Removing a recorded e-mail or call-back (noted on the wrong audit): saved with its own event
kind, refused on a completed audit, the index summary and the queue waiting again, the answers
left as given and the Q16–Q19 suggestions worked out again from the record."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auditor_tui.domain.queue import KIND_CALLBACK, KIND_EMAIL, build_queue, expired_between
from auditor_tui.domain.record import FollowUp, format_instant
from auditor_tui.session.followup import CLEAR_CALLBACK, CLEAR_EMAIL, FollowUpError, FollowUpSession
from auditor_tui.store import Store
from tests.test_followup import (
    BY_PHONE,
    NON,
    OUI,
    PARIS,
    Q16,
    Q17,
    Q18,
    Q19,
    ended,
    local,
    stored,
)

CALL = local(PARIS, 2026, 11, 17, 11, 0)  # Tuesday 11:00 Paris
EMAIL_DUE = CALL + timedelta(hours=2)
CALLBACK_DUE = local(PARIS, 2026, 11, 19, 23, 59, 59)


def session_for(store: Store, agreed: str | None = "phone") -> FollowUpSession:
    audit = ended(CALL)
    audit.call.agreed_method = agreed
    return stored(store, audit)


def summary(store: Store, audit_id: str) -> tuple[bool, bool]:
    (s,) = [s for s in store.summaries() if s.id == audit_id]
    return s.email_received, s.callback_received


def test_clear_email_removes_it_and_what_it_held_and_logs_it(store: Store) -> None:
    session = session_for(store)
    now = CALL + timedelta(hours=1)
    at = CALL + timedelta(minutes=40)
    session.record_email(at, False, now)  # a bare acknowledgement
    revision = store.get(session.audit.id).revision
    session.clear_email(now + timedelta(minutes=1))
    again = store.get(session.audit.id)
    assert again.follow_up == FollowUp()
    assert again.revision == revision + 1
    cleared = [e for e in store.events(session.audit.id) if e["kind"] == CLEAR_EMAIL]
    assert [e["new"] for e in cleared if e["field"] == "history"] == [
        [h for h in again.history if h["event"] != "email_received"]
    ]  # the e-mail's arrival leaves the history with it
    cleared = [e for e in cleared if e["field"] != "history"]
    assert {(e["field"], e["old"], e["new"]) for e in cleared} == {
        ("follow_up.email_received_at", format_instant(at), None),
        ("follow_up.email_has_information", False, None),
    }
    assert {e["at"] for e in cleared} == {format_instant(now + timedelta(minutes=1))}
    assert {e["revision"] for e in cleared} == {revision + 1}


def test_clear_callback_removes_its_method_and_note_and_logs_it(store: Store) -> None:
    session = session_for(store)
    now = CALL + timedelta(days=1)
    at = CALL + timedelta(hours=20)
    session.record_email(CALL + timedelta(minutes=30), True, now)
    session.record_callback(at, "email", "essai proposé", now)
    session.clear_callback(now)
    fu = store.get(session.audit.id).follow_up
    assert (fu.callback_at, fu.callback_method, fu.callback_note) == (None, None, "")
    assert fu.email_received_at is not None  # the e-mail is another fact: kept
    cleared = [
        e
        for e in store.events(session.audit.id)
        if e["kind"] == CLEAR_CALLBACK and e["field"] != "history"
    ]
    assert {(e["field"], e["old"], e["new"]) for e in cleared} == {
        ("follow_up.callback_at", format_instant(at), None),
        ("follow_up.callback_method", "email", None),
        ("follow_up.callback_note", "essai proposé", ""),
    }


def test_nothing_recorded_nothing_to_clear(store: Store) -> None:
    session = session_for(store)
    with pytest.raises(FollowUpError, match="aucun e-mail noté"):
        session.clear_email(CALL)
    with pytest.raises(FollowUpError, match="aucun rappel noté"):
        session.clear_callback(CALL)
    assert store.get(session.audit.id).revision == 1


def test_clearing_is_refused_on_a_completed_audit(store: Store) -> None:
    session = session_for(store)
    now = CALL + timedelta(days=3)
    session.record_email(CALL + timedelta(minutes=30), True, now)
    session.record_callback(CALL + timedelta(hours=20), "phone", "", now)
    for qid in session.questions():
        if qid not in session.audit.answers:
            session.answer(qid, 1, now)
    session.complete(now)
    revision = store.get(session.audit.id).revision
    for clear in (session.clear_email, session.clear_callback):
        with pytest.raises(FollowUpError, match="rouvrez"):
            clear(now)
    done = store.get(session.audit.id)
    assert (done.status, done.revision) == ("complete", revision)
    assert done.follow_up.email_received_at and done.follow_up.callback_at
    # reopened, it can be cleared
    session.reopen("e-mail noté sur le mauvais audit", now)
    session.clear_email(now)
    assert store.get(session.audit.id).follow_up.email_received_at is None


def test_the_index_summary_and_the_queue_wait_again(store: Store) -> None:
    session = session_for(store)
    now = CALL + timedelta(hours=1)
    audit_id = session.audit.id
    session.record_email(CALL + timedelta(minutes=30), True, now)
    session.record_callback(CALL + timedelta(minutes=50), "phone", "", now)
    assert summary(store, audit_id) == (True, True)
    assert build_queue(store.summaries())[0].dues == ()
    session.clear_email(now)
    assert summary(store, audit_id) == (False, True)
    session.clear_callback(now)
    assert summary(store, audit_id) == (False, False)
    (entry,) = build_queue(store.summaries())
    assert [(d.kind, d.at) for d in entry.dues] == [
        (KIND_EMAIL, EMAIL_DUE),
        (KIND_CALLBACK, CALLBACK_DUE),
    ]
    assert entry.countdown(now).startswith("e-mail : 1 h 00")
    # the index on disk says so too: the store opened again lists it waiting
    store.close()
    with Store.open(store.root) as again:
        assert summary(again, audit_id) == (False, False)


def test_a_cleared_email_past_its_deadline_is_overdue_but_not_announced_again(
    store: Store,
) -> None:
    """The bell and the notification are for a deadline passing; removing an e-mail after its
    deadline makes the audit overdue in the queue without ringing (the auditor did it)."""
    session = session_for(store)
    now = CALL + timedelta(hours=5)
    session.record_email(CALL + timedelta(minutes=30), True, now)
    session.clear_email(now)
    sources = store.summaries()
    (entry,) = build_queue(sources)
    assert entry.overdue(now)
    assert expired_between(sources, now - timedelta(seconds=1), now) == []
    # the start-up summary with nothing seen before still lists it
    assert [e.due.kind for e in expired_between(sources, None, now)] == [KIND_EMAIL]


def test_answers_are_kept_and_the_suggestions_follow_the_record(store: Store) -> None:
    session = session_for(store, agreed="phone")
    now = CALL + timedelta(days=1)
    session.record_email(CALL + timedelta(minutes=30), True, now)
    session.record_callback(CALL + timedelta(hours=20), "phone", "", now)
    assert [s.question for s in session.accept_all(now)] == [Q16, Q17, Q18, Q19]
    given = {q: list(session.audit.answers[q]) for q in (Q16, Q17, Q18, Q19)}
    assert given == {
        Q16: [OUI],
        Q17: [OUI],
        Q18: [OUI],
        Q19: [BY_PHONE],
    }
    assert session.answers_resting_on(KIND_EMAIL) == [Q16]
    assert session.answers_resting_on(KIND_CALLBACK) == [Q17, Q18, Q19]

    # the e-mail removed after its deadline: Q16 stays « Oui », « Non » is proposed
    session.clear_email(now)
    assert store.get(session.audit.id).answers == session.audit.answers
    assert {q: session.audit.answers[q] for q in given} == given
    (proposed,) = session.suggestions(now)
    assert (proposed.question, proposed.positions) == (Q16, (NON,))
    assert proposed.reason == "aucun e-mail reçu dans les 2 h"

    # the call-back removed while its window is open: nothing new is proposed for Q17 yet;
    # Q18 still reads the method given in Q19
    session.clear_callback(now)
    assert {q: session.audit.answers[q] for q in given} == given
    assert [s.question for s in session.suggestions(now)] == [Q16]
    # once the window closed, « Non » for Q17
    later = CALLBACK_DUE + timedelta(seconds=1)
    assert [(s.question, s.positions) for s in session.suggestions(later)] == [
        (Q16, (NON,)),
        (Q17, (NON,)),
    ]
    # accepting is the auditor's decision, as for every suggestion
    session.accept_all(later)
    answers = store.get(session.audit.id).answers
    assert (answers[Q16], answers[Q17]) == ([NON], [NON])


def test_nothing_answered_nothing_to_look_at_again(store: Store) -> None:
    session = session_for(store)
    session.record_email(CALL + timedelta(minutes=30), True, CALL + timedelta(hours=1))
    assert session.answers_resting_on(KIND_EMAIL) == []
    assert session.answers_resting_on(KIND_CALLBACK) == []
