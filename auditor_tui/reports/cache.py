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
import re
from collections.abc import Callable
from typing import Any

from auditor_tui import __version__
from auditor_tui.domain.resources import data_dir
from auditor_tui.reports.rows import AuditRow, row_of
from auditor_tui.store import Store
from auditor_tui.store.atomic import atomic_write_bytes
from auditor_tui.store.errors import StoreError
from auditor_tui.store.reading import read_file

CACHE_NAME = "report-rows.json"
CACHE_VERSION = 4
_HEAD = re.compile(rb'\{"version":(\d+),"stamp":"([0-9a-f]{64})","digest":"([0-9a-f]{64})","rows":')


def _stamp() -> str:
    """What the cached rows depend on besides the audits: this code and the grid files."""
    digest = hashlib.sha256(f"{CACHE_VERSION}:{__version__}".encode())
    for path in sorted(data_dir().glob("grid-*.json")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _read(store: Store, stamp: str) -> dict[str, Any]:
    """The cached entries, if the file is one this code wrote for these grids, intact."""
    try:
        data = read_file(store.root / CACHE_NAME)
    except (OSError, StoreError):
        return {}
    head = _HEAD.match(data)
    if (
        head is None
        or int(head.group(1)) != CACHE_VERSION
        or head.group(2).decode() != stamp
        or not data.endswith(b"}")
    ):
        return {}
    body = data[head.end() : -1]
    if hashlib.sha256(body).hexdigest().encode() != head.group(3):
        return {}  # changed by something else than the store
    try:
        entries = json.loads(body)
    except (ValueError, RecursionError):
        return {}
    return entries if isinstance(entries, dict) else {}


def _bytes(stamp: str, entries: dict[str, Any]) -> bytes:
    body = json.dumps(entries, separators=(",", ":")).encode("utf-8")
    digest = hashlib.sha256(body).hexdigest()
    head = f'{{"version":{CACHE_VERSION},"stamp":"{stamp}","digest":"{digest}","rows":'
    return head.encode() + body + b"}"


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
    cached = _read(store, stamp)
    summaries = store.summaries()
    fresh: dict[str, Any] = {}
    rows: list[AuditRow] = []
    read = 0
    for summary in summaries:
        entry = cached.get(summary.id)
        tied = [summary.revision, *(store.file_stamp(summary.id) or ())]
        row: AuditRow | None = None
        if isinstance(entry, dict) and entry.get("file") == tied:
            try:
                row = AuditRow.from_dict(entry["row"])
            except (KeyError, TypeError, ValueError):
                row = None
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
            entry = {"file": tied, "row": row.to_dict()}
        fresh[summary.id] = entry
        rows.append(row)
    if fresh != cached and not store.read_only:
        # A cache that cannot be written only makes the next report slower.
        with contextlib.suppress(StoreError):
            atomic_write_bytes(store.root / CACHE_NAME, _bytes(stamp, fresh))
    return rows
