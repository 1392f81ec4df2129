"""JSON Lines import of audit records (the sync contract, DOMAIN.md §4; the export is export.py).

Import is all-or-nothing per file: every problem is listed with its line and field, and a
rejected file leaves the store byte-for-byte unchanged. Accepted records merge by `id`:
a higher `revision` replaces, an equal revision with other content is a conflict.

A file is read a chunk at a time and each record is checked and staged as it comes (issue 15:
memory stays flat whatever the file's size); the staged files are committed once the whole
file is found valid, else dropped. A line the store already holds exactly (the digest of its
bytes is the one kept with the audit's index entry when it was imported: `IndexEntry.line`)
is found unchanged without being decoded: importing the same file again reads it and little
more.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor_tui import __version__
from auditor_tui.domain.instants import stored_spelling
from auditor_tui.domain.lifecycle import recompute_deadlines
from auditor_tui.domain.record import Audit, now_utc
from auditor_tui.domain.record_check import Problem, in_time_problems, validate_record
from auditor_tui.domain.record_fields import known_part, unknown_names
from auditor_tui.domain.resources import data_dir
from auditor_tui.exchange.input_files import DEFAULT_IMPORT_LIMIT, InputFileError
from auditor_tui.exchange.jsonl import decode_line, split_lines, stream_lines
from auditor_tui.exchange.manifest import import_chunks
from auditor_tui.store import Store
from auditor_tui.store.staging import Importing


class ImportRejected(ValueError):
    """The file was refused as a whole; `problems` lists every one with its line and field."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        body = "\n".join(f"  {path}, {p}" for p in problems)
        super().__init__(f"import refusé : {len(problems)} problème(s) dans {path}\n{body}")


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    older: list[str] = field(default_factory=list)  # the store already has a higher revision
    conflicts: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Dotted names of the fields this version does not know, kept with the audits written
    # or found unchanged, each once, in the order met: « x_region », « call.x_line ».
    unknown_fields: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return len(self.added) + len(self.replaced)


def comparable(audit: Audit) -> dict[str, Any]:
    d = audit.to_dict()
    d.pop("export_batch", None)
    return d


class LineParser:
    """The records of one file, line by line: each decoded, checked and made an audit, with
    every problem named by line and field (warnings included: fatal ones have
    `warning=False`); an id met twice is a problem."""

    def __init__(self, now: datetime | None = None) -> None:
        """`now`: what the computed `follow_up.*_in_time` are compared at (the wall clock by
        default)."""
        self.seen: dict[str, int] = {}  # id → line
        self.now = now or now_utc()

    def parse(self, number: int, raw: bytes) -> tuple[Audit | None, list[Problem]]:
        obj, unfit = decode_line(raw, number)
        if obj is None:
            return None, unfit
        problems = validate_record(obj, number)
        if unfit:  # each value named once: by what made it unfit, not again by its check
            named = [p.field for p in unfit]
            return None, unfit + [
                p for p in problems if not any(n.startswith(p.field) for n in named)
            ]
        if any(not p.warning for p in problems):
            return None, problems
        try:
            audit = Audit.from_dict(obj)
            recompute_deadlines(audit)
            audit.score()
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            # validate_record should have said why; never a traceback if it missed something.
            return None, [*problems, Problem(number, "(enregistrement)", f"inutilisable : {exc!r}")]
        if not self.first(audit.id, number, problems):
            return None, problems
        given = known_part(obj.get("deadlines"), "deadlines")
        if given is not None:  # compared in the stored spelling: « Z » is « +00:00 »
            given = {k: stored_spelling(v) for k, v in given.items()}
        recomputed: dict[str, str | None] = {"email": None, "callback": None}
        recomputed.update(audit.deadlines or {})
        if given is not None and given != recomputed:
            problems.append(
                Problem(
                    number,
                    "deadlines",
                    f"échéances fournies {given!r} "
                    f"différentes des échéances recalculées {audit.deadlines!r} ; "
                    "les échéances recalculées sont conservées",
                    True,
                )
            )
        problems.extend(in_time_problems(obj, audit, number, self.now))
        return audit, problems

    def first(self, audit_id: str, number: int, problems: list[Problem]) -> bool:
        """Whether `audit_id` is met for the first time in the file (else a problem)."""
        if audit_id in self.seen:
            problems.append(
                Problem(number, "id", f"identifiant déjà présent ligne {self.seen[audit_id]}")
            )
            return False
        self.seen[audit_id] = number
        return True


