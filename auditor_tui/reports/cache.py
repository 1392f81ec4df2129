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
from collections.abc import Callable, Iterator, Mapping

from auditor_tui import __version__
from auditor_tui.domain.resources import data_dir
from auditor_tui.reports.rows import AuditRow, row_of
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from auditor_tui.store.line_file import Damaged, batches, members, write_lines

CACHE_NAME = "report-rows.json"
CACHE_VERSION = 6
_HEAD = b'{"version":%d,"stamp":"%s","rows":{\n'


def _stamp() -> str:
    """What the cached rows depend on besides the audits: this code and the grid files."""
    digest = hashlib.sha256(f"{CACHE_VERSION}:{__version__}".encode())
    for path in sorted(data_dir().glob("grid-*.json")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _tie(store: Store, revisions: Mapping[str, int], audit_id: str) -> list[int]:
    """What a cached row is valid for: its audit's revision and file (as the index knows it)."""
    return [revisions.get(audit_id, 0), *(store.file_stamp(audit_id) or ())]


def _read(store: Store, stamp: str, revisions: Mapping[str, int]) -> dict[str, AuditRow]:
    """The cached rows still tied to their audit's file, if the cache is one this code wrote
    for these grids, intact (else none): one entry per line, `"<id>":[tie, row]`
    (store/line_file.py)."""
    rows: dict[str, AuditRow] = {}
    try:
        for batch in batches(store.root / CACHE_NAME, _HEAD % (CACHE_VERSION, stamp.encode())):
            for audit_id, (tied, row) in members(batch).items():
                if tied == _tie(store, revisions, audit_id):
                    rows[audit_id] = AuditRow.from_dict(row)
    except (OSError, StoreError, Damaged, KeyError, TypeError, ValueError, RecursionError):
        return {}  # absent, unreadable, or changed by something else than the store
    return rows


def _lines(store: Store, revisions: Mapping[str, int], rows: list[AuditRow]) -> Iterator[str]:
    encode = json.JSONEncoder(separators=(",", ":")).encode
    for row in rows:
        yield f"{encode(row.id)}:{encode([_tie(store, revisions, row.id), row.to_dict()])}"


def load_rows(
    store: Store,
    progress: Callable[[int, int], None] | None = None,
    every: int = 250,
    unread: list[str] | None = None,
) -> list[AuditRow]:
    """Every readable audit of the store as report rows; `progress(done, total)` is called
    every `every` audits actually read. An audit that cannot be read is left out, and named
    in `unread` (its message, naming the file) when a list is given: a report must say so."""
    stamp = _stamp()
    summaries = store.summaries()
    revisions = {s.id: s.revision for s in summaries}
    cached = _read(store, stamp, revisions)
    rows: list[AuditRow] = []
    read = 0
    for summary in summaries:
        row = cached.pop(summary.id, None)
        if row is None:
            try:
                row = row_of(store.get(summary.id))
            except (KeyError, StoreError) as exc:
                if unread is not None:
                    unread.append(str(exc) if isinstance(exc, StoreError) else repr(exc))
                continue
            read += 1
            if progress is not None and read % every == 0:
                progress(read, len(summaries))
        rows.append(row)
    if (read or cached or not (store.root / CACHE_NAME).exists()) and not store.read_only:
        # A cache that cannot be written only makes the next report slower.
        with contextlib.suppress(StoreError):
            head = _HEAD % (CACHE_VERSION, stamp.encode())
            write_lines(store.root / CACHE_NAME, head, _lines(store, revisions, rows))
    return rows
