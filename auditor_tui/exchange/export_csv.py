"""The CSV export for Excel in France: UTF-8 with BOM, `;` separator, decimal comma,
Europe/Paris times; the columns and cells of the audit table (audit_table.py, documented in
docs/export-columns.md).
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import IO, Any

from auditor_tui.domain.grid import Grid
from auditor_tui.domain.history import last_reopen_reason, reopen_count
from auditor_tui.domain.instants import is_stored
from auditor_tui.domain.labels import final_stars
from auditor_tui.domain.periods import Quarter, call_moment, paris_time
from auditor_tui.domain.record import Audit, DealerRef, now_utc
from auditor_tui.exchange.audit_table import (
    DELIMITER,
    FOLLOW_UP,
    HEAD,
    TAIL,
    AnswerCells,
    ExportColumn,
    View,
    bool_cell,
    columns,
    float_cell,
    instant_cell,
    int_cell,
    national_phone,
    notes_text,
    other_fields,
    planned_date,
    planned_window,
    quoted,
)
from auditor_tui.exchange.export import check_exportable, in_export_order
from auditor_tui.text.safe_text import GUARDED_STARTS

BOM = "\ufeff"


# ---- the CSV text, row by row ----------------------------------------------------------------
#
# The cells of a row are defined by the columns' getters (also the XLSX's), and the csv module
# would quote them. The CSV is written by a quicker, equivalent path (tests/test_export_csv_lines.py
# holds both to the same bytes): the fixed columns of a row made in one call, each text cell
# quoted as the csv module quotes it, each question's cells taken already joined and quoted.
# Writing it all through the csv module instead costs 19 % more (docs/performance.md, issue 13).


def _cell(value: Any) -> str:
    """A text cell as written: `text_cell`, then quoted if need be."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(GUARDED_STARTS):
        text = "'" + text
    if DELIMITER in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _paris(text: str | None) -> str:
    """A stored instant's cell: Paris wall-clock time (domain/periods.py's `paris_time`). Paris
    has been a whole number of hours from UTC since 1911, changing on the hour: an instant in
    the stored spelling is its UTC hour as Paris writes it (worked out once per hour, by the
    zone) followed by its own minutes and seconds. Eight instants an audit: a tenth of a CSV
    export's time at 100,000 audits, without this."""
    if not text:
        return ""
    if is_stored(text):
        hour = _PARIS_HOURS.get(text[:13])
        if hour is None:
            if len(_PARIS_HOURS) >= 100_000:  # eleven years of hours: a few MB at most
                _PARIS_HOURS.clear()
            hour = _PARIS_HOURS[text[:13]] = _paris_hour(text[:13])
        if hour:
            return hour + text[13:19]
    return instant_cell(paris_time(text))


_PARIS_HOURS: dict[str, str] = {}  # "2026-05-13T15" (UTC) → "2026-05-13 17", or "": not so


def _paris_hour(utc_hour: str) -> str:
    """The UTC hour as Paris writes it, "" if its minutes and seconds are not the UTC ones (a
    year before 1911, or before 1000: the slower way, whatever it says)."""
    try:
        moment = paris_time(utc_hour + ":00:00+00:00")
        last = paris_time(utc_hour + ":59:59+00:00")  # the same offset to the hour's end
    except (ValueError, OverflowError):
        return ""
    if moment is None or moment.year < 1000 or moment.minute or moment.second:
        return ""
    if last != moment + timedelta(minutes=59, seconds=59):
        return ""
    return instant_cell(moment)[:13]


@functools.lru_cache(maxsize=1024, typed=True)  # typed: 1, 1.0 and True are not one key
def _dealer_cells(*fields: Any) -> str:
    """A dealer's six cells (id, name, city, department, country, phone), joined: a few dozen
    dealers, each formatted once."""
    dealer_id, name, city, department, country, phone = fields
    cells = (dealer_id, name, city, department, country, national_phone(phone))
    return DELIMITER.join([_cell(c) for c in cells])


def _dealer(dealer: DealerRef) -> str:
    fields = (dealer.id, dealer.name, dealer.city, dealer.department, dealer.country, dealer.phone)
    try:
        return _dealer_cells(*fields)
    except TypeError:  # a field that cannot be a key
        return _dealer_cells.__wrapped__(*fields)


def _head(view: View) -> str:
    """HEAD's cells, joined."""
    audit, score = view.audit, view.score
    dealer, call = audit.dealer, audit.call
    quarter = str(Quarter.of(call_moment(audit)))
    return DELIMITER.join(
        (
            _cell(audit.id),
            int_cell(audit.revision),
            _cell(audit.questionnaire),
            _cell(audit.status),
            _cell(score.outcome),
            _cell(audit.auditor),
            _dealer(dealer),
            quarter,
            _cell(audit.wave) if audit.wave is not None else quarter,
            _cell(audit.service),
            _cell(planned_date(audit)),
            _cell(planned_window(audit)),
            _paris(call.started_at),
            _paris(call.ended_at),
            int_cell(len(call.attempts)),
            bool_cell(call.transferred),
            float_cell(call.transfer_seconds),
            int_cell(score.points),
            int_cell(score.max),
            float_cell(score.percent),
            int_cell(final_stars(audit.status, score.stars)),
        )
    )


