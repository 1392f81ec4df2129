"""The index file (`index.json`) on disk, read and written in bounded memory: a head line
(version, field names), then one entry per line, newest first, `"<id>":[mtime_ns, size,
[summary values], line digest]`, then a trailer with the SHA-256 of the entry lines. The whole
file is one JSON object; it is never decoded at once (100,000 entries: 40 MB), but a batch of
lines at a time, each summary's repeated texts shared (index.py, `share`). A file that is not
exactly what the store wrote (another version, a checksum that does not match) gives no entry:
the index is a cache, rebuilt from the audit files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from auditor_tui.store import reading
from auditor_tui.store.atomic import atomic_write_chunks
from auditor_tui.store.errors import StoreError, describe_oserror
from auditor_tui.store.index import (
    FIELDS,
    INDEX_VERSION,
    NEWEST,
    Deadlines,
    IndexEntry,
    Sharer,
)

_HEAD = b'{"version":%d,"fields":"%s","entries":{\n' % (INDEX_VERSION, FIELDS)
_TRAILER = re.compile(rb'\},"digest":"([0-9a-f]{64})"\}')
TRAILER_BYTES = 78  # },"digest":"<64 hex digits>"}
_BATCH = 1000  # entry lines decoded together
_CHUNK = 1 << 20


def _plain(value: object) -> object:
    if isinstance(value, Deadlines):
        return dict(value)
    raise TypeError(f"{type(value).__name__} n'est pas du JSON")


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_plain).encode


def index_chunks(entries: Mapping[str, IndexEntry]) -> Iterator[bytes]:
    """The index file, a batch of lines at a time: its head, its entries newest first (so that
    the newest can be read without the rest), its trailer with the checksum of the very bytes
    of the entry lines (checking it at open costs a hash, not a second serialisation)."""
    ordered = sorted(entries.items(), key=lambda item: NEWEST(item[1].summary), reverse=True)
    yield _HEAD
    digest = hashlib.sha256()
    last = len(ordered) - 1
    batch: list[str] = []
    for n, (key, e) in enumerate(ordered):
        value = e[:3] if e.line is None else e
        batch.append(f"{_ENCODE(key)}:{_ENCODE(value)}{',' if n < last else ''}\n")
        if len(batch) >= _BATCH or n == last:
            data = "".join(batch).encode()
            digest.update(data)
            yield data
            batch.clear()
    yield b'},"digest":"%s"}' % digest.hexdigest().encode()


def write_index(path: Path, entries: Mapping[str, IndexEntry]) -> None:
    """Replace the index file durably (atomic.py), written as it is made."""
    atomic_write_chunks(path, index_chunks(entries))


def _open(path: Path) -> int:
    """A descriptor on the index file; FileNotFoundError, or StoreError when it cannot be
    read."""
    try:
        return reading.open_regular(path)
    except FileNotFoundError:
        raise
    except StoreError:
        raise
    except OSError as exc:
        raise StoreError(
            f"Impossible de lire le fichier {path} : {describe_oserror(exc)}.", path
        ) from exc


def index_intact(path: Path) -> bool:
    """Whether the index file is exactly as the store wrote it (head and checksum), read
    without decoding an entry. FileNotFoundError, StoreError as `read_entries`."""
    fd = _open(path)
    try:
        size = os.fstat(fd).st_size
        head = os.read(fd, len(_HEAD))
        if head != _HEAD or size < len(_HEAD) + TRAILER_BYTES:
            return False
        left = size - len(_HEAD) - TRAILER_BYTES
        digest = hashlib.sha256()
        while left > 0:
            chunk = os.read(fd, min(_CHUNK, left))
            if not chunk:
                return False
            digest.update(chunk)
            left -= len(chunk)
        trailer = _TRAILER.fullmatch(os.read(fd, TRAILER_BYTES + 1))
        return trailer is not None and trailer.group(1) == digest.hexdigest().encode()
    except OSError:
        return False
    finally:
        os.close(fd)


def read_entries(path: Path, limit: int | None = None) -> dict[str, IndexEntry]:
    """The entries of the index file, newest first, if it is exactly as the store wrote it
    (else none); `limit`: only the first ones, the checksum not checked (see index_intact).
    FileNotFoundError when there is none; StoreError when it cannot be read."""
    fd = _open(path)
    sharer = Sharer()
    entries: dict[str, IndexEntry] = {}
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "rb", buffering=_CHUNK) as stream:
            if stream.readline() != _HEAD:
                return {}
            batch: list[bytes] = []
            for line in stream:
                if line.startswith(b"}"):
                    trailer = _TRAILER.fullmatch(line)
                    if trailer is None or trailer.group(1) != digest.hexdigest().encode():
                        return {}
                    if stream.read(1):
                        return {}
                    break
                digest.update(line)
                batch.append(line)
                if len(batch) >= _BATCH or (limit is not None and len(batch) >= limit):
                    if not _decode(batch, entries, sharer):
                        return {}
                    batch.clear()
                    if limit is not None and len(entries) >= limit:
                        return entries
            else:
                return {}  # no trailer: cut short
            if batch and not _decode(batch, entries, sharer):
                return {}
    except OSError:
        return {}
    return entries


def _decode(lines: list[bytes], into: dict[str, IndexEntry], sharer: Sharer) -> bool:
    """Decode a batch of entry lines into `into`; False if they are not what the store wrote
    (the shape is checked as the entries are made, not each value's type)."""
    text = b"".join(lines).rstrip(b",\n")
    try:
        into.update(sharer.entries(json.loads(b"{" + text + b"}")))
    except (AttributeError, TypeError, ValueError, RecursionError, IndexError):
        return False
    return True
