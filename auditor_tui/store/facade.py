"""The local store: one small TinyDB file per audit (record + event log), a rebuildable index,
the dealer directory and settings, all under one locked folder.

Layout of a store folder (formats in store_files.py and store_index.py):
    audits/<id>.json   TinyDB: table "audit" (the record, sealed with its event log), table
                       "events" (its audit trail)
    index.json         summaries of every audit, newest first: a cache rebuilt from audits/
                       when stale
    dealers.json       TinyDB: the dealer directory
    settings.json      TinyDB: identities, auditor name, sync state
    journal.json       present only while a multi-audit import is being committed

Every write goes through an atomic replace with fsync (atomic.py), so an answer reported as
saved survives `kill -9` and a power cut. Saving one answer rewrites only that audit's file,
so it costs the same with ten or ten thousand audits. A large import is staged and committed
through the journal (put_many).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB

from auditor_tui.store.atomic import (
    atomic_write_bytes,
    can_sync_filesystem,
    ensure_private_dir,
    fsync_dir,
    remove_stale_temp_files,
    sync_filesystem,
    write_new_file,
)
from auditor_tui.store.commit_lock import CommitLock
from auditor_tui.store.errors import CorruptFileError, StoreError, StoreWriteError, describe_oserror
from auditor_tui.store.files import (
    RECORD_BYTES,
    audit_file,
    audit_file_problem,
    document_problem,
    record_row,
)
from auditor_tui.store.index import INDEX_VERSION as INDEX_VERSION  # re-exported
from auditor_tui.store.index import (
    NEWEST,
    IndexEntry,
    index_body,
    index_bytes,
    index_entries,
    newest_entries,
)
from auditor_tui.store.index import Summary as Summary  # re-exported
from auditor_tui.store.links import (
    check_folders,
    check_journal_sources,
    listing_problem,
    make_private,
)
from auditor_tui.store.lock import StoreLock
from auditor_tui.store.paths import ENV_VAR as ENV_VAR  # re-exported: moved to paths.py
from auditor_tui.store.paths import default_store_path as default_store_path
from auditor_tui.store.reading import keep_damaged_copy, open_regular, read_file, read_json_file
from auditor_tui.store.storage import AtomicJSONStorage

if TYPE_CHECKING:  # the record model (and the grid) are imported where audits are read or
    # written: not before the index has given the newest summaries (docs/performance.md)
    from auditor_tui.domain.record import Audit

_HANDLE_CACHE = 8


@dataclass(frozen=True)
class Damaged:
    path: Path
    backup: Path | None
    message: str


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf paths of a record for the event log; lists are leaves (an answer is one value)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


_UNLOGGED = {"revision", "updated_at"}


def diff_records(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What changed between two stored records, as {field, old, new} leaf changes."""
    a, b = _flatten(dict(old)), _flatten(dict(new))
    changes = []
    for key in sorted(a.keys() | b.keys()):
        if key in _UNLOGGED:
            continue
        if a.get(key) != b.get(key):
            changes.append({"field": key, "old": a.get(key), "new": b.get(key)})
    return changes


