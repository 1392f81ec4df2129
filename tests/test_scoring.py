"""Scoring (DOMAIN.md §2): a hand-computed audit, the edge rules, and properties over random
valid answer sets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor_tui.domain.scoring import (
    OUTCOME_REACHED,
    OUTCOME_UNREACHABLE,
    is_applicable,
    missing_answers,
    percent,
    question_points,
    score,
    toggle,
    validate_answers,
)
from tests.factories import GRID, best_answers

TRANSFER_ONLY = {"4", "5", "6", "7a", "7b", "8"}


def test_hand_computed_transferred_audit():
    # Worked out from the grid by hand:
    # §1: Q1 2 tentatives 0, Q2 SVI -, Q3 salutation+nom 2, Q4 oui -, Q5 oui 1, Q6 non 0,
    #     Q7a oui 1, Q7b non 0, Q8 oui 1                                   -> 5 / 9
    # §2: Q9 1, Q10 0, Q11 « 4 ou 5 » 1, Q12 téléphone 1, Q13 1, Q14 both 2, Q15 0 -> 6 / 10
    # §3: Q16 non 0, Q17 oui 2, Q18 oui 1, Q19 téléphone -, Q20 both 2 capped at 1 -> 4 / 6
    # §4: Q21 two invitations 4 capped at 2, Q22 « jamais » 0, Q23 1, Q24 1  -> 4 / 5
    # total 5 + 6 + 4 + 4 = 19 / 30 = 63.3 % -> 2 stars
    answers = {
        "1": [2],
        "2": [2],
        "3": [1, 2],
        "4": [1],
        "5": [1],
        "6": [2],
        "7a": [1],
        "7b": [2],
        "8": [1],
        "9": [1],
        "10": [2],
        "11": [3],
        "12": [1],
        "13": [1],
        "14": [1, 2],
        "15": [2],
        "16": [2],
        "17": [1],
        "18": [1],
        "19": [2],
        "20": [1, 2],
        "21": [1, 5],
        "22": [4],
        "23": [1],
        "24": [2],
    }
    assert validate_answers(GRID, answers, transferred=True) == []
    result = score(GRID, answers, transferred=True)
    assert [(s.points, s.max) for s in result.sections] == [(5, 9), (6, 10), (4, 6), (4, 5)]
    assert (result.points, result.max, result.percent, result.stars) == (19, 30, 63.3, 2)
    assert result.outcome == OUTCOME_REACHED
    assert result.to_dict("complete")["sections"]["Suivi"] == {"points": 4, "max": 6}


def test_perfect_calls():
    assert (score(GRID, best_answers(True), True).points, GRID.max_points) == (30, 30)
    direct = score(GRID, best_answers(False), False)
    assert (direct.points, direct.max, direct.percent, direct.stars) == (25, 25, 100.0, 5)


def test_negative_q1_is_not_clamped():
    result = score(GRID, {"1": [3]}, transferred=False)
    assert result.points == -1
    assert result.answered_max == 1
    assert result.percent == -4.0  # -1 / 25
    assert result.stars == 1


def test_unreachable_scores_zero_out_of_thirty():
    result = score(GRID, {"1": [4]}, transferred=False)
    assert (result.points, result.max, result.outcome) == (0, 30, OUTCOME_UNREACHABLE)
    problems = validate_answers(GRID, {"1": [4], "9": [1]}, transferred=False)
    assert [p.question for p in problems] == ["9"]
    assert missing_answers(GRID, {"1": [4]}, False) == []


def test_invalid_answers_are_all_reported():
    answers = {"99": [1], "9": [3], "10": [1, 2], "12": [1, 3], "5": [1], "3": []}
    problems = {p.question: p.message for p in validate_answers(GRID, answers, False)}
    assert set(problems) == {"99", "9", "10", "12", "5", "3"}
    assert "inconnue" in problems["99"]
    assert "hors limites" in problems["9"]
    assert "choix unique" in problems["10"]
    assert "exclusive" in problems["12"]
    assert "transféré" in problems["5"]


def test_running_score_counts_only_answered_questions():
    result = score(GRID, {"1": [1], "3": [1], "9": [2]}, transferred=False)
    assert (result.points, result.answered_max, result.max) == (2, 5, 25)
    assert result.running_percent == 40.0


def test_percent_rounds_half_up():
    assert percent(1, 8) == 12.5
    assert percent(2, 3) == 66.7
    assert percent(1, 6) == 16.7
    assert percent(0, 0) == 0.0


def test_toggle_rules():
    q12 = GRID.question("12")  # téléphone, e-mail, rien de tout cela (exclusive)
    assert toggle(q12, [], 1) == [1]
    assert toggle(q12, [1], 2) == [1, 2]
    assert toggle(q12, [1, 2], 3) == [3]
    assert toggle(q12, [3], 2) == [2]
    assert toggle(q12, [1, 2], 1) == [2]
    q9 = GRID.question("9")
    assert toggle(q9, [1], 2) == [2]
    assert toggle(q9, [2], 2) == [2]
    with pytest.raises(ValueError):
        toggle(q9, [], 3)


@st.composite
def valid_answer_sets(draw):
    transferred = draw(st.booleans())
    answers: dict[str, list[int]] = {}
    for q in GRID.questions():
        if not is_applicable(q, transferred) or not draw(st.booleans()):
            continue
        options = [o for o in q.options if not o.unreachable]
        if q.multi:
            plain = [o.position for o in options if not o.exclusive]
            if draw(st.booleans()):
                answers[q.id] = [next(o.position for o in options if o.exclusive)]
            else:
                chosen = draw(st.lists(st.sampled_from(plain), min_size=1, unique=True))
                answers[q.id] = sorted(chosen)
        else:
            answers[q.id] = [draw(st.sampled_from([o.position for o in options]))]
    return answers, transferred


@settings(max_examples=300, deadline=None)
@given(valid_answer_sets())
def test_properties_of_valid_answer_sets(case):
    answers, transferred = case
    assert validate_answers(GRID, answers, transferred) == []
    result = score(GRID, answers, transferred)
    assert result.max == (30 if transferred else 25)
    assert result.points <= result.answered_max <= result.max
    assert result.points >= -1
    assert sum(s.points for s in result.sections) == result.points
    assert sum(s.max for s in result.sections) == result.max
    for qid, chosen in answers.items():
        q = GRID.question(qid)
        if q.scored:
            assert question_points(q, chosen) <= (q.max_points or 0)
        else:
            assert question_points(q, chosen) == 0
    assert 1 <= result.stars <= 5
    assert result.stars == GRID.stars_for(result.percent)
    # Each section adds up its applicable answered questions as question_points scores them.
    for section, got in zip(GRID.sections, result.sections, strict=True):
        assert got.title == section.title
        assert got.points == sum(
            question_points(q, answers[q.id])
            for q in section.questions
            if q.scored and q.id in answers and is_applicable(q, transferred)
        )
    # Adding answers never lowers the applicable maximum; completing yields answered_max == max.
    full = {**best_answers(transferred), **answers}
    assert score(GRID, full, transferred).answered_max == result.max
    assert missing_answers(GRID, full, transferred) == []


@settings(max_examples=200, deadline=None)
@given(valid_answer_sets(), st.data())
def test_toggle_keeps_answers_valid(case, data):
    answers, transferred = case
    qid = data.draw(
        st.sampled_from(
            [q.id for q in GRID.questions() if is_applicable(q, transferred) and q.id != "1"]
        )
    )
    q = GRID.question(qid)
    position = data.draw(st.integers(1, len(q.options)))
    after = toggle(q, answers.get(qid, []), position)
    updated = {**answers, qid: after} if after else {k: v for k, v in answers.items() if k != qid}
    assert validate_answers(GRID, updated, transferred) == []
