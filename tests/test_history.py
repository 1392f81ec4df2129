"""An audit's history in its record (issue 17.3, DOMAIN.md §4 `history`): what the lifecycle
notes, what the import keeps and refuses (the file whole, with line and field), and what the CSV
carries (`reopened`, `reopen_reason`). Instants are written out by hand."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor_tui.domain import history, lifecycle
from auditor_tui.domain.record import Audit, format_instant
from auditor_tui.exchange.export_csv import write_csv
from auditor_tui.exchange.importing import ImportRejected, import_jsonl, parse_jsonl
from auditor_tui.exchange.privacy import pseudonymise
from auditor_tui.store import Store
from tests.factories import GRID, best_answers, dealer, tree_digest

CREATED = datetime(2026, 5, 13, 15, 18, tzinfo=UTC)  # 17:18 in Paris
CALL_END = datetime(2026, 5, 13, 15, 30, tzinfo=UTC)


def e(at: str, event: str, detail: str | None = None) -> dict[str, object]:
    return {"at": at, "event": event, "detail": detail}


def ended() -> Audit:
    audit = Audit.new(dealer("Lexus Paris", "75"), GRID, CREATED)
    audit.id = "00000000-0000-4000-8000-000000001717"
    audit.call.started_at = format_instant(CREATED)
    audit.call.transferred = True
    audit.answers = best_answers(True)
    lifecycle.end_call(audit, CALL_END)
    return audit


def test_created_and_the_end_of_the_call() -> None:
    assert ended().history == [
        e("2026-05-13T15:18:00+00:00", "created"),
        e("2026-05-13T15:30:00+00:00", "call_ended"),
    ]


def test_evidence_at_the_time_it_gives_and_following_the_record() -> None:
    audit = ended()
    audit.follow_up.email_received_at = "2026-05-13T18:15:00+00:00"
    audit.follow_up.email_has_information = True
    assert history.sync(audit, datetime(2026, 5, 13, 18, 20, tzinfo=UTC))
    assert audit.history[-1] == e("2026-05-13T18:15:00+00:00", "email_received")
    # corrected: the entry moves; removed (noted on the wrong audit): the entry goes
    audit.follow_up.email_received_at = "2026-05-13T17:00:00+00:00"
    history.sync(audit, datetime(2026, 5, 13, 18, 21, tzinfo=UTC))
    assert [x["at"] for x in audit.history if x["event"] == "email_received"] == [
        "2026-05-13T17:00:00+00:00"
    ]
    audit.follow_up.email_received_at = None
    history.sync(audit, datetime(2026, 5, 13, 18, 22, tzinfo=UTC))
    assert [x["event"] for x in audit.history] == ["created", "call_ended"]
    assert not history.sync(audit, datetime(2026, 5, 13, 18, 23, tzinfo=UTC))  # nothing to do


def test_a_completion_before_its_time_names_the_deadline_left_open() -> None:
    audit = ended()
    audit.follow_up.email_received_at = "2026-05-13T16:00:00+00:00"
    audit.follow_up.email_has_information = True
    friday = datetime(2026, 5, 15, 8, 0, tzinfo=UTC)  # 10:00 in Paris
    lifecycle.complete(audit, friday)
    assert audit.history[-2:] == [
        e("2026-05-13T16:00:00+00:00", "email_received"),
        e("2026-05-15T08:00:00+00:00", "completed", "callback 2026-05-18T21:59:59+00:00"),
    ]
    lifecycle.reopen(audit, "  rappel arrivé lundi  ", friday + timedelta(days=3))
    lifecycle.complete(audit, datetime(2026, 5, 19, 7, 0, tzinfo=UTC))  # every deadline past
    assert audit.history[-2:] == [
        e("2026-05-18T08:00:00+00:00", "reopened", "rappel arrivé lundi"),
        e("2026-05-19T07:00:00+00:00", "completed"),
    ]
    assert (history.reopen_count(audit), history.last_reopen_reason(audit)) == (
        1,
        "rappel arrivé lundi",
    )


def test_an_unreachable_dealer_completes_itself_in_the_history() -> None:
    audit = Audit.new(dealer(), GRID, CREATED)
    audit.answers = {"1": [4]}
    lifecycle.end_call(audit, CALL_END)
    assert audit.status == "complete"
    assert [(x["at"], x["event"]) for x in audit.history] == [
        ("2026-05-13T15:18:00+00:00", "created"),
        ("2026-05-13T15:30:00+00:00", "call_ended"),
        ("2026-05-13T15:30:00+00:00", "completed"),
    ]


def test_an_audit_saved_before_the_history_gets_it_from_the_event_log(tmp_path: Path) -> None:
    audit = ended()
    with Store.open(tmp_path / "s") as store:
        audit.history = []  # as an older version saved it
        store.create(audit, moment=CREATED)
        audit.status = "complete"
        store.save(audit, kind="complete", moment=datetime(2026, 5, 15, 8, tzinfo=UTC))
        audit.status = "awaiting_follow_up"
        store.save(
            audit,
            kind="reopen",
            reason="note du rappel",
            moment=datetime(2026, 5, 18, 8, tzinfo=UTC),
        )
        again = store.get(audit.id)
        assert again.history == []
        assert history.backfill(again, store.events(audit.id))
    assert again.history == [
        e("2026-05-13T15:18:00+00:00", "created"),
        e("2026-05-13T15:30:00+00:00", "call_ended"),
        e("2026-05-15T08:00:00+00:00", "completed"),
        e("2026-05-18T08:00:00+00:00", "reopened", "note du rappel"),
    ]
    assert not history.backfill(again, [])  # an audit with a history keeps it


def lines(*records: dict[str, object]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def test_the_import_keeps_the_history_as_given() -> None:
    record = ended().to_export()
    record["history"] = [
        {"at": "2026-05-13T17:18:00+02:00", "event": "created", "detail": None, "x_by": "siège"},
        e("2026-05-13T15:30:00Z", "call_ended"),
        e("2026-05-15T08:00:00+00:00", "completed", "callback 2026-05-18T21:59:59+00:00"),
    ]
    [(_, audit)], problems = parse_jsonl(lines(record), "in.jsonl")
    assert [p for p in problems if not p.warning] == []
    assert audit.history == [
        {"at": "2026-05-13T15:18:00+00:00", "event": "created", "detail": None, "x_by": "siège"},
        e("2026-05-13T15:30:00+00:00", "call_ended"),
        e("2026-05-15T08:00:00+00:00", "completed", "callback 2026-05-18T21:59:59+00:00"),
    ]
    assert audit.to_export()["history"] == audit.history


def test_a_bad_history_refuses_the_file_whole(tmp_path: Path) -> None:
    good = ended().to_export()
    unknown = {**ended().to_export(), "id": "00000000-0000-4000-8000-000000000002"}
    unknown["history"] = [e("2026-05-13T15:18:00+00:00", "rappelé")]
    malformed = {**ended().to_export(), "id": "00000000-0000-4000-8000-000000000003"}
    malformed["history"] = [
        e("2026-05-13T15:18:00+00:00", "created"),
        e("13/05/2026 17:30", "call_ended"),
        {"event": "completed", "detail": None},
    ]
    path = tmp_path / "in.jsonl"
    path.write_bytes(lines(good, unknown, malformed))
    with Store.open(tmp_path / "s") as store:
        before = tree_digest(tmp_path / "s")
        with pytest.raises(ImportRejected) as caught:
            import_jsonl(store, path)
        assert len(store) == 0
        assert tree_digest(tmp_path / "s") == before  # the good first line is not written
    where = [(p.line, p.field) for p in caught.value.problems]
    assert where == [(2, "history[0].event"), (3, "history[1].at"), (3, "history[2].at")]
    text = str(caught.value)
    assert "ligne 2, champ history[0].event : un de created, call_ended" in text
    assert "trouvé 'rappelé'" in text


def csv_row(audit: Audit) -> dict[str, str]:
    buffer = io.StringIO()
    write_csv([audit], buffer)
    [row] = csv.DictReader(io.StringIO(buffer.getvalue()[1:]), delimiter=";")
    return row


def test_the_csv_counts_the_reopenings_and_gives_the_last_reason() -> None:
    audit = ended()
    assert (csv_row(audit)["reopened"], csv_row(audit)["reopen_reason"]) == ("0", "")
    moment = datetime(2026, 5, 19, 8, tzinfo=UTC)
    for reason in ("=rappel non noté", "e-mail mal daté"):
        lifecycle.complete(audit, moment)
        lifecycle.reopen(audit, reason, moment)
        moment += timedelta(hours=1)
    row = csv_row(audit)
    assert (row["reopened"], row["reopen_reason"]) == ("2", "e-mail mal daté")
    audit.history[-1]["detail"] = "=HYPERLINK()"  # a formula start gets the guard
    assert csv_row(audit)["reopen_reason"] == "'=HYPERLINK()"
    shared = csv_row(pseudonymise(audit, b"k" * 32))
    assert (shared["reopened"], shared["reopen_reason"]) == ("2", "")
    assert [x["detail"] for x in pseudonymise(audit, b"k" * 32).history][-1] is None


def test_each_entry_in_words_in_the_dealer_zone() -> None:
    audit = ended()
    audit.follow_up.email_received_at = "2026-05-13T18:15:00+00:00"
    audit.follow_up.email_has_information = True
    history.sync(audit, datetime(2026, 5, 13, 18, 20, tzinfo=UTC))
    lifecycle.complete(audit, datetime(2026, 5, 15, 8, 0, tzinfo=UTC))
    lifecycle.reopen(audit, "rappel arrivé lundi", datetime(2026, 5, 18, 8, 0, tzinfo=UTC))
    audit.history.append(e("2026-05-19T08:00:00+00:00", "completed", "par le siège"))
    words = [history.describe(x, audit, "Europe/Paris") for x in history.entries(audit)]
    assert words == [
        "audit créé",
        "fin de l'appel",
        "e-mail reçu en retard (45 min)",
        "terminé avant l'échéance : le rappel pouvait encore arriver jusqu'au lun. 18 mai 23:59",
        "audit rouvert : rappel arrivé lundi",
        "audit terminé (par le siège)",  # an imported record's own words, shown as they came
    ]
