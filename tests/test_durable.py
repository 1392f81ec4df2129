"""Tests of the durability primitives: real files, real processes, failures injected only."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB

from auditor_tui.store.atomic import (
    atomic_write_bytes,
    ensure_private_dir,
    remove_stale_temp_files,
)
from auditor_tui.store.errors import CorruptFileError, StoreError, StoreLockedError, StoreWriteError
from auditor_tui.store.lock import StoreLock
from auditor_tui.store.reading import read_json_file
from auditor_tui.store.storage import AtomicJSONStorage

ROOT = Path(__file__).resolve().parents[1]
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and signals")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _left(folder: Path) -> list[str]:
    """What the folder holds: after a failed write, the target alone, no temporary file."""
    return sorted(os.listdir(folder))


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _spawn(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,  # closed when the test ends, whatever happens
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
        cwd=ROOT,
    )


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def umask022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# --------------------------------------------------------------------------------------------
# atomic_write_bytes
# --------------------------------------------------------------------------------------------


@POSIX_ONLY
def test_atomic_write_roundtrip_private_mode_no_temp(tmp_path: Path, umask022: None) -> None:
    target = tmp_path / "store.json"
    atomic_write_bytes(target, b'{"a": 1}')
    assert target.read_bytes() == b'{"a": 1}'
    assert _mode(target) == 0o600
    atomic_write_bytes(target, '{"é": 2}'.encode())
    assert json.loads(target.read_bytes()) == {"é": 2}
    assert os.listdir(tmp_path) == ["store.json"]


@POSIX_ONLY
def test_atomic_write_replaces_a_world_readable_file_with_a_private_one(
    tmp_path: Path, umask022: None
) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(b"old")
    target.chmod(0o644)
    atomic_write_bytes(target, b"new")
    assert _mode(target) == 0o600
    assert target.read_bytes() == b"new"


@POSIX_ONLY
def test_mode_is_exact_even_with_a_stingy_umask(tmp_path: Path) -> None:
    old = os.umask(0o277)
    try:
        atomic_write_bytes(tmp_path / "f", b"x")
        ensure_private_dir(tmp_path / "d" / "e")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "f") == 0o600
    assert _mode(tmp_path / "d") == 0o700
    assert _mode(tmp_path / "d" / "e") == 0o700


def _fail_on_create(code: int) -> Callable[..., int]:
    """os.open refusing to create a file, as a read-only disk or folder does."""
    real_open = os.open

    def fake_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    return fake_open


def _fail_write_halfway() -> Callable[[int, Any], int]:
    real_write = os.write
    calls = {"n": 0}

    def fake_write(fd: int, data: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[: max(1, len(data) // 2)]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return fake_write


def _raiser(code: int) -> Callable[..., None]:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError(code, os.strerror(code))

    return fail


FAILURES: dict[str, tuple[str, Callable[[], Callable[..., Any]], int]] = {
    "fsync-ENOSPC": ("fsync", lambda: _raiser(errno.ENOSPC), errno.ENOSPC),
    "replace-ENOSPC": ("replace", lambda: _raiser(errno.ENOSPC), errno.ENOSPC),
    "write-halfway-ENOSPC": ("write", _fail_write_halfway, errno.ENOSPC),
    "open-EROFS": ("open", lambda: _fail_on_create(errno.EROFS), errno.EROFS),
    "open-EACCES": ("open", lambda: _fail_on_create(errno.EACCES), errno.EACCES),
    "fsync-EIO": ("fsync", lambda: _raiser(errno.EIO), errno.EIO),
}

MEANINGS = {
    errno.ENOSPC: "le disque est plein",
    errno.EROFS: "lecture seule",
    errno.EACCES: "permission refusée",
    errno.EIO: "entrée-sortie",
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_failed_write_keeps_previous_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    target = tmp_path / "store.json"
    before = b'{"answers":{"1":{"q1":2}}}'
    atomic_write_bytes(target, before)
    stat_before = target.stat()

    func, make_fake, code = FAILURES[case]
    monkeypatch.setattr(os, func, make_fake())
    with pytest.raises(StoreWriteError) as caught:
        atomic_write_bytes(target, b'{"answers":{"1":{"q1":3}}}' * 1000)
    monkeypatch.undo()

    err = caught.value
    assert target.read_bytes() == before
    assert target.stat().st_ino == stat_before.st_ino
    assert _left(tmp_path) == ["store.json"]
    assert str(target) in str(err)
    assert err.path == target
    assert err.errno == code
    assert err.previous_intact
    assert MEANINGS[code] in str(err)
    assert errno.errorcode[code] in str(err)
    assert "intact" in str(err)
    assert isinstance(err, StoreError)
    assert isinstance(err.__cause__, OSError)


@POSIX_ONLY
def test_failed_directory_fsync_after_rename_is_reported_as_unconfirmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "store.json"
    atomic_write_bytes(target, b"old")
    real_fsync = os.fsync

    def fsync_fails_on_dirs(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_fails_on_dirs)
    with pytest.raises(StoreWriteError) as caught:
        atomic_write_bytes(target, b"new")
    assert not caught.value.previous_intact
    assert "confirmée" in str(caught.value)
    assert _left(tmp_path) == ["store.json"]


WRITE_AFTER = """
import sys
from pathlib import Path
from auditor_tui.store.errors import StoreWriteError
from auditor_tui.store.atomic import atomic_write_bytes
try:
    atomic_write_bytes(Path(sys.argv[1]), b"after")