def _exported_of(raw: Mapping[str, Any]) -> int:
    """The last exported revision kept beside a record (0 if absent or unreadable)."""
    value = raw.get("exported_revision", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


_encode_import = json.JSONEncoder(ensure_ascii=False).encode  # one for a whole import


def _rows(db: TinyDB, table: str) -> list[dict[str, Any]]:
    """Every document of a table of a small TinyDB file; CorruptFileError (a copy kept aside)
    for a file TinyDB cannot read as tables of documents."""
    try:
        return [dict(d) for d in db.table(table).all()]
    except (ValueError, TypeError, AttributeError) as exc:
        path = Path(db.storage.path) if isinstance(db.storage, AtomicJSONStorage) else None
        if path is None:
            raise
        detail = document_problem(db.storage.read()) or f"{type(exc).__name__} : {exc}"
        raise CorruptFileError(path, keep_damaged_copy(path), detail) from exc


def _stamp(moment: datetime | None) -> str:
    """An event's instant: `moment`, or now."""
    from auditor_tui.domain.record import format_instant, now_utc

    return format_instant(moment or now_utc())


def _staged_in(path: Path, stage: Path) -> bool:
    """Whether `path` is a file of the staging folder `stage` (or of one of its numbered
    subfolders, see _StagedWriter)."""
    folder = path.parent
    return folder == stage or (folder.parent == stage and folder.name.isdigit())


class _StagedWriter:
    """The staged files of an import, each created in the private staging folder (no temporary
    file and rename: the folders are fsync'd before the commit point), with their stats.

    A small import writes each file and fsyncs it, in order. A large one spreads its files over
    a few subfolders, each written by a thread of its own: creating a file is the costly part
    (the kernel allocates an inode: 0.5-1.3 ms each on the benchmark machine, serialised within
    a folder, and it runs outside the interpreter lock), then syncs the file system once
    (Linux's syncfs: one journal commit for 10,000 files); where there is no syncfs, each
    thread fsyncs its files and the file system commits their fsyncs together. Leaving the
    `with` waits for every write (and the sync) and raises the first failure."""

    LARGE_FROM = 32  # audits
    FOLDERS = 4  # and threads, for a large import
    BATCH = 256  # writes in flight at most (their bytes are held in memory)

    def __init__(self, stage: Path, count: int) -> None:
        self.stage = stage
        large = count >= self.LARGE_FROM
        self._sync_once = large and can_sync_filesystem()
        self.folders = [stage / str(n) for n in range(self.FOLDERS)] if large else [stage]
        self._pools = [ThreadPoolExecutor(1) for _ in self.folders] if large else []
        self._pending: list[tuple[Path, Future[os.stat_result]]] = []
        self._written = 0
        self.stats: dict[Path, os.stat_result] = {}

    def next_path(self, name: str) -> Path:
        """Where to stage the next file named `name`."""
        return self.folders[self._written % len(self.folders)] / name

    def write(self, path: Path, data: bytes) -> None:
        """Stage `data` at `path`, the last `next_path`."""
        n, self._written = self._written, self._written + 1
        if not self._pools:
            self.stats[path] = write_new_file(path, data)
            return
        if n < len(self.folders):
            ensure_private_dir(path.parent)
        sync = not self._sync_once
        pool = self._pools[n % len(self._pools)]
        self._pending.append((path, pool.submit(write_new_file, path, data, sync=sync)))
        if len(self._pending) >= self.BATCH:
            self._wait()

    def _wait(self) -> None:
        pending, self._pending = self._pending, []
        for path, future in pending:
            self.stats[path] = future.result()

    def __enter__(self) -> _StagedWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None:
                self._wait()
                self._sync()
        finally:
            for pool in self._pools:
                pool.shutdown(wait=True)

    def _sync(self) -> None:
        """The staged files, then their names, on disk: before the commit point."""
        folder = self.stage
        try:
            if self._sync_once:
                sync_filesystem(folder)
                return
            for folder in [*self.folders[: self._written], self.stage]:
                fsync_dir(folder)
        except OSError as exc:
            raise StoreWriteError(folder, exc, action="d'enregistrer le dossier", tail="") from exc


class Store:
    """One store folder, opened by one process at a time. Methods are thread-safe."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.audits_dir = self.root / "audits"
        self.index_path = self.root / "index.json"
        self.journal_path = self.root / "journal.json"
        self._lock = StoreLock(self.root)
        self._commit_lock = CommitLock(self.root)
        # Read-only: the audits of an import interrupted after its commit point, read where
        # they are staged (as the next writer will move them), id → staged file.
        self._staged: dict[str, Path] = {}
        self._mutex = threading.RLock()
        self._handles: OrderedDict[str, TinyDB] = OrderedDict()
        self._index: dict[str, IndexEntry] = {}
        self._newest_first: list[Summary] | None = None  # summaries(), until the index changes
        self._index_dirty = False
        self.damaged: list[Damaged] = []
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
    ) -> Store:
        """Open (and lock) a store folder. `first`, if given, is called during the opening with
        the newest `first_count` summaries, newest first, as soon as they are known to be right
        (their files unchanged since the index was written), before the other audits are
        checked: what a screen shows first (docs/performance.md). It is not called when the
        index cannot tell (absent, damaged, or one of these files changed).

        `read_only`: open an existing folder without writing anything to it (a store on a
        read-only disk, or another auditor's, to export or report): no lock, no clean-up, no
        index written back; every write raises StoreError. A folder whose last import is not
        finished (a journal) is refused: it must be opened once for writing to finish it."""
        store = cls(root if root is not None else default_store_path())
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
            if os.path.lexists(self.journal_path):
                self._read_staged()
            self._load_index(first, first_count)
            self._check_documents()
        except BaseException:
            self.close()
            raise

    def _read_staged(self) -> None:
        """Read-only, an import interrupted after its commit point (its writer died: no commit
        is being applied while we hold the commit lock): its audits are read where they are
        staged, the state the next writer will finish."""
        try:
            journal = self._read_journal()
        except CorruptFileError as exc:
            self.damaged.append(Damaged(self.journal_path, exc.backup_path, str(exc)))
            return
        for source, target in journal["moves"]:
            staged = self.root / source
            if os.path.lexists(staged):
                self._staged[Path(target).stem] = staged
        self.notices.append(
            f"Un import interrompu dans {self.root} est lu tel qu'il sera terminé à la "
            "prochaine ouverture du dossier en écriture."
        )

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
            self._sweep_temp_files(self.root)
            self._roll_forward_journal()
            self._load_index(first, first_count)  # it sweeps audits/ as it lists it
            self._check_documents()
        except BaseException:
            self.close()
            raise

    def _check_documents(self) -> None:
        """A damaged dealer directory or settings file is reported at start (a copy kept
        aside, the file untouched); reading it later raises the same CorruptFileError."""
        for name in ("dealers.json", "settings.json"):
            path = self.root / name
            if not path.exists():
                continue
            try:
                data = AtomicJSONStorage(path, create_dirs=False).read()
                if data is None:
                    # The store never writes an empty file: this one was emptied by a crash
                    # of the system or a tool; TinyDB would read it as an empty directory.
                    raise CorruptFileError(path, keep_damaged_copy(path), "fichier vide")
                problem = document_problem(data)
                if problem is not None:
                    raise CorruptFileError(path, keep_damaged_copy(path), problem)
            except StoreError as exc:
                self.damaged.append(Damaged(path, getattr(exc, "backup_path", None), str(exc)))

    def _sweep_temp_files(self, folder: Path, names: Iterable[str] | None = None) -> None:
        """Remove the temporary files of writers killed mid-write (never a live process's);
        `names`: the folder's file names, if already listed."""
        if names is None:
            with os.scandir(folder) as entries:
                names = [e.name for e in entries]
        for name in names:
            if name[:1] == "." and ".tmp-" in name[1:]:  # ".*.tmp-*", without a glob's regex
                remove_stale_temp_files(folder / name[1:].rsplit(".tmp-", 1)[0])

    def close(self) -> None:
        with self._mutex:
            if not self._open:
                return
            try:
                self.flush_index()  # not in read-only mode (see flush_index)
            finally:
                for db in self._handles.values():
                    db.close()
                self._handles.clear()
                self._open = False
                self._lock.release()  # idempotent: none taken in read-only mode
                self._commit_lock.release()  # held by a read-only reader only

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the index ------------------------------------------------------------------------

    def _audit_path(self, audit_id: str) -> Path:
        if "/" in audit_id or "\\" in audit_id or audit_id.startswith("."):
            raise StoreError(f"identifiant d'audit invalide : {audit_id!r}", self.audits_dir)
        if self._staged:
            staged = self._staged.get(audit_id)
            if staged is not None:
                return staged
        return self.audits_dir / f"{audit_id}.json"

    def _load_index(
        self, first: Callable[[list[Summary]], None] | None = None, first_count: int = 0
    ) -> None:
        """The index, checked against audits/ (listed once: also swept of temporary files).
        An entry whose file has another modification time or size is made again from the file;
        a file that cannot be used is reported in `damaged` (a copy kept aside). `first`: see
        `open`."""
        try:
            body = index_body(read_file(self.index_path))
        except FileNotFoundError:
            body = None
        except StoreError as exc:  # a cache that cannot be read is rebuilt (in memory)
            body = None
            self.notices.append(f"{exc} L'index (un cache) est refait à partir des audits.")
        if first is not None and body is not None:
            newest = self._unchanged(newest_entries(body, first_count))
            if newest:
                first(newest)
        entries = index_entries(body)
        fresh: dict[str, IndexEntry] = {}
        changed: list[tuple[str, os.stat_result]] = []
        others: list[str] = []
        strange: list[tuple[Path, str]] = []
        try:
            listing = os.scandir(self.audits_dir)
        except OSError as exc:
            raise StoreError(
                f"Impossible de lire le dossier {self.audits_dir} : {describe_oserror(exc)}.",
                self.audits_dir,
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
        self.damaged.extend(Damaged(path, None, problem) for path, problem in strange)
        for audit_id, staged in self._staged.items():  # read-only: an interrupted import
            fresh.pop(audit_id, None)
            changed = [c for c in changed if c[0] != audit_id]
            changed.append((audit_id, os.lstat(staged)))
        if not self.read_only:
            self._sweep_temp_files(self.audits_dir, others)
        for audit_id, st in changed:
            cached = entries.get(audit_id)
            try:
                audit, exported = self._read_indexed(audit_id)
            except StoreError as exc:
                self.damaged.append(
                    Damaged(self._audit_path(audit_id), getattr(exc, "backup_path", None), str(exc))
                )
                continue
            if cached:
                exported = max(exported, cached.summary.exported_revision)
            fresh[audit_id] = self._index_entry(audit, exported, st)
        self._index_dirty = bool(changed) or len(fresh) != len(entries)
        self._set_index(fresh)

    def _unchanged(self, entries: Mapping[str, IndexEntry]) -> list[Summary]:
        """The summaries of `entries`, in order, if every one's file is unchanged; else []."""
        for audit_id, entry in entries.items():
            try:
                st = os.lstat(self._audit_path(audit_id))
            except (OSError, StoreError):
                return []
            if st.st_mtime_ns != entry.mtime_ns or st.st_size != entry.size:
                return []
        return [entry.summary for entry in entries.values()]

    def _set_index(self, entries: dict[str, IndexEntry]) -> None:
        self._index = entries
        self._newest_first = None

    def _set_entry(self, audit_id: str, entry: IndexEntry) -> None:
        self._index[audit_id] = entry
        self._index_dirty = True
        self._newest_first = None

    def _index_entry(
        self, audit: Audit, exported: int, st: os.stat_result | None = None
    ) -> IndexEntry:
        if st is None:
            st = os.lstat(self._audit_path(audit.id))
        return IndexEntry(st.st_mtime_ns, st.st_size, Summary.of(audit, exported))

    def flush_index(self) -> None:
        """Persist the index if it changed (it is a cache: losing it costs a rebuild, no data)."""
        with self._mutex:
            if not self._index_dirty or self.read_only:
                return
            atomic_write_bytes(self.index_path, index_bytes(self._index))
            self._index_dirty = False

    def summaries(self) -> list[Summary]:
        """Every audit's summary, newest first (a new list; sorted once until the index
        changes: the home screen, the follow-up queue and the resume check all ask at start)."""
        with self._mutex:
            if self._newest_first is None:
                items = [entry.summary for entry in self._index.values()]
                items.sort(key=NEWEST, reverse=True)  # the index file is kept in this order
                self._newest_first = items
            return list(self._newest_first)

    def file_stamp(self, audit_id: str) -> tuple[int, int] | None:
        """The modification time (ns) and size of the audit's file as the index knows it
        (checked against the file at open, kept by every write): what a cache made from the
        file is tied to (report_cache.py). None for an audit the index does not hold."""
        entry = self._index.get(audit_id)
        return None if entry is None else (entry.mtime_ns, entry.size)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, audit_id: object) -> bool:
        return audit_id in self._index

    def ids(self) -> list[str]:
        with self._mutex:
            return list(self._index)

    # ---- audits ---------------------------------------------------------------------------

    def _db(self, audit_id: str) -> TinyDB:
        db = self._handles.get(audit_id)
        if db is not None:
            self._handles.move_to_end(audit_id)
            return db
        # Store.open swept audits/ of stale temporary files already: no folder listing here.
        db = TinyDB(self._audit_path(audit_id), storage=AtomicJSONStorage, sweep=False)
        self._handles[audit_id] = db
        while len(self._handles) > _HANDLE_CACHE:
            _, old = self._handles.popitem(last=False)
            old.close()
        return db

    def _drop_handle(self, audit_id: str) -> None:
        db = self._handles.pop(audit_id, None)
        if db is not None:
            db.close()

    def _known_row(self, audit_id: str) -> dict[str, Any] | None:
        """The audit table's row decoded without the event log (most of the file, and of the
        time when reading thousands), if the file is the one the index knows: read whole,
        checked and scored at open, or written by this store since. None otherwise."""
        entry = self._index.get(audit_id)
        if entry is None:
            return None
        try:
            fd = open_regular(self._audit_path(audit_id))
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

    def _read_file(self, audit_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """An audit file read whole and checked: its record row (the record and what is kept
        beside it) and its event log. CorruptFileError (a copy kept aside) if it is not an
        audit file, or if its seal does not match what it holds: a change made outside the
        app, even one that leaves a valid record (a digit, a letter of a note)."""
        path = self._audit_path(audit_id)
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
            self._drop_handle(audit_id)
            if isinstance(exc, CorruptFileError):
                raise
            raise CorruptFileError(path, keep_damaged_copy(path), str(exc)) from exc
        if problem is not None:
            self._drop_handle(audit_id)
            raise CorruptFileError(path, keep_damaged_copy(path), problem)
        assert data is not None  # audit_file_problem says so
        (row,) = data["audit"].values()
        return dict(row), [dict(e) for e in data.get("events", {}).values()]

    def _read_raw(self, audit_id: str) -> dict[str, Any]:
        """The record row of an audit file, checked (see `_read_file`)."""
        return self._read_file(audit_id)[0]

    def _read_audit(self, audit_id: str, known: bool = False) -> Audit:
        """The stored audit; CorruptFileError (a copy kept aside) if its record cannot be used:
        a record the app could not even score would only fail later, on screen. `known`: a
        file the index knows is trusted (see `_known_row`)."""
        row = self._known_row(audit_id) if known else None
        if row is not None:
            return self._audit_of(audit_id, row, checked=True)
        return self._audit_of(audit_id, self._read_raw(audit_id))

    def _audit_of(self, audit_id: str, raw: Mapping[str, Any], checked: bool = False) -> Audit:
        """The audit of a record row read from its file (see `_read_audit`); `checked`: the
        file is one the index knows, scored when it was indexed."""
        from auditor_tui.domain.grid import GridError
        from auditor_tui.domain.record import STATUSES, Audit

        try:
            audit = Audit.from_dict(raw["record"])
            if audit.status not in STATUSES:
                raise ValueError(f"statut inconnu {audit.status!r}")
            if audit.id != audit_id:
                raise ValueError(f"le fichier de l'audit {audit_id} porte l'id {audit.id!r}")
            if not checked:
                audit.score()
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            if isinstance(exc, GridError) and Path(exc.path).is_file():
                raise  # the grid file itself is broken, not this audit
            path = self._audit_path(audit_id)
            detail = f"enregistrement d'audit inutilisable : {type(exc).__name__} : {exc}"
            raise CorruptFileError(path, keep_damaged_copy(path), detail) from exc
        return audit

    def _read_indexed(self, audit_id: str) -> tuple[Audit, int]:
        """What an index entry is made of, from one whole read of the file: the audit and the
        last exported revision kept beside it."""
        raw = self._read_raw(audit_id)
        return self._audit_of(audit_id, raw), _exported_of(raw)

    def get(self, audit_id: str) -> Audit:
        # Whole files are checked at open (index rebuild) and before every write.
        with self._mutex:
            return self._read_audit(audit_id, known=True)

    def events(self, audit_id: str) -> list[dict[str, Any]]:
        with self._mutex:
            return self._read_file(audit_id)[1]

    def _write(
        self,
        audit: Audit,
        events: list[dict[str, Any]],
        current: tuple[dict[str, Any], list[dict[str, Any]]] | None = None,
    ) -> None:
        """Replace the audit's file: record + all its events, in one atomic write. `current`:
        the file as the caller has just read it (`_read_file`), not to be read twice."""
        self._refuse_if_read_only()
        db = self._db(audit.id)
        path = self._audit_path(audit.id)
        existing_events: list[dict[str, Any]] = []
        exported = 0
        if current is None and path.exists():
            current = self._read_file(audit.id)
        if current is not None:
            raw, existing_events = current
            exported = _exported_of(raw)
        seq = len(existing_events)
        for i, event in enumerate(events, start=seq + 1):
            event["seq"] = i
        payload = audit_file(audit.to_dict(), exported, [*existing_events, *events])
        try:
            db.storage.write(payload)
        except StoreError as exc:
            self._drop_handle(audit.id)  # forget cached bytes: the disk holds the truth
            if isinstance(exc, StoreWriteError) and not exc.previous_intact:
                # Renamed into place, only the folder sync failed: the index follows the disk.
                with suppress(OSError):
                    self._set_entry(audit.id, self._index_entry(audit, exported))
            raise
        db.clear_cache()
        self._set_entry(audit.id, self._index_entry(audit, exported))

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
            if self._audit_path(audit.id).exists():
                if self._read_raw(audit.id)["record"] == audit.to_dict():
                    return audit  # a retried create whose first attempt did land
                raise StoreError(f"un audit {audit.id} existe déjà", self._audit_path(audit.id))
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
            current = self._read_file(audit.id)
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

    def mark_exported(self, audit_ids: Iterable[str], batch: str) -> None:
        """Record that a batch carried these audits, without touching their revision: one
        commit, as an import (all of them marked, or none)."""
        ids = list(audit_ids)
        if not ids:
            return
        self._refuse_if_read_only()

        def marked(audit_id: str) -> tuple[Audit, dict[str, Any]]:
            raw, events = self._read_file(audit_id)
            audit = self._audit_of(audit_id, raw)
            audit.export_batch = batch
            return audit, audit_file(audit.to_dict(), audit.revision, events)

        with self._mutex:
            self._commit(ids, marked)

    # ---- several audits in one commit: all or nothing ---------------------------------------

    def put_many(
        self, audits: list[Audit], *, kind: str = "import", moment: datetime | None = None
    ) -> None:
        """Write several audits as one commit (see `_commit`). Existing audits keep their event
        log, extended with the import."""
        if not audits:
            return
        self._refuse_if_read_only()
        for audit in audits:
            self._check_new_id(audit.id)
        stamp = _stamp(moment)
        by_id = {audit.id: audit for audit in audits}
        if len(by_id) < len(audits):
            raise StoreError("un même audit donné deux fois", self.root)

        def imported(audit_id: str) -> tuple[Audit, dict[str, Any]]:
            audit = by_id[audit_id]
            return audit, self._import_payload(audit, kind, stamp)

        with self._mutex:
            self._commit([audit.id for audit in audits], imported)

    def _commit(
        self, ids: list[str], prepare: Callable[[str], tuple[Audit, dict[str, Any]]]
    ) -> None:
        """Rewrite these audits' files as one commit: staged files (`prepare` gives each audit
        and its file's content, one at a time), a journal as the commit point, then renames. A
        crash before the journal changes nothing; after it, the next open finishes the renames
        (roll forward).

        A StoreWriteError before the commit point leaves the store as it was; after it (the
        renames failing), the commit stands and the next open, or commit, finishes it."""
        if self.journal_path.exists():
            self._roll_forward_journal()  # an earlier commit left unfinished
        stage = self.root / f"staging-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(stage, ignore_errors=True)
        moves: list[tuple[str, str]] = []
        done: list[tuple[Audit, int, Path]] = []  # each audit, its exported revision, its file
        unconfirmed: StoreWriteError | None = None
        committed = False
        try:
            try:
                stage.mkdir(mode=0o700)
            except OSError as exc:
                raise StoreWriteError(stage, exc, action="de créer le dossier", tail="") from exc
            with _StagedWriter(stage, len(ids)) as writer:
                for audit_id in ids:
                    path = self._audit_path(audit_id)
                    audit, payload = prepare(audit_id)
                    where = writer.next_path(path.name)
                    writer.write(where, _encode_import(payload).encode())
                    done.append((audit, payload["audit"]["1"]["exported_revision"], where))
                    # Relative to the store folder, so a moved folder still rolls forward.
                    moves.append(
                        (
                            where.relative_to(self.root).as_posix(),
                            f"{self.audits_dir.name}/{path.name}",
                        )
                    )
            journal = {"moves": moves, "stage": stage.name}
            # Readers (commit_lock.py) see the commit whole or not at all: they wait while
            # the journal is written and the files renamed.
            with self._commit_lock.exclusive():
                try:
                    atomic_write_bytes(self.journal_path, json.dumps(journal).encode())
                except StoreWriteError as exc:
                    if exc.previous_intact or not self.journal_path.exists():
                        raise
                    unconfirmed = exc  # the journal is in place: the commit stands
                committed = True
                try:
                    self._apply_journal(journal)
                except StoreError:
                    self._refresh_index(ids)  # some renames happened
                    raise
        except BaseException:
            if not committed:
                shutil.rmtree(stage, ignore_errors=True)
            raise
        for audit, exported, where in done:
            self._drop_handle(audit.id)
            # A rename keeps the file's modification time and size: the stat of its writing.
            self._set_entry(audit.id, self._index_entry(audit, exported, writer.stats[where]))
        with suppress(StoreError):
            self.flush_index()  # a cache: if it cannot be written now, it is rebuilt later
        if unconfirmed is not None:
            raise unconfirmed

    def _import_payload(self, audit: Audit, kind: str, stamp: str) -> dict[str, Any]:
        """The file content of an imported audit: its record and its event log, extended."""
        events: list[dict[str, Any]] = []
        exported = 0
        changes: list[dict[str, Any]] = []
        if self._audit_path(audit.id).exists():
            raw, events = self._read_file(audit.id)
            exported = _exported_of(raw)
            changes = diff_records(raw["record"], audit.to_dict())
        head = {"at": stamp, "kind": kind, "revision": audit.revision}
        events.append({**head, "field": None, "old": None, "new": None})
        events.extend({**head, **c} for c in changes)
        for i, e in enumerate(events, start=1):
            e["seq"] = i
        return audit_file(audit.to_dict(), exported, events)

    def _refresh_index(self, audit_ids: Iterable[str]) -> None:
        """Index entries re-read from the files, after a multi-file commit (done or not)."""
        for audit_id in audit_ids:
            self._drop_handle(audit_id)
            try:
                entry = self._index_entry(*self._read_indexed(audit_id))
            except (KeyError, OSError, StoreError):
                continue
            self._set_entry(audit_id, entry)

    def _apply_journal(self, journal: Mapping[str, Any]) -> None:
        """Finish a committed import: rename its staged files into audits/, then drop the
        journal. On an OSError the journal stays, for the next open to finish the work."""
        try:
            for src, dst in journal["moves"]:
                source = self.root / src  # absolute in journals of older versions
                try:
                    os.replace(source, self.root / dst)
                except FileNotFoundError:
                    if source.exists():
                        raise  # the destination is missing, not the file
                    # moved already, before a crash: the next open rolls forward
            fsync_dir(self.audits_dir)
            self.journal_path.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreWriteError(
                self.journal_path,
                exc,
                action="de terminer l'import noté dans",
                tail="L'import est validé : il sera terminé à la prochaine ouverture du dossier.",
            ) from exc
        shutil.rmtree(self.root / journal["stage"], ignore_errors=True)

    def _roll_forward_journal(self) -> None:
        if not self.journal_path.exists():
            for stale in self.root.glob("staging-*"):
                shutil.rmtree(stale, ignore_errors=True)  # an import killed before its commit
            return
        try:
            journal = self._read_journal()
        except CorruptFileError as exc:
            # Left as it is, with its staged files, for a human to look at; the rest opens.
            self.damaged.append(Damaged(self.journal_path, exc.backup_path, str(exc)))
            return
        with self._commit_lock.exclusive():
            self._apply_journal(journal)

    def _read_journal(self) -> dict[str, Any]:
        """The import journal, checked: it may only move staged files into audits/."""
        journal = read_json_file(self.journal_path)
        moves = journal.get("moves") if isinstance(journal, dict) else None
        stage = journal.get("stage") if isinstance(journal, dict) else None
        ok = isinstance(moves, list) and isinstance(stage, str)
        if ok:
            stage_path = self.root / str(stage)
            ok = stage_path.parent == self.root and stage_path.name.startswith("staging-")
            for move in moves if ok and isinstance(moves, list) else []:
                ok = ok and (
                    isinstance(move, list)
                    and len(move) == 2
                    and all(isinstance(m, str) for m in move)
                    and _staged_in(self.root / move[0], stage_path)
                    and self.root / move[1] == self.audits_dir / Path(move[0]).name
                )
        if ok:
            ok = check_journal_sources(self.root, [m[0] for m in moves])  # type: ignore[union-attr]
        if not ok:
            detail = "journal d'import inattendu : il ne déplace pas des fichiers préparés"
            raise CorruptFileError(self.journal_path, keep_damaged_copy(self.journal_path), detail)
        return dict(journal)

    # ---- small documents: dealers and settings --------------------------------------------

    @contextmanager
    def _doc_db(self, name: str) -> Iterator[TinyDB]:
        with self._mutex:
            db = TinyDB(self.root / name, storage=AtomicJSONStorage)
            try:
                yield db
            finally:
                db.close()

    def dealers(self) -> list[dict[str, Any]]:
        with self._doc_db("dealers.json") as db:
            return _rows(db, "dealers")

    def replace_dealers(self, dealers: Iterable[Mapping[str, Any]]) -> None:
        self._refuse_if_read_only()
        rows = [dict(d) for d in dealers]
        with self._doc_db("dealers.json") as db:
            db.storage.write({"dealers": {str(i): r for i, r in enumerate(rows, start=1)}})

    def _settings(self, db: TinyDB) -> dict[str, Any]:
        """The settings, or none when the file is damaged: preferences (the last identity used,
        the auditor's name) are not evidence; the damaged (or unreadable) file was reported at
        open and a copy kept aside (CorruptFileError), so the app goes on with defaults."""
        try:
            rows = _rows(db, "settings")
        except StoreError:  # damaged, a link, unreadable: reported at open
            return {}
        return dict(rows[0]) if rows else {}

    def setting(self, key: str, default: Any = None) -> Any:
        with self._doc_db("settings.json") as db:
            return self._settings(db).get(key, default)

    def set_setting(self, key: str, value: Any) -> None:
        self._refuse_if_read_only()
        with self._doc_db("settings.json") as db:
            current = self._settings(db)
            current[key] = value
            db.storage.write({"settings": {"1": current}})
