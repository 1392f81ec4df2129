"""The audits as a table (one row per audit, columns named from the grid) and its CSV form for
Excel in France: UTF-8 with BOM, `;` separator, decimal comma, Europe/Paris times.

The columns are documented in docs/export-columns.md; the XLSX export reuses them.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any, NamedTuple

from auditor_tui.domain.grid import Grid, Question
from auditor_tui.domain.labels import final_stars
from auditor_tui.domain.record import Audit, DealerRef, parse_instant
from auditor_tui.domain.scoring import Score, SectionScore, is_applicable, question_points
from auditor_tui.exchange.export import check_exportable, in_export_order
from auditor_tui.reports.figures import PARIS, Quarter, call_instant, call_moment, paris_time
from auditor_tui.text.safe_text import GUARDED_STARTS, formula_guard

BOM = "\ufeff"
DELIMITER = ";"


class Answer(NamedTuple):
    """One answered, applicable question as its columns show it: the points, the positions of
    the options chosen (joined by « | ») and their labels; `csv`: the same three as CSV cells;
    `line`: those cells as the CSV file has them (quoted if need be, joined by `;`)."""

    points: int
    options: str
    labels: str
    csv: tuple[str, str, str]
    line: str


PARTS = {"points": 0, "options": 1, "labels": 2}


_Seen = tuple[Question, dict[tuple[int, ...], Answer]]  # a question, its answers already made


class AnswerCells:
    """Each distinct answer's cells, made once: ten thousand audits repeat a few hundred
    (question, options) pairs, so an export formats each pair once, not once per audit."""

    def __init__(self) -> None:
        # Per grid object (kept, so its id stays its own) and transfer: each applicable
        # question with the answers already seen.
        self._known: dict[tuple[int, bool], tuple[Grid, dict[str, _Seen]]] = {}

    def answers(
        self, grid: Grid, transferred: bool, given: Mapping[str, Sequence[int]]
    ) -> dict[str, Answer]:
        """The answered questions of `given` that apply, as their cells."""
        known = self._known.get((id(grid), transferred))
        if known is None:
            applicable: dict[str, _Seen] = {
                q.id: (q, {}) for q in grid.questions() if is_applicable(q, transferred)
            }
            known = self._known[(id(grid), transferred)] = (grid, applicable)
        applicable = known[1]
        out: dict[str, Answer] = {}
        for qid, chosen in given.items():
            entry = applicable.get(qid)
            if entry is None or not chosen:
                continue
            question, seen = entry
            positions = tuple(chosen)
            answer = seen.get(positions)
            if answer is None:
                answer = seen[positions] = _answer(question, positions)
            out[qid] = answer
        return out


def _answer(question: Question, chosen: tuple[int, ...]) -> Answer:
    points = question_points(question, chosen)
    options = "|".join(str(p) for p in chosen)
    labels = " | ".join(question.option(p).label for p in chosen)
    cells = (str(points), csv_cell(options, "text"), csv_cell(labels, "text"))
    return Answer(points, options, labels, cells, DELIMITER.join([_quoted(c) for c in cells]))


@dataclass(frozen=True)
class View:
    """One audit with what its columns are computed from: scored once; `answers`: each
    answered, applicable question; `sections`: each section's score, by section id."""

    audit: Audit
    grid: Grid
    score: Score
    answers: Mapping[str, Answer]
    sections: Mapping[str, SectionScore]

    @classmethod
    def of(cls, audit: Audit, cells: AnswerCells | None = None) -> View:
        """`cells`: shared by the views of one export (see `views`)."""
        cells = cells if cells is not None else AnswerCells()
        grid = audit.grid
        answers = cells.answers(grid, audit.call.transferred, audit.answers)
        score = audit.score()
        sections = {s.id: r for s, r in zip(grid.sections, score.sections, strict=True)}
        return cls(audit, grid, score, answers, sections)


def views(audits: Iterable[Audit]) -> list[View]:
    """The audits' views, in export order."""
    cells = AnswerCells()
    ordered = in_export_order(audits)
    for audit in ordered:
        check_exportable(audit)
    return [View.of(a, cells) for a in ordered]


@dataclass(frozen=True)
class ExportColumn:
    key: str
    kind: str  # text | int | float | bool | instant
    get: Callable[[View], Any]
    # The CSV cell, where one is at hand cheaper than csv_cell(get(view), kind).
    text: Callable[[View], str] | None = None
    # What a grid's column shows: (section id, "points" | "max") or (question id, PARTS index).
    section: tuple[str, str] | None = None
    question: tuple[str, int] | None = None

    def csv_getter(self) -> Callable[[View], str]:
        if self.text is not None:
            return self.text
        get, fmt = self.get, CSV_FORMATS[self.kind]
        return lambda view: fmt(get(view))


def _phone(view: View) -> str:
    return national_phone(view.audit.dealer.phone)


