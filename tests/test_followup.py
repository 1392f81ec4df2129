"""Follow-up rules with frozen instants: the queue, what expired, and the Q16–Q19 suggestions
computed from deadlines of each dealer's calendar (France, Monaco, Alsace-Moselle)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.lifecycle import LifecycleError, end_call
from auditor_tui.domain.queue import (
    Due,
    QueueFacts,
    audit_zone,
    build_queue,
    expired_between,
    expiry_summary,
    questions_after_call,
)
from auditor_tui.domain.record import Audit, DealerRef, format_instant, parse_instant
from auditor_tui.domain.suggestions import accept, pending_suggestions, suggestions
from auditor_tui.session.followup import FollowUpError, FollowUpSession
from auditor_tui.store import Store
from auditor_tui.store.index import Summary
from auditor_tui.text.french import (
    format_duration,
    format_input,
    format_long,
    format_short,
    parse_local,
)

GRID = load_grid()
PARIS = ZoneInfo("Europe/Paris")
MONACO = ZoneInfo("Europe/Monaco")

# The grid's follow-up questions and options by hand (tests/data/grid-2026-appel-source.txt):
Q16, Q17, Q18, Q19 = "16", "17", "18", "19"
OUI, NON = 1, 2  # Q16, Q18 « Oui » / « Non »; Q17 « Oui » / « Je n'ai pas reçu de suivi… »
BY_EMAIL, BY_PHONE = 1, 2  # Q19 « Par e-mail » / « Par téléphone »


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)  # type: ignore[misc]


def ended(
    at: datetime, *, country: str = "FR", department: str | None = "21", name: str = "Lexus Dijon"
) -> Audit:
    """An audit whose call ended at `at`, deadlines computed from the dealer's calendar."""
    audit = Audit.new(DealerRef(name, country, department, "+33353012001"), GRID, at)
    audit.call.started_at = format_instant(at - timedelta(minutes=8))
    end_call(audit, at)
    return audit


def deadline(audit: Audit, kind: str) -> datetime:
    assert audit.deadlines is not None
    return parse_instant(audit.deadlines[kind])


def suggested(audit: Audit, now: datetime) -> dict[str, list[int]]:
    return {s.question: list(s.positions) for s in suggestions(audit, now)}


def callback(audit: Audit, at: datetime, method: str = "phone") -> None:
    audit.follow_up.callback_at = format_instant(at)
    audit.follow_up.callback_method = method


def email(audit: Audit, at: datetime, has_information: bool | None = True) -> None:
    audit.follow_up.email_received_at = format_instant(at)
    audit.follow_up.email_has_information = has_information


# ---- Q17: the call-back deadline of each place ----------------------------------------------


