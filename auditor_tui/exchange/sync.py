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

import io
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor_tui.domain.record import Audit
from auditor_tui.exchange.export import ExportError, in_export_order, write_jsonl
from auditor_tui.exchange.importing import comparable, parse_jsonl
from auditor_tui.exchange.manifest import JSONL_NAME, MANIFEST_NAME, manifest_bytes, sha256
from auditor_tui.store import Store
from auditor_tui.store.atomic import atomic_write_bytes, ensure_private_dir

Producer = Callable[[list[Audit]], bytes]


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


def read_back(path: Path, sent: list[Audit]) -> list[str]:
    """What keeps the JSONL file at `path` from importing as the audits `sent`, read from the
    disk with the importer's own reader: each problem named by its audit (empty: none)."""
    order = in_export_order(sent)
    audits, problems = parse_jsonl(path.read_bytes(), str(path))

    def who(line: int | None) -> str:
        if line is not None and 0 < line <= len(order):
            return f"audit {order[line - 1].id} (ligne {line})"
        return f"{path.name}" + (f", ligne {line}" if line is not None else "")

    found = [f"{who(p.line)}, champ {p.field} : {p.message}" for p in problems if not p.warning]
    if found:
        return found
    if [a.id for _, a in audits] != [a.id for a in order]:
        return [f"{path.name} : {len(audits)} audit(s) relu(s) pour {len(order)} écrit(s)"]
    for (line, back), audit in zip(audits, order, strict=True):
        mine, theirs = comparable(audit), comparable(back)
        for d in (mine, theirs):
            d.pop("deadlines", None)  # recomputed on import, by rule (a warning if they differ)
        if mine != theirs:
            fields = sorted(k for k in mine.keys() | theirs.keys() if mine.get(k) != theirs.get(k))
            found.append(f"{who(line)} : relu autrement ({', '.join(fields)})")
    return found


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


FORMATS: Mapping[str, Producer] = {"jsonl": jsonl_bytes, "csv": csv_bytes, "xlsx": xlsx_bytes}


def file_name(fmt: str) -> str:
    return f"audits.{fmt}"


def export_changed(
    store: Store,
    folder: Path,
    moment: datetime,
    *,
    extra: Mapping[str, Producer] | None = None,
    transform: Callable[[Audit], Audit] | None = None,
) -> Batch | None:
    """Write one batch of the changed audits and mark them exported; None when nothing
    changed (then nothing is written, not even the folder).

    `extra` adds files (name → bytes from the audits); `transform` changes what leaves
    (pseudonymisation) without touching the store.
    """
    ids = changed_ids(store)
    if not ids:
        return None
    audits = [store.get(audit_id) for audit_id in ids]
    outgoing = [transform(a) for a in audits] if transform else audits
    batch_id = new_batch_id(moment)
    target = folder / batch_id
    producers: dict[str, Producer] = {JSONL_NAME: jsonl_bytes, **(extra or {})}
    try:
        contents = {name: produce(outgoing) for name, produce in producers.items()}
    except ExportError as exc:
        raise BatchRefused(target, [str(exc)]) from exc
    ensure_private_dir(target)
    files: dict[str, dict[str, Any]] = {}
    for name, data in contents.items():
        atomic_write_bytes(target / name, data)
        files[name] = {"sha256": sha256(data), "bytes": len(data)}
    problems = read_back(target / JSONL_NAME, outgoing)
    if problems:
        shutil.rmtree(target, ignore_errors=True)
        raise BatchRefused(target, problems)
    data = manifest_bytes(
        batch_id, moment, in_export_order(audits), files, pseudonymised=transform is not None
    )
    atomic_write_bytes(target / MANIFEST_NAME, data)
    store.mark_exported(ids, batch_id)
    return Batch(batch_id, target, len(audits), files)