except StoreWriteError as err:
    print(err.errno)
    print(err)
    sys.exit(3)
print("WRITTEN")
"""

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _as_plain_owner() -> Callable[[], None] | None:
    """For a child of root: drop the capabilities that let root write through any file mode
    (from the bounding set, so they are gone after exec), leaving it bound by the modes as
    the folder's owner, like any user. None when not root: nothing to drop."""
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


@POSIX_ONLY
def test_read_only_folder_real_chmod(tmp_path: Path) -> None:
    """A folder made read-only with chmod: the write is refused (EACCES), named, and leaves the
    previous content and no temporary file. Run in a child that obeys file modes even when
    the tests run as root (as in CI)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "store.json"
    atomic_write_bytes(target, b"before")
    folder.chmod(0o500)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", WRITE_AFTER, str(target)],
            capture_output=True,
            text=True,
            env=_child_env(),
            cwd=ROOT,
            timeout=60,
            preexec_fn=_as_plain_owner(),  # only prctl between fork and exec
        )
        assert proc.returncode == 3, (proc.stdout, proc.stderr)
        code, message = proc.stdout.split("\n", 1)
        assert int(code) == errno.EACCES
        assert str(target) in message and "permission refusée" in message
        assert target.read_bytes() == b"before"
        assert _left(folder) == ["store.json"]
    finally:
        folder.chmod(0o700)


def test_read_only_folder_emulated_eacces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "store.json"
    atomic_write_bytes(target, b"before")
    monkeypatch.setattr(os, "open", _fail_on_create(errno.EACCES))
    with pytest.raises(StoreWriteError) as caught:
        atomic_write_bytes(target, b"after")
    monkeypatch.undo()
    assert "permission refusée" in str(caught.value)
    assert str(target) in str(caught.value)
    assert target.read_bytes() == b"before"


def test_missing_folder_is_a_store_write_error(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "store.json"
    with pytest.raises(StoreWriteError) as caught:
        atomic_write_bytes(target, b"x")
    assert caught.value.errno == errno.ENOENT
    assert str(target) in str(caught.value)


def test_keyboard_interrupt_mid_write_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f"
    atomic_write_bytes(target, b"before")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"after")
    monkeypatch.undo()
    assert target.read_bytes() == b"before"
    assert _left(tmp_path) == ["f"]


# --------------------------------------------------------------------------------------------
# kill -9 while writing through TinyDB
# --------------------------------------------------------------------------------------------

WRITER = """
import sys
from tinydb import TinyDB
from tinydb.table import Document
from auditor_tui.store.storage import AtomicJSONStorage

db = TinyDB(sys.argv[1], storage=AtomicJSONStorage)
table = db.table("counter")
doc = table.get(doc_id=1)
n = doc["n"] if doc else 0
while True:
    n += 1
    table.upsert(Document({"n": n, "pad": "é" * 200}, doc_id=1))
    print(n, flush=True)
