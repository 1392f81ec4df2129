"""JSON Lines import and export of audit records (the sync contract, DOMAIN.md §4).

Import is all-or-nothing per file: every problem is listed with its line and field, and a
rejected file leaves the store byte-for-byte unchanged. Accepted records merge by `id`:
a higher `revision` replaces, an equal revision with other content is a conflict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from auditor_tui.input_files import DEFAULT_IMPORT_LIMIT
from auditor_tui.lifecycle import recompute_deadlines
from auditor_tui.record import Audit, Problem, validate_record
from auditor_tui.store import Store

MAX_LINE_BYTES = 1_000_000
MAX_DEPTH = 16  # a record nests 4 levels; deeper values would only strain the store's writer


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} n'est pas un nombre JSON standard")


def _too_deep(value: Any, limit: int) -> bool:
    """Whether a list or object sits deeper than `limit` levels (the top one is level 1):
    walked level by level, only through lists and objects."""
    level = [value] if isinstance(value, dict | list) else []
    depth = 1
    while level:
        if depth > limit:
            return True
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, (dict, list))
        ]
        depth += 1
    return False


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

    @property
    def written(self) -> int:
        return len(self.added) + len(self.replaced)


def _comparable(audit: Audit) -> dict[str, Any]:
    d = audit.to_dict()
    d.pop("export_batch", None)
    return d


def parse_jsonl(data: bytes, source: str) -> tuple[list[tuple[int, Audit]], list[Problem]]:
    """Parse and validate every line; returns the audits with their line numbers, and problems
    (warnings included: fatal ones have `warning=False`)."""
    problems: list[Problem] = []
    audits: list[tuple[int, Audit]] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [Problem(line, "(fichier)", f"texte UTF-8 attendu ({exc.reason})")]
    seen: dict[str, int] = {}
    for number, raw_line in enumerate(text.splitlines(), start=1):
        if not raw_line.strip():
            continue
        if len(raw_line) > MAX_LINE_BYTES:
            problems.append(Problem(number, "(ligne)", "ligne trop longue"))
            continue
        try:
            obj = json.loads(raw_line, parse_constant=_refuse_constant)
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(number, "(json)", f"JSON invalide colonne {exc.colno} : {exc.msg}")
            )
            continue
        except RecursionError:
            problems.append(Problem(number, "(json)", "JSON trop imbriqué"))
            continue
        except ValueError as exc:  # NaN/Infinity, an integer of more than 4,300 digits
            problems.append(Problem(number, "(json)", f"valeur refusée : {exc}"))
            continue
        if _too_deep(obj, MAX_DEPTH):
            problems.append(
                Problem(number, "(json)", f"JSON trop imbriqué (plus de {MAX_DEPTH} niveaux)")
            )
            continue
        line_problems = validate_record(obj, number)
        problems.extend(line_problems)
        if any(not p.warning for p in line_problems):
            continue
        try:
            audit = Audit.from_dict(obj)
            recompute_deadlines(audit)
            audit.score()
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            # validate_record should have said why; never a traceback if it missed something.
            problems.append(Problem(number, "(enregistrement)", f"inutilisable : {exc!r}"))
            continue
        if audit.id in seen:
            problems.append(
                Problem(number, "id", f"identifiant déjà présent ligne {seen[audit.id]}")
            )
            continue
        seen[audit.id] = number
        given = obj.get("deadlines")
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
        audits.append((number, audit))
    if not audits and not any(not p.warning for p in problems):
        problems.append(Problem(None, "(fichier)", "aucun enregistrement"))
    return audits, problems


def import_jsonl(
    store: Store, path: Path, limit: int = DEFAULT_IMPORT_LIMIT, data: bytes | None = None
) -> ImportResult:
    """Merge a JSONL file into the store, all or nothing. Raises ImportRejected.

    The file must be a regular file of at most `limit` bytes (input_files.py); `data`: its
    bytes, already read (standard input). When a batch manifest sits beside the file, the file
    must match its checksum."""
    from auditor_tui.input_files import InputFileError
    from auditor_tui.sync import read_import_file  # sync imports this module

    try:
        data, problems = (data, []) if data is not None else read_import_file(path, limit)
    except InputFileError as exc:
        # An OSError (missing, no permission) is kept as the cause: the file is unreadable,
        # not refused (README « Exit codes »).
        problem = Problem(None, "(fichier)", exc.reason)
        raise ImportRejected(str(path), [problem]) from (exc.__cause__ or exc)
    if problems:
        raise ImportRejected(str(path), problems)
    audits, problems = parse_jsonl(data, str(path))
    fatal = [p for p in problems if not p.warning]
    if fatal:
        raise ImportRejected(str(path), fatal)
    result = ImportResult(warnings=[p for p in problems if p.warning])
    to_write: list[Audit] = []
    for number, audit in audits:
        if audit.id not in store:
            result.added.append(audit.id)
            to_write.append(audit)
            continue
        current = store.get(audit.id)
        if audit.revision > current.revision:
            result.replaced.append(audit.id)
            to_write.append(audit)
        elif audit.revision < current.revision:
            result.older.append(audit.id)
        elif _comparable(audit) == _comparable(current):
            result.unchanged.append(audit.id)
        else:
            result.conflicts.append(
                Problem(
                    number,
                    "revision",
                    f"conflit : l'audit {audit.id} a la même révision {audit.revision} avec un "
                    "contenu différent ; rien n'est écrasé",
                )
            )
    if to_write:
        store.put_many(to_write)
    return result


def in_export_order(audits: Iterable[Audit]) -> list[Audit]:
    """Every export lists audits in creation order (ties by id), so exports are stable."""
    return sorted(audits, key=lambda a: (a.created_at, a.id))


# One encoder for every line (json.dumps with options makes one per call).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def iter_export(audits: Iterable[Audit]) -> Iterator[str]:
    for audit in in_export_order(audits):
        yield _encode(audit.to_export()) + "\n"


def write_jsonl(audits: Iterable[Audit], out: IO[str]) -> int:
    count = 0
    for line in iter_export(audits):
        out.write(line)
        count += 1
    return count


def all_audits(store: Store) -> list[Audit]:
    return [store.get(audit_id) for audit_id in store.ids()]