def _follow_up(view: View) -> str:
    """FOLLOW_UP's cells, joined."""
    audit = view.audit
    deadlines, follow_up = audit.deadlines or {}, audit.follow_up
    return DELIMITER.join(
        (
            _paris(deadlines.get("email")),
            _paris(follow_up.email_received_at),
            bool_cell(view.in_time[0]),
            _paris(deadlines.get("callback")),
            _paris(follow_up.callback_at),
            bool_cell(view.in_time[1]),
            _cell(follow_up.callback_method),
            int_cell(reopen_count(audit)),
            _cell(last_reopen_reason(audit)),
        )
    )


def _tail(view: View) -> str:
    """TAIL's cells, joined."""
    audit = view.audit
    return DELIMITER.join(
        (
            _cell(audit.call.receptionist_name),
            _cell(audit.call.advisor_name),
            _cell(audit.follow_up.callback_note),
            _cell(notes_text(view)),
            _paris(audit.created_at),
            _paris(audit.updated_at),
            _cell(other_fields(audit)),
        )
    )


def _sections_of(cols: Sequence[ExportColumn]) -> Callable[[View], str]:
    """Section columns' cells, joined."""
    parts = [c.section for c in cols if c.section is not None]

    def cells(view: View) -> str:
        sections = view.sections
        out = []
        for sid, part in parts:
            result = sections.get(sid)
            out.append("" if result is None else str(int(getattr(result, part))))
        return DELIMITER.join(out)

    return cells


def _questions_of(cols: Sequence[ExportColumn]) -> Callable[[View], str]:
    """Question columns' cells, joined: each question's run of columns (points, options,
    labels; or options, labels) taken whole from its answer's `line`."""
    runs: list[tuple[str, tuple[int, ...]]] = []
    for c in cols:
        assert c.question is not None
        qid, index = c.question
        if runs and runs[-1][0] == qid:
            runs[-1] = (qid, (*runs[-1][1], index))
        else:
            runs.append((qid, (index,)))
    plan = [(qid, parts, DELIMITER * (len(parts) - 1)) for qid, parts in runs]

    def cells(view: View) -> str:
        answers = view.answers
        out = []
        for qid, parts, empty in plan:
            answer = answers.get(qid)
            if answer is None:
                out.append(empty)
            elif parts == _ALL_PARTS:
                out.append(answer.line)
            elif parts == _CHOICE_PARTS:  # the points, first, are a number: never quoted
                out.append(answer.line.partition(DELIMITER)[2])
            else:
                out.append(DELIMITER.join([quoted(answer.csv[i]) for i in parts]))
        return DELIMITER.join(out)

    return cells


_ALL_PARTS, _CHOICE_PARTS = (0, 1, 2), (1, 2)
_Piece = Callable[[View], str]


def line_maker(cols: Sequence[ExportColumn]) -> Callable[[View], str] | None:
    """A row's CSV cells, joined, made quicker than by the columns one by one; None unless
    the columns are laid out as `columns` lays them."""
    middle = len(HEAD)
    while middle < len(cols) and cols[middle].section is not None:
        middle += 1
    start, end = middle + len(FOLLOW_UP), len(cols) - len(TAIL)
    sections, questions = cols[len(HEAD) : middle], cols[start:end]
    layout = [*HEAD, *sections, *FOLLOW_UP, *questions, *TAIL]
    if (
        start > end
        or len(layout) != len(cols)
        or any(a is not b for a, b in zip(layout, cols, strict=True))
        or any(c.question is None for c in questions)
    ):
        return None
    pieces: list[_Piece] = [_head]
    if sections:
        pieces.append(_sections_of(sections))
    pieces.append(_follow_up)
    if questions:
        pieces.append(_questions_of(questions))
    pieces.append(_tail)
    return lambda view: DELIMITER.join([piece(view) for piece in pieces])


def csv_writer(grids: Sequence[Grid], now: datetime) -> tuple[str, Callable[[Audit], str]]:
    """The CSV's first text (BOM and header) for audits made with `grids`, and what makes an
    audit's line (its CRLF included; ExportError for an audit that cannot leave); `now`: what
    a deadline still open is judged at."""
    cols = columns(grids)
    header = io.StringIO()
    writer = csv.writer(header, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([c.key for c in cols])
    line = line_maker(cols)
    cells = AnswerCells()
    if line is None:
        texts = [c.csv_getter() for c in cols]

        def line_of(audit: Audit) -> str:
            check_exportable(audit)
            view = View.of(audit, now, cells)
            row = io.StringIO()
            csv.writer(row, delimiter=DELIMITER, lineterminator="\r\n").writerow(
                [text(view) for text in texts]
            )
            return row.getvalue()
    else:
        make = line

        def line_of(audit: Audit) -> str:
            check_exportable(audit)
            return make(View.of(audit, now, cells)) + "\r\n"

    return BOM + header.getvalue(), line_of


def write_csv(audits: Iterable[Audit], out: IO[str], now: datetime | None = None) -> int:
    """Write the CSV (BOM first) of the audits, sorted into export order; returns their number.
    `now`: what a deadline still open is judged at (`email_in_time`, `callback_in_time`; the
    wall clock by default)."""
    ordered = in_export_order(audits)
    for audit in ordered:  # every audit checked before anything is written
        check_exportable(audit)
    grids = list({a.questionnaire: a.grid for a in ordered}.values())
    head, line_of = csv_writer(grids, now or now_utc())
    out.write(head + "".join([line_of(audit) for audit in ordered]))
    return len(ordered)