@pytest.mark.parametrize(
    ("call", "country", "department", "due"),
    [
        # weekday: Tuesday → Thursday
        (local(PARIS, 2026, 11, 17, 11, 0), "FR", "21", local(PARIS, 2026, 11, 19, 23, 59, 59)),
        # Saturday: Monday and Tuesday are the two days
        (local(PARIS, 2026, 11, 21, 10, 0), "FR", "21", local(PARIS, 2026, 11, 24, 23, 59, 59)),
        # Sunday call, same
        (local(PARIS, 2026, 11, 22, 10, 0), "FR", "21", local(PARIS, 2026, 11, 24, 23, 59, 59)),
        # France: Wednesday 11 November (Armistice) is not a business day
        (local(PARIS, 2026, 11, 10, 15, 0), "FR", "75", local(PARIS, 2026, 11, 13, 23, 59, 59)),
        # Monaco has no Armistice holiday …
        (local(MONACO, 2026, 11, 10, 15, 0), "MC", None, local(MONACO, 2026, 11, 12, 23, 59, 59)),
        # … but its own Fête du Prince (Thursday 19 November)
        (local(MONACO, 2026, 11, 17, 11, 0), "MC", None, local(MONACO, 2026, 11, 20, 23, 59, 59)),
        # Monaco: Sainte-Dévote (Tuesday 27 January): Monday's call is due Thursday
        (local(MONACO, 2026, 1, 26, 11, 0), "MC", None, local(MONACO, 2026, 1, 29, 23, 59, 59)),
        (local(PARIS, 2026, 1, 26, 11, 0), "FR", "21", local(PARIS, 2026, 1, 28, 23, 59, 59)),
        # Good Friday 3 April 2026: a business day in France …
        (local(PARIS, 2026, 4, 1, 11, 0), "FR", "21", local(PARIS, 2026, 4, 3, 23, 59, 59)),
        # … not in Moselle (57) or Alsace (67/68); Easter Monday is off everywhere
        (local(PARIS, 2026, 4, 1, 11, 0), "FR", "57", local(PARIS, 2026, 4, 7, 23, 59, 59)),
        (local(PARIS, 2026, 4, 1, 11, 0), "FR", "67", local(PARIS, 2026, 4, 7, 23, 59, 59)),
        (local(PARIS, 2026, 4, 1, 11, 0), "FR", "68", local(PARIS, 2026, 4, 7, 23, 59, 59)),
        # Saint-Étienne (Friday 26 December 2025) only in Alsace-Moselle
        (local(PARIS, 2025, 12, 24, 11, 0), "FR", "21", local(PARIS, 2025, 12, 29, 23, 59, 59)),
        (local(PARIS, 2025, 12, 24, 11, 0), "FR", "57", local(PARIS, 2025, 12, 30, 23, 59, 59)),
        (local(PARIS, 2025, 12, 24, 11, 0), "FR", "68", local(PARIS, 2025, 12, 30, 23, 59, 59)),
        # daylight saving ends Sunday 25 October 2026: the deadline is 23:59:59 CET (UTC+1)
        (local(PARIS, 2026, 10, 23, 17, 0), "FR", "21", local(PARIS, 2026, 10, 27, 23, 59, 59)),
        # daylight saving starts Sunday 29 March 2026: 23:59:59 CEST (UTC+2)
        (local(PARIS, 2026, 3, 27, 17, 0), "FR", "21", local(PARIS, 2026, 3, 31, 23, 59, 59)),
    ],
)
def test_callback_on_the_deadline_is_in_time_and_one_second_later_is_not(
    call: datetime, country: str, department: str | None, due: datetime
) -> None:
    audit = ended(call, country=country, department=department)
    assert deadline(audit, "callback") == due
    callback(audit, due)
    assert suggested(audit, due)[Q17] == [OUI]
    callback(audit, due + timedelta(seconds=1))
    assert suggested(audit, due + timedelta(seconds=1))[Q17] == [NON]


def test_calendar_used_is_recorded_on_the_audit() -> None:
    audit = ended(local(PARIS, 2026, 4, 1, 11, 0), department="67")
    assert audit.calendar is not None
    assert audit.calendar["subdiv"] == "6AE"
    assert audit_zone(audit) == "Europe/Paris"
    assert audit_zone(ended(local(MONACO, 2026, 4, 1), country="MC", department=None)) == (
        "Europe/Monaco"
    )


# ---- Q16: the two-hour e-mail ----------------------------------------------------------------


def test_email_exactly_at_two_hours_is_in_time() -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    email(audit, call + timedelta(hours=2))
    assert suggested(audit, call + timedelta(hours=2))[Q16] == [OUI]


def test_email_one_second_late_is_no() -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    email(audit, call + timedelta(hours=2, seconds=1))
    found = {s.question: s for s in suggestions(audit, call + timedelta(hours=3))}
    assert list(found[Q16].positions) == [NON]
    assert "1 s après" in found[Q16].reason


def test_email_deadline_is_absolute_time_across_spring_forward() -> None:
    # 01:30 CET on 29 March 2026; clocks jump 02:00 → 03:00: due 04:30 CEST (two real hours)
    call = local(PARIS, 2026, 3, 29, 1, 30)
    audit = ended(call)
    due = local(PARIS, 2026, 3, 29, 4, 30)
    assert deadline(audit, "email") == due
    email(audit, due)
    assert suggested(audit, due)[Q16] == [OUI]
    email(audit, due + timedelta(seconds=1))
    assert suggested(audit, due)[Q16] == [NON]


def test_email_deadline_across_fall_back() -> None:
    # 01:30 CEST on 25 October 2026 (23:30 UTC the day before): due 01:30 UTC = 02:30 CET
    call = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    audit = ended(call)
    assert deadline(audit, "email") == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert format_long(deadline(audit, "email"), "Europe/Paris") == (
        "dim. 25 oct. 2026 02:30:00 (heure de Paris)"
    )


def test_acknowledgement_only_does_not_stop_the_clock() -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    email(audit, call + timedelta(minutes=5), has_information=False)
    # the window is still open: nothing to suggest yet
    assert Q16 not in suggested(audit, call + timedelta(hours=1))
    found = {s.question: s for s in suggestions(audit, call + timedelta(hours=2, seconds=1))}
    assert list(found[Q16].positions) == [NON]
    assert "accusé de réception" in found[Q16].reason
    # the brochure arrives in time afterwards: the auditor records it and the answer follows
    email(audit, call + timedelta(hours=1, minutes=50), has_information=True)
    assert suggested(audit, call + timedelta(hours=3))[Q16] == [OUI]


