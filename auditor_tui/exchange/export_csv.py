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
from auditor_tui.domain.labels import final_stars
from auditor_tui.domain.periods import PARIS, Quarter, call_instant, call_moment, paris_time
from auditor_tui.domain.record import Audit, DealerRef, now_utc, parse_instant
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


_MINUTES = frozenset(f"{m:02d}:{s:02d}" for m in range(60) for s in range(60))
_HOURS = frozenset(f"{h:02d}" for h in range(24))
_Hour = tuple[str, str]  # Paris « YYYY-MM-DD HH », quarter
_AN_HOUR, _A_DAY = timedelta(hours=1), timedelta(days=1)


def _paris_day(utc_day: str) -> datetime | None:
    """Paris wall-clock time at the start of the UTC day « 2026-03-29 », if Paris is the same
    whole number of hours ahead all through that day (its offset changes months apart: equal
    at both ends of a day, it is the same in between); else None."""
    try:
        start = paris_time(utc_day + "T00:00:00+00:00")
        end = paris_time(utc_day + "T23:59:59+00:00")
        utc = parse_instant(utc_day + "T00:00:00+00:00").replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    if start is None or end is None:
        return None
    ahead = start - utc
    if ahead % _AN_HOUR or end - start != _A_DAY - timedelta(seconds=1):
        return None
    return start


def _paris_hour(utc_hour: str) -> _Hour | None:
    """The UTC hour « 2026-03-29T01 » as Paris time, if every second of it is a whole,
    unchanging number of hours ahead (so minutes and seconds carry over); else None."""
    try:
        start = instant_cell(paris_time(utc_hour + ":00:00+00:00"))
        end = instant_cell(paris_time(utc_hour + ":59:59+00:00"))
        quarter = str(Quarter.of(parse_instant(utc_hour + ":00:00+00:00")))
    except (ValueError, OverflowError):
        return None
    local = start[:-6]
    if start != local + ":00:00" or end != local + ":59:59":
        return None
    return local, quarter


class ParisClock:
    """Stored instants as the CSV's Paris wall-clock cells, the same as
    `instant_cell(paris_time(text))`, and quarters as `Quarter.of(call_moment(audit))`. An instant
    stored the usual way, UTC to the second (« 2026-10-25T00:59:59+00:00 »), takes its Paris
    date and hour from those of its UTC hour, worked out once (from its UTC day's, or alone on
    the two days a year Paris changes its offset), and keeps its minutes and seconds; any other
    text goes the long way."""

    def __init__(self) -> None:
        self._hours: dict[str, _Hour | None] = {}
        self._days: dict[str, datetime | None] = {}
        self._quarters: dict[tuple[int, int], str] = {}  # by Paris year and month

    def _hour(self, text: object) -> _Hour | None:
        if (
            not isinstance(text, str)
            or len(text) != 25
            or text[13:20:3] != "::+"
            or text[20:] != "00:00"
            or text[14:19] not in _MINUTES
        ):
            return None
        key = text[:13]
        try:
            return self._hours[key]
        except KeyError:
            hour = self._hours[key] = self._new_hour(key)
            return hour

    def _new_hour(self, key: str) -> _Hour | None:
        day = key[:10]
        try:
            start = self._days[day]
        except KeyError:
            start = self._days[day] = _paris_day(day)
        if start is None or key[10] != "T" or key[11:] not in _HOURS:
            return _paris_hour(key)
        local = start + int(key[11:]) * _AN_HOUR
        month = (local.year, local.month)
        quarter = self._quarters.get(month)
        if quarter is None:
            quarter = self._quarters[month] = str(Quarter.of(local.replace(tzinfo=PARIS)))
        return instant_cell(local)[:-6], quarter

    def cell(self, text: str | None) -> str:
        if not text:
            return ""
        hour = self._hour(text)
        return instant_cell(paris_time(text)) if hour is None else hour[0] + text[13:19]

    def quarter(self, audit: Audit) -> str:
        hour = self._hour(call_instant(audit))
        return str(Quarter.of(call_moment(audit))) if hour is None else hour[1]


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


def _head(view: View, clock: ParisClock) -> str:
    """HEAD's cells, joined."""
    audit, score = view.audit, view.score
    dealer, call = audit.dealer, audit.call
    quarter = clock.quarter(audit)
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
            clock.cell(call.started_at),
            clock.cell(call.ended_at),
            int_cell(len(call.attempts)),
            bool_cell(call.transferred),
            float_cell(call.transfer_seconds),
            int_cell(score.points),
            int_cell(score.max),
            float_cell(score.percent),
            int_cell(final_stars(audit.status, score.stars)),
        )
    )


def _follow_up(view: View, clock: ParisClock) -> str:
    """FOLLOW_UP's cells, joined."""
    audit = view.audit
    deadlines, follow_up = audit.deadlines or {}, audit.follow_up
    return DELIMITER.join(
        (
            clock.cell(deadlines.get("email")),
            clock.cell(follow_up.email_received_at),
            bool_cell(view.in_time[0]),
            clock.cell(deadlines.get("callback")),
            clock.cell(follow_up.callback_at),
            bool_cell(view.in_time[1]),
            _cell(follow_up.callback_method),
            int_cell(reopen_count(audit)),
            _cell(last_reopen_reason(audit)),
        )
    )


def _tail(view: View, clock: ParisClock) -> str:
    """TAIL's cells, joined."""
    audit = view.audit
    return DELIMITER.join(
        (
            _cell(audit.call.receptionist_name),
            _cell(audit.call.advisor_name),
            _cell(audit.follow_up.callback_note),
            _cell(notes_text(view)),
            clock.cell(audit.created_at),
            clock.cell(audit.updated_at),
            _cell(other_fields(audit)),
        )
    )


def _sections_of(cols: Sequence[ExportColumn]) -> Callable[[View, ParisClock], str]:
    """Section columns' cells, joined."""
    parts = [c.section for c in cols if c.section is not None]

    def cells(view: View, _clock: ParisClock) -> str:
        sections = view.sections
        out = []
        for sid, part in parts:
            result = sections.get(sid)
            out.append("" if result is None else str(int(getattr(result, part))))
        return DELIMITER.join(out)

    return cells


def _questions_of(cols: Sequence[ExportColumn]) -> Callable[[View, ParisClock], str]:
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

    def cells(view: View, _clock: ParisClock) -> str:
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
_Piece = Callable[[View, ParisClock], str]


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
    clock = ParisClock()
    return lambda view: DELIMITER.join([piece(view, clock) for piece in pieces])


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
