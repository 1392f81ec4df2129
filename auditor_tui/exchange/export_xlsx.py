"""XLSX export: « Audits » (the CSV's columns, typed), « Réponses » (one row per audit and
question, going on in « Réponses (2) »… past Excel's 1,048,576 rows), « Concessionnaires » (a
summary per dealer) and « Verbatims » (the notes, question by question, as `report --table
verbatims`). Numbers are numbers, instants are Europe/Paris date-times. Written by the
streaming writer of xlsx_writer.py as the audits are read: twice, the « Audits » sheet and
then « Réponses », one audit at a time (docs/performance.md).
"""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import IO, Any, Protocol, TypeVar

from auditor_tui.domain.grid import Grid, Question
from auditor_tui.domain.periods import PARIS, Quarter, call_moment, paris_time
from auditor_tui.domain.record import Audit, now_utc
from auditor_tui.domain.scoring import is_applicable
from auditor_tui.exchange import xlsx_writer
from auditor_tui.exchange.audit_table import Answer, AnswerCells, ExportColumn, View, columns
from auditor_tui.exchange.export import check_exportable, in_export_order
from auditor_tui.exchange.xlsx_writer import Sheet, cell, column_letter, write_workbook
from auditor_tui.reports.compact import shared
from auditor_tui.reports.figures import dealer_summaries
from auditor_tui.reports.rows import AuditRow, audit_notes, row_of
from auditor_tui.reports.verbatims import VERBATIM_COLUMNS, NoteSpill

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


