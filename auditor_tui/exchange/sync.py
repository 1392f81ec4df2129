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
import os
import secrets
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor_tui import __version__
from auditor_tui.domain.record import Audit, Problem, format_instant
from auditor_tui.exchange.importing import in_export_order, write_jsonl
from auditor_tui.store import Store
from auditor_tui.store.durable import atomic_write_bytes, ensure_private_dir

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
    from auditor_tui.exchange.importing import comparable, parse_jsonl

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
    from auditor_tui.exchange.importing import ExportError

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

MANIFEST_LIMIT = 64_000_000  # bytes: a manifest lists its audits (about 70 bytes each)


def _plain_name(name: object) -> bool:
    """A name a manifest may list: a file of the batch folder itself, nothing else."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and not any(c in name for c in "/\\\0")
        and name.isprintable()
        and not Path(name).is_absolute()
    )


def _read_manifest(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """A batch manifest, checked: read as a plain file (no link, no FIFO) of bounded size,
    its `files` plain names of the batch folder. (None, why) when it cannot be used."""
    from auditor_tui.exchange.input_files import InputFileError, read_input

    try:
        raw = json.loads(read_input(path, MANIFEST_LIMIT, follow_links=False).decode("utf-8"))
    except InputFileError as exc:
        return None, f"manifeste illisible {path} : {exc.reason}"
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"manifeste invalide {path} : {exc}"
    except RecursionError:
        return None, f"manifeste invalide {path} : JSON trop imbriqué"
    if not isinstance(raw, dict) or raw.get("schema") != BATCH_SCHEMA:
        return None, f"manifeste invalide {path} : schéma {BATCH_SCHEMA!r} attendu"
    files = raw.get("files")
    if not isinstance(files, dict):
        return None, f"manifeste invalide {path} : champ « files » absent"
    for name, entry in files.items():
        if not _plain_name(name):
            return None, (
                f"manifeste invalide {path} : nom de fichier {name!r} refusé (un simple nom de "
                "fichier du dossier du lot est attendu)"
            )
        if not isinstance(entry, dict):
            return None, f"manifeste invalide {path} : entrée {name!r} illisible"
    return raw, None


def manifest_problems(path: Path, data: bytes) -> list[Problem]:
    """When a manifest sits beside `path`, check the file against it (sha256 and size).
    No manifest: nothing to check. A file the manifest does not list is refused."""
    manifest_path = path.parent / MANIFEST_NAME
    if not os.path.lexists(manifest_path):
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


def read_import_file(path: Path, limit: int) -> tuple[bytes, list[Problem]]:
    """The bytes of a file to import (`-`: standard input) and what its batch manifest, if one
    sits beside it, finds wrong with them. InputFileError for a file refused as such (not a
    regular file, too big; inside a batch folder, a link)."""
    from auditor_tui.exchange.input_files import STDIN, read_input

    if str(path) == STDIN:
        return read_input(path, limit), []
    in_batch = os.path.lexists(path.parent / MANIFEST_NAME)
    data = read_input(path, limit, follow_links=not in_batch)
    return data, manifest_problems(path, data) if in_batch else []


@dataclass(frozen=True)
class BatchFiles:
    """What a folder given to `import` holds: the JSONL files of its complete batches, oldest
    first; the batch folders without a manifest (incomplete: skipped); and what is refused,
    each with its message naming the path (a malformed manifest, a link)."""

    files: list[Path]
    incomplete: list[Path]
    refused: list[str]


def _batch(folder: Path) -> tuple[list[Path], list[str]]:
    """The JSONL files of one batch folder (it holds a manifest), or why it is refused."""
    manifest, error = _read_manifest(folder / MANIFEST_NAME)
    if manifest is None:
        return [], [str(error)]
    return [folder / n for n in sorted(manifest["files"]) if n.endswith(".jsonl")], []


def batch_files(path: Path) -> BatchFiles:
    """What to import from a folder: a batch folder gives its JSONL files; a folder of batches
    gives those of each complete batch, oldest first. Links inside are not followed (refused),
    and a folder that is neither (files but no batch) is refused."""
    if os.path.lexists(path / MANIFEST_NAME):
        found, problems = _batch(path)
        return BatchFiles(found, [], problems)
    files: list[Path] = []
    incomplete: list[Path] = []
    refused: list[str] = []
    entries = sorted(path.iterdir())
    for sub in entries:
        if sub.is_symlink():
            if sub.is_dir():
                refused.append(f"{sub} : lien symbolique vers un dossier : refusé (non suivi)")
            continue
        if not sub.is_dir():
            continue
        if os.path.lexists(sub / MANIFEST_NAME):
            found, problems = _batch(sub)
            files.extend(found)
            refused.extend(problems)
        elif os.path.lexists(sub / JSONL_NAME):
            incomplete.append(sub)
    if entries and not (files or incomplete or refused):
        refused.append(
            f"{path} : ni un lot (sans {MANIFEST_NAME}) ni un dossier de lots : refusé ; "
            "donnez ses fichiers un par un"
        )
    return BatchFiles(files, incomplete, refused)
