"""Measure the cost of a durable save (prints figures, asserts nothing).

    python scripts/bench_durable.py [--dir FOLDER] [-n 300]

Run it on the disk the data folder lives on: a tmpfs /tmp makes fsync free and the figures
meaningless (the script warns).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import JSONStorage

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor_tui.store.atomic import atomic_write_bytes
from auditor_tui.store.storage import AtomicJSONStorage

SMALL_DOC = {
    "dealer": "Lexus Marseille",
    "started_at": "2026-01-05T09:12:00+00:00",
    "answers": {"1": [1], "2": [2], "3": [1, 3], "9": [1]},
    "note": "Accueil très aimable, transfert rapide.",
}


def fs_type(folder: Path) -> str:
    """File system type of ``folder`` from /proc/mounts (Linux), else '?'."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return "?"
    best, kind = "", "?"
    target = str(folder.resolve())
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount = fields[1]
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) >= len(best):
            best, kind = mount, fields[2]
    return kind


def report(label: str, samples_s: list[float]) -> None:
    ms = sorted(s * 1000 for s in samples_s)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    print(
        f"{label:<58} median {statistics.median(ms):6.3f} ms   p99 {p99:6.3f} ms   "
        f"max {ms[-1]:6.3f} ms   (n={len(ms)})"
    )


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=None, help="where to write (default: TMPDIR)")
    parser.add_argument("-n", type=int, default=300, help="samples per measurement")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-durable-", dir=args.dir))
    kind = fs_type(work)
    print(f"folder: {work}  (file system: {kind})")
    if kind in {"tmpfs", "ramfs"}:
        print("WARNING: memory file system, fsync costs nothing here; use --dir on a real disk")
    n = args.n
    try:
        # 1. The figure asked for: one update of a small doc in a fresh per-file database.
        fresh: list[float] = []
        reads_per_update: list[int] = []
        disk_reads_per_update: list[int] = []
        for i in range(n):
            db = TinyDB(work / f"fresh-{i}.json", storage=AtomicJSONStorage)
            doc_id = db.insert(SMALL_DOC)
            storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
            reads, disk = storage.reads, storage.disk_reads
            fresh.append(timed(partial(db.update, {"answers": {"1": [2]}}, doc_ids=[doc_id])))
            reads_per_update.append(storage.reads - reads)
            disk_reads_per_update.append(storage.disk_reads - disk)
            db.close()
        report("TinyDB update, fresh per-file db, AtomicJSONStorage", fresh)
        print(
            f"  storage.read() calls per update: {statistics.mean(reads_per_update):.1f}, "
            f"of which from the file: {statistics.mean(disk_reads_per_update):.1f}"
        )

        # 2. Same, repeated updates on one open db (a long audit session).
        db = TinyDB(work / "session.json", storage=AtomicJSONStorage)
        doc_id = db.insert(SMALL_DOC)
        report(
            "TinyDB update, same db repeatedly, AtomicJSONStorage",
            [timed(partial(db.update, {"q": k}, doc_ids=[doc_id])) for k in range(n)],
        )
        db.close()

        # 3. For comparison: TinyDB's own JSONStorage (in-place write + fsync + truncate).
        db = TinyDB(work / "plain.json", storage=JSONStorage)
        doc_id = db.insert(SMALL_DOC)
        report(
            "TinyDB update, same db repeatedly, stock JSONStorage",
            [timed(partial(db.update, {"q": k}, doc_ids=[doc_id])) for k in range(n)],
        )
        db.close()

        # 4. The primitive alone, and the bare syscalls it is made of.
        payload = b'{"_default":{"1":' + b'{"k":"' + b"x" * 300 + b'"}}}'
        target = work / "raw.json"
        report(
            "atomic_write_bytes, ~330 bytes",
            [timed(partial(atomic_write_bytes, target, payload)) for _ in range(n)],
        )

        def bare_fsync() -> None:
            fd = os.open(work / "bare", os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.write(fd, payload)
                os.fsync(fd)
            finally:
                os.close(fd)

        report(
            "bare write + fsync of the same bytes (floor)", [timed(bare_fsync) for _ in range(n)]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