def test_email_with_unknown_content_counts_as_received() -> None:
    # imported records carry no `email_has_information`
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    email(audit, call + timedelta(minutes=30), has_information=None)
    assert suggested(audit, call + timedelta(hours=3))[Q16] == [OUI]


# ---- nothing recorded, deadlines passed -------------------------------------------------------


def test_nothing_suggested_before_the_deadlines() -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    assert suggestions(audit, call + timedelta(hours=2)) == []


def test_deadlines_passed_with_nothing_recorded_propose_no() -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    after_email = call + timedelta(hours=2, seconds=1)
    assert suggested(audit, after_email) == {Q16: [NON]}
    after_callback = local(PARIS, 2026, 11, 20, 0, 0)
    assert suggested(audit, after_callback) == {
        Q16: [NON],
        Q17: [NON],
        Q18: [NON],
    }


def test_no_suggestion_without_a_call_end() -> None:
    audit = Audit.new(
        DealerRef("Lexus Dijon", "FR", "21", "+33353012001"), GRID, datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert suggestions(audit, datetime(2027, 1, 1, tzinfo=UTC)) == []


# ---- Q18 / Q19: the call-back's method ---------------------------------------------------------


@pytest.mark.parametrize(
    ("agreed", "actual", "match"),
    [("phone", "phone", OUI), ("email", "email", OUI), ("email", "phone", NON)],
)
def test_method_match(agreed: str, actual: str, match: int) -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    audit.call.agreed_method = agreed
    callback(audit, call + timedelta(days=1), actual)
    found = suggested(audit, call + timedelta(days=1))
    assert found[Q19] == [{"email": BY_EMAIL, "phone": BY_PHONE}[actual]]
    assert found[Q18] == [match]


def test_no_method_match_without_an_agreed_method() -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    callback(audit, call + timedelta(days=1), "email")
    found = suggested(audit, call + timedelta(days=1))
    assert found[Q19] == [BY_EMAIL]
    assert Q18 not in found


def test_pending_and_accept() -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    audit.call.agreed_method = "phone"
    email(audit, call + timedelta(hours=1))
    callback(audit, call + timedelta(days=1), "phone")
    now = call + timedelta(days=1)
    pending = pending_suggestions(audit, now)
    assert [s.question for s in pending] == [Q16, Q17, Q18, Q19]
    accept(audit, pending[0])
    assert audit.answers[Q16] == [OUI]
    assert [s.question for s in pending_suggestions(audit, now)] == [Q17, Q18, Q19]
    assert pending[0].label(GRID).startswith("Q16 → Oui")


# ---- the queue ---------------------------------------------------------------------------


def test_queue_sorted_by_next_deadline_with_french_countdowns() -> None:
    first = ended(local(PARIS, 2026, 11, 17, 9, 0), name="Lexus Metz", department="57")
    second = ended(local(PARIS, 2026, 11, 17, 10, 0), name="Lexus Annecy")
    done = ended(local(PARIS, 2026, 11, 17, 8, 0), name="Lexus Nice")
    email(done, local(PARIS, 2026, 11, 17, 8, 30))
    callback(done, local(PARIS, 2026, 11, 17, 9, 0))
    draft = Audit.new(DealerRef("Lexus Brouillon", "FR", "21", "+33353012001"), GRID, first_t())
    summaries = [Summary.of(a) for a in (second, done, draft, first)]
    queue = build_queue(summaries, {first.id: QueueFacts.of(first)})
    assert [e.dealer for e in queue] == ["Lexus Metz", "Lexus Annecy", "Lexus Nice"]
    now = local(PARIS, 2026, 11, 17, 9, 48)
    assert queue[0].countdown(now) == "e-mail : 1 h 12 · rappel : jeu. 19 nov. 23:59"
    assert not queue[0].overdue(now)
    assert queue[2].countdown(now) == "e-mail reçu · rappel reçu : à terminer"
    later = local(PARIS, 2026, 11, 17, 11, 5)
    assert queue[0].overdue(later)
    assert queue[0].countdown(later) == "e-mail : en retard · rappel : jeu. 19 nov. 23:59"
    assert queue[1].countdown(later).startswith("e-mail : 55 min 00 s")


def first_t() -> datetime:
    return local(PARIS, 2026, 11, 17, 8, 0)


def test_callback_countdown_in_the_dealers_zone() -> None:
    due = Due("callback", datetime(2026, 11, 20, 3, 59, 59, tzinfo=UTC))
    now = datetime(2026, 11, 18, tzinfo=UTC)
    assert due.countdown(now, "America/Guadeloupe") == "rappel : jeu. 19 nov. 23:59"
    assert due.countdown(now, "Europe/Paris") == "rappel : ven. 20 nov. 04:59"
    late = datetime(2026, 11, 21, tzinfo=UTC)
    assert due.countdown(late, "Europe/Paris") == "rappel : en retard"


def test_expired_between_for_the_startup_summary_and_the_bell() -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call, name="Lexus Dijon")
    summaries = [Summary.of(audit)]
    at_email = call + timedelta(hours=2)
    # nothing expires up to and including the deadline's own second
    assert expired_between(summaries, call, at_email) == []
    passed = expired_between(summaries, at_email, at_email + timedelta(seconds=1))
    assert [e.due.kind for e in passed] == ["email"]
    # a later window does not report it again
    assert (
        expired_between(summaries, at_email + timedelta(seconds=1), at_email + timedelta(1)) == []
    )
    # the app closed for a week: both deadlines passed while away
    week = expired_between(summaries, call, call + timedelta(days=7))
    assert [e.due.kind for e in week] == ["email", "callback"]
    assert expiry_summary(week).startswith("2 échéances dépassées")
    assert "Lexus Dijon : rappel non reçu dans le délai" in expiry_summary(week)
    # recorded evidence: nothing is pending any more
    email(audit, call + timedelta(hours=1))
    assert [
        e.due.kind for e in expired_between([Summary.of(audit)], None, call + timedelta(9))
    ] == ["callback"]


