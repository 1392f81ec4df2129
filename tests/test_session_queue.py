"""The follow-up queue read from a real store (session/queue.py), apart from the screen that
shows it: which audits, in which order, with which deadlines and zones; a damaged file that
does not stop it; when the auditor last saw it, kept in the store's settings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor_tui.domain.queue import KIND_CALLBACK, KIND_EMAIL, Due
from auditor_tui.domain.record import Audit, format_instant
from auditor_tui.session.queue import LAST_SEEN, compute_queue, last_seen, save_last_seen
from auditor_tui.store import Store
from tests.conftest import FullDisk
from tests.factories import T0, make_audit

# The calls end on Tuesday 17 November 2026 (T0 is 09:30 UTC); deadlines written out by hand.
DIJON_EMAIL = datetime(2026, 11, 17, 11, 38, tzinfo=UTC)
LILLE_EMAIL = datetime(2026, 11, 17, 12, 8, tzinfo=UTC)
CALLBACK = datetime(2026, 11, 19, 22, 59, 59, tzinfo=UTC)  # Thursday 23:59:59 in Paris


def awaiting(n: int, name: str, email_due: datetime) -> Audit:
    audit = make_audit(n, status="awaiting_follow_up", name=name)
    audit.follow_up.callback_at = None  # nothing received yet
    audit.follow_up.callback_method = None
    audit.deadlines = {
        KIND_EMAIL: format_instant(email_due),
        KIND_CALLBACK: format_instant(CALLBACK),
    }
    return audit


@pytest.fixture
def desk(store: Store) -> dict[str, Audit]:
    lille = awaiting(1, "Lexus Lille", LILLE_EMAIL)
    dijon = awaiting(2, "Lexus Dijon", DIJON_EMAIL)
    nice = awaiting(3, "Lexus Nice", DIJON_EMAIL)  # only an acknowledgement came: still due
    nice.follow_up.email_received_at = format_instant(T0 + timedelta(minutes=20))
    nice.follow_up.email_has_information = False
    metz = awaiting(4, "Lexus Metz", LILLE_EMAIL)  # everything came: last, « à terminer »
    metz.follow_up.email_received_at = format_instant(T0 + timedelta(minutes=30))
    metz.follow_up.email_has_information = True
    metz.follow_up.callback_at = format_instant(T0 + timedelta(hours=5))
    metz.follow_up.callback_method = "phone"
    assert metz.calendar is not None
    metz.calendar["timezone"] = "America/Martinique"
    done = make_audit(5, status="complete", name="Lexus Nantes")  # not in the queue
    store.put_many([lille, dijon, nice, metz, done], moment=T0)
    return {"lille": lille, "dijon": dijon, "nice": nice, "metz": metz}


def test_the_queue_lists_the_audits_awaiting_soonest_deadline_first(
    store: Store, desk: dict[str, Audit]
) -> None:
    state = compute_queue(store, {}, shown=50)
    assert [e.dealer for e in state.entries] == [
        "Lexus Dijon",  # e-mail due 11:38 UTC (Nice too: the names order them)
        "Lexus Nice",
        "Lexus Lille",  # e-mail due 12:08 UTC
        "Lexus Metz",  # nothing due
    ]
    dijon, nice, lille, metz = state.entries
    assert dijon.dues == (Due(KIND_EMAIL, DIJON_EMAIL), Due(KIND_CALLBACK, CALLBACK))
    assert nice.dues == dijon.dues  # a bare acknowledgement stops no clock
    assert lille.dues == (Due(KIND_EMAIL, LILLE_EMAIL), Due(KIND_CALLBACK, CALLBACK))
    assert metz.dues == () and metz.zone == "America/Martinique"  # read from its file
    assert metz.countdown(T0) == "e-mail reçu · rappel reçu : à terminer"
    assert state.due_times == [DIJON_EMAIL, DIJON_EMAIL, LILLE_EMAIL, CALLBACK, CALLBACK, CALLBACK]
    # the deadlines passed by Tuesday 12:00 UTC, nothing recorded: Dijon's and Nice's e-mails
    expired = state.expired(T0, datetime(2026, 11, 17, 12, 0, tzinfo=UTC))
    assert sorted(str(e) for e in expired) == [  # due at the same second: in no set order
        "Lexus Dijon : e-mail non reçu dans le délai",
        "Lexus Nice : e-mail non reçu dans le délai",
    ]


def test_an_audit_file_damaged_outside_the_app_still_shows_in_the_queue(
    store: Store, desk: dict[str, Audit]
) -> None:
    path = store.audits_dir / f"{desk['metz'].id}.json"
    data = json.loads(path.read_text("utf-8"))
    (row,) = data["audit"].values()
    row["record"]["dealer"]["name"] += " (modifié)"
    path.write_text(json.dumps(data), "utf-8")
    state = compute_queue(store, {}, shown=50)  # no error: the summary is enough to list it
    metz = next(e for e in state.entries if e.audit_id == desk["metz"].id)
    assert metz.zone == "Europe/Paris"  # its file unreadable: the default zone
    assert len(state.entries) == 4


def test_last_seen_is_none_until_saved_and_then_the_instant_saved(store: Store) -> None:
    assert last_seen(store) is None
    store.set_setting(LAST_SEEN, "pas une date")
    assert last_seen(store) is None  # not an instant: every expiry is summarised
    assert save_last_seen(store, datetime(2026, 11, 17, 10, 0, 5, tzinfo=UTC))
    assert store.setting(LAST_SEEN) == "2026-11-17T10:00:05+00:00"
    assert last_seen(store) == datetime(2026, 11, 17, 10, 0, 5, tzinfo=UTC)


def test_last_seen_not_saved_on_a_full_disk_is_no_failure(
    store: Store, full_disk: FullDisk
) -> None:
    save_last_seen(store, datetime(2026, 11, 17, 10, 0, tzinfo=UTC))
    full_disk.full = True
    assert save_last_seen(store, datetime(2026, 11, 17, 11, 0, tzinfo=UTC)) is False
    full_disk.full = False
    assert last_seen(store) == datetime(2026, 11, 17, 10, 0, tzinfo=UTC)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    at=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2099, 12, 31),
        timezones=st.just(UTC),
    )
)
def test_last_seen_reads_back_the_instant_saved_to_the_second(store: Store, at: datetime) -> None:
    assert save_last_seen(store, at)
    assert last_seen(store) == at.replace(microsecond=0)
