"""Several audits in one commit, all or nothing (an import, a batch marked exported): their
files staged in a private folder, then `journal.json` as the commit point, then renamed into
audits/. A crash before the journal changes nothing; after it, the next open finishes the
renames (roll forward). Readers see the commit whole or not at all (commit_lock.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor_tui.store.atomic import fsync_dir
from auditor_tui.store.audit_files import AuditFiles
from auditor_tui.store.commit_lock import CommitLock
from auditor_tui.store.errors import CorruptFileError, Damaged, StoreError, StoreWriteError
from auditor_tui.store.index import Index
from auditor_tui.store.layout import audit_file, diff_records, exported_of
from auditor_tui.store.links import check_journal_sources
from auditor_tui.store.reading import keep_damaged_copy, read_json_file
from auditor_tui.store.staging import Staging

if TYPE_CHECKING:
    from auditor_tui.domain.record import Audit

Prepare = Callable[[str], tuple["Audit", dict[str, Any]]]  # an id → its audit and file content


def _staged_in(path: Path, stage: Path) -> bool:
    """Whether `path` is a file of the staging folder `stage` (or of one of its numbered
    subfolders, see _StagedWriter)."""
    folder = path.parent
    return folder == stage or (folder.parent == stage and folder.name.isdigit())


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

    def read_staged(self) -> list[str]:
        """Read-only, an import interrupted after its commit point (its writer died: no commit
        is being applied while the reader holds the commit lock): its audits are read where
        they are staged, the state the next writer will finish. What a reader should know."""
        try:
            journal = self.read()
        except CorruptFileError as exc:
            self.damaged.append(Damaged(self.path, exc.backup_path, str(exc)))
            return []
        for source, target in journal["moves"]:
            staged = self.root / source
            if os.path.lexists(staged):
                self.files.staged[Path(target).stem] = staged
        return [
            f"Un import interrompu dans {self.root} est lu tel qu'il sera terminé à la "
            "prochaine ouverture du dossier en écriture."
        ]

    def mark_exported(self, ids: list[str], batch: str) -> None:
        """Record that a batch carried these audits, without touching their revision."""

        def marked(audit_id: str) -> tuple[Audit, dict[str, Any]]:
            raw, events = self.files.read(audit_id)
            audit = self.files.audit_of(audit_id, raw)
            audit.export_batch = batch
            return audit, audit_file(audit.to_dict(), audit.revision, events)

        self.commit(ids, marked)

    def commit(self, ids: list[str], prepare: Prepare) -> None:
        """Rewrite these audits' files as one commit (`prepare` gives each audit and its file's
        content, one at a time): see `Staging`."""
        with Staging(self, len(ids)) as staging:
            for audit_id in ids:
                staging.add(*prepare(audit_id))
            staging.commit()

    def import_payload(self, audit: Audit, kind: str, stamp: str) -> dict[str, Any]:
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
