"""Several audits in one commit, all or nothing (an import, a batch marked exported): their
files staged in a private folder, then `journal.json` as the commit point, then renamed into
audits/. A crash before the journal changes nothing; after it, the next open finishes the
renames (roll forward). Readers see the commit whole or not at all (commit_lock.py).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
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
from auditor_tui.store.audit_files import AuditFiles
from auditor_tui.store.commit_lock import CommitLock
from auditor_tui.store.errors import CorruptFileError, Damaged, StoreError, StoreWriteError
from auditor_tui.store.index import Index
from auditor_tui.store.layout import audit_file, diff_records, exported_of
from auditor_tui.store.links import check_journal_sources
from auditor_tui.store.reading import keep_damaged_copy, read_json_file

if TYPE_CHECKING:
    from auditor_tui.domain.record import Audit

Prepare = Callable[[str], tuple["Audit", dict[str, Any]]]  # an id → its audit and file content


_encode_import = json.JSONEncoder(ensure_ascii=False).encode  # one for a whole import


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


class Journal:
    """The multi-file commits of one store folder. Not thread-safe: the store calls it under
    its lock, never in read-only mode (but for `read_staged`)."""

    def __init__(
        self,
        root: Path,
        files: AuditFiles,
        index: Index,
        commit_lock: CommitLock,
        damaged: list[Damaged],
    ) -> None:
        self.root = root
        self.path = root / "journal.json"
        self.files = files
        self.index = index
        self.commit_lock = commit_lock
        self.damaged = damaged  # the store's: a damaged journal is reported there

    def put_many(self, audits: list[Audit], kind: str, stamp: str) -> None:
        """Write several audits as one commit. Existing audits keep their event log, extended
        with the import."""
        by_id = {audit.id: audit for audit in audits}
        if len(by_id) < len(audits):
            raise StoreError("un même audit donné deux fois", self.root)

        def imported(audit_id: str) -> tuple[Audit, dict[str, Any]]:
            audit = by_id[audit_id]
            return audit, self._import_payload(audit, kind, stamp)

        self.commit([audit.id for audit in audits], imported)

    def mark_exported(self, ids: list[str], batch: str) -> None:
        """Record that a batch carried these audits, without touching their revision."""

        def marked(audit_id: str) -> tuple[Audit, dict[str, Any]]:
            raw, events = self.files.read(audit_id)
            audit = self.files.audit_of(audit_id, raw)
            audit.export_batch = batch
            return audit, audit_file(audit.to_dict(), audit.revision, events)

        self.commit(ids, marked)

    def commit(self, ids: list[str], prepare: Prepare) -> None:
        """Rewrite these audits' files as one commit: staged files (`prepare` gives each audit
        and its file's content, one at a time), a journal as the commit point, then renames. A
        crash before the journal changes nothing; after it, the next open finishes the renames
        (roll forward).

        A StoreWriteError before the commit point leaves the store as it was; after it (the
        renames failing), the commit stands and the next open, or commit, finishes it."""
        if self.path.exists():
            self.roll_forward()  # an earlier commit left unfinished
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
                    path = self.files.path(audit_id)
                    audit, payload = prepare(audit_id)
                    where = writer.next_path(path.name)
                    writer.write(where, _encode_import(payload).encode())
                    done.append((audit, payload["audit"]["1"]["exported_revision"], where))
                    # Relative to the store folder, so a moved folder still rolls forward.
                    moves.append(
                        (
                            where.relative_to(self.root).as_posix(),
                            f"{self.files.folder.name}/{path.name}",
                        )
                    )
            journal = {"moves": moves, "stage": stage.name}
            # Readers (commit_lock.py) see the commit whole or not at all: they wait while
            # the journal is written and the files renamed.
            with self.commit_lock.exclusive():
                try:
                    atomic_write_bytes(self.path, json.dumps(journal).encode())
                except StoreWriteError as exc:
                    if exc.previous_intact or not self.path.exists():
                        raise
                    unconfirmed = exc  # the journal is in place: the commit stands
                committed = True
                try:
                    self.apply(journal)
                except StoreError:
                    self.refresh_index(ids)  # some renames happened
                    raise
        except BaseException:
            if not committed:
                shutil.rmtree(stage, ignore_errors=True)
            raise
        for audit, exported, where in done:
            self.files.drop(audit.id)
            # A rename keeps the file's modification time and size: the stat of its writing.
            self.index.set(audit.id, self.files.entry(audit, exported, writer.stats[where]))
        with suppress(StoreError):
            self.index.flush()  # a cache: if it cannot be written now, it is rebuilt later
        if unconfirmed is not None:
            raise unconfirmed

    def _import_payload(self, audit: Audit, kind: str, stamp: str) -> dict[str, Any]:
        """The file content of an imported audit: its record and its event log, extended."""
        events: list[dict[str, Any]] = []
        exported = 0
        changes: list[dict[str, Any]] = []
        if self.files.path(audit.id).exists():
            raw, events = self.files.read(audit.id)
            exported = exported_of(raw)
            changes = diff_records(raw["record"], audit.to_dict())
        head = {"at": stamp, "kind": kind, "revision": audit.revision}
        events.append({**head, "field": None, "old": None, "new": None})
        events.extend({**head, **c} for c in changes)
        for i, e in enumerate(events, start=1):
            e["seq"] = i
        return audit_file(audit.to_dict(), exported, events)

    def refresh_index(self, audit_ids: Iterable[str]) -> None:
        """Index entries re-read from the files, after a multi-file commit (done or not)."""
        for audit_id in audit_ids:
            self.files.drop(audit_id)
            try:
                entry = self.files.entry(*self.files.read_indexed(audit_id))
            except (KeyError, OSError, StoreError):
                continue
            self.index.set(audit_id, entry)

    def apply(self, journal: Mapping[str, Any]) -> None:
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
            fsync_dir(self.files.folder)
            self.path.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreWriteError(
                self.path,
                exc,
                action="de terminer l'import noté dans",
                tail="L'import est validé : il sera terminé à la prochaine ouverture du dossier.",
            ) from exc
        shutil.rmtree(self.root / journal["stage"], ignore_errors=True)

    def roll_forward(self) -> None:
        """Finish a commit left unfinished (its writer died after the commit point), or clear
        the staging folders of imports killed before theirs."""
        if not self.path.exists():
            for stale in self.root.glob("staging-*"):
                shutil.rmtree(stale, ignore_errors=True)  # an import killed before its commit
            return
        try:
            journal = self.read()
        except CorruptFileError as exc:
            # Left as it is, with its staged files, for a human to look at; the rest opens.
            self.damaged.append(Damaged(self.path, exc.backup_path, str(exc)))
            return
        with self.commit_lock.exclusive():
            self.apply(journal)

    def read(self) -> dict[str, Any]:
        """The import journal, checked: it may only move staged files into audits/."""
        journal = read_json_file(self.path)
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
                    and self.root / move[1] == self.files.folder / Path(move[0]).name
                )
        if ok:
            ok = check_journal_sources(self.root, [m[0] for m in moves])  # type: ignore[union-attr]
        if not ok:
            detail = "journal d'import inattendu : il ne déplace pas des fichiers préparés"
            raise CorruptFileError(self.path, keep_damaged_copy(self.path), detail)
        return dict(journal)