"""


@POSIX_ONLY
def test_kill_9_never_loses_an_acknowledged_write(tmp_path: Path) -> None:
    path = tmp_path / "data" / "store.json"
    rng = random.Random(20260101)
    last_on_disk = 0
    for trial in range(15):
        proc = _spawn(WRITER, str(path))
        assert proc.stdout is not None and proc.stderr is not None
        acknowledged: list[int] = []
        for _ in range(rng.randint(1, 12)):
            line = proc.stdout.readline()
            if not line:
                break
            acknowledged.append(int(line))
        time.sleep(rng.uniform(0, 0.003))  # the kill's moment (not a wait): mid-write or not
        proc.send_signal(signal.SIGKILL)
        rest = proc.stdout.read()
        err = proc.stderr.read()
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, err
        # only complete lines count as acknowledged
        acknowledged += [int(x) for x in rest.split("\n")[:-1] if x]
        assert acknowledged, f"trial {trial}: the writer printed nothing: {err}"
        last = acknowledged[-1]

        on_disk = read_json_file(path)["counter"]["1"]["n"]
        # at most one write may have completed after the last print
        assert last <= on_disk <= last + 1, (trial, last, on_disk)
        assert on_disk > last_on_disk
        last_on_disk = on_disk
        assert _mode(path) == 0o600

    # temp files of killed writers may remain; they are never the live file and get swept
    remove_stale_temp_files(path)
    assert sorted(os.listdir(path.parent)) == ["store.json"]


# --------------------------------------------------------------------------------------------
# Corrupt files
# --------------------------------------------------------------------------------------------


def _backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.corrupt-*"))


def test_truncated_json_is_set_aside_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    damaged = b'{"audits":{"1":{"q1":2,"q2":'
    path.write_bytes(damaged)
    before = path.stat()

    with pytest.raises(CorruptFileError) as caught:
        read_json_file(path)
    err = caught.value
    assert err.path == path
    assert err.backup_path is not None
    assert err.backup_path.parent == tmp_path
    assert err.backup_path.name.startswith("store.json.corrupt-")
    assert err.backup_path.name.endswith("Z")
    assert err.backup_path.read_bytes() == damaged
    assert _mode(err.backup_path) == 0o600 or os.name != "posix"
    assert str(path) in str(err)
    assert str(err.backup_path) in str(err)
    assert path.read_bytes() == damaged
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert isinstance(err, StoreError)

    # reading it again does not pile up copies
    with pytest.raises(CorruptFileError) as again:
        read_json_file(path)
    assert again.value.backup_path == err.backup_path
    assert _backups(path) == [err.backup_path]


def test_existing_copies_are_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    now = datetime.now(UTC)
    squatters = {}
    for delta in range(3):  # the copies this second (and the next two) would be named
        stamp = (now + timedelta(seconds=delta)).strftime("%Y%m%dT%H%M%SZ")
        squatter = tmp_path / f"store.json.corrupt-{stamp}"
        squatter.write_bytes(f"older copy {delta}".encode())
        squatters[squatter] = squatter.read_bytes()

    path.write_bytes(b"[1, 2")
    with pytest.raises(CorruptFileError) as first:
        read_json_file(path)
    path.write_bytes(b"{nope")
    with pytest.raises(CorruptFileError) as second:
        read_json_file(path)

    assert first.value.backup_path is not None and second.value.backup_path is not None
    assert first.value.backup_path != second.value.backup_path
    assert first.value.backup_path.read_bytes() == b"[1, 2"
    assert second.value.backup_path.read_bytes() == b"{nope"
    for squatter, content in squatters.items():
        assert squatter.read_bytes() == content
    assert len(_backups(path)) == 5


def test_invalid_utf8_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(b'{"a": "\xff\xfe"}')
    with pytest.raises(CorruptFileError) as caught:
        read_json_file(path)
    assert caught.value.backup_path is not None
    assert caught.value.backup_path.read_bytes() == b'{"a": "\xff\xfe"}'
    assert "UTF-8" in str(caught.value)


def test_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_json_file(tmp_path / "absent.json")
    assert os.listdir(tmp_path) == []


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "edited.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": "\xc3\xa9"}')
    assert read_json_file(path) == {"a": "é"}


def test_tinydb_never_writes_over_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    damaged = b'{"_default":{"1":{"a":1}'
    path.write_bytes(damaged)
    db = TinyDB(path, storage=AtomicJSONStorage)
    with pytest.raises(CorruptFileError):
        db.all()
    with pytest.raises(CorruptFileError):
        db.insert({"a": 2})
    assert path.read_bytes() == damaged
    assert len(_backups(path)) == 1


@pytest.mark.parametrize("content", [b"[1, 2]", b'{"_default": [1]}', b'"text"'])
def test_storage_rejects_wrong_shape(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(content)
    with pytest.raises(CorruptFileError) as caught:
        AtomicJSONStorage(path).read()
    assert "structure inattendue" in str(caught.value)
    assert caught.value.backup_path is not None
    assert caught.value.backup_path.read_bytes() == content
    assert path.read_bytes() == content


# --------------------------------------------------------------------------------------------
# AtomicJSONStorage with TinyDB
# --------------------------------------------------------------------------------------------


@POSIX_ONLY
def test_tinydb_insert_update_read(tmp_path: Path, umask022: None) -> None:
    path = tmp_path / "a" / "b" / "store.json"
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        audits = db.table("audits")
        doc_id = audits.insert({"dealer": "Lexus Marseille", "q1": 1, "note": "très bien"})
        audits.insert({"dealer": "Lexus Lyon", "q1": 2})
        audits.update({"q1": 3}, doc_ids=[doc_id])
        audits.remove(doc_ids=[2])
        assert audits.get(doc_id=doc_id) == {
            "dealer": "Lexus Marseille",
            "q1": 3,
            "note": "très bien",
        }

    raw = path.read_bytes()
    assert "très bien".encode() in raw  # ensure_ascii=False
    assert b": " not in raw and b", " not in raw  # compact separators
    assert _mode(path) == 0o600
    assert _mode(tmp_path / "a") == 0o700
    assert _mode(tmp_path / "a" / "b") == 0o700
    assert sorted(os.listdir(path.parent)) == ["store.json"]

    with TinyDB(path, storage=AtomicJSONStorage) as db:
        assert db.table("audits").all() == [
            {"dealer": "Lexus Marseille", "q1": 3, "note": "très bien"}
        ]


def test_read_after_write_is_served_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
    table = db.table("t")
    doc_id = table.insert({"n": 0})

    real_read = os.read
    file_reads: list[Path] = []  # the file read from the disk, once per os.read of it

    def spy(fd: int, size: int) -> bytes:
        with contextlib.suppress(OSError):
            target = Path(os.readlink(f"/proc/self/fd/{fd}"))
            if target == path:
                file_reads.append(target)
        return real_read(fd, size)

    monkeypatch.setattr(os, "read", spy)
    reads_before = storage.reads
    for n in range(1, 21):
        table.update({"n": n}, doc_ids=[doc_id])
    assert table.get(doc_id=doc_id) == {"n": 20}
    # TinyDB reads the whole database before every write: 20 updates + 1 get
    assert storage.reads - reads_before >= 21
    assert file_reads == []
    assert storage.writes == 21

    # a file replaced behind our back is noticed (new inode / size / mtime)
    atomic_write_bytes(path, b'{"t":{"1":{"n":99}}}')
    assert table.get(doc_id=doc_id) == {"n": 99}
    assert set(file_reads) == {path}
    db.close()


def test_read_returns_fresh_objects(tmp_path: Path) -> None:
    storage = AtomicJSONStorage(tmp_path / "s.json")
    storage.write({"t": {"1": {"answers": [1, 2]}}})
    first = storage.read()
    assert first is not None
    first["t"]["1"]["answers"].append(3)
    assert storage.read() == {"t": {"1": {"answers": [1, 2]}}}


def test_new_or_empty_file_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    storage = AtomicJSONStorage(path)
    assert storage.read() is None
    assert not path.exists()  # nothing written until TinyDB writes
    path.write_bytes(b"")
    assert storage.read() is None
    with TinyDB(path, storage=AtomicJSONStorage) as db:
        db.insert({"a": 1})
    assert read_json_file(path) == {"_default": {"1": {"a": 1}}}


def test_failed_tinydb_write_keeps_file_and_memory_consistent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    doc_id = db.insert({"q1": 1})
    before = path.read_bytes()
    monkeypatch.setattr(os, "replace", _raiser(errno.ENOSPC))
    with pytest.raises(StoreWriteError) as caught:
        db.update({"q1": 2}, doc_ids=[doc_id])
    monkeypatch.undo()
    assert str(path) in str(caught.value)
    assert path.read_bytes() == before
    assert db.get(doc_id=doc_id) == {"q1": 1}  # what the disk says
    db.update({"q1": 3}, doc_ids=[doc_id])  # and the store keeps working once space is back
    assert read_json_file(path) == {"_default": {"1": {"q1": 3}}}


@POSIX_ONLY
def test_stale_temp_files_of_dead_writers_are_swept(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    dead = tmp_path / f".store.json.tmp-{_dead_pid()}-0123456789ab"
    mine = tmp_path / f".store.json.tmp-{os.getpid()}-0123456789ab"
    other = tmp_path / f".other.json.tmp-{_dead_pid()}-0123456789ab"
    for p in (dead, mine, other):
        p.write_bytes(b"partial")
    AtomicJSONStorage(path)
    assert not dead.exists()
    assert mine.exists()  # may be a write in progress in another thread
    assert other.exists()  # not this file's


# --------------------------------------------------------------------------------------------
# StoreLock
# --------------------------------------------------------------------------------------------

TRY_LOCK = """
import sys
from auditor_tui.store.lock import StoreLock
from auditor_tui.store.errors import StoreLockedError
try:
    StoreLock(sys.argv[1]).acquire()
