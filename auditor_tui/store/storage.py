"""`AtomicJSONStorage`: the TinyDB storage of every store file, written by atomic replace and
read from memory while the file is unchanged.

No UI code here: this module must stay importable without Textual.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from auditor_tui.store.atomic import (
    FILE_MODE,
    atomic_write_bytes,
    ensure_private_dir,
    remove_stale_temp_files,
)
from auditor_tui.store.errors import CorruptFileError, StoreError, describe_oserror
from auditor_tui.store.reading import keep_damaged_bytes, parse_json, read_with_stat

_Signature = tuple[int, int, int, int]


def _signature(stat: os.stat_result) -> _Signature:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class AtomicJSONStorage(Storage):
    """TinyDB storage that never writes the live file in place.

    Every ``write()`` is a full :func:`atomic_write_bytes` (temp file + fsync + rename + folder
    fsync). The last bytes written or read are kept in memory, so the ``read()`` TinyDB makes
    before every write costs a ``stat()`` (to notice a file replaced behind our back) and a
    ``json.loads``, not a file read. Fresh dicts are returned each time: TinyDB mutates them.

    Usage: ``TinyDB(path, storage=AtomicJSONStorage)``. The storage assumes one writer per file;
    the store's :class:`StoreLock` provides that across processes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        create_dirs: bool = True,
        mode: int = FILE_MODE,
        sweep: bool = True,
    ) -> None:
        """``sweep=False`` skips the removal of this file's stale temporary files, a listing of
        its whole folder: for a caller that swept the folder once already (``Store.open``
        does), since with thousands of files it would make every open O(folder size)."""
        super().__init__()
        self.path = Path(path)
        self.mode = mode
        self._cache: bytes | None = None
        self._cache_sig: _Signature | None = None
        #: counters, for tests and measurements: read() calls, of which served from memory
        #: (cache_hits) or from the file (disk_reads); successful write() calls
        self.reads = 0
        self.disk_reads = 0
        self.cache_hits = 0
        self.writes = 0
        if create_dirs:
            ensure_private_dir(self.path.parent)
        if sweep:
            remove_stale_temp_files(self.path)

    def _invalidate(self) -> None:
        self._cache = None
        self._cache_sig = None

    def read(self) -> dict[str, dict[str, Any]] | None:
        self.reads += 1
        try:
            stat = os.lstat(self.path)
        except FileNotFoundError:
            self._invalidate()
            return None
        except OSError as exc:
            self._invalidate()
            raise StoreError(
                f"Impossible de lire le fichier {self.path} : {describe_oserror(exc)}.", self.path
            ) from exc
        if self._cache is not None and self._cache_sig == _signature(stat):
            self.cache_hits += 1
            data = self._cache
        else:
            self._invalidate()
            try:
                data, stat = read_with_stat(self.path)
            except FileNotFoundError:
                return None
            self.disk_reads += 1
        if not data.strip():
            return None  # new (or emptied) file: TinyDB starts an empty database
        parsed = parse_json(self.path, data)
        if not isinstance(parsed, dict) or not all(
            isinstance(t, dict) and all(isinstance(doc, dict) for doc in t.values())
            for t in parsed.values()
        ):
            raise CorruptFileError(
                self.path,
                keep_damaged_bytes(self.path, data),
                "structure inattendue : un objet de tables TinyDB était attendu",
            )
        self._cache = data
        self._cache_sig = _signature(stat)
        return parsed

    def write(self, data: Mapping[str, Mapping[str, Any]]) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._invalidate()  # if the write fails, the next read must ask the disk
        stat = atomic_write_bytes(self.path, payload, mode=self.mode)
        self._cache = payload
        self._cache_sig = _signature(stat)
        self.writes += 1

    def close(self) -> None:
        self._invalidate()
