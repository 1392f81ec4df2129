"""Whether the e-mail and the call-back came in time (issue 17.1): `follow_up.email_in_time` and
`follow_up.callback_in_time`, computed like the score, against deadlines worked out by hand from
DOMAIN.md §3. The call ends on Wednesday 13 May 2026 at 17:30 in Paris (15:30 UTC), the eve of
Ascension (Thursday 14 May, a holiday in France, Moselle and Monaco alike): the e-mail is due at
19:30 Paris (17:30 UTC); the two business days are Friday 15 and Monday 18 May, so the call-back
is due on Monday 18 May at 23:59:59 Paris (21:59:59 UTC)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor_tui.domain.evidence import (
    disagreements,
    evidence,
    format_late,
    in_time,
    open_deadlines,
    waiting,
)
from auditor_tui.domain.lifecycle import end_call
from auditor_tui.domain.record import Audit, format_instant
from auditor_tui.exchange.export import write_jsonl
from auditor_tui.exchange.importing import import_jsonl, parse_jsonl
from auditor_tui.store import Store
from tests.factories import GRID, dealer

CALL_END = datetime(2026, 5, 13, 15, 30, tzinfo=UTC)  # 17:30 in Paris
EMAIL_DUE = datetime(2026, 5, 13, 17, 30, tzinfo=UTC)  # 19:30 in Paris
CALLBACK_DUE = datetime(2026, 5, 18, 21, 59, 59, tzinfo=UTC)  # Monday 23:59:59 in Paris


def waiting_audit(name: str = "Lexus Paris", department: str | None = "75") -> Audit:
    country = "MC" if department is None else "FR"
    audit = Audit.new(dealer(name, department, country), GRID, CALL_END - timedelta(minutes=12))
    audit.id = "00000000-0000-4000-8000-000000000017"
    audit.call.started_at = format_instant(CALL_END - timedelta(minutes=10))
    end_call(audit, CALL_END)
    return audit


@pytest.mark.parametrize("department", ["75", "57", None])  # Paris, Moselle, Monaco
def test_the_deadlines_of_the_eve_of_ascension(department: str | None) -> None:
    audit = waiting_audit(department=department)
    assert audit.deadlines == {
        "email": "2026-05-13T17:30:00+00:00",
        "callback": "2026-05-18T21:59:59+00:00",
    }


def test_nothing_recorded_is_null_while_open_then_false() -> None:
    audit = waiting_audit()
    assert in_time(audit, EMAIL_DUE) == {"email_in_time": None, "callback_in_time": None}
    assert in_time(audit, EMAIL_DUE + timedelta(seconds=1)) == {
        "email_in_time": False,
        "callback_in_time": None,
    }
    assert in_time(audit, CALLBACK_DUE) == {"email_in_time": False, "callback_in_time": None}
    assert in_time(audit, CALLBACK_DUE + timedelta(seconds=1)) == {
        "email_in_time": False,
        "callback_in_time": False,
    }


def test_evidence_at_its_deadline_is_in_time_one_second_after_is_late() -> None:
    audit = waiting_audit()
    audit.follow_up.email_received_at = "2026-05-13T17:30:00+00:00"
    audit.follow_up.email_has_information = True
    audit.follow_up.callback_at = "2026-05-18T22:00:00+00:00"  # Tuesday 00:00:00 in Paris
    audit.follow_up.callback_method = "phone"
    later = datetime(2026, 6, 1, tzinfo=UTC)
    assert in_time(audit, later) == {"email_in_time": True, "callback_in_time": False}
    assert evidence(audit, "email").received_text() == "e-mail reçu"
    assert evidence(audit, "callback").received_text() == "rappel reçu en retard (1 s)"


def test_an_email_45_minutes_late_says_so() -> None:
    audit = waiting_audit()
    audit.follow_up.email_received_at = "2026-05-13T18:15:00+00:00"  # 20:15 in Paris
    audit.follow_up.email_has_information = True
    found = evidence(audit, "email")
    assert found.late_by() == timedelta(minutes=45)
    assert found.received_text() == "e-mail reçu en retard (45 min)"
    assert found.in_time(EMAIL_DUE) is False  # late whenever it is asked


def test_an_acknowledgement_is_not_the_email() -> None:
    audit = waiting_audit()
    audit.follow_up.email_received_at = "2026-05-13T16:00:00+00:00"
    audit.follow_up.email_has_information = False
    found = evidence(audit, "email")
    assert found.acknowledgement and found.received is None and found.received_text() is None
    assert found.in_time(EMAIL_DUE) is None
    assert found.in_time(EMAIL_DUE + timedelta(minutes=1)) is False


def test_a_draft_or_an_unreachable_dealer_has_no_verdict() -> None:
    draft = Audit.new(dealer(), GRID, CALL_END)
    assert in_time(draft, CALL_END) == {"email_in_time": None, "callback_in_time": None}
    unreachable = waiting_audit()
    unreachable.answers = {"1": [4]}
    end_call(unreachable, CALL_END)
    assert unreachable.deadlines is None
    assert in_time(unreachable, CALLBACK_DUE + timedelta(days=9)) == {
        "email_in_time": None,
        "callback_in_time": None,
    }


def test_what_is_still_open_and_missing() -> None:
    audit = waiting_audit()
    at_1831 = datetime(2026, 5, 13, 16, 31, tzinfo=UTC)
    assert [e.kind for e in waiting(audit, at_1831)] == ["email", "callback"]
    assert open_deadlines(audit, at_1831) == {
        "email": "2026-05-13T17:30:00+00:00",
        "callback": "2026-05-18T21:59:59+00:00",
    }
    audit.follow_up.callback_at = "2026-05-13T16:00:00+00:00"
    audit.follow_up.callback_method = "phone"
    assert open_deadlines(audit, at_1831) == {"email": "2026-05-13T17:30:00+00:00"}
    assert open_deadlines(audit, EMAIL_DUE + timedelta(seconds=1)) == {}


def test_lateness_in_words() -> None:
    assert format_late(timedelta(seconds=45)) == "45 s"
    assert format_late(timedelta(minutes=45, seconds=59)) == "45 min"
    assert format_late(timedelta(hours=1, minutes=5)) == "1 h 05"
    assert format_late(timedelta(days=2, hours=3, minutes=10)) == "2 j 3 h"


def test_only_real_disagreements_are_reported() -> None:
    audit = waiting_audit()
    after = CALLBACK_DUE + timedelta(days=1)
    # null written while the windows were open: no disagreement once they close
    assert disagreements({"email_in_time": None, "callback_in_time": None}, audit, after) == []
    assert disagreements({"email_in_time": True}, audit, after) == [("email_in_time", True, False)]
    # « false » while the window is still open: said too early
    assert disagreements({"callback_in_time": False}, audit, EMAIL_DUE) == [
        ("callback_in_time", False, None)
    ]
    audit.follow_up.callback_at = "2026-05-15T08:00:00+00:00"
    audit.follow_up.callback_method = "phone"
    assert disagreements({"callback_in_time": None}, audit, after) == [
        ("callback_in_time", None, True)
    ]


def test_the_export_writes_them_as_of_its_time(tmp_path: Path) -> None:
    audit = waiting_audit()
    audit.follow_up.email_received_at = "2026-05-13T18:15:00+00:00"
    audit.follow_up.email_has_information = True

    def exported(now: datetime) -> dict[str, object]:
        buffer = io.StringIO()
        write_jsonl([audit], buffer, now)
        follow_up = json.loads(buffer.getvalue())["follow_up"]
        return {k: follow_up[k] for k in ("email_in_time", "callback_in_time")}

    assert exported(datetime(2026, 5, 15, 8, tzinfo=UTC)) == {
        "email_in_time": False,
        "callback_in_time": None,
    }
    assert exported(datetime(2026, 5, 18, 22, tzinfo=UTC)) == {
        "email_in_time": False,
        "callback_in_time": False,
    }


def test_the_import_recomputes_and_names_a_disagreeing_value(tmp_path: Path) -> None:
    audit = waiting_audit()
    audit.follow_up.email_received_at = "2026-05-13T18:15:00+00:00"
    audit.follow_up.email_has_information = True
    record = audit.to_export(datetime(2026, 5, 14, tzinfo=UTC))
    record["follow_up"]["email_in_time"] = True  # the sender thought it in time
    line = json.dumps(record).encode() + b"\n"
    [(_, back)], problems = parse_jsonl(line, "in.jsonl", datetime(2026, 5, 14, tzinfo=UTC))
    assert [(p.line, p.field, p.warning) for p in problems] == [
        (1, "follow_up.email_in_time", True)
    ]
    assert "valeur recalculée false" in problems[0].message
    assert back.to_export(datetime(2026, 5, 14, tzinfo=UTC))["follow_up"]["email_in_time"] is False


def test_a_value_that_is_not_a_verdict_is_only_a_disagreement(tmp_path: Path) -> None:
    record = waiting_audit().to_export(datetime(2026, 5, 14, tzinfo=UTC))
    record["follow_up"]["callback_in_time"] = "oui"
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with Store.open(tmp_path / "s") as store:
        result = import_jsonl(store, path)
        assert [p.field for p in result.warnings] == ["follow_up.callback_in_time"]
        assert "callback_in_time" not in json.dumps(store.get(record["id"]).to_dict())


# ---- the quick comparison of stored spellings (issue 15) -----------------------------------

_ZONES = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
_moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.sampled_from(_ZONES),
)


def _spelled(moment: datetime, how: int) -> str:
    """The same instant written as the store writes it, with another offset, or with a
    fraction of a second (what an earlier version let in)."""
    if how == 0:
        return format_instant(moment)
    if how == 1:
        return moment.isoformat(timespec="seconds")
    return moment.isoformat()


@settings(max_examples=300, deadline=None)
@given(
    email_due=st.none() | _moments,
    callback_due=st.none() | _moments,
    email=st.none() | _moments,
    callback=st.none() | _moments,
    information=st.sampled_from([None, True, False]),
    now=_moments,
    spelling=st.lists(st.integers(0, 2), min_size=4, max_size=4),
)
def test_in_time_compares_texts_as_the_instants_they_spell(
    email_due, callback_due, email, callback, information, now, spelling
) -> None:
    """What the export writes (`in_time`, compared as texts when every instant is spelled as
    stored) is what each deadline's `Evidence` says, to the second, whatever the spelling."""
    audit = waiting_audit()
    texts = [
        None if m is None else _spelled(m, how)
        for m, how in zip((email_due, callback_due, email, callback), spelling, strict=True)
    ]
    audit.deadlines = {"email": texts[0], "callback": texts[1]}
    audit.follow_up.email_received_at = texts[2]
    audit.follow_up.email_has_information = information
    audit.follow_up.callback_at = texts[3]
    expected = {
        "email_in_time": evidence(audit, "email").in_time(now),
        "callback_in_time": evidence(audit, "callback").in_time(now),
    }
    assert in_time(audit, now) == expected
    # and by hand, for the stored spellings: a second after the deadline is late
    if texts[1] is not None and spelling[1] == 0 and callback is None:
        due = datetime.fromisoformat(texts[1])
        assert in_time(audit, due)["callback_in_time"] is None
        assert in_time(audit, due + timedelta(seconds=1))["callback_in_time"] is False
