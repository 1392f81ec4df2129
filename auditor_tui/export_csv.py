"""The audits as a table (one row per audit, columns named from the grid) and its CSV form for
Excel in France: UTF-8 with BOM, `;` separator, decimal comma, Europe/Paris times.

The columns are documented in docs/export-columns.md; the XLSX export reuses them.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from auditor_tui.exchange import in_export_order
from auditor_tui.grid import Grid, Question
from auditor_tui.record import Audit
from auditor_tui.reports import Quarter, call_moment, paris_time
from auditor_tui.scoring import Score, is_applicable, question_points

BOM = "\ufeff"
DELIMITER = ";"
# Cells Excel would read as a formula; a text cell starting so gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class View:
    """One audit with what its columns are computed from (scored once; each answered,
    applicable question as {"points", "options", "labels"})."""

    audit: Audit
    grid: Grid
    score: Score
    answers: Mapping[str, Mapping[str, Any]]

    @classmethod
    def of(cls, audit: Audit) -> View:
        grid = audit.grid
        answers = {}
        for qid, chosen in audit.answers.items():
            if not chosen or not grid.has_question(qid):
                continue
            question = grid.question(qid)
            if is_applicable(question, audit.call.transferred):
                answers[qid] = _answer(question, chosen)
        return cls(audit, grid, audit.score(), answers)


def _answer(question: Question, chosen: list[int]) -> dict[str, Any]:
    return {
        "points": question_points(question, chosen),
        "options": "|".join(str(p) for p in chosen),
        "labels": " | ".join(question.option(p).label for p in chosen),
    }


@dataclass(frozen=True)
class ExportColumn:
    key: str
    kind: str  # text | int | float | bool | instant
    get: Callable[[View], Any]


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
    return " | ".join(f"Q{qid} : {text}" for qid, text in view.audit.notes.items() if text)


def _section(sid: str, part: str) -> Callable[[View], int | None]:
    def get(view: View) -> int | None:
        for section, result in zip(view.grid.sections, view.score.sections, strict=True):
            if section.id == sid:
                return int(getattr(result, part))
        return None

    return get


def question_value(view: View, qid: str, part: str) -> Any:
    """One question of an audit: its `points`, its `options` (positions joined by « | ») or
    its `labels`; None when the question is unanswered, not applicable or not in the grid."""
    answer = view.answers.get(qid)
    return None if answer is None else answer[part]


def _question(qid: str, part: str) -> Callable[[View], Any]:
    return lambda view: question_value(view, qid, part)


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
    ExportColumn("stars", "int", lambda v: v.score.stars),
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
)


def section_columns(grid: Grid) -> list[ExportColumn]:
    """Each section's points and applicable maximum."""
    out: list[ExportColumn] = []
    for section in grid.sections:
        sid = section.id
        out.append(ExportColumn(f"section_{sid}_points", "int", _section(sid, "points")))
        out.append(ExportColumn(f"section_{sid}_max", "int", _section(sid, "max")))
    return out


def question_columns(grid: Grid) -> list[ExportColumn]:
    """Per question, in grid order: its points (scored questions only), the positions of the
    options chosen and their labels."""
    out: list[ExportColumn] = []
    for q in grid.questions():
        if q.scored:
            out.append(ExportColumn(f"q{q.id}_points", "int", _question(q.id, "points")))
        out.append(ExportColumn(f"q{q.id}_options", "text", _question(q.id, "options")))
        out.append(ExportColumn(f"q{q.id}_labels", "text", _question(q.id, "labels")))
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


def view_table(views: Sequence[View]) -> tuple[list[ExportColumn], list[list[Any]]]:
    """The columns and one row of typed values per audit (None: empty cell)."""
    grids = {v.grid.id: v.grid for v in views}
    cols = columns(list(grids.values()))
    return cols, [[c.get(v) for c in cols] for v in views]


def table(audits: Iterable[Audit]) -> tuple[list[ExportColumn], list[list[Any]]]:
    """The same, from audits, in export order."""
    return view_table([View.of(a) for a in in_export_order(audits)])


def csv_cell(value: Any, kind: str) -> str:
    """A typed value as Excel in France reads it."""
    if value is None:
        return ""
    if kind == "bool":
        return "oui" if value else "non"
    if kind == "float":
        return str(float(value)).replace(".", ",")
    if kind == "instant":
        return value.strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[no-any-return]
    text = str(value)
    if kind == "text" and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def write_csv(audits: Iterable[Audit], out: IO[str]) -> int:
    """Write the CSV (BOM first); returns the number of audits."""
    cols, rows = table(audits)
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([c.key for c in cols])
    for row in rows:
        writer.writerow([csv_cell(v, c.kind) for v, c in zip(row, cols, strict=True)])
    return len(rows)
