"""The local store: one small TinyDB file per audit (record + event log), a rebuildable index,
the dealer directory and settings, all under one locked folder. `Store` is its one door.

Layout of a store folder (formats in layout.py and index.py):
    audits/<id>.json   TinyDB: table "audit" (the record, sealed with its event log), table
                       "events" (its audit trail): audit_files.py
    index.json         summaries of every audit, newest first: a cache rebuilt from audits/
                       when stale (index.py)
    dealers.json, settings.json, plans.json   TinyDB: the dealer directory; identities,
                       auditor name, sync state; the waves' plans (documents.py)
    journal.json       only while a multi-audit import is being committed (bulk.py)
    store.lock         the one process that writes (lock.py); commit.lock (commit_lock.py)

Every write goes through an atomic replace with fsync (atomic.py): an answer reported as saved
survives `kill -9` and a power cut. Saving one answer rewrites only that audit's file. An import
is staged and committed through the journal (put_many, importing: staging.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor_tui.store.atomic import ensure_private_dir, sweep_temp_files
from auditor_tui.store.audit_files import AuditFiles, Contents
from auditor_tui.store.bulk import Journal
from auditor_tui.store.commit_lock import CommitLock
from auditor_tui.store.documents import Documents
from auditor_tui.store.errors import (
    Damaged,
    StoreError,
    StoreWriteError,
)
from auditor_tui.store.index import (
    Index,
    Summary,
)
from auditor_tui.store.index_load import load_index
from auditor_tui.store.layout import diff_records, exported_of
from auditor_tui.store.links import check_folders, make_private
from auditor_tui.store.lock import StoreLock
from auditor_tui.store.paths import default_store_path
from auditor_tui.store.staging import Importing, Staging

if TYPE_CHECKING:  # the record model (and the grid) are imported where audits are read or
    # written: not before the index has given the newest summaries (docs/performance.md)
    from auditor_tui.domain.grid import Grid, GridLookup
    from auditor_tui.domain.record import Audit


def _stamp(moment: datetime | None) -> str:
    """An event's instant: `moment`, or now."""
    from auditor_tui.domain.record import format_instant, now_utc

    return format_instant(moment or now_utc())