class _AnswerRows:
    """The « Réponses » rows of each audit, made as text (xlsx_writer.cell): an audit's own
    cells once per audit, each question's with its answer once per distinct answer (ten
    thousand audits repeat a few hundred), so a row costs a join, not fifteen cells."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, str, bool, str | None], str] = {}

    def rows(self, view: View) -> Iterator[str]:
        audit = view.audit
        head = "".join(
            [
                cell(column, value)
                for column, value in zip(
                    "ABCDE",
                    (
                        audit.id,
                        audit.dealer.id,
                        audit.dealer.name,
                        str(Quarter.of(call_moment(audit))),
                        paris_time(audit.call.started_at),
                    ),
                    strict=True,
                )
            ]
        )
        transferred = audit.call.transferred
        grid_key = id(view.grid)
        for section in view.grid.sections:
            for q in section.questions:
                answer = view.answers.get(q.id)
                key = (grid_key, q.id, transferred, None if answer is None else answer.options)
                middle = self._known.get(key)
                if middle is None:
                    middle = self._known[key] = self._middle(section.title, q, transferred, answer)
                note = audit.notes.get(q.id) or None
                yield head + middle + (cell("O", note) if note else "")

    @staticmethod
    def _middle(title: str, q: Question, transferred: bool, answer: Answer | None) -> str:
        values = (
            title,
            q.id,
            q.number,
            q.text,
            is_applicable(q, transferred),
            None if answer is None else answer.options,
            None if answer is None else answer.labels,
            answer.points if answer is not None and q.scored else None,
            q.max_points,
        )
        return "".join([cell(c, v) for c, v in zip("FGHIJKLMN", values, strict=True)])


class _AuditCells:
    """An audit's « Audits » row as cells made ahead of their row number (xlsx_writer.cell):
    each column's own, but a question's run of columns (points, options, labels) made once
    per distinct answer, as the « Réponses » rows are: three cells in five of a row."""

    def __init__(self, cols: Sequence[ExportColumn]) -> None:
        self._parts: list[tuple[Callable[[View], Any], str, bool] | _QuestionCells] = []
        for n, c in enumerate(cols, start=1):
            letter = column_letter(n)
            last = self._parts[-1] if self._parts else None
            if c.question is None:
                self._parts.append((c.get, letter, c.key == "percent"))
            elif isinstance(last, _QuestionCells) and last.qid == c.question[0]:
                last.run.append((c.question[1], letter))
            else:
                self._parts.append(_QuestionCells(c.question[0], [(c.question[1], letter)]))

    def row(self, view: View) -> str:
        out = []
        for part in self._parts:
            if isinstance(part, _QuestionCells):
                out.append(part.cells(view))
            else:
                get, column, decimal = part
                out.append(cell(column, get(view), decimal))
        return "".join(out)


class _QuestionCells:
    """One question's run of columns as cells, by answer: AnswerCells makes each distinct
    answer once, so the answer itself is the key (kept with its cells)."""

    def __init__(self, qid: str, run: list[tuple[int, str]]) -> None:
        self.qid = qid
        self.run = run  # (the Answer's index: points, options, labels; the column's letter)
        self._known: dict[int, tuple[Answer, str]] = {}

    def cells(self, view: View) -> str:
        answer = view.answers.get(self.qid)
        if answer is None:
            return ""
        known = self._known.get(id(answer))
        if known is None or known[0] is not answer:
            text = "".join([cell(letter, answer[index]) for index, letter in self.run])
            known = self._known[id(answer)] = (answer, text)
        return known[1]


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


def _verbatim_rows(rows: Sequence[AuditRow], spill: NoteSpill) -> Iterable[str]:
    """The notes of the audits exported (none once pseudonymised: their notes are removed),
    set aside on disk as the audits were read and made as the sheet is written, a question
    at a time (half a million at 100,000 audits). Each row made as cells ahead of its number
    (`cell`), the question's two and the audit's five made once for all its notes."""
    questions: dict[tuple[str, str], str] = {}
    audits: dict[tuple[Any, ...], str] = {}
    for v in spill.verbatims(rows):
        question = questions.get((v.question, v.text))
        if question is None:
            question = questions[(v.question, v.text)] = cell("A", v.question) + cell("B", v.text)
        key = (v.wave, v.dealer_key, v.dealer, v.service, v.auditor)
        audit = audits.get(key)
        if audit is None:
            if len(audits) >= 10_000:  # waves × dealers × services × auditors: a few thousand
                audits.clear()
            audit = audits[key] = "".join(
                [
                    cell(column, value)
                    for column, value in zip(
                        "CDEFG",
                        (v.wave, v.dealer_key, v.dealer, v.service, v.auditor or None),
                        strict=True,
                    )
                ]
            )
        called = v.call_at.astimezone(PARIS).replace(tzinfo=None)
        yield question + audit + cell("H", v.audit_id) + cell("I", called) + cell("J", v.note)


_NO_QUESTIONS: dict[str, tuple[int, int]] = {}
T = TypeVar("T")
Seen = tuple[AuditRow, Mapping[str, str]]  # an audit as the last sheets see it, and its notes


def _dealer_row(audit: Audit) -> AuditRow:
    """The audit as the dealer summary and the verbatims see it, without its questions,
    sections and notes (kept for every audit until the last sheets: a few hundred bytes each;
    the notes wait on disk, NoteSpill)."""
    row = row_of(audit, notes=False, scored=False)
    return dataclasses.replace(row, questions=_NO_QUESTIONS, sections=())


class Chunked(Protocol):
    """How the audits come to be written: `make` is given each chunk's audits, in export
    order, and what it makes of them comes back in order (made by another process, perhaps:
    parallel.py). Called once for each pass over the audits."""

    def __call__(self, make: Callable[[Iterable[Audit]], T]) -> Iterable[T]: ...


def _reshared(row: AuditRow) -> AuditRow:
    """A row made by another process, its repeated texts shared again (compact.py): they are
    kept for every audit until the last sheets."""
    return dataclasses.replace(
        row,
        dealer_key=shared(row.dealer_key),
        dealer=shared(row.dealer),
        city=shared(row.city),
        auditor=shared(row.auditor),
        questionnaire=shared(row.questionnaire),
        status=shared(row.status),
        wave=shared(row.wave),
    )


def write_xlsx(
    chunked: Chunked,
    grids: Sequence[Grid],
    out: IO[bytes],
    max_rows: int | None = None,
    now: datetime | None = None,
) -> list[str]:
    """The workbook of the audits `chunked` gives, in export order, made with `grids`, into
    `out`. The audits are gone through twice (« Audits », then « Réponses »): each audit is
    made into its rows as it comes, as cells made ahead of their row number (`cell`), which
    can be made by another process. ExportError for an audit that cannot leave (part of the
    file written: the caller drops it). `max_rows`: rows a sheet holds (Excel's, by default);
    `now`: what a deadline still open is judged at (the wall clock by default). Returns the
    titles of the sheets written."""
    moment = now or now_utc()
    cols = columns(grids)
    row_of_view = _AuditCells(cols).row
    cells = AnswerCells()
    dealers: list[AuditRow] = []
    spill = NoteSpill()

    def audit_cells(audits: Iterable[Audit]) -> tuple[list[str], list[Seen], int]:
        rows: list[str] = []
        seen: list[Seen] = []
        for audit in audits:
            check_exportable(audit)
            view = View.of(audit, moment, cells)
            seen.append((_dealer_row(audit), audit_notes(audit)))
            rows.append(row_of_view(view))
        return rows, seen, os.getpid()

    def audit_rows() -> Iterator[str]:
        here = os.getpid()
        for rows, seen, maker in chunked(audit_cells):
            for row, notes in seen:
                dealers.append(row if maker == here else _reshared(row))
                if notes:
                    spill.add(row, notes)
            yield from rows

    answers = _AnswerRows()

    def answer_cells(audits: Iterable[Audit]) -> list[str]:
        return [row for audit in audits for row in answers.rows(View.of(audit, moment, cells))]

    def answer_rows() -> Iterator[str]:
        for rows in chunked(answer_cells):
            yield from rows

    with spill:
        sheets = write_workbook(
            [
                Sheet("Audits", [c.key for c in cols], audit_rows(), decimal=("percent",)),
                Sheet("Réponses", ANSWER_COLUMNS, answer_rows()),
                # Generators: the dealers are summed when the sheet is written, after « Audits ».
                Sheet(
                    "Concessionnaires", DEALER_COLUMNS, _dealer_rows(dealers), ("average_percent",)
                ),
                Sheet("Verbatims", VERBATIM_COLUMNS, _verbatim_rows(dealers, spill)),
            ],
            out,
            max_rows or xlsx_writer.MAX_ROWS,
        )
    return [sheet.title for sheet in sheets]


def xlsx_bytes(
    audits: Iterable[Audit], now: datetime | None = None, max_rows: int | None = None
) -> bytes:
    """The workbook of the audits, sorted into export order, every one checked first."""
    ordered = in_export_order(audits)
    for audit in ordered:
        check_exportable(audit)
    grids = list({a.questionnaire: a.grid for a in ordered}.values())
    buffer = io.BytesIO()
    write_xlsx(lambda make: [make(ordered)], grids, buffer, max_rows, now)
    return buffer.getvalue()