@functools.lru_cache(maxsize=1024)
def national_phone(e164: str) -> str:
    """« 03 53 01 20 01 » for +33353012001 (a few dozen dealers: each is formatted once)."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))


def _notes(view: View) -> str:
    return " | ".join([f"Q{qid} : {text}" for qid, text in view.audit.notes.items() if text])


def other_fields(audit: Audit) -> str | None:
    """The fields the columns do not show (the contract's optional `service`, `wave`,
    `planned`, `history`, and those this version does not know) as one compact JSON object,
    as in the JSON Lines record; None when there are none."""
    if not audit.extra:
        return None
    from auditor_tui.exchange.jsonl import encode_record

    return encode_record(audit.extra)


def _section(sid: str, part: str) -> Callable[[View], int | None]:
    def get(view: View) -> int | None:
        result = view.sections.get(sid)
        return None if result is None else int(getattr(result, part))

    return get


def question_column(qid: str, part: str, kind: str) -> ExportColumn:
    """One question's `points`, `options` or `labels`: empty when the question is unanswered,
    not applicable or not in the audit's grid."""
    index = PARTS[part]

    def get(view: View) -> Any:
        answer = view.answers.get(qid)
        return None if answer is None else answer[index]

    def text(view: View) -> str:
        answer = view.answers.get(qid)
        return "" if answer is None else answer.csv[index]

    return ExportColumn(f"q{qid}_{part}", kind, get, text, question=(qid, index))


def _deadline(name: str) -> Callable[[View], datetime | None]:
    return lambda v: paris_time((v.audit.deadlines or {}).get(name))


HEAD: tuple[ExportColumn, ...] = (
    ExportColumn("id", "text", lambda v: v.audit.id),
    ExportColumn("revision", "int", lambda v: v.audit.revision),
    ExportColumn("questionnaire", "text", lambda v: v.audit.questionnaire),
    ExportColumn("status", "text", lambda v: v.audit.status),
    ExportColumn("outcome", "text", lambda v: v.score.outcome),
    ExportColumn("auditor", "text", lambda v: v.audit.auditor),
    ExportColumn("dealer_id", "text", lambda v: v.audit.dealer.id),
    ExportColumn("dealer", "text", lambda v: v.audit.dealer.name),
    ExportColumn("dealer_city", "text", lambda v: v.audit.dealer.city),
    ExportColumn("dealer_department", "text", lambda v: v.audit.dealer.department),
    ExportColumn("dealer_country", "text", lambda v: v.audit.dealer.country),
    ExportColumn("dealer_phone", "text", _phone),
    ExportColumn("quarter", "text", lambda v: str(Quarter.of(call_moment(v.audit)))),
    ExportColumn("call_started_at", "instant", lambda v: paris_time(v.audit.call.started_at)),
    ExportColumn("call_ended_at", "instant", lambda v: paris_time(v.audit.call.ended_at)),
    ExportColumn("attempts", "int", lambda v: len(v.audit.call.attempts)),
    ExportColumn("transferred", "bool", lambda v: v.audit.call.transferred),
    ExportColumn("transfer_seconds", "float", lambda v: v.audit.call.transfer_seconds),
    ExportColumn("points", "int", lambda v: v.score.points),
    ExportColumn("max", "int", lambda v: v.score.max),
    ExportColumn("percent", "float", lambda v: v.score.percent),
    ExportColumn("stars", "int", lambda v: final_stars(v.audit.status, v.score.stars)),
)

FOLLOW_UP: tuple[ExportColumn, ...] = (
    ExportColumn("email_deadline", "instant", _deadline("email")),
    ExportColumn(
        "email_received_at", "instant", lambda v: paris_time(v.audit.follow_up.email_received_at)
    ),
    ExportColumn("callback_deadline", "instant", _deadline("callback")),
    ExportColumn("callback_at", "instant", lambda v: paris_time(v.audit.follow_up.callback_at)),
    ExportColumn("callback_method", "text", lambda v: v.audit.follow_up.callback_method),
)

TAIL: tuple[ExportColumn, ...] = (
    ExportColumn("receptionist_name", "text", lambda v: v.audit.call.receptionist_name),
    ExportColumn("advisor_name", "text", lambda v: v.audit.call.advisor_name),
    ExportColumn("callback_note", "text", lambda v: v.audit.follow_up.callback_note),
    ExportColumn("notes", "text", _notes),
    ExportColumn("created_at", "instant", lambda v: paris_time(v.audit.created_at)),
    ExportColumn("updated_at", "instant", lambda v: paris_time(v.audit.updated_at)),
    ExportColumn("other_fields", "text", lambda v: other_fields(v.audit)),
)


def section_columns(grid: Grid) -> list[ExportColumn]:
    """Each section's points and applicable maximum."""
    out: list[ExportColumn] = []
    for section in grid.sections:
        sid = section.id
        for part in ("points", "max"):
            get = _section(sid, part)
            out.append(ExportColumn(f"section_{sid}_{part}", "int", get, section=(sid, part)))
    return out


def question_columns(grid: Grid) -> list[ExportColumn]:
    """Per question, in grid order: its points (scored questions only), the positions of the
    options chosen and their labels."""
    out: list[ExportColumn] = []
    for q in grid.questions():
        if q.scored:
            out.append(question_column(q.id, "points", "int"))
        out.append(question_column(q.id, "options", "text"))
        out.append(question_column(q.id, "labels", "text"))
    return out


