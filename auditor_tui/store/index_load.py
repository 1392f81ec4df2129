"""The index at open: `index.json` checked against audits/, listed once. An entry whose file has
another modification time or size is made again from the file (read whole and checked); the
newest summaries are handed over first, before the other files are checked, when the index can
tell they are right (the home screen's first rows, docs/performance.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from auditor_tui.store.atomic import sweep_temp_files
from auditor_tui.store.audit_files import AuditFiles
from auditor_tui.store.errors import Damaged, StoreError, describe_oserror
from auditor_tui.store.index import Index, IndexEntry, Summary
from auditor_tui.store.index_file import index_intact, read_entries
from auditor_tui.store.links import listing_problem


def load_index(
    index: Index,
    files: AuditFiles,
    *,
    sweep: bool,
    first: Callable[[list[Summary]], None] | None = None,
    first_count: int = 0,
) -> tuple[list[Damaged], list[str]]:
    """The index, checked against audits/ (listed once: also swept of temporary files).
    An entry whose file has another modification time or size is made again from the file;
    a file that cannot be used is reported (a copy kept aside). `first`: see `Store.open`;
    `sweep`: False for a reader that writes nothing. Returns the files found damaged and what
    a reader should know (an index that could not be read)."""
    damaged: list[Damaged] = []
    notices: list[str] = []
    try:
        if first is not None and index_intact(index.path):
            newest = _unchanged(files, read_entries(index.path, first_count))
            if newest:
                first(newest)
        entries = read_entries(index.path)
    except FileNotFoundError:
        entries = {}
    except StoreError as exc:  # a cache that cannot be read is rebuilt (in memory)
        entries = {}
        notices.append(f"{exc} L'index (un cache) est refait à partir des audits.")
    fresh: dict[str, IndexEntry] = {}
    changed: list[tuple[str, os.stat_result]] = []
    others: list[str] = []
    strange: list[tuple[Path, str]] = []
    try:
        listing = os.scandir(files.folder)
    except OSError as exc:
        raise StoreError(
            f"Impossible de lire le dossier {files.folder} : {describe_oserror(exc)}.",
            files.folder,
        ) from exc
    with listing as it:
        for file in it:
            name = file.name
            if not (name.endswith(".json") and file.is_file(follow_symlinks=False)):
                problem = listing_problem(file)
                if problem is not None:
                    strange.append((Path(file.path), problem))
                others.append(name)
                continue
            audit_id, st = name[:-5], file.stat(follow_symlinks=False)
            cached = entries.get(audit_id)
            if cached and cached.mtime_ns == st.st_mtime_ns and cached.size == st.st_size:
                fresh[audit_id] = cached
            else:
                changed.append((audit_id, st))
    damaged.extend(Damaged(path, None, problem) for path, problem in strange)
    for audit_id, staged in files.staged.items():  # read-only: an interrupted import
        fresh.pop(audit_id, None)
        changed = [c for c in changed if c[0] != audit_id]
        changed.append((audit_id, os.lstat(staged)))
    if sweep:
        sweep_temp_files(files.folder, others)
    for audit_id, st in changed:
        cached = entries.get(audit_id)
        try:
            audit, exported = files.read_indexed(audit_id)
        except StoreError as exc:
            damaged.append(
                Damaged(files.path(audit_id), getattr(exc, "backup_path", None), str(exc))
            )
            continue
        if cached:
            exported = max(exported, cached.summary.exported_revision)
        fresh[audit_id] = files.entry(audit, exported, st)
    index.replace(fresh, dirty=bool(changed) or len(fresh) != len(entries))
    return damaged, notices


def _unchanged(files: AuditFiles, entries: Mapping[str, IndexEntry]) -> list[Summary]:
    """The summaries of `entries`, in order, if every one's file is unchanged; else []."""
    for audit_id, entry in entries.items():
        try:
            st = os.lstat(files.path(audit_id))
        except (OSError, StoreError):
            return []
        if st.st_mtime_ns != entry.mtime_ns or st.st_size != entry.size:
            return []
    return [entry.summary for entry in entries.values()]
