"""The verbatims (headless): the auditors' notes gathered per question across audits, « tous
les verbatims… sont analysés ». Every audit the filters keep gives its notes, counted or not
(a note is what was heard, whatever the audit's state); pseudonymised outputs leave them out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from auditor_tui.domain.grid import Grid, load_grid
from auditor_tui.domain.labels import fold
from auditor_tui.domain.periods import Quarter
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


@dataclass(slots=True)  # not frozen: tens of thousands are made at a time, and faster so
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
    """Every note of `rows`, grouped by question in grid order, then by wave, dealer and call.

    Made at each keystroke of the report screen's filters, over tens of thousands of notes:
    the audits are put in order once, then each note goes to its question's list."""
    waves: dict[str, tuple[Quarter, str]] = {}
    names: dict[str, str] = {}

    def place(row: AuditRow) -> tuple[tuple[Quarter, str], str, datetime, str]:
        wave = waves.get(row.wave) or waves.setdefault(row.wave, wave_key(row.wave))
        name = names.get(row.dealer) or names.setdefault(row.dealer, fold(row.dealer))
        return wave, name, row.call_at, row.id

    grids: dict[str, tuple[Grid, dict[str, int]]] = {}
    by_question: dict[tuple[int, str], list[Verbatim]] = defaultdict(list)
    for row in sorted((r for r in rows if r.notes), key=place):
        known = grids.get(row.questionnaire)
        if known is None:
            grid = load_grid(row.questionnaire)
            order = {qid: n for n, qid in enumerate(grid.question_ids)}
            known = grids[row.questionnaire] = (grid, order)
        grid, order = known
        for qid, note in row.notes.items():
            n = order.get(qid, len(order))
            text = grid.question(qid).text if n < len(order) else ""
            by_question[(n, qid)].append(
                Verbatim(
                    qid,
                    text,
                    row.wave,
                    row.dealer_key,
                    row.dealer,
                    row.service,
                    row.auditor,
                    row.id,
                    row.call_at,
                    note,
                )
            )
    return [v for key in sorted(by_question) for v in by_question[key]]
