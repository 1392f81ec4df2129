"""XLSX export: « Audits » (the CSV's columns, typed), « Réponses » (one row per audit and
question) and « Concessionnaires » (a summary per dealer). Numbers are numbers, instants are
Europe/Paris date-times. openpyxl is imported here only, when an XLSX is asked for.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from auditor_tui.exchange import in_export_order
from auditor_tui.export_csv import View, question_value, table
from auditor_tui.record import Audit
from auditor_tui.reports import PARIS, Quarter, call_moment, dealer_summaries, paris_time, rows_of
from auditor_tui.scoring import is_applicable

DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
PERCENT_FORMAT = "0.0"

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


def _answer_rows(audits: Sequence[Audit]) -> Iterable[list[Any]]:
    for audit in audits:
        view = View.of(audit)
        quarter = str(Quarter.of(call_moment(audit)))
        started = paris_time(audit.call.started_at)
        for section in view.grid.sections:
            for q in section.questions:
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
                    question_value(view, q.id, "options"),
                    question_value(view, q.id, "labels"),
                    question_value(view, q.id, "points") if q.scored else None,
                    q.max_points,
                    audit.notes.get(q.id) or None,
                ]


def _dealer_rows(audits: Sequence[Audit]) -> Iterable[list[Any]]:
    for d in dealer_summaries(rows_of(audits)):
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


def xlsx_bytes(audits: Iterable[Audit]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ordered = in_export_order(audits)
    workbook = Workbook(write_only=True)

    def sheet(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        ws = workbook.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, name in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(name) + 2))
        bold = Font(bold=True)
        head = []
        for name in header:
            cell = WriteOnlyCell(ws, value=name)
            cell.font = bold
            head.append(cell)
        ws.append(head)
        count = 0
        for row in rows:
            ws.append(
                [_cell(ws, WriteOnlyCell, v, name) for v, name in zip(row, header, strict=True)]
            )
            count += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"

    cols, rows = table(ordered)
    sheet("Audits", [c.key for c in cols], rows)
    sheet("Réponses", ANSWER_COLUMNS, _answer_rows(ordered))
    sheet("Concessionnaires", DEALER_COLUMNS, _dealer_rows(ordered))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(ws: Any, make: Any, value: Any, name: str) -> Any:
    """A typed cell: text is never read as a formula; dates and percents get a format. Plain
    values stay plain (a styled cell costs several times more to write)."""
    if isinstance(value, str):
        if not value.startswith("="):
            return value
        cell = make(ws, value=value)
        cell.data_type = "s"
    elif isinstance(value, datetime):
        cell = make(ws, value=value)
        cell.number_format = DATE_FORMAT
    elif name.endswith("percent") and value is not None:
        cell = make(ws, value=value)
        cell.number_format = PERCENT_FORMAT
    else:
        return value
    return cell
