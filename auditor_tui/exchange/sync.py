"""Incremental sync: the audits created or changed since the last export leave as one batch.

A batch is a folder `<FOLDER>/<batch id>/` holding `audits.jsonl` (the contract, DOMAIN.md §4),
any extra files asked for (CSV, XLSX) and `manifest.json`, written last: a batch folder
without a manifest is incomplete and importers ignore it. Before the manifest, `audits.jsonl`
is read back from the disk by the importer's own reader: a batch that would not import as it
was sent is removed, and nothing is marked. After the manifest, the store marks each audit
with the batch and the revision it carried; an edit bumps the revision, so the next batch
carries the audit again.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor_tui.domain.record import Audit
from auditor_tui.exchange.export import (
    ExportError,
    export_order,
    export_store,
    read_in_order,
    write_jsonl,
)
from auditor_tui.exchange.importing import LineParser, comparable
from auditor_tui.exchange.jsonl import stream_lines
from auditor_tui.exchange.manifest import JSONL_NAME, MANIFEST_NAME, manifest_bytes
from auditor_tui.exchange.output_files import Spool
from auditor_tui.store import Store
from auditor_tui.store.atomic import atomic_write_bytes, ensure_private_dir
from auditor_tui.store.errors import StoreError


@dataclass(frozen=True)
class Batch:
    id: str
    folder: Path
    count: int
    files: Mapping[str, Mapping[str, Any]]  # name → {sha256, bytes}


class BatchRefused(ValueError):
    """The batch would not import as it was sent: removed, nothing marked; `problems` names
    each audit and why."""

    def __init__(self, folder: Path, problems: list[str]) -> None:
        self.folder = folder
        self.problems = problems
        body = "\n".join(f"  {p}" for p in problems)
        super().__init__(
            f"lot {folder.name} refusé à la relecture, supprimé ; aucun audit n'est marqué "
            f"exporté :\n{body}"
        )


def read_back(path: Path, sent: Iterable[Audit], count: int) -> list[str]:
    """What keeps the JSONL file at `path` from importing as the `count` audits `sent` (in
    export order), read from the disk with the importer's own reader, a line at a time: each
    problem named by its audit (empty: none)."""
    expected = iter(sent)
    parser = LineParser()
    refused: list[str] = []  # lines the importer would refuse
    differ: list[str] = []  # lines read back otherwise than sent
    read = 0
    same_ids = True
    with path.open("rb") as file:
        for line, raw in stream_lines(iter(lambda: file.read(_CHUNK), b"")):
            audit, problems = parser.parse(line, raw)
            mine = next(expected, None)
            who = (
                f"audit {mine.id} (ligne {line})"
                if mine is not None
                else f"{path.name}, ligne {line}"
            )
            refused += [f"{who}, champ {p.field} : {p.message}" for p in problems if not p.warning]
            if audit is None:
                continue
            read += 1
            if mine is None or audit.id != mine.id:
                same_ids = False
            elif not refused:
                fields = _differences(mine, audit)
                if fields:
                    differ.append(f"{who} : relu autrement ({', '.join(fields)})")
    if refused:
        return refused
    if not same_ids or read != count:
        return [f"{path.name} : {read} audit(s) relu(s) pour {count} écrit(s)"]
    return differ


_CHUNK = 1 << 20


def _differences(mine: Audit, back: Audit) -> list[str]:
    """The fields an audit read back has otherwise than sent (its deadlines aside: recomputed
    on import, by rule, a warning if they differ)."""
    sent, theirs = comparable(mine), comparable(back)
    for d in (sent, theirs):
        d.pop("deadlines", None)
    if sent == theirs:
        return []
    return sorted(k for k in sent.keys() | theirs.keys() if sent.get(k) != theirs.get(k))


def changed_ids(store: Store) -> list[str]:
    """Audits never exported, or edited since the batch that last carried them."""
    return [s.id for s in store.summaries() if s.revision > s.exported_revision]


def new_batch_id(moment: datetime) -> str:
    """Sorts by creation time; the random tail keeps two batches of one second apart."""
    stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def jsonl_bytes(audits: list[Audit]) -> bytes:
    buffer = io.StringIO()
    write_jsonl(audits, buffer)
    return buffer.getvalue().encode("utf-8")


def csv_bytes(audits: list[Audit]) -> bytes:
    from auditor_tui.exchange.export_csv import write_csv

    buffer = io.StringIO()
    write_csv(audits, buffer)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(audits: list[Audit]) -> bytes:
    from auditor_tui.exchange.export_xlsx import xlsx_bytes as produce  # only when asked

    return produce(audits)


def file_name(fmt: str) -> str:
    return f"audits.{fmt}"


def export_changed(
    store: Store,
    folder: Path,
    moment: datetime,
    *,
    extra: Mapping[str, str] | None = None,
    transform: Callable[[Audit], Audit] | None = None,
) -> Batch | None:
    """Write one batch of the changed audits and mark them exported; None when nothing
    changed (then nothing is written, not even the folder).

    `extra` adds files (name → format: csv, xlsx); `transform` changes what leaves
    (pseudonymisation) without touching the store. Every file is written as the audits are
    read, one at a time, and read back the same way (issue 15: a first batch of a large
    store in bounded memory).
    """
    wanted = set(changed_ids(store))
    if not wanted:
        return None
    revisions = {s.id: s.revision for s in store.summaries() if s.id in wanted}
    ids = [audit_id for audit_id in export_order(store) if audit_id in wanted]
    batch_id = new_batch_id(moment)
    target = folder / batch_id
    formats = {JSONL_NAME: "jsonl", **(extra or {})}
    ensure_private_dir(target)
    files: dict[str, dict[str, Any]] = {}
    try:
        for name, fmt in formats.items():
            files[name] = _write_file(store, target / name, fmt, wanted, transform, moment)
    except ExportError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise BatchRefused(target, [str(exc)]) from exc
    # Any other failure (a full disk) leaves the folder without a manifest: importers skip it.
    sent = read_in_order(store, ids, [], transform)
    problems = read_back(target / JSONL_NAME, sent, len(ids))
    if problems:
        shutil.rmtree(target, ignore_errors=True)
        raise BatchRefused(target, problems)
    listed = [_Listed(audit_id, revisions[audit_id]) for audit_id in ids]
    data = manifest_bytes(batch_id, moment, listed, files, pseudonymised=transform is not None)
    atomic_write_bytes(target / MANIFEST_NAME, data)
    store.mark_exported(ids, batch_id)
    return Batch(batch_id, target, len(ids), files)


@dataclass(frozen=True)
class _Listed:
    """An audit as the manifest lists it."""

    id: str
    revision: int


def _write_file(
    store: Store,
    path: Path,
    fmt: str,
    only: set[str],
    transform: Callable[[Audit], Audit] | None,
    moment: datetime,
) -> dict[str, Any]:
    """One file of the batch, made as the audits are read into a temporary file beside it,
    renamed into place once synced (output_files.py `Spool`, as `export --out`): its sha256
    and size. An audit that cannot be read stops the batch (it would leave without it)."""
    unread: list[str] = []
    spool = Spool(str(path))
    try:
        export_store(store, fmt, spool.stream, unread, transform, moment, only=only)
        if unread:
            raise StoreError("audit illisible, lot interrompu : " + unread[0], store.root)
    except BaseException:
        spool.discard()
        raise
    spool.publish(_never)
    with path.open("rb") as written:
        digest = hashlib.file_digest(written, "sha256")
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


def _never(_data: bytes) -> None:  # pragma: no cover - a batch file is never standard output
    raise AssertionError("un fichier de lot n'est pas la sortie standard")
