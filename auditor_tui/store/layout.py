"""The layout of the store's files, read and checked: an audit file (its record row, sealed
over the record and its event log, and what changed between two records, as the log writes it)
and the small TinyDB documents (dealers, settings)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

RECORD_BYTES = 8192  # a record is 2-3 KB (its notes included); its event log follows
_AUDIT_TABLE = b'{"audit":'
_DECODER = json.JSONDecoder()


def record_row(data: bytes) -> dict[str, Any] | None:
    """The row of the "audit" table of an audit file written as {"audit": …, "events": …},
    decoded without the events that follow; None for any other shape (read the whole file)."""
    if not data.startswith(_AUDIT_TABLE):
        return None
    # The event log follows the audit table: only the bytes before its key are decoded (the
    # first `"events"` with quotes is that key: in a string a quote is escaped, and a record
    # has no such key).
    end = data.find(b'"events"')
    try:
        text = (data if end < 0 else data[:end]).decode("utf-8")
        start = len(_AUDIT_TABLE)
        while text[start : start + 1].isspace():
            start += 1
        table, _end = _DECODER.raw_decode(text, start)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    rows = list(table.values()) if isinstance(table, dict) else []
    if (
        len(rows) != 1
        or not isinstance(rows[0], dict)
        or not isinstance(rows[0].get("record"), dict)
    ):
        return None
    return rows[0]


_SEAL_TEXT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def seal(record: Any, exported: Any, events: Any) -> str:
    """The seal of an audit file: a SHA-256 of what it holds (the record, the last exported
    revision, the event log), as JSON text in the order written, which decoding keeps."""
    return hashlib.sha256(_SEAL_TEXT([record, exported, events]).encode()).hexdigest()


def audit_file(
    record: dict[str, Any], exported: int, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """What an audit file holds, as TinyDB's tables: table "audit" (the record, the last
    exported revision and the seal over all of it and the events), table "events"."""
    numbered = {str(i): event for i, event in enumerate(events, start=1)}
    row = {"record": record, "exported_revision": exported}
    row["seal"] = seal(record, exported, numbered)
    return {"audit": {"1": row}, "events": numbered}


ROW_KEYS = frozenset({"record", "exported_revision", "seal"})


def audit_file_problem(data: Any) -> str | None:
    """What makes decoded audit-file content unusable, or None. A file without a seal (written
    before seals) is taken as it is; a sealed one must match its seal."""
    if data is None:
        return "fichier vide"
    if not isinstance(data, dict) or not isinstance(data.get("audit"), dict):
        return "enregistrement d'audit absent"
    rows = list(data["audit"].values())
    if (
        len(rows) != 1
        or not isinstance(rows[0], dict)
        or not isinstance(rows[0].get("record"), dict)
    ):
        return "enregistrement d'audit absent"
    events = data.get("events", {})
    if not isinstance(events, dict) or not all(isinstance(e, dict) for e in events.values()):
        return "journal des modifications illisible"
    row = rows[0]
    if not row.keys() <= ROW_KEYS:
        return f"enregistrement d'audit inattendu (clés {sorted(row.keys() - ROW_KEYS)})"
    if "seal" in row and row["seal"] != seal(row["record"], row.get("exported_revision"), events):
        return (
            "contenu modifié hors de l'application : l'empreinte (seal) ne correspond plus à "
            "l'enregistrement et à son journal"
        )
    return None


def document_problem(data: Any) -> str | None:
    """What makes a decoded dealer directory or settings file unusable as TinyDB reads it
    (tables of documents keyed by a number), or None: a changed byte can leave valid JSON
    that TinyDB would fail on (a document id « 1M »)."""
    if not isinstance(data, dict):
        return "ce n'est pas un document TinyDB (objet JSON attendu)"
    for table, documents in data.items():
        if not isinstance(documents, dict):
            return f"la table {table!r} n'est pas un objet JSON"
        for key, document in documents.items():
            if not (key.isascii() and key.isdigit()) or not isinstance(document, dict):
                return f"document {key!r} de la table {table!r} illisible"
    return None


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf paths of a record for the event log; lists are leaves (an answer is one value)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


_UNLOGGED = {"revision", "updated_at"}


def diff_records(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What changed between two stored records, as {field, old, new} leaf changes."""
    a, b = _flatten(dict(old)), _flatten(dict(new))
    changes = []
    for key in sorted(a.keys() | b.keys()):
        if key in _UNLOGGED:
            continue
        if a.get(key) != b.get(key):
            changes.append({"field": key, "old": a.get(key), "new": b.get(key)})
    return changes


def exported_of(raw: Mapping[str, Any]) -> int:
    """The last exported revision kept beside a record (0 if absent or unreadable)."""
    value = raw.get("exported_revision", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
