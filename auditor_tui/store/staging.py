"""A commit of several audit files being staged (bulk.py): the files written into a private
staging folder as they come (`_StagedWriter`: a large commit over a few subfolders and
threads), then published by the journal (`Staging.commit`), or dropped; `Importing`, an import
staged one audit at a time (Store.importing).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor_tui.store.atomic import (
    atomic_write_bytes,
    can_sync_filesystem,
    ensure_private_dir,
    fsync_dir,
    sync_filesystem,
    write_new_file,
)
from auditor_tui.store.errors import StoreError, StoreWriteError
from auditor_tui.store.index import Index, IndexEntry, Summary

if TYPE_CHECKING:
    from auditor_tui.domain.record import Audit
    from auditor_tui.store.bulk import Journal

encode_import = json.JSONEncoder(ensure_ascii=False).encode  # one for a whole commit


class _StagedWriter:
    """The staged files of a commit, each created in the private staging folder (no temporary
    file and rename: the folders are fsync'd before the commit point), with their stats.

    A small commit writes each file and fsyncs it, in order. A large one spreads its files over
    a few subfolders, each written by a thread of its own: creating a file is the costly part
    (the kernel allocates an inode: 0.5-1.3 ms each on the benchmark machine, serialised within
    a folder, and it runs outside the interpreter lock), then syncs the file system once
    (Linux's syncfs: one journal commit for 10,000 files); where there is no syncfs, each
    thread fsyncs its files and the file system commits their fsyncs together. When the number
    of files is not known beforehand (an import read line by line), the first LARGE_FROM are
    held in memory until it is. Leaving the `with` waits for every write (and the sync) and
    raises the first failure."""

    LARGE_FROM = 32  # files
    FOLDERS = 4  # and threads, for a large commit
    BATCH = 256  # writes in flight at most (their bytes are held in memory)

    def __init__(self, stage: Path, count: int | None = None) -> None:
        self.stage = stage
        self._large: bool | None = None
        self._held: list[tuple[str, bytes]] = []
        self._sync_once = False
        self._folders: list[Path] = [stage]
        self._pools: list[ThreadPoolExecutor] = []
        self._pending: list[tuple[str, Future[os.stat_result]]] = []
        self._written = 0
        self.placed: dict[str, int] = {}  # file name → its folder's number in `folders`
        self.stats: dict[str, tuple[int, int]] = {}  # file name → modification time (ns), size
        if count is not None:
            self._start(count >= self.LARGE_FROM)

    def _start(self, large: bool) -> None:
        self._large = large
        self._sync_once = large and can_sync_filesystem()
        if large:
            self._folders = [self.stage / str(n) for n in range(self.FOLDERS)]
            self._pools = [ThreadPoolExecutor(1) for _ in self._folders]
            for folder in self._folders:
                ensure_private_dir(folder)

    def relative(self, name: str) -> str:
        """Where the file `name` was staged, relative to the store folder (so that a moved
        folder still rolls forward)."""
        if self._pools:
            return f"{self.stage.name}/{self.placed[name]}/{name}"
        return f"{self.stage.name}/{name}"

    def write(self, name: str, data: bytes) -> None:
        """Stage `data` as the file `name`."""
        if self._large is None:
            self._held.append((name, data))
            if len(self._held) >= self.LARGE_FROM:
                self._release(large=True)
            return
        n, self._written = self._written, self._written + 1
        folder = n % len(self._folders)
        self.placed[name] = folder
        path = self._folders[folder] / name
        if not self._pools:
            st = write_new_file(path, data)
            self.stats[name] = (st.st_mtime_ns, st.st_size)
            return
        sync = not self._sync_once
        self._pending.append(
            (name, self._pools[folder].submit(write_new_file, path, data, sync=sync))
        )
        if len(self._pending) >= self.BATCH:
            self._wait()

    def _release(self, *, large: bool) -> None:
        """Write the files held so far, the way their number now tells."""
        held, self._held = self._held, []
        self._start(large)
        for name, data in held:
            self.write(name, data)

    def _wait(self) -> None:
        pending, self._pending = self._pending, []
        for name, future in pending:
            st = future.result()
            self.stats[name] = (st.st_mtime_ns, st.st_size)

    def __enter__(self) -> _StagedWriter:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None:
                if self._large is None:
                    self._release(large=False)
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
            for folder in [*self._folders[: self._written], self.stage]:
                fsync_dir(folder)
        except OSError as exc:
            raise StoreWriteError(folder, exc, action="d'enregistrer le dossier", tail="") from exc


class Staging:
    """One commit of several audit files, all or nothing: staged one at a time (`add`), then
    `commit`: a journal as the commit point, then renames. A crash before the journal changes
    nothing; after it, the next open finishes the renames (roll forward). Leaving the `with`
    without committing (an import refused halfway) removes what was staged: the store is as
    it was.

    A StoreWriteError before the commit point leaves the store as it was; after it (the
    renames failing), the commit stands and the next open, or commit, finishes it."""

    def __init__(self, journal: Journal, count: int | None = None) -> None:
        """`count`: how many audits will be added, if known (see _StagedWriter)."""
        self.journal = journal
        if journal.path.exists():
            journal.roll_forward()  # an earlier commit left unfinished
        self.stage = journal.root / f"staging-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(self.stage, ignore_errors=True)
        try:
            self.stage.mkdir(mode=0o700)
        except OSError as exc:
            raise StoreWriteError(self.stage, exc, action="de créer le dossier", tail="") from exc
        self._writer = _StagedWriter(self.stage, count)
        # Each audit staged: its id, summary and line digest (store/index.py).
        self._done: list[tuple[str, Summary, str | None]] = []
        self._committed = False

    def __len__(self) -> int:
        return len(self._done)

    def add(self, audit: Audit, payload: dict[str, Any], line: str | None = None) -> None:
        """Stage the audit's new file (`payload`, its content); `line`: the digest of the
        import line it comes from, kept in the index (`IndexEntry.line`)."""
        files = self.journal.files
        self._writer.write(files.path(audit.id).name, encode_import(payload).encode())
        exported = payload["audit"]["1"]["exported_revision"]
        self._done.append((audit.id, Summary.of(audit, exported), line))

    def commit(self) -> None:
        journal, writer = self.journal, self._writer
        writer.__exit__(None, None, None)  # every file written and synced, or raises
        folder = journal.files.folder.name
        moves = [
            (writer.relative(f"{audit_id}.json"), f"{folder}/{audit_id}.json")
            for audit_id, _summary, _line in self._done
        ]
        document = {"moves": moves, "stage": self.stage.name}
        unconfirmed: StoreWriteError | None = None
        # Readers (commit_lock.py) see the commit whole or not at all: they wait while the
        # journal is written and the files renamed.
        with journal.commit_lock.exclusive():
            try:
                atomic_write_bytes(journal.path, json.dumps(document).encode())
            except StoreWriteError as exc:
                if exc.previous_intact or not journal.path.exists():
                    raise
                unconfirmed = exc  # the journal is in place: the commit stands
            self._committed = True
            try:
                journal.apply(document)
            except StoreError:
                journal.refresh_index([audit_id for audit_id, _s, _l in self._done])
                raise
        for audit_id, summary, line in self._done:
            journal.files.drop(audit_id)
            # A rename keeps the file's modification time and size: the stat of its writing.
            mtime, size = writer.stats[f"{audit_id}.json"]
            journal.index.set(audit_id, IndexEntry(mtime, size, summary, line))
        with suppress(StoreError):
            journal.index.flush()  # a cache: if it cannot be written now, it is rebuilt later
        if unconfirmed is not None:
            raise unconfirmed

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if not self._committed:
            with suppress(BaseException):
                self._writer.__exit__(exc_type or RuntimeError, None, None)
            shutil.rmtree(self.stage, ignore_errors=True)


class Importing:
    """An import being staged (Store.importing), the store held: what the index knows of the
    audits met, the audits staged, the lines found to be audits already stored."""

    def __init__(
        self,
        staging: Staging,
        index: Index,
        kind: str,
        stamp: str,
        check_id: Callable[[str], None],
    ) -> None:
        self._staging, self._index = staging, index
        self._kind, self._stamp, self._check_id = kind, stamp, check_id

    def __len__(self) -> int:
        return len(self._staging)

    def summary(self, audit_id: str) -> Summary | None:
        """The stored audit's summary (None: the store has no such audit)."""
        entry = self._index.entries.get(audit_id)
        return None if entry is None else entry.summary

    def known_lines(self) -> dict[str, str]:
        """Index.known_lines: the digest of the line each audit was imported from → its id."""
        return self._index.known_lines()

    def remember_line(self, audit_id: str, line: str) -> None:
        """Index.remember_line (a cache, not written to the audit's file)."""
        self._index.remember_line(audit_id, line)

    def add(self, audit: Audit, line: str | None = None) -> None:
        """Stage an imported audit (its event log, if it exists, extended with the import);
        `line`: the digest of the line it was read from (see known_lines)."""
        self._check_id(audit.id)
        journal = self._staging.journal
        self._staging.add(audit, journal.import_payload(audit, self._kind, self._stamp), line)

    def commit(self) -> None:
        self._staging.commit()
