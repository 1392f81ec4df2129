"""Batch manifests (`manifest.json`, written last into a sync batch folder): what a batch holds,
checked on the importing side. A file to import that sits beside a manifest must match its
checksum and size; a folder given to `import` gives the JSONL files of its complete batches,
oldest first.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from auditor_tui import __version__
from auditor_tui.domain.instants import format_instant
from auditor_tui.domain.record_check import Problem
from auditor_tui.exchange.input_files import STDIN, InputFileError, input_chunks, read_input

BATCH_SCHEMA = "auditor-tui/batch/v1"
MANIFEST_NAME = "manifest.json"
JSONL_NAME = "audits.jsonl"
MANIFEST_LIMIT = 64_000_000  # bytes: a manifest lists its audits (about 70 bytes each)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Listed(Protocol):
    """What the manifest says of an audit: an Audit, or only its id and revision."""

    @property
    def id(self) -> str: ...

    @property
    def revision(self) -> int: ...


def manifest_bytes(
    batch_id: str,
    moment: datetime,
    audits: Sequence[Listed],
    files: Mapping[str, Mapping[str, Any]],
    *,
    pseudonymised: bool,
) -> bytes:
    """The manifest of a batch: its audits (id and revision, in the order given) and its files
    (name → sha256 and size). Written last, it marks the batch complete."""
    manifest = {
        "schema": BATCH_SCHEMA,
        "batch": batch_id,
        "created_at": format_instant(moment),
        "app_version": __version__,
        "count": len(audits),
        "pseudonymised": pseudonymised,
        "audits": [{"id": a.id, "revision": a.revision} for a in audits],
        "files": files,
    }
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


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


class ManifestCheck:
    """A file checked against the manifest beside it (sha256 and size) as it is read: `early`,
    what is wrong before reading (the manifest unreadable, the file not listed); `problems()`,
    once every chunk passed through `wrap`. No manifest: no check."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.manifest_path = path.parent / MANIFEST_NAME
        self.early: list[Problem] = []
        self.entry: Mapping[str, Any] = {}
        self._digest = hashlib.sha256()
        self._size = 0
        manifest, error = _read_manifest(self.manifest_path)
        if manifest is None:
            self.early.append(Problem(None, "(manifeste)", str(error)))
            return
        entry = manifest["files"].get(path.name)
        if not isinstance(entry, dict):
            self.early.append(
                Problem(
                    None, "(manifeste)", f"{path.name} absent du manifeste {self.manifest_path}"
                )
            )
            return
        self.entry = entry

    def wrap(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            self._digest.update(chunk)
            self._size += len(chunk)
            yield chunk

    def problems(self) -> list[Problem]:
        if self.early:
            return self.early
        entry = self.entry
        if entry.get("sha256") != self._digest.hexdigest() or entry.get("bytes") != self._size:
            return [
                Problem(
                    None,
                    "(manifeste)",
                    f"somme de contrôle différente de celle du manifeste {self.manifest_path} "
                    f"({self._size} octets lus, {entry.get('bytes')} annoncés) : "
                    "fichier altéré ou incomplet",
                )
            ]
        return []


def manifest_problems(path: Path, data: bytes) -> list[Problem]:
    """When a manifest sits beside `path`, check the file against it (sha256 and size).
    No manifest: nothing to check. A file the manifest does not list is refused."""
    if not os.path.lexists(path.parent / MANIFEST_NAME):
        return []
    check = ManifestCheck(path)
    for _chunk in check.wrap([data]):
        pass
    return check.problems()


def read_import_file(path: Path, limit: int) -> tuple[bytes, list[Problem]]:
    """The bytes of a file to import (`-`: standard input) and what its batch manifest, if one
    sits beside it, finds wrong with them. InputFileError for a file refused as such (not a
    regular file, too big; inside a batch folder, a link)."""
    if str(path) == STDIN:
        return read_input(path, limit), []
    in_batch = os.path.lexists(path.parent / MANIFEST_NAME)
    data = read_input(path, limit, follow_links=not in_batch)
    return data, manifest_problems(path, data) if in_batch else []


def import_chunks(
    path: Path, limit: int, data: bytes | None = None
) -> tuple[Iterator[bytes], ManifestCheck | None]:
    """A file to import a chunk at a time (`data`: its bytes, already read from standard
    input), and its batch manifest's check when one sits beside it (see ManifestCheck): the
    file is opened, and refused as such, at once (InputFileError)."""
    if data is not None or str(path) == STDIN:
        return iter([data if data is not None else read_input(path, limit)]), None
    in_batch = os.path.lexists(path.parent / MANIFEST_NAME)
    chunks = input_chunks(path, limit, follow_links=not in_batch)
    if not in_batch:
        return chunks, None
    check = ManifestCheck(path)
    return check.wrap(chunks), check


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
