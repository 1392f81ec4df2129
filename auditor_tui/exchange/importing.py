"""JSON Lines import of audit records (the sync contract, DOMAIN.md §4; the export is export.py).

Import is all-or-nothing per file: every problem is listed with its line and field, and a
rejected file leaves the store byte-for-byte unchanged. Accepted records merge by `id`:
a higher `revision` replaces, an equal revision with other content is a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor_tui.domain.instants import stored_spelling
from auditor_tui.domain.lifecycle import recompute_deadlines
from auditor_tui.domain.record import Audit, now_utc
from auditor_tui.domain.record_check import Problem, in_time_problems, validate_record
from auditor_tui.domain.record_fields import known_part, unknown_names
from auditor_tui.exchange.input_files import DEFAULT_IMPORT_LIMIT, InputFileError
from auditor_tui.exchange.jsonl import decode_line, split_lines
from auditor_tui.exchange.manifest import read_import_file
from auditor_tui.store import Store


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


def parse_jsonl(
    data: bytes, source: str, now: datetime | None = None
) -> tuple[list[tuple[int, Audit]], list[Problem]]:
    """Parse and validate every line; returns the audits with their line numbers, and problems
    (warnings included: fatal ones have `warning=False`). `now`: what the computed
    `follow_up.*_in_time` are compared at (the wall clock by default)."""
    now = now or now_utc()
    problems: list[Problem] = []
    audits: list[tuple[int, Audit]] = []
    seen: dict[str, int] = {}
    for number, raw in split_lines(data):
        obj, unfit = decode_line(raw, number)
        problems.extend(unfit)
        if obj is None:
            continue
        line_problems = validate_record(obj, number)
        if unfit:  # each value named once: by what made it unfit, not again by its check
            named = [p.field for p in unfit]
            line_problems = [
                p for p in line_problems if not any(n.startswith(p.field) for n in named)
            ]
            problems.extend(line_problems)
            continue
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
        problems.extend(in_time_problems(obj, audit, number, now))
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
    unknown: dict[str, None] = {}
    for number, audit in audits:
        kept = True
        if audit.id not in store:
            result.added.append(audit.id)
            to_write.append(audit)
        elif audit.revision > (current := store.get(audit.id)).revision:
            result.replaced.append(audit.id)
            to_write.append(audit)
        elif audit.revision < current.revision:
            result.older.append(audit.id)
            kept = False
        elif comparable(audit) == comparable(current):
            result.unchanged.append(audit.id)
        else:
            kept = False
            result.conflicts.append(
                Problem(
                    number,
                    "revision",
                    f"conflit : l'audit {audit.id} a la même révision {audit.revision} avec un "
                    "contenu différent ; rien n'est écrasé",
                )
            )
        if kept and audit.extra:
            unknown.update(dict.fromkeys(unknown_names(audit.extra)))
    result.unknown_fields = list(unknown)
    if to_write:
        store.put_many(to_write)
    return result