def test_french_formats() -> None:
    moment = local(PARIS, 2026, 11, 24, 23, 59, 59)
    assert format_long(moment, "Europe/Paris") == "mar. 24 nov. 2026 23:59:59 (heure de Paris)"
    assert format_short(moment, "Europe/Paris") == "mar. 24 nov. 23:59"
    assert format_long(moment, "Europe/Monaco").endswith("(heure de Monaco)")
    assert format_duration(timedelta(hours=1, minutes=12, seconds=59)) == "1 h 12"
    assert format_duration(timedelta(minutes=3, seconds=7)) == "3 min 07 s"
    assert format_duration(timedelta(seconds=42)) == "42 s"
    assert format_duration(timedelta(seconds=-5)) == "0 s"
    assert format_short(local(PARIS, 2026, 8, 3, 9, 5), "Europe/Paris") == "lun. 3 août 09:05"


# ---- FollowUpSession over a real store ---------------------------------------------------------


def stored(store: Store, audit: Audit) -> FollowUpSession:
    store.create(audit, datetime(2026, 11, 17, 9, 0, tzinfo=UTC))
    return FollowUpSession(store, audit.id)


def test_session_saves_every_change_and_logs_it(store: Store) -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    session = stored(store, ended(call))
    now = call + timedelta(hours=1)
    session.record_email(call + timedelta(minutes=30), True, now)
    assert store.get(session.audit.id).follow_up.email_received_at == format_instant(
        call + timedelta(minutes=30)
    )
    session.toggle_email_information(now)
    assert store.get(session.audit.id).follow_up.email_has_information is False
    session.record_callback(call + timedelta(minutes=50), "email", "  rappel rapide ", now)
    again = store.get(session.audit.id)
    assert (again.follow_up.callback_method, again.follow_up.callback_note) == (
        "email",
        "rappel rapide",
    )
    fields = {e["field"] for e in store.events(session.audit.id)}
    assert {"follow_up.email_received_at", "follow_up.callback_at"} <= fields


def test_session_refuses_impossible_times(store: Store) -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    session = stored(store, ended(call))
    now = call + timedelta(hours=1)
    with pytest.raises(FollowUpError, match="fin de l'appel"):
        session.record_email(call - timedelta(seconds=1), True, now)
    with pytest.raises(FollowUpError, match="futur"):
        session.record_callback(now + timedelta(minutes=5), "phone", "", now)
    with pytest.raises(FollowUpError, match="méthode"):
        session.record_callback(now, "fax", "", now)
    assert store.get(session.audit.id).revision == 1


