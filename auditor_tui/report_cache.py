"""The report's rows, cached beside the store's index (`report-rows.json`): a report reads only
the audits created or changed since the cache was written (an audit's revision tells), so it
stays quick on ten thousand audits. Like the index, it is a cache: a missing, damaged or
outdated one (another app version, a changed grid file) costs one full read, never data.
The store's lock covers it: one process at a time writes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from typing import Any

from auditor_tui import __version__
from auditor_tui.durable import StoreError, atomic_write_bytes
from auditor_tui.reports import AuditRow, row_of
from auditor_tui.resources import data_dir
from auditor_tui.store import Store

CACHE_NAME = "report-rows.json"
CACHE_VERSION = 2


def _stamp() -> str:
    """What the cached rows depend on besides the audits: this code and the grid files."""
    digest = hashlib.sha256(f"{CACHE_VERSION}:{__version__}".encode())
    for path in sorted(data_dir().glob("grid-*.json")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _read(store: Store, stamp: str) -> dict[str, Any]:
    try:
        raw = json.loads((store.root / CACHE_NAME).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict) or raw.get("stamp") != stamp:
        return {}
    entries = raw.get("rows")
    return entries if isinstance(entries, dict) else {}


def load_rows(
    store: Store, progress: Callable[[int, int], None] | None = None, every: int = 250
) -> list[AuditRow]:
    """Every readable audit of the store as report rows; `progress(done, total)` is called
    every `every` audits actually read. Audits that cannot be read are skipped (the app and
    the CLI report damaged files when the store opens)."""
    stamp = _stamp()
    cached = _read(store, stamp)
    summaries = store.summaries()
    fresh: dict[str, Any] = {}
    rows: list[AuditRow] = []
    read = 0
    for summary in summaries:
        entry = cached.get(summary.id)
        row: AuditRow | None = None
        if isinstance(entry, dict) and entry.get("revision") == summary.revision:
            try:
                row = AuditRow.from_dict(entry["row"])
            except (KeyError, TypeError, ValueError):
                row = None
        if row is None:
            try:
                row = row_of(store.get(summary.id))
            except (KeyError, StoreError):
                continue
            read += 1
            if progress is not None and read % every == 0:
                progress(read, len(summaries))
            entry = {"revision": summary.revision, "row": row.to_dict()}
        fresh[summary.id] = entry
        rows.append(row)
    if fresh != cached and not store.read_only:
        data = json.dumps({"stamp": stamp, "rows": fresh}, separators=(",", ":"))
        # A cache that cannot be written only makes the next report slower.
        with contextlib.suppress(StoreError):
            atomic_write_bytes(store.root / CACHE_NAME, data.encode("utf-8"))
    return rows
