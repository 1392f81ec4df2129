"""XLSX export: « Audits » (the CSV's columns, typed), « Réponses » (one row per audit and
question), « Concessionnaires » (a summary per dealer) and « Verbatims » (the notes, question by
question, as `report --table verbatims`). Numbers are numbers, instants are Europe/Paris
date-times. Written by the streaming writer of xlsx_writer.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from auditor_tui.domain.periods import PARIS, Quarter, call_moment, paris_time
from auditor_tui.domain.record import Audit
from auditor_tui.domain.scoring import is_applicable
from auditor_tui.exchange.audit_table import View, view_table, views
from auditor_tui.reports.figures import dealer_summaries
from auditor_tui.reports.rows import AuditRow, rows_of
from auditor_tui.reports.verbatims import VERBATIM_COLUMNS, verbatims

ANSWER_COLUMNS = (
    "audit_id",
    "dealer_id",
    "dealer",
    "quarter",
    "call_started_at",
    "section",
    "question",
    "number",
    "text",
    "applicable",
    "options",
    "labels",
    "points",
    "max_points",
    "note",
)
DEALER_COLUMNS = (
    "dealer_id",
    "dealer",
    "city",
    "audits",
    "counted",
    "unreachable",
    "average_percent",
    "stars",
    "last_call",
)


def _answer_rows(views: Sequence[View]) -> Iterable[list[Any]]:
    for view in views:
        audit = view.audit
        quarter = str(Quarter.of(call_moment(audit)))
        started = paris_time(audit.call.started_at)
        for section in view.grid.sections:
            for q in section.questions:
                answer = view.answers.get(q.id)
                yield [
                    audit.id,
                    audit.dealer.id,
                    audit.dealer.name,
                    quarter,
                    started,
                    section.title,
                    q.id,
                    q.number,
                    q.text,
                    is_applicable(q, audit.call.transferred),
                    None if answer is None else answer.options,
                    None if answer is None else answer.labels,
                    answer.points if answer is not None and q.scored else None,
                    q.max_points,
                    audit.notes.get(q.id) or None,
                ]


def _dealer_rows(rows: Sequence[AuditRow]) -> Iterable[list[Any]]:
    for d in dealer_summaries(rows):
        last = d.last_call.astimezone(PARIS).replace(tzinfo=None) if d.last_call else None
        yield [
            d.dealer_key,
            d.dealer,
            d.city,
            d.audits,
            d.counted,
            d.unreachable,
            d.average_percent,
            d.stars,
            last,
        ]


def _verbatim_rows(rows: Sequence[AuditRow]) -> Iterable[list[Any]]:
    """The notes of the audits exported (none once pseudonymised: their notes are removed)."""
    for v in verbatims(rows):
        called = v.call_at.astimezone(PARIS).replace(tzinfo=None)
        yield [
            v.question,
            v.text,
            v.wave,
            v.dealer_key,
            v.dealer,
            v.service,
            v.auditor or None,  # an empty cell, not an empty text
            v.audit_id,
            called,
            v.note,
        ]


def xlsx_bytes(audits: Iterable[Audit], now: datetime | None = None) -> bytes:
    from auditor_tui.exchange.xlsx_writer import Sheet, write_workbook

    ordered = views(audits, now)
    cols, rows = view_table(ordered)
    report_rows = rows_of(v.audit for v in ordered)
    buffer = io.BytesIO()
    write_workbook(
        [
            Sheet("Audits", [c.key for c in cols], rows, decimal=("percent",)),
            Sheet("Réponses", ANSWER_COLUMNS, _answer_rows(ordered)),
            Sheet(
                "Concessionnaires",
                DEALER_COLUMNS,
                _dealer_rows(report_rows),
                ("average_percent",),
            ),
            Sheet("Verbatims", VERBATIM_COLUMNS, _verbatim_rows(report_rows)),
        ],
        buffer,
    )
    return buffer.getvalue()
