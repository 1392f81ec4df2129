"""The audits as a table: one row per audit, its columns named from the grid (documented in
docs/export-columns.md), each cell typed, and each type's CSV form for Excel in France (`;`
separator, decimal comma, Europe/Paris times). The CSV (export_csv.py) and the XLSX
(export_xlsx.py) are written from it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from auditor_tui.domain.evidence import in_time_pair
from auditor_tui.domain.grid import Grid, Question
from auditor_tui.domain.history import last_reopen_reason, reopen_count
from auditor_tui.domain.labels import final_stars
from auditor_tui.domain.periods import Quarter, call_moment, paris_time
from auditor_tui.domain.record import Audit, now_utc
from auditor_tui.domain.scoring import Score, SectionScore, is_applicable, question_points
from auditor_tui.domain.waves import audit_wave
from auditor_tui.exchange.export import check_exportable, in_export_order
from auditor_tui.text.french import number_text
from auditor_tui.text.safe_text import formula_guard

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
    return Answer(points, options, labels, cells, DELIMITER.join([quoted(c) for c in cells]))


@dataclass(frozen=True)
class View:
    """One audit with what its columns are computed from: scored once; `answers`: each
    answered, applicable question; `sections`: each section's score, by section id."""

    audit: Audit
    grid: Grid
    score: Score
    answers: Mapping[str, Answer]
    sections: Mapping[str, SectionScore]
    # Whether the e-mail and the call-back came in time (domain/evidence.py).
    in_time: tuple[bool | None, bool | None] = (None, None)

    @classmethod
    def of(cls, audit: Audit, now: datetime, cells: AnswerCells | None = None) -> View:
        """`now`: what a deadline still open is judged at; `cells`: shared by the views of one
        export (see `views`)."""
        cells = cells if cells is not None else AnswerCells()
        grid = audit.grid
        answers = cells.answers(grid, audit.call.transferred, audit.answers)
        score = audit.score()
        sections = {s.id: r for s, r in zip(grid.sections, score.sections, strict=True)}
        return cls(audit, grid, score, answers, sections, in_time_pair(audit, now))


def views(audits: Iterable[Audit], now: datetime | None = None) -> list[View]:
    """The audits' views, in export order; `now`: the wall clock by default."""
    cells = AnswerCells()
    now = now or now_utc()
    ordered = in_export_order(audits)
    for audit in ordered:
        check_exportable(audit)
    return [View.of(a, now, cells) for a in ordered]


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


def notes_text(view: View) -> str:
    return " | ".join([f"Q{qid} : {text}" for qid, text in view.audit.notes.items() if text])


def planned_date(audit: Audit) -> str | None:
    """The day the plan gave the call, « 2027-01-12 »."""
    day = (audit.planned or {}).get("date")
    return day if isinstance(day, str) else None


def planned_window(audit: Audit) -> str | None:
    """The time window the plan gave the call, « 10:00-11:00 »."""
    window = (audit.planned or {}).get("window")
    return "-".join(window) if isinstance(window, list) else None


def other_fields(audit: Audit) -> str | None:
    """The fields the columns do not show (those this version does not know) as one compact
    JSON object, as in the JSON Lines record; None when there are none."""
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
    ExportColumn("wave", "text", lambda v: audit_wave(v.audit)),
    ExportColumn("service", "text", lambda v: v.audit.service),
    ExportColumn("planned_date", "text", lambda v: planned_date(v.audit)),
    ExportColumn("planned_window", "text", lambda v: planned_window(v.audit)),
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
    ExportColumn("email_in_time", "bool", lambda v: v.in_time[0]),
    ExportColumn("callback_deadline", "instant", _deadline("callback")),
    ExportColumn("callback_at", "instant", lambda v: paris_time(v.audit.follow_up.callback_at)),
    ExportColumn("callback_in_time", "bool", lambda v: v.in_time[1]),
    ExportColumn("callback_method", "text", lambda v: v.audit.follow_up.callback_method),
    ExportColumn("reopened", "int", lambda v: reopen_count(v.audit)),
    ExportColumn("reopen_reason", "text", lambda v: last_reopen_reason(v.audit)),
)

TAIL: tuple[ExportColumn, ...] = (
    ExportColumn("receptionist_name", "text", lambda v: v.audit.call.receptionist_name),
    ExportColumn("advisor_name", "text", lambda v: v.audit.call.advisor_name),
    ExportColumn("callback_note", "text", lambda v: v.audit.follow_up.callback_note),
    ExportColumn("notes", "text", notes_text),
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


def columns_of(views: Sequence[View]) -> list[ExportColumn]:
    grids = {v.grid.id: v.grid for v in views}
    return columns(list(grids.values()))


def view_table(views: Sequence[View]) -> tuple[list[ExportColumn], list[list[Any]]]:
    """The columns and one row of typed values per audit (None: empty cell)."""
    cols = columns_of(views)
    getters = [c.get for c in cols]
    return cols, [[get(v) for get in getters] for v in views]


def table(
    audits: Iterable[Audit], now: datetime | None = None
) -> tuple[list[ExportColumn], list[list[Any]]]:
    """The same, from audits, in export order."""
    return view_table(views(audits, now))


def text_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return formula_guard(text)


def int_cell(value: Any) -> str:
    return "" if value is None else str(value)


def float_cell(value: Any) -> str:
    return "" if value is None else number_text(float(value), "")


def bool_cell(value: Any) -> str:
    return "" if value is None else "oui" if value else "non"


def instant_cell(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.year < 1000:  # isoformat pads the year, strftime does not
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat(" ", "seconds")  # the same, five times quicker


# Each kind's CSV form; None is an empty cell.
CSV_FORMATS: Mapping[str, Callable[[Any], str]] = {
    "text": text_cell,
    "int": int_cell,
    "float": float_cell,
    "bool": bool_cell,
    "instant": instant_cell,
}


def csv_cell(value: Any, kind: str) -> str:
    """A typed value as Excel in France reads it."""
    return CSV_FORMATS[kind](value)


def quoted(text: str) -> str:
    """`text` as the csv module writes it with `;` (quotes only around what needs them)."""
    if DELIMITER in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text
