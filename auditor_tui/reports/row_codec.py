"""A report row in the cache's form (reports/cache.py), without its notes (they have a cache
of their own, read only for the verbatims). What rows share is written once: the texts of a
row (dealer, city, auditor, grid, status, outcome, wave, quarter, service: a few hundred
combinations for 100,000 audits) are a « shape », an entry of its own (`"/<n>": [texts]`,
before the first row using it; a key no audit id can be: ids are file names), and a row
names its shape by number. What the grid already says is not written: the questions answered
are a bit mask over the grid's scored questions (their maxima come from the grid), the
sections their points and maxima only (their titles come from the grid). Small integers (the
points, as grids give them: -32 to 63) are written as one text, a character each
(`chr(value + 64)`: printable ASCII), decoded in C: half the JSON to read.

Made for 100,000 rows read in well under a second (docs/performance.md): few values to decode,
the texts shared between rows, the questions and sections of rows alike made once.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.record import format_instant
from auditor_tui.reports.compact import Points, _texts, shared, small_ints
from auditor_tui.reports.rows import NO_NOTES, AuditRow, parse_quarter, questions_of

SHAPE = "/"  # the first character of a shape's key
Shape = tuple[Any, ...]  # dealer_key, dealer, city, auditor, grid, status, outcome, wave,
#                          quarter, service

# (grid id, mask) → the questions' ids and maxima; (grid id, points and maxima) → sections.
_masks: dict[tuple[str, int], tuple[tuple[str, ...], tuple[int, ...]]] = {}
_sections: dict[tuple[Any, ...], tuple[tuple[str, int, int], ...]] = {}


def shape_of(row: AuditRow) -> Shape:
    return (
        row.dealer_key,
        row.dealer,
        row.city,
        row.auditor,
        row.questionnaire,
        row.status,
        row.outcome,
        row.wave,
        str(row.quarter),
        row.service,
    )


def encode_rows(rows: Iterable[AuditRow]) -> Iterator[tuple[str, list[Any]]]:
    """The cache's entries for `rows`: each row's values (its id the key; its notes aside),
    its shape's entry first when it is the first to use it. ValueError for a row whose
    questions are not scored questions of its grid."""
    shapes: dict[Shape, int] = {}
    for row in rows:
        shape = shape_of(row)
        number = shapes.get(shape)
        if number is None:
            number = shapes[shape] = len(shapes)
            yield f"{SHAPE}{number}", list(shape)
        yield row.id, _values(row, number)


def _values(row: AuditRow, shape: int) -> list[Any]:
    scored = questions_of(load_grid(row.questionnaire)).scored
    mask, points = 0, []
    for n, (question, _maximum) in enumerate(scored):
        pair = row.questions.get(question.id)
        if pair is not None:
            mask |= 1 << n
            points.append(pair[0])
    if len(points) != len(row.questions):
        raise ValueError(f"questions hors de la grille : {sorted(row.questions)}")
    return [
        shape,
        format_instant(row.call_at),
        row.percent,
        pack([value for _title, got, maximum in row.sections for value in (got, maximum)]),
        mask,
        pack(points),
        row.counted,
    ]


def _questions(grid_id: str, mask: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    known = _masks.get((grid_id, mask))
    if known is None:
        scored = questions_of(load_grid(grid_id)).scored
        if mask >> len(scored):
            raise ValueError(f"questions inconnues de la grille {grid_id} : {mask:b}")
        chosen = [(q.id, maximum) for n, (q, maximum) in enumerate(scored) if mask >> n & 1]
        known = _masks[(grid_id, mask)] = (
            tuple([qid for qid, _m in chosen]),
            tuple([maximum for _q, maximum in chosen]),
        )
    return known


_UNPACK = bytes((c - 64) & 0xFF for c in range(256))  # a character back to its signed byte


def pack(values: list[int]) -> str | list[int]:
    """Small integers as one text (a character each), others as they are."""
    if all(type(v) is int and -32 <= v <= 63 for v in values):
        return "".join([chr(v + 64) for v in values])
    return values


def unpack(packed: str | Sequence[int]) -> Sequence[int]:
    """`pack`'s values back, as `small_ints` keeps them (ValueError for a text `pack` did
    not make)."""
    if isinstance(packed, str):
        return array("b", packed.encode("latin-1").translate(_UNPACK))
    return small_ints(packed)


def _sections_of(grid_id: str, packed: Any) -> tuple[tuple[str, int, int], ...]:
    key = (grid_id, packed if type(packed) is str else tuple(packed))
    flat = unpack(packed)
    known = _sections.get(key)
    if known is None:
        sections = load_grid(grid_id).sections
        if len(flat) != 2 * len(sections):
            raise ValueError(f"sections de la grille {grid_id} attendues : {flat}")
        known = _sections[key] = shared(
            tuple(
                shared((section.title, flat[2 * n], flat[2 * n + 1]))
                for n, section in enumerate(sections)
            )
        )
    return known


def _shape(values: Sequence[Any]) -> Shape:
    text = _texts.setdefault
    (dk, dealer, city, auditor, grid_id, status, outcome, wave, quarter, service) = values
    for value in (dk, dealer, city, auditor, grid_id, status, outcome, wave):
        if type(value) is not str:
            raise TypeError(f"texte attendu : {value!r}")
    if service is not None and type(service) is not str:
        raise TypeError(f"service illisible : {service!r}")
    load_grid(grid_id)  # GridError (a ValueError) for a grid this code does not know
    return (
        *(text(v, v) for v in (dk, dealer, city, auditor, grid_id, status, outcome)),
        text(wave, wave),
        parse_quarter(quarter),
        None if service is None else text(service, service),
    )


def decode_rows(
    entries: Mapping[str, Sequence[Any]],
    valid: Mapping[str, Sequence[int]],
    shapes: dict[int, Shape],
) -> dict[str, AuditRow]:
    """The rows of a batch of cache entries whose tie is still the audit's (`valid[id]`: its
    revision, mtime and size, as a list: `"<id>": [*tie, *values]`), without notes. The
    shapes met are kept in `shapes` for the batches after. ValueError, TypeError, KeyError,
    IndexError for an entry this code did not write."""
    instant = datetime.fromisoformat
    masks, sections = _masks.get, _sections.get
    rows: dict[str, AuditRow] = {}
    for audit_id, entry in entries.items():
        if audit_id[:1] == SHAPE:
            shapes[int(audit_id[1:])] = _shape(entry)
            continue
        if entry[:3] != valid.get(audit_id):
            continue
        (_r, _m, _s, shape, called, percent, flat, mask, points, counted) = entry
        (dk, dealer, city, auditor, grid_id, status, outcome, wave, quarter, service) = shapes[
            shape
        ]
        keys, maxima = masks((grid_id, mask)) or _questions(grid_id, mask)
        shared_sections = (
            sections((grid_id, flat)) if type(flat) is str else None
        ) or _sections_of(grid_id, flat)
        got = unpack(points)
        moment = instant(called)
        if len(got) != len(keys) or type(percent) not in (int, float) or moment.tzinfo is None:
            raise ValueError(f"ligne du cache illisible : {audit_id}")
        rows[audit_id] = AuditRow(
            audit_id,
            dk,
            dealer,
            city,
            auditor,
            grid_id,
            status,
            outcome,
            moment,
            wave,
            quarter,
            service,
            float(percent),
            shared_sections,
            Points(keys, got, maxima),
            counted is True,
            NO_NOTES,
        )
    return rows
