"""Scoring of an audit against its grid (DOMAIN.md §2): pure functions, no UI, no clock.

Answers are `{question id: [option positions]}`; a single-choice answer is a one-item list.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from auditor_tui.domain.grid import CONDITION_TRANSFERRED, Grid, Question
from auditor_tui.domain.labels import final_stars

Answers = Mapping[str, Sequence[int]]

OUTCOME_REACHED = "reached"
OUTCOME_UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class AnswerProblem:
    question: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"question {self.question} : {self.message}"


@dataclass(frozen=True)
class SectionScore:
    title: str
    points: int
    max: int  # applicable maximum of the section
    answered_max: int  # maximum of the section's questions answered so far


@dataclass(frozen=True)
class Score:
    points: int
    max: int  # applicable maximum of the whole grid (30, or 25 without transfer)
    answered_max: int  # maximum of the scored questions answered so far (running score)
    percent: float
    stars: int
    outcome: str
    sections: tuple[SectionScore, ...]

    @property
    def running_percent(self) -> float:
        """Points over the maximum of what is answered so far (the live call's view)."""
        return percent(self.points, self.answered_max)

    def to_dict(self, status: str) -> dict[str, object]:
        """The record's `score` field (DOMAIN.md §4) for an audit at `status`: its stars only
        once it is complete (`final_stars`), null before."""
        return {
            "points": self.points,
            "max": self.max,
            "percent": self.percent,
            "stars": final_stars(status, self.stars),
            "sections": {s.title: {"points": s.points, "max": s.max} for s in self.sections},
        }


# ---- what the stars mean: one rule for every screen and every export (labels.final_stars) ----

PROVISIONAL = "provisoire"  # the label beside stars that are not the audit's result yet


@dataclass(frozen=True)
class StarsShown:
    """Stars as a screen shows them: `final` (the complete audit's result) or provisional (the
    running score's, during the call or the follow-up), labelled as such."""

    stars: int
    final: bool

    @property
    def label(self) -> str:
        return "" if self.final else PROVISIONAL


def shown_stars(grid: Grid, score: Score, status: str) -> StarsShown | None:
    """What a screen working on one audit shows: the final stars of a complete audit; before,
    the provisional stars of the running score (points over the questions answered so far,
    DOMAIN.md §2), once a scored question is answered — never beside the whole grid's total,
    whose percent still counts the unanswered questions as 0. None: no stars to show."""
    final = final_stars(status, score.stars)
    if final is not None:
        return StarsShown(final, True)
    if score.outcome == OUTCOME_UNREACHABLE or score.answered_max <= 0:
        return None
    return StarsShown(grid.stars_for(score.running_percent), False)


@functools.lru_cache(maxsize=4096)  # a grid has a few hundred (points, maximum) pairs
def percent(points: int, maximum: int) -> float:
    """100 × points / maximum, rounded half-up to one decimal (0 when nothing is applicable)."""
    if maximum <= 0:
        return 0.0
    value = Decimal(points * 100) / Decimal(maximum)
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def is_applicable(question: Question, transferred: bool) -> bool:
    if question.applies_if == CONDITION_TRANSFERRED:
        return transferred
    return True


def is_unreachable(grid: Grid, answers: Answers) -> bool:
    qid = grid.rule_question("attempts")
    chosen = answers.get(qid) or ()
    question = grid.question(qid)
    if not isinstance(chosen, list | tuple):
        return False  # not an answer at all: validate_answers reports it
    return any(
        isinstance(p, int)
        and not isinstance(p, bool)
        and 1 <= p <= len(question.options)
        and question.option(p).unreachable
        for p in chosen
    )


def question_points(question: Question, positions: Sequence[int]) -> int:
    """Points of one valid answer: the option's points, or the capped sum for a multi-select."""
    if not question.scored or not positions:
        return 0
    total = sum(question.option(p).points for p in positions)
    cap = question.max_points or 0
    return min(total, cap) if question.multi else total


# A grid's scored questions by section, as score() walks them: (title, questions), each
# question as (id, maximum, applies only if transferred, the points of option n at index n —
# index 0 unused — and multi-select).
_Plan = tuple[tuple[str, tuple[tuple[str, int, bool, tuple[int, ...], bool], ...]], ...]
_plans: dict[int, tuple[Grid, _Plan]] = {}


def _plan(grid: Grid) -> _Plan:
    """Made once per grid: scoring ten thousand audits then reads no property of the grid.
    Keyed by the grid object (kept alive by the entry, so its id stays its own)."""
    known = _plans.get(id(grid))
    if known is not None and known[0] is grid:
        return known[1]
    plan = tuple(
        (
            section.title,
            tuple(
                (
                    q.id,
                    q.max_points or 0,
                    q.applies_if == CONDITION_TRANSFERRED,
                    (0, *(o.points for o in q.options)),
                    q.multi,
                )
                for q in section.questions
                if q.scored
            ),
        )
        for section in grid.sections
    )
    if len(_plans) >= 64:  # grids loaded by tests; the app has one or two
        _plans.clear()
    _plans[id(grid)] = (grid, plan)
    return plan


def validate_answers(grid: Grid, answers: Answers, transferred: bool) -> list[AnswerProblem]:
    """Every problem in an answer set: unknown ids, bad positions, N/A answered, exclusivity."""
    problems: list[AnswerProblem] = []
    unreachable = is_unreachable(grid, answers)
    attempts_q = grid.rule_question("attempts")
    for qid, positions in answers.items():
        field = f"answers.{qid}"
        if not grid.has_question(qid):
            problems.append(AnswerProblem(qid, field, "question inconnue dans la grille"))
            continue
        question = grid.question(qid)
        if not isinstance(positions, (list, tuple)) or not positions:
            problems.append(AnswerProblem(qid, field, "liste d'options non vide attendue"))
            continue
        bad = [
            p
            for p in positions
            if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= len(question.options)
        ]
        if bad:
            problems.append(
                AnswerProblem(
                    qid, field, f"option hors limites {bad} (1 à {len(question.options)})"
                )
            )
            continue
        if len(set(positions)) != len(positions):
            problems.append(AnswerProblem(qid, field, "option répétée"))
        if not question.multi and len(positions) > 1:
            problems.append(
                AnswerProblem(qid, field, "plusieurs options sur une question à choix unique")
            )
        exclusive = [p for p in positions if question.option(p).exclusive]
        if exclusive and len(positions) > 1:
            label = question.option(exclusive[0]).label
            problems.append(
                AnswerProblem(
                    qid, field, f"l'option exclusive « {label} » est combinée avec d'autres"
                )
            )
        if not is_applicable(question, transferred):
            problems.append(
                AnswerProblem(
                    qid, field, "réponse à une question sans objet : l'appel n'a pas été transféré"
                )
            )
        if unreachable and qid != attempts_q:
            problems.append(
                AnswerProblem(
                    qid,
                    field,
                    "concessionnaire injoignable : aucune autre question ne peut être répondue",
                )
            )
    return problems


def missing_answers(
    grid: Grid, answers: Answers, transferred: bool, optional: Sequence[str] = ()
) -> list[str]:
    """Applicable questions without an answer, in grid order (none when unreachable)."""
    if is_unreachable(grid, answers):
        return []
    return [
        q.id
        for q in grid.questions()
        if is_applicable(q, transferred) and not answers.get(q.id) and q.id not in optional
    ]


def score(grid: Grid, answers: Answers, transferred: bool) -> Score:
    """Score a (possibly partial) valid answer set; invalid answers must be rejected beforehand."""
    if is_unreachable(grid, answers):
        sections = tuple(SectionScore(s.title, 0, s.max_points, 0) for s in grid.sections)
        total_max = grid.max_points
        pct = percent(0, total_max)
        return Score(
            0,
            total_max,
            total_max if answers else 0,
            pct,
            grid.stars_for(pct),
            OUTCOME_UNREACHABLE,
            sections,
        )
    section_scores: list[SectionScore] = []
    total = total_max = total_answered = 0
    for title, questions in _plan(grid):
        points = maximum = answered_max = 0
        for qid, cap, transfer_only, option_points, multi in questions:
            if transfer_only and not transferred:
                continue
            maximum += cap
            chosen = answers.get(qid)
            if chosen:  # question_points, with the grid's values read once
                if len(chosen) == 1:  # no comprehension: a call of its own in Python 3.11
                    got = option_points[chosen[0]]
                else:
                    got = sum(map(option_points.__getitem__, chosen))
                points += min(got, cap) if multi else got
                answered_max += cap
        section_scores.append(SectionScore(title, points, maximum, answered_max))
        total += points
        total_max += maximum
        total_answered += answered_max
    pct = percent(total, total_max)
    return Score(
        total,
        total_max,
        total_answered,
        pct,
        grid.stars_for(pct),
        OUTCOME_REACHED,
        tuple(section_scores),
    )


def toggle(question: Question, current: Sequence[int], position: int) -> list[int]:
    """The answer after pressing option `position`: single-choice sets it (pressing it again
    keeps it: clearing is a deliberate, separate action), multi toggles,
    an exclusive option clears the others and any other option clears the exclusive one."""
    if not 1 <= position <= len(question.options):
        raise ValueError(f"question {question.id} : option {position} inexistante")
    if not question.multi:
        return [position]
    if position in current:
        return [p for p in current if p != position]
    if question.option(position).exclusive:
        return [position]
    kept = [p for p in current if not question.option(p).exclusive]
    return sorted([*kept, position])
