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
import json
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor_tui import __version__
from auditor_tui.durable import atomic_write_bytes, ensure_private_dir
from auditor_tui.exchange import in_export_order, write_jsonl
from auditor_tui.record import Audit, Problem, format_instant
from auditor_tui.store import Store

BATCH_SCHEMA = "auditor-tui/batch/v1"
MANIFEST_NAME = "manifest.json"
JSONL_NAME = "audits.jsonl"

Producer = Callable[[list[Audit]], bytes]


@dataclass(frozen=True)
class Batch:
    id: str
    folder: Path
    count: int
    files: Mapping[str, Mapping[str, Any]]  # name → {sha256, bytes}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
    from auditor_tui.exchange import comparable, parse_jsonl

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
    from auditor_tui.export_csv import write_csv

    buffer = io.StringIO()
    write_csv(audits, buffer)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(audits: list[Audit]) -> bytes:
    from auditor_tui.export_xlsx import xlsx_bytes as produce  # only when asked

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
    from auditor_tui.exchange import ExportError

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
    manifest = {
        "schema": BATCH_SCHEMA,
        "batch": batch_id,
        "created_at": format_instant(moment),
        "app_version": __version__,
        "count": len(audits),
        "pseudonymised": transform is not None,
        "audits": [{"id": a.id, "revision": a.revision} for a in in_export_order(audits)],
        "files": files,
    }
    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    atomic_write_bytes(target / MANIFEST_NAME, data)
    store.mark_exported(ids, batch_id)
    return Batch(batch_id, target, len(audits), files)


# ---- the importing side ---------------------------------------------------------------------


def _read_manifest(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        return None, f"manifeste illisible {path} : {exc.strerror or exc}"
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"manifeste invalide {path} : {exc}"
    if not isinstance(raw, dict) or raw.get("schema") != BATCH_SCHEMA:
        return None, f"manifeste invalide {path} : schéma {BATCH_SCHEMA!r} attendu"
    if not isinstance(raw.get("files"), dict):
        return None, f"manifeste invalide {path} : champ « files » absent"
    return raw, None


def manifest_problems(path: Path, data: bytes) -> list[Problem]:
    """When a manifest sits beside `path`, check the file against it (sha256 and size).
    No manifest: nothing to check. A file the manifest does not list is refused."""
    manifest_path = path.parent / MANIFEST_NAME
    if not manifest_path.exists():
        return []
    manifest, error = _read_manifest(manifest_path)
    if manifest is None:
        return [Problem(None, "(manifeste)", str(error))]
    entry = manifest["files"].get(path.name)
    if not isinstance(entry, dict):
        return [Problem(None, "(manifeste)", f"{path.name} absent du manifeste {manifest_path}")]
    if entry.get("sha256") != sha256(data) or entry.get("bytes") != len(data):
        return [
            Problem(
                None,
                "(manifeste)",
                f"somme de contrôle différente de celle du manifeste {manifest_path} "
                f"({len(data)} octets lus, {entry.get('bytes')} annoncés) : "
                "fichier altéré ou incomplet",
            )
        ]
    return []


def batch_files(path: Path) -> tuple[list[Path], list[Path]]:
    """What to import from a folder: a batch folder gives its JSONL files; a folder of batches
    gives those of each complete batch, oldest first. Also returns incomplete batch folders
    (no manifest), which are skipped."""
    if (path / MANIFEST_NAME).exists():
        manifest, _ = _read_manifest(path / MANIFEST_NAME)
        names = sorted(manifest["files"]) if manifest else [JSONL_NAME]
        return [path / n for n in names if n.endswith(".jsonl")], []
    files: list[Path] = []
    incomplete: list[Path] = []
    for sub in sorted(p for p in path.iterdir() if p.is_dir()):
        if (sub / MANIFEST_NAME).exists():
            files.extend(batch_files(sub)[0])
        elif (sub / JSONL_NAME).exists():
            incomplete.append(sub)
    return files, incomplete