def _union(grids: Sequence[Grid], make: Callable[[Grid], list[ExportColumn]]) -> list[ExportColumn]:
    out: dict[str, ExportColumn] = {}
    for grid in sorted(grids, key=lambda g: (g.year, g.id)):
        for column in make(grid):
            out.setdefault(column.key, column)
    return list(out.values())


def columns(grids: Sequence[Grid]) -> list[ExportColumn]:
    """Every column for audits made with these grids (a later grid only adds new names)."""
    return [
        *HEAD,
        *_union(grids, section_columns),
        *FOLLOW_UP,
        *_union(grids, question_columns),
        *TAIL,
    ]


def _columns_of(views: Sequence[View]) -> list[ExportColumn]:
    grids = {v.grid.id: v.grid for v in views}
    return columns(list(grids.values()))


def view_table(views: Sequence[View]) -> tuple[list[ExportColumn], list[list[Any]]]:
    """The columns and one row of typed values per audit (None: empty cell)."""
    cols = _columns_of(views)
    getters = [c.get for c in cols]
    return cols, [[get(v) for get in getters] for v in views]


def table(audits: Iterable[Audit]) -> tuple[list[ExportColumn], list[list[Any]]]:
    """The same, from audits, in export order."""
    return view_table(views(audits))


def _text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return formula_guard(text)


def _int(value: Any) -> str:
    return "" if value is None else str(value)


def _float(value: Any) -> str:
    return "" if value is None else str(float(value)).replace(".", ",")


def _bool(value: Any) -> str:
    return "" if value is None else "oui" if value else "non"


def _instant(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.year < 1000:  # isoformat pads the year, strftime does not
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat(" ", "seconds")  # the same, five times quicker


# Each kind's CSV form; None is an empty cell.
CSV_FORMATS: Mapping[str, Callable[[Any], str]] = {
    "text": _text,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "instant": _instant,
}


def csv_cell(value: Any, kind: str) -> str:
    """A typed value as Excel in France reads it."""
    return CSV_FORMATS[kind](value)


# ---- the CSV text, row by row ----------------------------------------------------------------
#
# The cells of a row are defined by the columns' getters (also the XLSX's), and the csv module
# would quote them. The CSV is written by a quicker, equivalent path (tests/test_export_csv_lines.py
# holds both to the same bytes): the fixed columns of a row made in one call, each text cell
# quoted as the csv module quotes it, each question's cells taken already joined and quoted.


def _quoted(text: str) -> str:
    """`text` as the csv module writes it with `;` (quotes only around what needs them)."""
    if DELIMITER in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _cell(value: Any) -> str:
    """A text cell as written: `_text`, then quoted if need be."""
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
        start = _instant(paris_time(utc_hour + ":00:00+00:00"))
        end = _instant(paris_time(utc_hour + ":59:59+00:00"))
        quarter = str(Quarter.of(parse_instant(utc_hour + ":00:00+00:00")))
    except (ValueError, OverflowError):
        return None
    local = start[:-6]
    if start != local + ":00:00" or end != local + ":59:59":
        return None
    return local, quarter


class ParisClock:
    """Stored instants as the CSV's Paris wall-clock cells, the same as
    `_instant(paris_time(text))`, and quarters as `Quarter.of(call_moment(audit))`. An instant
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
        return _instant(local)[:-6], quarter

    def cell(self, text: str | None) -> str:
        if not text:
            return ""
        hour = self._hour(text)
        return _instant(paris_time(text)) if hour is None else hour[0] + text[13:19]

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
    return DELIMITER.join(
        (
            _cell(audit.id),
            _int(audit.revision),
            _cell(audit.questionnaire),
            _cell(audit.status),
            _cell(score.outcome),
            _cell(audit.auditor),
            _dealer(dealer),
            clock.quarter(audit),
            clock.cell(call.started_at),
            clock.cell(call.ended_at),
            _int(len(call.attempts)),
            _bool(call.transferred),
            _float(call.transfer_seconds),
            _int(score.points),
            _int(score.max),
            _float(score.percent),
            _int(final_stars(audit.status, score.stars)),
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
            clock.cell(deadlines.get("callback")),
            clock.cell(follow_up.callback_at),
            _cell(follow_up.callback_method),
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
            _cell(_notes(view)),
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
                out.append(DELIMITER.join([_quoted(answer.csv[i]) for i in parts]))
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


def write_csv(audits: Iterable[Audit], out: IO[str]) -> int:
    """Write the CSV (BOM first); returns the number of audits."""
    ordered = views(audits)
    cols = _columns_of(ordered)
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([c.key for c in cols])
    line = line_maker(cols)
    if line is not None:
        out.write("".join([line(view) + "\r\n" for view in ordered]))
    else:
        texts = [c.csv_getter() for c in cols]
        writer.writerows([text(v) for text in texts] for v in ordered)
    return len(ordered)
