"""The report's rows, cached beside the store's index (`report-rows.json`): a report reads only
the audits created or changed since the cache was written, so it stays quick on ten thousand
audits. Like the index, it is a cache: a missing, damaged or outdated one (another app version,
a changed grid file) costs one full read, never data.

A cached row is used only for the very file it was made from: its audit's revision and the
file's modification time and size as the index holds them (the index checks them against the
files at open). The file carries a SHA-256 of its rows: a cache changed by anything but the
store (a hand edit, a damaged disk) is dropped and made again. Like the index and the audit
files' seals, that checksum is not keyed: an edit that recomputes it is not detected
(docs/reliability.md, « Threat model »). The store's lock covers the file: one process at a
time writes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from auditor_tui import __version__
from auditor_tui.domain.resources import data_dir
from auditor_tui.reports.row_codec import Shape, decode_rows, encode_rows
from auditor_tui.reports.rows import AuditRow, audit_notes, row_of
from auditor_tui.reports.verbatims import NoteSpill
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from auditor_tui.store.index import Summary
from auditor_tui.store.line_file import Damaged, batches, members, write_lines

CACHE_NAME = "report-rows.json"
NOTES_NAME = "report-notes.json"  # the rows' notes, for the verbatims alone
CACHE_VERSION = 7
_HEAD = b'{"version":%d,"stamp":"%s","rows":{\n'
_NOTES_HEAD = b'{"version":%d,"stamp":"%s","notes":{\n'
# What a damaged or hand-made cache can raise when decoded: it is then made again.
_UNREADABLE = (OSError, StoreError, Damaged, KeyError, TypeError, ValueError, RecursionError)

Tie = list[int]  # the audit's revision, its file's mtime (ns) and size (a list: as decoded)


def _stamp() -> str:
    """What the cached rows depend on besides the audits: this code and the grid files."""
    digest = hashlib.sha256(f"{CACHE_VERSION}:{__version__}".encode())
    for path in sorted(data_dir().glob("grid-*.json")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _ties(store: Store, summaries: Iterable[Summary]) -> dict[str, Tie]:
    """What each cached entry is valid for: its audit's revision and file, as the index
    knows them (the index checks them against the files at open)."""
    stamp_of = store.file_stamp
    return {s.id: [s.revision, *stamp] for s in summaries if (stamp := stamp_of(s.id)) is not None}


def _cached_notes(
    path: Path, head: bytes, ties: Mapping[str, Tie]
) -> Iterator[tuple[str, dict[str, str]]]:
    """The cached notes still tied to their audit's file (`"<id>":[*tie, {qid: note}]`), a
    batch at a time; Damaged (after the last) if the file is not one this code wrote for
    these grids, intact; FileNotFoundError, StoreError, TypeError… as `_UNREADABLE`."""
    for batch in batches(path, head):
        for audit_id, (revision, mtime, size, notes) in members(batch).items():
            if ties.get(audit_id) == [revision, mtime, size]:
                if type(notes) is not dict or not all(type(v) is str for v in notes.values()):
                    raise TypeError(audit_id)
                yield audit_id, notes


def _spill_notes(
    path: Path, head: bytes, ties: Mapping[str, Tie], rows: Mapping[str, AuditRow], spill: NoteSpill
) -> set[str]:
    """The cached notes of the cached `rows` set aside in `spill`, as they are read: the ids
    of the audits given (none, the spill emptied, if the cache turns out damaged)."""
    given: set[str] = set()
    try:
        for audit_id, notes in _cached_notes(path, head, ties):
            row = rows.get(audit_id)
            if row is not None:
                spill.add(row, notes)
                given.add(audit_id)
    except _UNREADABLE:
        spill.clear()
        return set()
    return given


def _notes_entries(
    path: Path, head: bytes, ties: Mapping[str, Tie], given: set[str], fresh: IO[str]
) -> Iterator[tuple[str, list[Any]]]:
    """The notes cache made again: the entries given from it, read again, and the `fresh`
    ones (read from the audits' files, one JSON line each)."""
    if given:  # else there is none, or none to keep
        for audit_id, notes in _cached_notes(path, head, ties):
            if audit_id in given:
                yield audit_id, [notes]
    fresh.seek(0)
    for line in fresh:
        audit_id, notes = json.loads(line)
        yield audit_id, [notes]


def _read(path: Path, head: bytes, ties: Mapping[str, Tie]) -> dict[str, AuditRow]:
    """The cached rows still tied to their audit's file, if the cache is one this code wrote
    for these grids, intact (else none): one entry per line, `"<id>":[*tie, *row]`
    (store/line_file.py, reports/row_codec.py)."""
    rows: dict[str, AuditRow] = {}
    shapes: dict[int, Shape] = {}
    try:
        for batch in batches(path, head):
            rows.update(decode_rows(members(batch), ties, shapes))
    except (*_UNREADABLE, IndexError):
        return {}
    return rows


def _lines(ties: Mapping[str, Tie], values: Iterator[tuple[str, Any]]) -> Iterator[str]:
    """Each entry's line; an audit's values after its tie, a shape's alone."""
    encode = json.JSONEncoder(separators=(",", ":")).encode
    for key, value in values:
        tie = ties.get(key)
        yield f"{encode(key)}:{encode(value if tie is None else [*tie, *value])}"


def _write(store: Store, name: str, head: bytes, lines: Iterator[str]) -> None:
    with contextlib.suppress(*_UNREADABLE):  # a cache not written only makes the next slower
        write_lines(store.root / name, head, lines)


def load_rows(
    store: Store,
    progress: Callable[[int, int], None] | None = None,
    every: int = 250,
    unread: list[str] | None = None,
    *,
    spill: NoteSpill | None = None,
) -> list[AuditRow]:
    """Every readable audit of the store as report rows; `progress(done, total)` is called
    every `every` audits actually read. An audit that cannot be read is left out, and named
    in `unread` (its message, naming the file) when a list is given: a report must say so.
    The rows carry no notes: with a `spill`, each audit's notes are set aside in it as they
    are read (the verbatims, in bounded memory), from their own cache, read then only (or
    from the audit's file, the cache then made again)."""
    stamp = _stamp().encode()
    head, notes_head = _HEAD % (CACHE_VERSION, stamp), _NOTES_HEAD % (CACHE_VERSION, stamp)
    notes_path = store.root / NOTES_NAME
    summaries = store.summaries()
    ties = _ties(store, summaries)
    cached = _read(store.root / CACHE_NAME, head, ties)
    given = set() if spill is None else _spill_notes(notes_path, notes_head, ties, cached, spill)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with contextlib.ExitStack() as stack:
        fresh = None  # the notes read from the files, for their cache made again
        if spill is not None:
            fresh = stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8"))
        rows: list[AuditRow] = []
        read = refreshed = 0
        for summary in summaries:
            row = cached.pop(summary.id, None)
            if row is not None:
                row.id = summary.id  # the index's own text: one copy of each id
            noted = fresh is not None and summary.id not in given
            if row is None or noted:
                try:
                    audit = store.get(summary.id)
                except (KeyError, StoreError) as exc:
                    if unread is not None:
                        unread.append(str(exc) if isinstance(exc, StoreError) else repr(exc))
                    continue
                if row is None:
                    row = row_of(audit, notes=False)
                    read += 1
                    if progress is not None and read % every == 0:
                        progress(read, len(summaries))
                if spill is not None and fresh is not None and noted:
                    found = audit_notes(audit)
                    spill.add(row, found)
                    fresh.write(encode([summary.id, found]) + "\n")
                    refreshed += 1
            rows.append(row)
        if store.read_only:
            return rows
        write_rows = read or cached or not (store.root / CACHE_NAME).exists()
        write_notes = fresh is not None and refreshed
        if write_rows or write_notes:
            now = _ties(store, summaries)  # as the files are now
        if write_rows:
            _write(store, CACHE_NAME, head, _lines(now, encode_rows(rows)))
        if write_notes and fresh is not None:
            entries = _notes_entries(notes_path, notes_head, ties, given, fresh)
            _write(store, NOTES_NAME, notes_head, _lines(now, entries))
        return rows
