"""The index file (`index.json`) on disk, in bounded memory (line_file.py): a head line (version,
field names), then one entry per line, newest first, `"<id>":[mtime_ns, size, [summary values],
line digest]`, then the trailer with the checksum of the entry lines. Decoded a batch of lines
at a time, each summary's repeated texts shared (index.py, `Sharer`). A file that is not
exactly what the store wrote gives no entry: the index is a cache, rebuilt from the audit files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from auditor_tui.store.index import FIELDS, INDEX_VERSION, NEWEST, Deadlines, IndexEntry, Sharer
from auditor_tui.store.line_file import Damaged, batches, intact, members, write_lines

_HEAD = b'{"version":%d,"fields":"%s","entries":{\n' % (INDEX_VERSION, FIELDS)


def _plain(value: object) -> object:
    if isinstance(value, Deadlines):
        return dict(value)
    raise TypeError(f"{type(value).__name__} n'est pas du JSON")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain).encode


def _lines(entries: Mapping[str, IndexEntry]) -> Iterator[str]:
    ordered = sorted(entries.items(), key=lambda item: NEWEST(item[1].summary), reverse=True)
    for key, e in ordered:
        yield f"{_ENCODE(key)}:{_ENCODE(e[:3] if e.line is None else e)}"


def write_index(path: Path, entries: Mapping[str, IndexEntry]) -> None:
    """Replace the index file durably, its entries newest first (so that the newest can be
    read without the rest), written as they are made."""
    write_lines(path, _HEAD, _lines(entries))


def index_intact(path: Path) -> bool:
    """Whether the index file is exactly as the store wrote it (FileNotFoundError, StoreError
    when there is none or it cannot be read)."""
    return intact(path, _HEAD)


def read_entries(path: Path, limit: int | None = None) -> dict[str, IndexEntry]:
    """The entries of the index file, newest first, if it is exactly as the store wrote it
    (else none); `limit`: only the first ones, the checksum not checked (see index_intact).
    FileNotFoundError when there is none; StoreError when it cannot be read."""
    sharer = Sharer()
    entries: dict[str, IndexEntry] = {}
    try:
        for batch in batches(path, _HEAD):
            entries.update(sharer.entries(members(batch[:limit] if limit else batch)))
            if limit is not None and len(entries) >= limit:
                break
    except (Damaged, TypeError, ValueError, RecursionError, IndexError, AttributeError):
        return {}
    return entries