def parse_jsonl(
    data: bytes, source: str, now: datetime | None = None
) -> tuple[list[tuple[int, Audit]], list[Problem]]:
    """Parse and validate every line; returns the audits with their line numbers, and problems
    (warnings included: fatal ones have `warning=False`). `now`: see LineParser."""
    parser = LineParser(now)
    problems: list[Problem] = []
    audits: list[tuple[int, Audit]] = []
    for number, raw in split_lines(data):
        audit, found = parser.parse(number, raw)
        problems.extend(found)
        if audit is not None:
            audits.append((number, audit))
    if not audits and not any(not p.warning for p in problems):
        problems.append(Problem(None, "(fichier)", "aucun enregistrement"))
    return audits, problems


def line_salt() -> bytes:
    """What a line's digest also covers: this version and the grid files a record is checked
    and scored with (another version or grid reads a line again)."""
    digest = hashlib.sha256(f"auditor-tui {__version__}".encode())
    for path in sorted(data_dir().glob("grid-*.json")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.digest()


def import_jsonl(
    store: Store, path: Path, limit: int = DEFAULT_IMPORT_LIMIT, data: bytes | None = None
) -> ImportResult:
    """Merge a JSONL file into the store, all or nothing. Raises ImportRejected.

    The file must be a regular file of at most `limit` bytes (input_files.py); `data`: its
    bytes, already read (standard input). When a batch manifest sits beside the file, the file
    must match its checksum."""
    try:
        chunks, manifest = import_chunks(path, limit, data)
    except InputFileError as exc:
        # An OSError (missing, no permission) is kept as the cause: the file is unreadable,
        # not refused (README « Exit codes »).
        problem = Problem(None, "(fichier)", exc.reason)
        raise ImportRejected(str(path), [problem]) from (exc.__cause__ or exc)
    result = ImportResult()
    fatal: list[Problem] = []
    unknown: dict[str, None] = {}
    parser = LineParser()
    if manifest is not None and manifest.early:
        raise ImportRejected(str(path), manifest.early)
    salted = hashlib.sha256(line_salt())
    records = 0
    found: list[tuple[str, str]] = []  # unchanged audits and the digest of their line
    with store.importing() as staging:
        known = staging.known_lines()
        try:
            for number, raw in stream_lines(chunks):
                hasher = salted.copy()
                hasher.update(raw)
                digest = hasher.hexdigest()[:32]
                same = known.get(digest)
                if same is not None and parser.first(same, number, fatal):
                    records += 1
                    result.unchanged.append(same)  # exactly the line the audit came from
                    continue
                audit, problems = parser.parse(number, raw)
                for problem in problems:
                    (result.warnings if problem.warning else fatal).append(problem)
                if audit is None:
                    continue
                records += 1
                if fatal:
                    continue  # refused: the other lines are only checked
                names = list(unknown_names(audit.extra)) if audit.extra else []
                line = digest if not (problems or names) else None
                if _merge(store, staging, result, number, audit, line, found):
                    unknown.update(dict.fromkeys(names))
        except InputFileError as exc:
            raise ImportRejected(str(path), [Problem(None, "(fichier)", exc.reason)]) from (
                exc.__cause__ or exc
            )
        mismatch = manifest.problems() if manifest is not None else []
        if mismatch:
            raise ImportRejected(str(path), mismatch)
        if not records and not fatal:
            fatal.append(Problem(None, "(fichier)", "aucun enregistrement"))
        if fatal:
            raise ImportRejected(str(path), fatal)
        result.unknown_fields = list(unknown)
        if len(staging):
            staging.commit()
        for audit_id, line in found:  # only for a file imported: a refused one changes nothing
            staging.remember_line(audit_id, line)
    return result


def _merge(
    store: Store,
    staging: Importing,
    result: ImportResult,
    number: int,
    audit: Audit,
    line: str | None,
    found: list[tuple[str, str]],
) -> bool:
    """Where one valid record goes: staged (new, or a higher revision), unchanged, older, or
    a conflict; whether the store keeps it (written or unchanged)."""
    current = staging.summary(audit.id)
    if current is None:
        result.added.append(audit.id)
        staging.add(audit, line)
    elif audit.revision > current.revision:
        result.replaced.append(audit.id)
        staging.add(audit, line)
    elif audit.revision < current.revision:
        result.older.append(audit.id)
        return False
    elif comparable(audit) == comparable(store.get(audit.id)):
        result.unchanged.append(audit.id)
        if line is not None:
            found.append((audit.id, line))
    else:
        result.conflicts.append(
            Problem(
                number,
                "revision",
                f"conflit : l'audit {audit.id} a la même révision {audit.revision} avec un "
                "contenu différent ; rien n'est écrasé",
            )
        )
        return False
    return True
