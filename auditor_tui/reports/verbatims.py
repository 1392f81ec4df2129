"""The verbatims (headless): the auditors' notes gathered per question across audits, « tous
les verbatims… sont analysés ». Every audit the filters keep gives its notes, counted or not
(a note is what was heard, whatever the audit's state); pseudonymised outputs leave them out.
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import IO

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


class _Places:
    """Where a row's notes go among the verbatims: its wave in time order, its dealer's name
    (case and accents ignored), its call, its id; and each question of a grid in order
    (a note on no question of the grid after them, by id)."""

    def __init__(self) -> None:
        self._waves: dict[str, tuple[Quarter, str]] = {}
        self._names: dict[str, str] = {}
        self._grids: dict[str, tuple[Grid, dict[str, int]]] = {}

    def row(self, row: AuditRow) -> tuple[tuple[Quarter, str], str, datetime, str]:
        wave = self._waves.get(row.wave) or self._waves.setdefault(row.wave, wave_key(row.wave))
        name = self._names.get(row.dealer) or self._names.setdefault(row.dealer, fold(row.dealer))
        return wave, name, row.call_at, row.id

    def question(self, grid_id: str, qid: str) -> tuple[int, str]:
        order = self.grid(grid_id)[1]
        return order.get(qid, len(order)), qid

    def grid(self, grid_id: str) -> tuple[Grid, dict[str, int]]:
        known = self._grids.get(grid_id)
        if known is None:
            grid = load_grid(grid_id)
            known = self._grids[grid_id] = (grid, {q: n for n, q in enumerate(grid.question_ids)})
        return known

    def verbatim(self, row: AuditRow, key: tuple[int, str], note: str) -> Verbatim:
        grid, order = self.grid(row.questionnaire)
        n, qid = key
        text = grid.question(qid).text if n < len(order) else ""
        return Verbatim(
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


def iter_verbatims(rows: Iterable[AuditRow]) -> Iterator[Verbatim]:
    """Every note the rows carry, grouped by question in grid order, then by wave, dealer
    and call; made as they are read, a question at a time (the rows put in order once)."""
    places = _Places()
    ordered = sorted((r for r in rows if r.notes), key=places.row)
    keys = {places.question(r.questionnaire, qid) for r in ordered for qid in r.notes}
    for key in sorted(keys):
        for row in ordered:
            note = row.notes.get(key[1])
            if note is not None and places.question(row.questionnaire, key[1]) == key:
                yield places.verbatim(row, key, note)


def verbatims(rows: Iterable[AuditRow]) -> list[Verbatim]:
    """Every note of `rows`, grouped by question in grid order, then by wave, dealer and call
    (`iter_verbatims`, all at once: `build_report` of audits given in memory; the rows of the
    report's cache carry no notes, the commands and the report screen use a `NoteSpill`)."""
    return list(iter_verbatims(rows))


class NoteSpill:
    """Notes set aside on disk until every row is known, then given back as verbatims a
    question at a time: the verbatims of 100,000 audits (half a million notes) without
    holding them all (docs/performance.md). A temporary file per question, private and
    nameless (removed as soon as made: nothing left behind, even by a process killed; the
    notes may name people), closed at `close`."""

    def __init__(self) -> None:
        self._files: dict[tuple[int, str], IO[str]] = {}
        self._counts: dict[str, int] = {}  # audit id → its notes set aside
        self._places = _Places()
        self._lock = threading.Lock()  # one reader at a time (the report screen's workers)
        self.closed = False
        self._encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

    def __enter__(self) -> NoteSpill:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def add(self, row: AuditRow, notes: Mapping[str, str]) -> None:
        """The notes of `row`'s audit (non-empty ones: as `AuditRow.notes`)."""
        if notes:
            self._counts[row.id] = len(notes)
        for qid, note in notes.items():
            key = self._places.question(row.questionnaire, qid)
            spilled = self._files.get(key)
            if spilled is None:
                # Open as long as the spill: closed by `clear`.
                spilled = tempfile.TemporaryFile(  # noqa: SIM115
                    "w+", encoding="utf-8", newline="\n", prefix="auditor-tui-verbatims-"
                )
                self._files[key] = spilled
            spilled.write(self._encode([row.id, note]) + "\n")

    def clear(self) -> None:
        """Forget every note added (a cache found damaged after some were given)."""
        for spilled in self._files.values():
            spilled.close()
        self._files.clear()
        self._counts.clear()

    def verbatims(self, rows: Iterable[AuditRow]) -> Iterator[Verbatim]:
        """The notes added of `rows` (the others left out) as `iter_verbatims` orders them,
        one question's notes in memory at a time."""
        ordered = sorted(rows, key=self._places.row)
        rank = {row.id: n for n, row in enumerate(ordered)}
        for key in sorted(self._files):
            spilled = self._files[key]
            spilled.flush()
            spilled.seek(0)
            found: list[tuple[int, str]] = []
            for line in spilled:
                audit_id, note = json.loads(line)
                n = rank.get(audit_id)
                if n is not None:
                    found.append((n, note))
            found.sort()
            for n, note in found:
                yield self._places.verbatim(ordered[n], key, note)
            del found

    def count(self, rows: Iterable[AuditRow]) -> int:
        """How many notes of `rows` were added: the verbatims they give."""
        counts = self._counts
        return sum([counts.get(row.id, 0) for row in rows])

    def first(self, rows: Iterable[AuditRow], limit: int) -> list[Verbatim]:
        """The first `limit` verbatims of `rows` (the report screen's: only the questions they
        come from read), none once closed; safe from several threads."""
        with self._lock:
            return [] if self.closed else list(islice(self.verbatims(rows), limit))

    def close(self) -> None:
        """The notes set aside removed (once a reader of `first` is done)."""
        with self._lock:
            self.closed = True
            self.clear()
