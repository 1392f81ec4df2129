"""The audit record contract (DOMAIN.md §4): validation lists every problem with line and field."""

from __future__ import annotations

import copy
import json

from auditor_tui.domain.record import Audit
from auditor_tui.domain.record_check import validate_record
from tests.factories import make_audit


def test_valid_record_round_trips():
    audit = make_audit(1)
    exported = audit.to_export()
    assert validate_record(json.loads(json.dumps(exported)), line=1) == []
    again = Audit.from_dict(exported)
    assert again.to_export() == exported
    assert exported["score"]["points"] == 30 and exported["score"]["max"] == 30
    assert exported["outcome"] == "reached"
    assert set(exported["deadlines"]) == {"email", "callback"}


def test_every_problem_is_listed_with_line_and_field():
    record = make_audit(2, transferred=False).to_export()
    record["id"] = "not-a-uuid"
    record["revision"] = 0
    record["dealer"]["phone"] = "0123"
    record["dealer"]["country"] = "BE"
    record["call"]["started_at"] = "2026-13-01T10:00:00+00:00"
    record["call"]["ended_at"] = "2026-11-17T10:00:00"  # no offset
    record["answers"]["5"] = [1]  # not transferred
    record["answers"]["99"] = [1]
    record["answers"]["12"] = [1, 3]  # exclusive combined
    record["answers"]["9"] = [1, 2]  # several on single choice
    record["answers"]["10"] = [7]
    problems = validate_record(record, line=7)
    fields = {p.field for p in problems}
    assert {
        "id",
        "revision",
        "dealer.phone",
        "dealer.country",
        "call.started_at",
        "call.ended_at",
        "answers.5",
        "answers.99",
        "answers.12",
        "answers.9",
        "answers.10",
    } <= fields
    assert all(p.line == 7 for p in problems)
    assert "ligne 7, champ answers.12" in " ".join(str(p) for p in problems)


def test_complete_audit_missing_answers():
    record = make_audit(3).to_export()
    del record["answers"]["14"]
    del record["answers"]["7b"]
    problems = validate_record(record, line=2)
    assert [p.field for p in problems] == ["answers"]
    assert "7b, 14" in problems[0].message


def test_q19_is_optional_without_a_callback():
    audit = make_audit(4)
    audit.follow_up.callback_at = None
    audit.follow_up.callback_method = None
    del audit.answers["19"]
    assert validate_record(audit.to_export()) == []
    assert audit.missing() == []


def test_disagreeing_computed_score_is_a_warning():
    record = make_audit(5).to_export()
    record["score"]["points"] = 12
    problems = validate_record(record, line=1)
    assert len(problems) == 1 and problems[0].warning and problems[0].field == "score"


def test_not_an_object_and_unknown_grid():
    assert validate_record([1, 2], line=3)[0].field == "(enregistrement)"
    record = make_audit(6).to_export()
    record["questionnaire"] = "grille-inconnue"
    assert [p.field for p in validate_record(record)] == ["questionnaire"]


def test_unreachable_dealer_is_complete_at_call_end_with_no_deadlines():
    from auditor_tui.domain.lifecycle import end_call
    from tests.factories import GRID, T0, dealer

    audit = Audit.new(dealer(), GRID, T0)
    audit.answers = {"1": [4]}
    end_call(audit, T0)
    assert audit.status == "complete"
    assert audit.deadlines is None
    assert audit.score().outcome == "unreachable"
    assert validate_record(audit.to_export()) == []


def test_score_follows_the_answers_even_changed_in_place():
    """Audit.score() is not computed again while the answers and the transfer are the same,
    and is as soon as either changes, a list changed in place included."""
    audit = make_audit(5)
    full = audit.score()
    assert audit.score() is full and full.points == 30
    audit.answers["11"][0] = 1  # « Aucune question posée »: 0 of 2
    assert audit.score().points == 28
    audit.answers["11"] = [4]
    assert audit.score().points == 30
    audit.call.transferred = False
    del audit.answers["5"]
    assert audit.score().max == 25
    audit.answers = {"1": [4]}
    assert audit.score().outcome == "unreachable"


def test_a_copied_audit_scores_its_own_answers():
    audit = make_audit(6)
    audit.score()
    twin = copy.deepcopy(audit)
    assert twin == audit
    twin.answers["16"] = [2]
    assert twin.score().points == 28 and audit.score().points == 30
