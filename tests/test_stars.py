"""One meaning for the stars: a complete audit's final stars, nothing before — on the home list,
the follow-up, the reports and in every export (JSONL `score.stars` null, CSV/XLSX empty) —
plus, during the call only, the running score's stars labelled « provisoire »."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.labels import STATUSES, final_stars
from auditor_tui.domain.record import Audit
from auditor_tui.domain.record_check import validate_record
from auditor_tui.domain.scoring import PROVISIONAL, StarsShown, score, shown_stars
from auditor_tui.exchange.importing import parse_jsonl
from auditor_tui.exchange.sync import csv_bytes, jsonl_bytes, xlsx_bytes
from tests.factories import T0, best_answers, make_audit

GRID = load_grid()
Q1 = GRID.rule_question("attempts")


def test_only_a_complete_audit_has_stars() -> None:
    assert final_stars("complete", 4) == 4
    assert final_stars("awaiting_follow_up", 4) is None
    assert final_stars("draft", 4) is None


def test_the_running_score_shows_its_own_stars_labelled_provisional() -> None:
    """The issue's case: 25 of the 26 points answered so far (96,2 %, 5★) while the whole
    grid's total is 25 / 30 (83,3 %, 4★): the stars shown are the running score's, labelled,
    never the total's."""
    answers = {q: a for q, a in best_answers(True).items() if q not in {"16", "17", "18"}}
    answers["3"] = [1, 2]  # 2 of 3 points
    result = score(GRID, answers, True)
    assert (result.points, result.answered_max, result.max) == (24, 25, 30)
    shown = shown_stars(GRID, result, "draft")
    assert shown == StarsShown(GRID.stars_for(result.running_percent), final=False)
    assert shown is not None and shown.label == PROVISIONAL == "provisoire"
    assert shown.stars == 5 and result.stars == 4  # 96 % answered, 80 % of the grid


def test_no_stars_before_a_scored_answer_nor_for_an_unreachable_draft() -> None:
    assert shown_stars(GRID, score(GRID, {}, False), "draft") is None
    assert shown_stars(GRID, score(GRID, {"2": [1]}, False), "draft") is None  # unscored
    unreachable = score(GRID, {Q1: [4]}, False)
    assert shown_stars(GRID, unreachable, "draft") is None
    assert shown_stars(GRID, unreachable, "complete") == StarsShown(1, final=True)


def test_a_complete_audit_shows_its_final_stars() -> None:
    result = score(GRID, best_answers(False), False)
    assert shown_stars(GRID, result, "complete") == StarsShown(5, final=True)
    assert StarsShown(5, final=True).label == ""


@pytest.mark.parametrize("status", ["draft", "awaiting_follow_up"])
def test_exports_of_an_unfinished_audit_carry_no_stars(status: str) -> None:
    audit = make_audit(1, status="complete")
    audit.status = status
    record = json.loads(jsonl_bytes([audit]))
    assert record["score"]["stars"] is None
    assert record["score"]["percent"] == audit.score().percent  # the figures stay
    header, row = csv_bytes([audit]).decode("utf-8-sig").splitlines()[:2]
    assert dict(zip(header.split(";"), row.split(";"), strict=True))["stars"] == ""
    sheet = load_workbook(io.BytesIO(xlsx_bytes([audit])))[
        "Audits"
    ]  # read-only mode drops empty cells at the end
    head, values = list(sheet.iter_rows(values_only=True))[:2]
    assert dict(zip(head, values, strict=True))["stars"] is None


def test_exports_of_a_complete_audit_carry_its_stars() -> None:
    audit = make_audit(1, status="complete")
    record = json.loads(jsonl_bytes([audit]))
    assert record["score"]["stars"] == audit.score().stars == 5
    header, row = csv_bytes([audit]).decode("utf-8-sig").splitlines()[:2]
    assert dict(zip(header.split(";"), row.split(";"), strict=True))["stars"] == "5"


statuses = st.sampled_from(STATUSES)


@given(status=statuses, transferred=st.booleans(), drop=st.sets(st.sampled_from(GRID.question_ids)))
def test_the_stars_rule_round_trips_through_jsonl(
    status: str, transferred: bool, drop: set[str]
) -> None:
    """What is exported is read back without a warning on its score: the import recomputes
    `score.stars` with the same rule."""
    audit = make_audit(2, transferred=transferred, status="complete")
    if status != "complete":
        audit.answers = {q: a for q, a in audit.answers.items() if q not in drop}
    audit.status = status
    if status == "draft":
        audit.call.ended_at = None
        audit.deadlines = None
    data = jsonl_bytes([audit])
    obj = json.loads(data)
    assert [p for p in validate_record(obj, 1) if p.field == "score"] == []
    parsed, problems = parse_jsonl(data, "x.jsonl")
    assert [p for p in problems if p.field == "score"] == []
    (_, back) = parsed[0]
    assert json.loads(jsonl_bytes([back])) == obj


def test_an_older_export_with_stars_on_a_draft_is_read_with_a_warning() -> None:
    """Written by a version before this rule: the stars are recomputed (null), said once."""
    audit = Audit.new(make_audit(3).dealer, GRID, T0)
    audit.call.attempts = [audit.created_at]
    audit.answers = {"9": [1]}
    obj = json.loads(jsonl_bytes([audit]))
    obj["score"]["stars"] = 1
    problems = validate_record(obj, 7)
    (problem,) = [p for p in problems if p.field == "score"]
    assert problem.warning and problem.line == 7