class Store:
    """One store folder, opened by one process at a time. Methods are thread-safe."""

    def __init__(self, root: Path, grids: GridLookup | None = None) -> None:
        self.root = Path(root)
        self.audits_dir = self.root / "audits"
        self._lock = StoreLock(self.root)
        self._commit_lock = CommitLock(self.root)
        self._mutex = threading.RLock()
        self.damaged: list[Damaged] = []
        self._files = AuditFiles(self.audits_dir, grids)
        self._index = Index(self.root / "index.json")
        self._journal = Journal(
            self.root, self._files, self._index, self._commit_lock, self.damaged
        )
        self._documents = Documents(self.root)
        self.recovery_message: str | None = None
        self.notices: list[str] = []  # what a reader should know (an index rebuilt in memory)
        self.read_only = False  # see open()
        self._open = False

    # ---- opening and closing -------------------------------------------------------------

    @classmethod
    def open(
        cls,
        root: Path | None = None,
        *,
        first: Callable[[list[Summary]], None] | None = None,
        first_count: int = 60,
        read_only: bool = False,
        grids: GridLookup | None = None,
    ) -> Store:
        """Open (and lock) a store folder. `first`, if given, is called during the opening with
        the newest `first_count` summaries, newest first, as soon as they are known to be right
        (their files unchanged since the index was written), before the other audits are
        checked: what a screen shows first (docs/performance.md). It is not called when the
        index cannot tell (absent, damaged, or one of these files changed).

        `read_only`: open an existing folder without writing anything to it (a store on a
        read-only disk, or another auditor's, to export or report): no lock, no clean-up, no
        index written back; every write raises StoreError. A folder whose last import is not
        finished (a journal) is refused: it must be opened once for writing to finish it.

        `grids`: where its audits find their grid by id (`grids_in(folder)`); the shipped grids
        by default."""
        store = cls(root if root is not None else default_store_path(), grids)
        store.read_only = read_only
        if read_only:
            store._open_read_only(first, first_count)
        else:
            store._open_folder(first, first_count)
        return store

    def _open_read_only(
        self, first: Callable[[list[Summary]], None] | None, first_count: int
    ) -> None:
        if not self.audits_dir.is_dir():
            raise StoreError(f"pas de dossier de données ici : {self.root}", self.root)
        check_folders(self.root, self.audits_dir)
        self._commit_lock.share()  # held until close: no commit is applied while we read
        self._open = True
        try:
            if os.path.lexists(self._journal.path):
                self.notices.extend(self._journal.read_staged())
            self._load_index(first, first_count)
            self.damaged.extend(self._documents.check())
        except BaseException:
            self.close()
            raise

    def _refuse_if_read_only(self) -> None:
        if self.read_only:
            raise StoreError(
                f"dossier ouvert en lecture seule : rien n'est écrit dans {self.root}", self.root
            )

    def _open_folder(
        self, first: Callable[[list[Summary]], None] | None = None, first_count: int = 0
    ) -> None:
        check_folders(self.root, self.audits_dir)
        for folder in (self.root, self.audits_dir):
            ensure_private_dir(folder)
            make_private(folder)
        self._lock.acquire()
        self.recovery_message = self._lock.recovery_message
        self._open = True
        try:
            self._commit_lock.create()
            sweep_temp_files(self.root)
            self._journal.roll_forward()
            self._load_index(first, first_count)  # it sweeps audits/ as it lists it
            self.damaged.extend(self._documents.check())
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        with self._mutex:
            if not self._open:
                return
            try:
                self.flush_index()  # not in read-only mode (see flush_index)
            finally:
                self._files.close()
                self._open = False
                self._lock.release()  # idempotent: none taken in read-only mode
                self._commit_lock.release()  # held by a read-only reader only

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the index ------------------------------------------------------------------------

    def _load_index(
        self, first: Callable[[list[Summary]], None] | None = None, first_count: int = 0
    ) -> None:
        damaged, notices = load_index(
            self._index, self._files, sweep=not self.read_only, first=first, first_count=first_count
        )
        self.notices.extend(notices)
        self.damaged.extend(damaged)

    def flush_index(self) -> None:
        """Persist the index if it changed (it is a cache: losing it costs a rebuild, no data)."""
        with self._mutex:
            if not self.read_only:
                self._index.flush()

    def summaries(self) -> list[Summary]:
        """Every audit's summary, newest first (a new list; sorted once until the index
        changes: the home screen, the follow-up queue and the resume check all ask at start)."""
        with self._mutex:
            return self._index.summaries()

    def file_stamp(self, audit_id: str) -> tuple[int, int] | None:
        """The modification time (ns) and size of the audit's file as the index knows it
        (checked against the file at open, kept by every write): what a cache made from the
        file is tied to (reports/cache.py). None for an audit the index does not hold."""
        entry = self._index.entries.get(audit_id)
        return None if entry is None else (entry.mtime_ns, entry.size)

    def __len__(self) -> int:
        return len(self._index.entries)

    def __contains__(self, audit_id: object) -> bool:
        return audit_id in self._index.entries

    def ids(self) -> list[str]:
        with self._mutex:
            return list(self._index.entries)

    # ---- audits ---------------------------------------------------------------------------

    def grid(self, grid_id: str | None = None) -> Grid:
        """A grid as this store's audits find it (`grid_id`; by default the grid new audits
        are made with)."""
        from auditor_tui.domain.grid import DEFAULT_GRID_ID, load_grid

        return (self._files.grids or load_grid)(grid_id or DEFAULT_GRID_ID)

    def get(self, audit_id: str) -> Audit:
        # Whole files are checked at open (index rebuild) and before every write.
        with self._mutex:
            return self._files.read_audit(audit_id, self._index.entries.get(audit_id))

    def events(self, audit_id: str) -> list[dict[str, Any]]:
        with self._mutex:
            return self._files.read(audit_id)[1]

    def _write(
        self, audit: Audit, events: list[dict[str, Any]], current: Contents | None = None
    ) -> None:
        """Replace the audit's file: record + all its events, in one atomic write. `current`:
        the file as the caller has just read it, not to be read twice."""
        self._refuse_if_read_only()
        raw, logged = self._files.before_write(audit.id, current)
        exported = exported_of(raw)
        for i, event in enumerate(events, start=len(logged) + 1):
            event["seq"] = i
        try:
            self._files.write(audit, exported, [*logged, *events])
        except StoreWriteError as exc:
            if not exc.previous_intact:
                # Renamed into place, only the folder sync failed: the index follows the disk.
                with suppress(OSError):
                    self._index.set(audit.id, self._files.entry(audit, exported))
            raise
        self._index.set(audit.id, self._files.entry(audit, exported))

    def _check_new_id(self, audit_id: str) -> None:
        """File names are made from the canonical spelling of an id only (record.py)."""
        from auditor_tui.domain.record import is_canonical_id

        if not is_canonical_id(audit_id):
            raise StoreError(
                f"identifiant d'audit non canonique {audit_id[:60]!r} : un UUID en minuscules "
                "8-4-4-4-12 est attendu",
                self.audits_dir,
            )

    def create(self, audit: Audit, moment: datetime | None = None) -> Audit:
        self._check_new_id(audit.id)
        with self._mutex:
            if self._files.path(audit.id).exists():
                if self._files.read(audit.id)[0]["record"] == audit.to_dict():
                    return audit  # a retried create whose first attempt did land
                raise StoreError(f"un audit {audit.id} existe déjà", self._files.path(audit.id))
            stamp = _stamp(moment)
            event = {
                "at": stamp,
                "kind": "created",
                "revision": audit.revision,
                "field": None,
                "old": None,
                "new": None,
            }
            self._write(audit, [event])
            return audit

    def save(
        self,
        audit: Audit,
        *,
        kind: str = "edit",
        reason: str | None = None,
        moment: datetime | None = None,
    ) -> Audit:
        """Persist an edited audit: bumps the revision, logs every changed field. Returns the
        stored audit (the same object, updated). No change, no write."""
        with self._mutex:
            current = self._files.read(audit.id)
            old = current[0]["record"]
            stamp = _stamp(moment)
            new = audit.to_dict()
            new["revision"], new["updated_at"] = old["revision"], old["updated_at"]
            changes = diff_records(old, new)
            if not changes and reason is None:
                return audit
            previous = audit.revision, audit.updated_at
            audit.revision = int(old["revision"]) + 1
            audit.updated_at = stamp
            events = [{"at": stamp, "kind": kind, "revision": audit.revision, **c} for c in changes]
            if reason is not None:
                events.append(
                    {
                        "at": stamp,
                        "kind": kind,
                        "revision": audit.revision,
                        "field": None,
                        "old": None,
                        "new": reason,
                    }
                )
            try:
                self._write(audit, events, current=current)
            except StoreError as exc:
                if not isinstance(exc, StoreWriteError) or exc.previous_intact:
                    audit.revision, audit.updated_at = previous  # nothing was saved
                raise
            return audit

    # ---- several audits in one commit: all or nothing (bulk.py) ---------------------------

    def put_many(
        self, audits: list[Audit], *, kind: str = "import", moment: datetime | None = None
    ) -> None:
        """Write several audits as one commit (see `importing`)."""
        if len({audit.id for audit in audits}) < len(audits):
            raise StoreError("un même audit donné deux fois", self.root)
        if audits:
            with self.importing(kind=kind, moment=moment, count=len(audits)) as staging:
                for audit in audits:
                    staging.add(audit)
                staging.commit()

    @contextmanager
    def importing(
        self, *, kind: str = "import", moment: datetime | None = None, count: int | None = None
    ) -> Iterator[Importing]:
        """Audits staged one at a time (`add`), then `commit()`, in one commit (staging.py):
        existing audits keep their event log, extended with the import; leaving the block
        without committing changes nothing. `count`: how many will come, if known."""
        self._refuse_if_read_only()
        with self._mutex, Staging(self._journal, count) as staging:
            yield Importing(staging, self._index, kind, _stamp(moment), self._check_new_id)

    def mark_exported(self, audit_ids: Iterable[str], batch: str) -> None:
        """Record that a batch carried these audits, without touching their revision: one
        commit, as an import (all of them marked, or none)."""
        ids = list(audit_ids)
        if not ids:
            return
        self._refuse_if_read_only()
        with self._mutex:
            self._journal.mark_exported(ids, batch)

    # ---- small documents: dealers and settings (documents.py) -----------------------------

    def dealers(self) -> list[dict[str, Any]]:
        with self._mutex:
            return self._documents.dealers()

    def replace_dealers(self, dealers: Iterable[Mapping[str, Any]]) -> None:
        self._refuse_if_read_only()
        with self._mutex:
            self._documents.replace_dealers(dealers)

    def plans(self) -> list[dict[str, Any]]:
        with self._mutex:
            return self._documents.plans()

    def put_plan(self, document: Mapping[str, Any]) -> None:
        self._refuse_if_read_only()
        with self._mutex:
            self._documents.put_plan(document)

    def setting(self, key: str, default: Any = None) -> Any:
        with self._mutex:
            return self._documents.setting(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self._refuse_if_read_only()
        with self._mutex:
            self._documents.set_setting(key, value)
