"""The store's large caches on disk (`index.json`, `report-rows.json`), read and written in
bounded memory: a head line, then one entry per line, `"<key>":<JSON value>`, then a trailer
with the SHA-256 of the entry lines. The whole file is one JSON object; it is read a batch of
lines at a time and written as it is made (100,000 entries: tens of MB, never held at once).
A file that is not exactly what the store wrote is refused whole (`Damaged`): a cache is then
made again from the audit files.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from auditor_tui.store import reading
from auditor_tui.store.atomic import atomic_write_chunks
from auditor_tui.store.errors import StoreError, describe_oserror

_TRAILER = re.compile(rb'\},"digest":"([0-9a-f]{64})"\}')
TRAILER_BYTES = 78  # },"digest":"<64 hex digits>"}
BATCH = 1000  # entry lines decoded together
_CHUNK = 1 << 20


class Damaged(ValueError):
    """The file is not exactly what the store wrote (its head, its checksum, cut short)."""


def write_lines(path: Path, head: bytes, entries: Iterable[str]) -> None:
    """Replace the file durably (atomic.py) with `head` (a line ending with `{` and a line
    end), the `entries` (`"<key>":<value>`, one per line) and the trailer."""
    atomic_write_chunks(path, _chunks(head, entries))


def _chunks(head: bytes, entries: Iterable[str]) -> Iterator[bytes]:
    yield head
    digest = hashlib.sha256()
    batch: list[str] = []
    it = iter(entries)
    entry = next(it, None)
    while entry is not None:
        following = next(it, None)
        batch.append(f"{entry}{',' if following is not None else ''}\n")
        if len(batch) >= BATCH or following is None:
            data = "".join(batch).encode()
            digest.update(data)
            yield data
            batch.clear()
        entry = following
    yield b'},"digest":"%s"}' % digest.hexdigest().encode()


def _open(path: Path) -> int:
    """FileNotFoundError, or StoreError when the file cannot be read."""
    try:
        return reading.open_regular(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        detail = describe_oserror(exc)
        raise StoreError(f"Impossible de lire le fichier {path} : {detail}.", path) from exc


def intact(path: Path, head: bytes) -> bool:
    """Whether the file is exactly as the store wrote it, read without decoding an entry.
    FileNotFoundError, StoreError as `batches`."""
    fd = _open(path)
    try:
        size = os.fstat(fd).st_size
        if os.read(fd, len(head)) != head or size < len(head) + TRAILER_BYTES:
            return False
        left = size - len(head) - TRAILER_BYTES
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


def batches(path: Path, head: bytes) -> Iterator[list[bytes]]:
    """The entry lines of the file, a batch at a time (each batch a JSON object's members
    once joined: see `members`); Damaged, after the last batch, if the file is not exactly
    what the store wrote (what was read is then to be dropped). FileNotFoundError when there
    is none; StoreError when it cannot be opened."""
    fd = _open(path)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "rb", buffering=_CHUNK) as stream:
            if stream.readline() != head:
                raise Damaged(path)
            batch: list[bytes] = []
            for line in stream:
                if line.startswith(b"}"):
                    trailer = _TRAILER.fullmatch(line)
                    if trailer is None or trailer.group(1) != digest.hexdigest().encode():
                        raise Damaged(path)
                    if stream.read(1):
                        raise Damaged(path)
                    if batch:
                        yield batch
                    return
                digest.update(line)
                batch.append(line)
                if len(batch) >= BATCH:
                    yield batch
                    batch = []
    except OSError as exc:
        raise Damaged(path) from exc
    raise Damaged(path)  # no trailer: cut short


def members(lines: list[bytes]) -> Any:
    """A batch of entry lines decoded: {key: value} (ValueError, RecursionError if they are
    not JSON)."""
    import json

    return json.loads(b"{" + b"".join(lines).rstrip(b",\n") + b"}")
