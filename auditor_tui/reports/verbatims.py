"""The verbatims (headless): the auditors' notes gathered per question across audits, « tous
les verbatims… sont analysés ». Every audit the filters keep gives its notes, counted or not
(a note is what was heard, whatever the audit's state); pseudonymised outputs leave them out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.labels import fold
from auditor_tui.reports.rows import AuditRow
from auditor_tui.reports.waves import wave_key

# The columns of the verbatims' CSV (`report --table verbatims`) and XLSX sheet, in order.
VERBATIM_COLUMNS = (
    "question",
    "text",
    "wave",
    "dealer_id",
    "dealer",
    "service",
    "auditor",
    "audit_id",
    "call_at",
    "note",
)


@dataclass(frozen=True)
class Verbatim:
    question: str  # the grid's id: "7b"
    text: str  # the question's text, from the audit's grid
    wave: str
    dealer_key: str
    dealer: str
    service: str | None
    auditor: str
    audit_id: str
    call_at: datetime  # UTC
    note: str


def verbatims(rows: Iterable[AuditRow]) -> list[Verbatim]:
    """Every note of `rows`, grouped by question in grid order, then by wave, dealer and call."""
    out: list[tuple[tuple[object, ...], Verbatim]] = []
    for row in rows:
        if not row.notes:
            continue
        grid = load_grid(row.questionnaire)
        order = {qid: n for n, qid in enumerate(grid.question_ids)}
        for qid, note in row.notes.items():
            known = grid.has_question(qid)
            entry = Verbatim(
                question=qid,
                text=grid.question(qid).text if known else "",
                wave=row.wave,
                dealer_key=row.dealer_key,
                dealer=row.dealer,
                service=row.service,
                auditor=row.auditor,
                audit_id=row.id,
                call_at=row.call_at,
                note=note,
            )
            place = (order.get(qid, len(order)), qid, wave_key(row.wave), fold(row.dealer))
            out.append(((*place, row.call_at, row.id), entry))
    out.sort(key=lambda pair: pair[0])
    return [entry for _key, entry in out]
