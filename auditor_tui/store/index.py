"""The store's index (`index.json`): a summary of every audit, newest first, one entry per line,
checksummed; a cache of the audit files, rebuilt when it cannot be trusted. `Index` holds it in
memory."""

from __future__ import annotations

import hashlib
import json
import operator
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from auditor_tui.store.atomic import atomic_write_bytes

if TYPE_CHECKING:
    from auditor_tui.domain.record import Audit

INDEX_VERSION = 5


class Summary(NamedTuple):
    """What the home screen and the follow-up queue show of one audit, kept in the index. A
    named tuple: 10,000 of them are made from the index at every start (docs/performance.md)."""

    id: str
    dealer: str
    city: str
    created_at: str
    started_at: str | None
    ended_at: str | None
    status: str
    outcome: str
    points: int
    max: int
    percent: float
    stars: int
    revision: int
    updated_at: str
    auditor: str
    deadlines: Mapping[str, str] | None
    email_received: bool
    callback_received: bool
    exported_revision: int
    questionnaire: str = ""  # the grid: an export's columns are known before its audits are read

    @classmethod
    def of(cls, audit: Audit, exported_revision: int = 0) -> Summary:
        result = audit.score()
        return cls(
            id=audit.id,
            dealer=audit.dealer.name,
            city=audit.dealer.city or "",
            created_at=audit.created_at,
            started_at=audit.call.started_at,
            ended_at=audit.call.ended_at,
            status=audit.status,
            outcome=result.outcome,
            points=result.points,
            max=result.max,
            percent=result.percent,
            stars=result.stars,
            revision=audit.revision,
            updated_at=audit.updated_at,
            auditor=audit.auditor,
            deadlines=audit.deadlines,
            email_received=audit.follow_up.email_received_at is not None,
            callback_received=audit.follow_up.callback_at is not None,
            exported_revision=exported_revision,
            questionnaire=audit.questionnaire,
        )

    @property
    def moment(self) -> str:
        """When the audit took place (its call, else its creation): what « newest » sorts by."""
        return self.started_at or self.created_at


class IndexEntry(NamedTuple):
    """An index entry: the audit file's modification time and size when `summary` was made;
    `line`: the digest of the import line the stored audit is exactly (exchange/importing.py:
    a known line imported again is found unchanged without being decoded), if it came from
    one and was not changed since."""

    mtime_ns: int
    size: int
    summary: Summary
    line: str | None = None


NEWEST = operator.attrgetter("moment", "id")  # the order of summaries(), reversed: total
_FIELDS = ",".join(Summary._fields).encode()


def index_bytes(entries: Mapping[str, IndexEntry]) -> bytes:
    """The index file: a head line (version, field names, checksum), then one entry per line,
    `"<id>":[mtime_ns,size,[summary values]]`, newest first, so that the newest can be read
    without parsing the rest (`newest_entries`). The checksum is taken over the very bytes of
    the entries: checking it at open costs a hash, not a second serialisation."""
    ordered = sorted(entries.items(), key=lambda item: NEWEST(item[1].summary), reverse=True)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    lines = [f"{encode(key)}:{encode(e[:3] if e.line is None else e)}" for key, e in ordered]
    body = ("{\n" + ",\n".join(lines) + "\n}").encode()
    digest = hashlib.sha256(body).hexdigest().encode()
    head = b'{"version":%d,"fields":"%s","digest":"%s","entries":' % (
        INDEX_VERSION,
        _FIELDS,
        digest,
    )
    return head + body + b"}"


_INDEX_HEAD = re.compile(
    rb'\{"version":(\d+),"fields":"([a-z_,]*)","digest":"([0-9a-f]{64})","entries":'
)


def index_body(data: bytes) -> bytes | None:
    """The entries of an index file as flush_index wrote it (JSON text); None for anything
    else: another version or set of fields, a checksum that does not match (the file was
    changed by something other than the store), a damaged file. The index is a cache: the
    store then rebuilds it."""
    head = _INDEX_HEAD.match(data)
    if (
        head is None
        or int(head.group(1)) != INDEX_VERSION
        or head.group(2) != _FIELDS
        or not data.endswith(b"}")
    ):
        return None
    body = data[head.end() : -1]
    return body if hashlib.sha256(body).hexdigest().encode() == head.group(3) else None


def _entries(raw: Any) -> dict[str, IndexEntry]:
    """Index entries from their decoded JSON. What the store wrote and checksummed: the shape is
    checked as the entries are made (a wrong one raises), not each value's type."""
    try:
        return {
            key: IndexEntry(item[0], item[1], Summary._make(item[2]), *item[3:4])
            for key, item in raw.items()
        }
    except (AttributeError, TypeError, ValueError):
        return {}


def index_entries(body: bytes | None) -> dict[str, IndexEntry]:
    """Every entry of an intact index body (see `index_body`)."""
    if body is None:
        return {}
    try:
        return _entries(json.loads(body))
    except (ValueError, RecursionError):
        return {}


def newest_entries(body: bytes, count: int) -> dict[str, IndexEntry]:
    """The first `count` entries of an intact index body (the newest), without decoding the
    others: one entry per line."""
    lines = body.split(b"\n", count + 1)[1 : count + 1]
    text = b",".join(line.rstrip(b",") for line in lines if line != b"}")
    try:
        return _entries(json.loads(b"{" + text + b"}"))
    except (ValueError, RecursionError):
        return {}


class Index:
    """The index in memory: every audit's entry, the summaries newest first (sorted once until
    an entry changes), and whether `index.json` is to be written again. Not thread-safe: the
    store calls it under its lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, IndexEntry] = {}
        self.dirty = False
        self._newest_first: list[Summary] | None = None

    def replace(self, entries: dict[str, IndexEntry], *, dirty: bool) -> None:
        self.entries = entries
        self.dirty = dirty
        self._newest_first = None

    def set(self, audit_id: str, entry: IndexEntry) -> None:
        self.entries[audit_id] = entry
        self.dirty = True
        self._newest_first = None

    def known_lines(self) -> dict[str, str]:
        """The digest of the import line each audit is exactly, if it has one, → its id."""
        return {e.line: key for key, e in self.entries.items() if e.line is not None}

    def remember_line(self, audit_id: str, line: str) -> None:
        """Keep with the audit's entry the digest of an import line found to be exactly it."""
        entry = self.entries.get(audit_id)
        if entry is not None and entry.line != line:
            self.set(audit_id, entry._replace(line=line))

    def summaries(self) -> list[Summary]:
        """Every audit's summary, newest first (a new list)."""
        if self._newest_first is None:
            items = [entry.summary for entry in self.entries.values()]
            items.sort(key=NEWEST, reverse=True)  # the index file is kept in this order
            self._newest_first = items
        return list(self._newest_first)

    def flush(self) -> None:
        """Write `index.json` if an entry changed since it was read or written."""
        if self.dirty:
            atomic_write_bytes(self.path, index_bytes(self.entries))
            self.dirty = False