except StoreLockedError as err:
    print(err.pid)
    print(err)
    sys.exit(3)
print("ACQUIRED")
"""

HOLD_LOCK = """
import sys
from auditor_tui.store.lock import StoreLock
lock = StoreLock(sys.argv[1])
lock.acquire()
print("ready", flush=True)
sys.stdin.read()  # holds the lock until killed (or its test is gone)
"""


@POSIX_ONLY
def test_lock_refused_to_another_process(tmp_path: Path, umask022: None) -> None:
    folder = tmp_path / "donnees"
    with StoreLock(folder) as lock:
        assert lock.is_held
        assert lock.recovered_from is None and lock.recovery_message is None
        assert _mode(folder) == 0o700
        assert _mode(lock.info_path) == 0o600
        assert _mode(lock.lock_path) == 0o600
        info = json.loads(lock.info_path.read_bytes())
        assert info["pid"] == os.getpid()
        assert set(info) == {"pid", "host", "started_at"}
        assert datetime.fromisoformat(info["started_at"]).tzinfo is not None

        proc = _spawn(TRY_LOCK, str(folder))
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 3, (out, err)
        pid_line, message = out.split("\n", 1)
        assert int(pid_line) == os.getpid()
        assert str(folder) in message
        assert f"pid {os.getpid()}" in message
        assert "déjà ouvert" in message
        started = datetime.fromisoformat(info["started_at"]).astimezone()
        assert started.strftime("%H:%M") in message

    assert not lock.is_held
    assert not lock.info_path.exists()
    proc = _spawn(TRY_LOCK, str(folder))
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and out.strip() == "ACQUIRED", (out, err)


def test_second_lock_in_the_same_process_is_refused(tmp_path: Path) -> None:
    first = StoreLock(tmp_path)
    first.acquire()
    try:
        with pytest.raises(StoreLockedError) as caught:
            StoreLock(tmp_path).acquire()
        assert caught.value.pid == os.getpid()
        assert caught.value.folder == tmp_path
        first.acquire()  # idempotent for the holder
    finally:
        first.release()
    first.release()  # idempotent too
    with StoreLock(tmp_path) as second:
        assert second.recovered_from is None


@POSIX_ONLY
def test_lock_of_a_killed_process_is_recovered(tmp_path: Path) -> None:
    folder = tmp_path / "donnees"
    proc = _spawn(HOLD_LOCK, str(folder))
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError) as caught:
            StoreLock(folder).acquire()
        assert caught.value.pid == proc.pid
        assert f"pid {proc.pid}" in str(caught.value)
        assert str(folder) in str(caught.value)
    finally:
        proc.kill()  # SIGKILL: no cleanup in the child
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert (folder / "lock.info").exists()  # the dead holder could not remove it

    lock = StoreLock(folder)
    lock.acquire()
    try:
        assert lock.recovered_from is not None
        assert lock.recovered_from["pid"] == proc.pid
        assert lock.recovery_message == (
            f"La session précédente (pid {proc.pid}) s'est terminée sans fermer le dossier ; "
            "le verrou a été récupéré."
        )
        assert json.loads(lock.info_path.read_bytes())["pid"] == os.getpid()
    finally:
        lock.release()
    with StoreLock(folder) as clean:
        assert clean.recovered_from is None


def test_lock_info_from_another_host_is_recovered(tmp_path: Path) -> None:
    info = {"pid": os.getpid(), "host": "another-laptop", "started_at": "2026-01-05T08:00:00+00:00"}
    atomic_write_bytes(tmp_path / "lock.info", json.dumps(info).encode())
    with StoreLock(tmp_path) as lock:
        assert lock.recovered_from == info
        assert lock.recovery_message is not None


def test_locked_message_without_readable_info(tmp_path: Path) -> None:
    err = StoreLockedError(tmp_path, None)
    assert str(err).startswith(f"Le dossier de données {tmp_path} est déjà ouvert")
    assert err.pid is None
    other_day = StoreLockedError(
        tmp_path, {"pid": 4242, "host": "autre-poste", "started_at": "2020-02-03T10:15:00+00:00"}
    )
    assert "pid 4242 sur la machine autre-poste" in str(other_day)
    assert "/2020 à " in str(other_day)