def test_session_complete_refused_with_missing_then_reopen(store: Store) -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    later = set(questions_after_call(GRID))
    audit.answers = {
        q.id: [1] for q in GRID.questions() if q.id not in later and q.applies_if is None
    }
    audit.answers.pop("13")  # « votre moyen de contact préféré », asked during the call
    session = stored(store, audit)
    assert session.questions()[0] == "13"
    with pytest.raises(LifecycleError) as refused:
        session.complete(call + timedelta(days=3))
    assert refused.value.missing[0] == "13"
    assert store.get(audit.id).status == "awaiting_follow_up"
    for qid in session.questions():
        session.answer(qid, 1, call + timedelta(days=3))
    session.complete(call + timedelta(days=3))
    assert store.get(audit.id).status == "complete"
    with pytest.raises(FollowUpError, match="rouvrez"):
        session.answer(Q16, 2, call + timedelta(days=3))
    with pytest.raises(LifecycleError, match="motif"):
        session.reopen("  ", call + timedelta(days=4))
    revision = store.get(audit.id).revision
    session.reopen("erreur de saisie", call + timedelta(days=4))
    reopened = store.get(audit.id)
    assert (reopened.status, reopened.revision) == ("awaiting_follow_up", revision + 1)
    assert store.events(audit.id)[-1]["new"] == "erreur de saisie"


def test_session_refuses_unreachable_over_other_answers(store: Store) -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    audit.answers = {Q16: [1]}
    session = stored(store, audit)
    with pytest.raises(FollowUpError, match="injoignable"):
        session.answer("1", 4, call)  # Q1 « Je n'ai pas réussi à joindre le concessionnaire »


def test_accept_all_in_one_save(store: Store) -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    session = stored(store, ended(call))
    now = local(PARIS, 2026, 11, 20, 9, 0)
    applied = session.accept_all(now)
    assert [s.question for s in applied] == [Q16, Q17, Q18]
    assert store.get(session.audit.id).revision == 2
    assert session.accept_all(now) == []


# What the auditor types in Paris time, the instant (UTC+1 in November, UTC+2 in July), and
# how the field shows it back.
@pytest.mark.parametrize(
    ("typed", "expected", "shown"),
    [
        ("17/11/2026 12:40", datetime(2026, 11, 17, 11, 40, tzinfo=UTC), "17/11/2026 12:40:00"),
        (
            "17/11/2026 12:40:05",
            datetime(2026, 11, 17, 11, 40, 5, tzinfo=UTC),
            "17/11/2026 12:40:05",
        ),
        ("17/11/26 12:40", datetime(2026, 11, 17, 11, 40, tzinfo=UTC), "17/11/2026 12:40:00"),
        # today in Paris
        ("12h40", datetime(2026, 11, 18, 11, 40, tzinfo=UTC), "18/11/2026 12:40:00"),
        ("12:40", datetime(2026, 11, 18, 11, 40, tzinfo=UTC), "18/11/2026 12:40:00"),
        (
            "  18/11/2026   à 12:40 ",
            datetime(2026, 11, 18, 11, 40, tzinfo=UTC),
            "18/11/2026 12:40:00",
        ),
        (
            "2026-11-17T12:40:00+01:00",
            datetime(2026, 11, 17, 11, 40, tzinfo=UTC),
            "17/11/2026 12:40:00",
        ),
        # summer time
        ("01/07/2026 12:40", datetime(2026, 7, 1, 10, 40, tzinfo=UTC), "01/07/2026 12:40:00"),
    ],
)
def test_parse_local(typed: str, expected: datetime, shown: str) -> None:
    now = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
    assert parse_local(typed, "Europe/Paris", now) == expected
    assert format_input(expected, "Europe/Paris") == shown


@pytest.mark.parametrize("typed", ["", "demain", "32/11/2026 10:00", "17/11/2026 25:00"])
def test_parse_local_errors_in_french(typed: str) -> None:
    with pytest.raises(ValueError, match="heure"):
        parse_local(typed, "Europe/Paris", datetime(2026, 11, 18, tzinfo=UTC))


def test_acknowledgement_only_keeps_the_email_pending_in_the_queue() -> None:
    call = local(PARIS, 2026, 11, 17, 11, 0)
    audit = ended(call)
    email(audit, call + timedelta(minutes=5), has_information=False)
    summaries = [Summary.of(audit)]
    facts = {audit.id: QueueFacts.of(audit)}
    now = call + timedelta(hours=1)
    # the summary alone takes the e-mail as received
    assert build_queue(summaries)[0].countdown(now) == "e-mail reçu · rappel : jeu. 19 nov. 23:59"
    assert build_queue(summaries, facts)[0].countdown(now).startswith("e-mail : 1 h 00")
    later = call + timedelta(hours=2, seconds=1)
    assert [e.due.kind for e in expired_between(summaries, now, later, facts)] == ["email"]
    email(audit, call + timedelta(minutes=50), has_information=True)
    facts = {audit.id: QueueFacts.of(audit)}
    assert expired_between([Summary.of(audit)], now, later, facts) == []
