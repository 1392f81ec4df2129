"""One audit as the reports see it (`AuditRow`: its dealer, wave and quarter, service, percent,
section and question points, notes, whether it is counted), and the filters a report applies to
rows.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from auditor_tui.domain.dealers import slugify
from auditor_tui.domain.grid import Grid, Question
from auditor_tui.domain.labels import fold
from auditor_tui.domain.periods import Period, Quarter, call_moment
from auditor_tui.domain.record import Audit
from auditor_tui.domain.scoring import OUTCOME_UNREACHABLE, is_applicable, question_points
from auditor_tui.domain.waves import SERVICES as SERVICES  # re-exported for the filters
from auditor_tui.domain.waves import audit_service, audit_wave
from auditor_tui.reports.compact import Points, shared


# slots: a report holds 100,000 of them; not frozen: made four times faster (the cache reads
# 100,000 of them; nothing changes a row once made)
@dataclass(slots=True)
class AuditRow:
    id: str
    dealer_key: str
    dealer: str
    city: str
    auditor: str
    questionnaire: str
    status: str
    outcome: str
    call_at: datetime  # UTC
    wave: str  # the audit's own `wave`, else the quarter of call_at
    quarter: Quarter  # the wave's when it names a quarter, else call_at's, in Europe/Paris
    service: str | None  # VN, VO, APV; None when the audit does not say
    percent: float
    sections: tuple[tuple[str, int, int], ...]  # (title, points, applicable max)
    questions: Mapping[str, tuple[int, int]]  # scored applicable answered question → (pts, max)
    counted: bool
    notes: Mapping[str, str]  # question id → the auditor's note (verbatim), non-empty ones

    @property
    def reached(self) -> bool:
        return self.outcome != OUTCOME_UNREACHABLE


NO_NOTES: Mapping[str, str] = {}


def audit_notes(audit: Audit) -> Mapping[str, str]:
    """The audit's notes as a row carries them: the non-empty ones. Not shared between rows
    like their other texts (compact.shared keeps each text for the process's life: half a
    million notes on their way to a NoteSpill would stay in memory)."""
    return {qid: note for qid, note in audit.notes.items() if note.strip()} or NO_NOTES


# The report cache holds ten thousand rows of a few quarters and one or two grids.
parse_quarter = functools.lru_cache(maxsize=256)(Quarter.parse)


class _Questions(NamedTuple):
    """What rows need of a grid's questions, made once per grid."""

    grid: Grid
    maxima: Mapping[str, int]  # every question's maximum, 0 when not scored
    scored: tuple[tuple[Question, int], ...]  # scored questions in grid order, with maximum


_questions: dict[str, _Questions] = {}


def questions_of(grid: Grid) -> _Questions:
    known = _questions.get(grid.id)
    if known is None or known.grid is not grid:
        maxima = {q.id: q.max_points or 0 for q in grid.questions()}
        scored = tuple((q, maxima[q.id]) for q in grid.questions() if q.scored)
        known = _questions[grid.id] = _Questions(grid, maxima, scored)
    return known


def is_counted(audit: Audit, outcome: str) -> bool:
    if audit.status == "complete":
        return True
    return outcome == OUTCOME_UNREACHABLE and audit.status != "draft"


def wave_quarter(wave: str) -> Quarter | None:
    """The quarter a wave's name gives (`2027-T1`), None for another name."""
    try:
        return parse_quarter(wave)
    except ValueError:
        return None


def _wave_of(audit: Audit, moment: datetime) -> tuple[str, Quarter]:
    wave = audit_wave(audit)
    return wave, wave_quarter(wave) or Quarter.of(moment)


def row_of(audit: Audit, *, notes: bool = True, scored: bool = True) -> AuditRow:
    """The audit as the reports see it; without its notes when `notes` is false (the
    verbatims alone read them), without its questions' points when `scored` is false (the
    dealers' summary of an XLSX export does not read them)."""
    result = audit.score()
    transferred = audit.call.transferred
    questions: dict[str, tuple[int, int]] = {}
    for q, maximum in questions_of(audit.grid).scored if scored else ():
        chosen = audit.answers.get(q.id)
        if chosen and is_applicable(q, transferred):
            questions[q.id] = (question_points(q, chosen), maximum)
    points = Points.of(questions.items())
    moment = call_moment(audit)
    wave, quarter = _wave_of(audit, moment)
    return AuditRow(
        id=audit.id,
        dealer_key=shared(audit.dealer.id or slugify(audit.dealer.name)),
        dealer=shared(audit.dealer.name),
        city=shared(audit.dealer.city or ""),
        auditor=shared(audit.auditor),
        questionnaire=shared(audit.questionnaire),
        status=shared(audit.status),
        outcome=result.outcome,
        call_at=moment,
        wave=shared(wave),
        quarter=shared(quarter),
        service=audit_service(audit),
        percent=result.percent,
        sections=shared(tuple(shared((s.title, s.points, s.max)) for s in result.sections)),
        questions=points,
        counted=is_counted(audit, result.outcome),
        notes=audit_notes(audit) if notes else NO_NOTES,
    )


def rows_of(audits: Iterable[Audit]) -> list[AuditRow]:
    return [row_of(a) for a in audits]


@dataclass(frozen=True)
class Filters:
    period: Period | None = None
    dealer: str | None = None  # part of the name (case and accents ignored) or the dealer id
    auditor: str | None = None  # part of the auditor's name
    service: str | None = None  # VN, VO or APV

    def keeps(self, row: AuditRow, *, period: bool = True) -> bool:
        if period and self.period is not None and row.quarter not in self.period:
            return False
        if self.service and row.service != self.service:
            return False
        return self.keeps_dealer(row.dealer, row.dealer_key) and self.keeps_auditor(row.auditor)

    def keeps_dealer(self, name: str, key: str) -> bool:
        return not self.dealer or fold(self.dealer) in fold(name) or self.dealer == key

    def keeps_auditor(self, auditor: str) -> bool:
        return not self.auditor or fold(self.auditor) in fold(auditor)

    def describe(self) -> str:
        parts = []
        if self.period is not None:
            parts.append(f"période {self.period}")
        if self.dealer:
            parts.append(f"concession « {self.dealer} »")
        if self.auditor:
            parts.append(f"auditeur « {self.auditor} »")
        if self.service:
            parts.append(f"service {self.service}")
        return ", ".join(parts) or "tout le réseau"
