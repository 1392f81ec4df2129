"""The audits/ folder: one TinyDB file per audit, its record sealed with its event log
(layout.py). A few handles stay open, their bytes cached; a file the index knows is read
without its event log; any other read checks the whole file and its seal, and a file found
damaged is kept aside (CorruptFileError), never modified.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB

from auditor_tui.store.errors import CorruptFileError, StoreError
from auditor_tui.store.index import IndexEntry, Summary
from auditor_tui.store.layout import (
    RECORD_BYTES,
    audit_file,
    audit_file_problem,
    exported_of,
    record_row,
)
from auditor_tui.store.reading import keep_damaged_copy, open_regular, read_json_file
from auditor_tui.store.storage import AtomicJSONStorage

if TYPE_CHECKING:  # the record model (and the grid) are imported where audits are read or
    # written: not before the index has given the newest summaries (docs/performance.md)
    from auditor_tui.domain.grid import GridLookup
    from auditor_tui.domain.record import Audit

Contents = tuple[dict[str, Any], list[dict[str, Any]]]  # a file's record row and event log


class AuditFiles:
    """The audit files of one store folder. Not thread-safe: the store calls it under its lock."""

    HANDLES = 8  # TinyDB handles kept open, the most recently used

    def __init__(self, folder: Path, grids: GridLookup | None = None) -> None:
        self.folder = folder
        self.grids = grids  # where the audits read find their grid (None: the shipped grids)
        # Read-only: the audits of an import interrupted after its commit point, read where
        # they are staged (as the next writer will move them), id → staged file.
        self.staged: dict[str, Path] = {}
        self._handles: OrderedDict[str, TinyDB] = OrderedDict()

    def path(self, audit_id: str) -> Path:
        if "/" in audit_id or "\\" in audit_id or audit_id.startswith("."):
            raise StoreError(f"identifiant d'audit invalide : {audit_id!r}", self.folder)
        if self.staged:
            staged = self.staged.get(audit_id)
            if staged is not None:
                return staged
        return self.folder / f"{audit_id}.json"

    def path_text(self, audit_id: str) -> str:
        """`path` as text, without making a Path (a tenth of an audit's reading time when an
        export reads 100,000)."""
        if self.staged or "/" in audit_id or "\\" in audit_id or audit_id.startswith("."):
            return os.fspath(self.path(audit_id))
        return f"{self.folder}{os.sep}{audit_id}.json"

    def entry(self, audit: Audit, exported: int, st: os.stat_result | None = None) -> IndexEntry:
        """The index entry of an audit whose file was just read or written (`st`: its stat)."""
        if st is None:
            st = os.lstat(self.path(audit.id))
        return IndexEntry(st.st_mtime_ns, st.st_size, Summary.of(audit, exported))

    # ---- handles ------------------------------------------------------------------------------

    def _handle(self, audit_id: str) -> TinyDB:
        db = self._handles.get(audit_id)
        if db is not None:
            self._handles.move_to_end(audit_id)
            return db
        # Store.open swept audits/ of stale temporary files already: no folder listing here.
        db = TinyDB(self.path(audit_id), storage=AtomicJSONStorage, sweep=False)
        self._handles[audit_id] = db
        while len(self._handles) > self.HANDLES:
            _, old = self._handles.popitem(last=False)
            old.close()
        return db

    def drop(self, audit_id: str) -> None:
        """Forget the handle of an audit (and the bytes it cached): its file changed."""
        db = self._handles.pop(audit_id, None)
        if db is not None:
            db.close()

    def close(self) -> None:
        for db in self._handles.values():
            db.close()
        self._handles.clear()

    # ---- reading ------------------------------------------------------------------------------

    def known_row(self, audit_id: str, entry: IndexEntry) -> dict[str, Any] | None:
        """The audit table's row decoded without the event log (most of the file, and of the
        time when reading thousands), if the file is the one the index knows (`entry`): read
        whole, checked and scored at open, or written by this store since. None otherwise."""
        try:
            fd = open_regular(self.path_text(audit_id))
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if st.st_mtime_ns != entry.mtime_ns or st.st_size != entry.size:
                return None
            # The record comes first: read its bytes, the event log only if it is not there.
            data = os.read(fd, RECORD_BYTES)
            while b'"events"' not in data and len(data) < st.st_size:
                more = os.read(fd, st.st_size - len(data))
                if not more:
                    break
                data += more
        except OSError:
            return None
        finally:
            os.close(fd)
        return record_row(data)

    def read(self, audit_id: str) -> Contents:
        """An audit file read whole and checked: its record row (the record and what is kept
        beside it) and its event log. KeyError if there is none; CorruptFileError (a copy kept
        aside) if it is not an audit file, or if its seal does not match what it holds: a
        change made outside the app, even one that leaves a valid record (a digit, a letter
        of a note)."""
        path = self.path(audit_id)
        db = self._handles.get(audit_id)
        try:
            if db is not None:  # written or read through it lately: its bytes are cached
                data = db.storage.read()
                if data is None and not path.exists():
                    raise KeyError(audit_id)
            else:  # no TinyDB handle made for one read (an import, a batch marked)
                data = read_json_file(path)
            problem = audit_file_problem(data)
        except FileNotFoundError:
            raise KeyError(audit_id) from None
        except (ValueError, CorruptFileError) as exc:
            self.drop(audit_id)
            if isinstance(exc, CorruptFileError):
                raise
            raise CorruptFileError(path, keep_damaged_copy(path), str(exc)) from exc
        if problem is not None:
            self.drop(audit_id)
            raise CorruptFileError(path, keep_damaged_copy(path), problem)
        assert data is not None  # audit_file_problem says so
        (row,) = data["audit"].values()
        return dict(row), [dict(e) for e in data.get("events", {}).values()]

    def audit_of(self, audit_id: str, raw: Mapping[str, Any], checked: bool = False) -> Audit:
        """The audit of a record row read from its file; CorruptFileError (a copy kept aside)
        if it cannot be used: a record the app could not even score would only fail later, on
        screen. `checked`: the file is one the index knows, scored when it was indexed."""
        from auditor_tui.domain.grid import GridError, load_grid
        from auditor_tui.domain.record import STATUSES, Audit

        try:
            audit = Audit.from_dict(raw["record"], self.grids or load_grid)
            if audit.status not in STATUSES:
                raise ValueError(f"statut inconnu {audit.status!r}")
            if audit.id != audit_id:
                raise ValueError(f"le fichier de l'audit {audit_id} porte l'id {audit.id!r}")
            if not checked:
                audit.score()
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            if isinstance(exc, GridError) and Path(exc.path).is_file():
                raise  # the grid file itself is broken, not this audit
            path = self.path(audit_id)
            detail = f"enregistrement d'audit inutilisable : {type(exc).__name__} : {exc}"
            raise CorruptFileError(path, keep_damaged_copy(path), detail) from exc
        return audit

    def read_audit(self, audit_id: str, entry: IndexEntry | None) -> Audit:
        """The stored audit; a file the index knows (`entry`) is trusted (see `known_row`)."""
        row = self.known_row(audit_id, entry) if entry is not None else None
        if row is not None:
            return self.audit_of(audit_id, row, checked=True)
        return self.audit_of(audit_id, self.read(audit_id)[0])

    def read_indexed(self, audit_id: str) -> tuple[Audit, int]:
        """What an index entry is made of, from one whole read of the file: the audit and the
        last exported revision kept beside it."""
        raw = self.read(audit_id)[0]
        return self.audit_of(audit_id, raw), exported_of(raw)

    # ---- writing ------------------------------------------------------------------------------

    def before_write(self, audit_id: str, current: Contents | None = None) -> Contents:
        """The file as it stands before a write of the audit (empty for a new one), `current` if
        the caller has just read it. Opens the audit's handle: the next save reads its bytes
        from memory."""
        self._handle(audit_id)
        if current is None and self.path(audit_id).exists():
            current = self.read(audit_id)
        return current if current is not None else ({}, [])

    def write(self, audit: Audit, exported: int, events: list[dict[str, Any]]) -> None:
        """Replace the audit's file (its handle opened by `before_write`): the record, the last
        exported revision and the whole event log, in one atomic write."""
        db = self._handle(audit.id)
        try:
            db.storage.write(audit_file(audit.to_dict(), exported, events))
        except StoreError:
            self.drop(audit.id)  # forget cached bytes: the disk holds the truth
            raise
        db.clear_cache()
