"""The store's index: a summary of every audit (`Summary`), a cache of the audit files rebuilt
when it cannot be trusted. `Index` holds it in memory, compact (`Sharer`): 100,000 summaries at
once for the home screen. On disk, `index.json` (index_file.py)."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

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
        values = [
            audit.id,
            audit.dealer.name,
            audit.dealer.city or "",
            audit.created_at,
            audit.call.started_at,
            audit.call.ended_at,
            audit.status,
            result.outcome,
            result.points,
            result.max,
            result.percent,
            result.stars,
            audit.revision,
            audit.updated_at,
            audit.auditor,
            audit.deadlines,
            audit.follow_up.email_received_at is not None,
            audit.follow_up.callback_at is not None,
            exported_revision,
            audit.questionnaire,
        ]
        return cls._make(_SHARER.values(values))

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
FIELDS = ",".join(Summary._fields).encode()


_ABSENT: Any = object()


class Deadlines(Mapping[str, Any]):
    """A summary's deadlines (`{"email": …, "callback": …}`) in a fraction of a dict's memory:
    100,000 summaries are held at once (docs/performance.md)."""

    __slots__ = ("_callback", "_email")

    def __init__(self, email: Any = _ABSENT, callback: Any = _ABSENT) -> None:
        self._email, self._callback = email, callback

    @classmethod
    def of(cls, given: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """`given` as Deadlines, or as it is if it holds other keys (or is None)."""
        if given is None or not given.keys() <= {"email", "callback"}:
            return given
        return cls(given.get("email", _ABSENT), given.get("callback", _ABSENT))

    def __getitem__(self, key: str) -> Any:
        value = self._email if key == "email" else self._callback if key == "callback" else _ABSENT
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        if self._email is not _ABSENT:
            yield "email"
        if self._callback is not _ABSENT:
            yield "callback"

    def __len__(self) -> int:
        return (self._email is not _ABSENT) + (self._callback is not _ABSENT)

    def __repr__(self) -> str:
        return repr(dict(self))


_TEXTS = tuple(
    Summary._fields.index(name)
    for name in ("dealer", "city", "status", "outcome", "auditor", "questionnaire")
)
_PERCENT = Summary._fields.index("percent")
_DEADLINES = Summary._fields.index("deadlines")
_DEADLINE_KEYS = frozenset({"email", "callback"})


class Sharer:
    """Summaries made with their repeated values shared (a few dozen dealers, cities,
    auditors, statuses and percents among 100,000 audits, the call-back deadlines of a few
    hundred days), their deadlines compact."""

    def __init__(self) -> None:
        self._texts: dict[Any, Any] = {}
        self._percents: dict[float, float] = {}

    def values(self, values: list[Any]) -> list[Any]:
        texts = self._texts
        for i in _TEXTS:
            value = values[i]
            if type(value) is str:
                values[i] = texts.setdefault(value, value)
        percent = values[_PERCENT]
        if type(percent) is float:
            values[_PERCENT] = self._percents.setdefault(percent, percent)
        values[_DEADLINES] = self.deadlines(values[_DEADLINES])
        return values

    def deadlines(self, given: Any) -> Any:
        if type(given) is not dict or not given.keys() <= _DEADLINE_KEYS:
            return given
        callback = given.get("callback", _ABSENT)
        if type(callback) is str:
            callback = self._texts.setdefault(callback, callback)
        return Deadlines(given.get("email", _ABSENT), callback)

    def entries(self, raw: dict[str, Any]) -> Iterator[tuple[str, IndexEntry]]:
        """Entries from their JSON form, `id: [mtime_ns, size, [values]]` (and a line digest).
        A wrong shape raises (TypeError, ValueError, IndexError)."""
        make, entry = Summary._make, IndexEntry
        texts, percents, deadlines = (
            self._texts.setdefault,
            self._percents.setdefault,
            self.deadlines,
        )
        dealer, city, status, outcome, auditor, questionnaire = _TEXTS
        for key, item in raw.items():
            v = item[2]
            v[dealer] = texts(v[dealer], v[dealer])
            v[city] = texts(v[city], v[city])
            v[status] = texts(v[status], v[status])
            v[outcome] = texts(v[outcome], v[outcome])
            v[auditor] = texts(v[auditor], v[auditor])
            v[questionnaire] = texts(v[questionnaire], v[questionnaire])
            v[_PERCENT] = percents(v[_PERCENT], v[_PERCENT])
            v[_DEADLINES] = deadlines(v[_DEADLINES])
            yield key, entry(item[0], item[1], make(v), item[3] if len(item) > 3 else None)


_SHARER = Sharer()  # Summary.of, for every audit written in this process


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
            from auditor_tui.store.index_file import write_index

            write_index(self.path, self.entries)
            self.dirty = False
