"""Full disk and read-only folders: ENOSPC, EACCES and EROFS injected into os.write, os.fsync,
os.replace and os.open — each call of a store operation failing in turn — give a clear French
error naming the file, keep the last good state on disk, and leave the in-memory state
consistent: the same operation retried afterwards succeeds. A real full tmpfs too, when mount
is allowed. `fault_cases` is reused at scale by scripts/reliability.py.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from auditor_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from auditor_tui.domain.clock import FakeClock
from auditor_tui.session.live import LiveCall
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError, StoreWriteError, describe_oserror
from tests.factories import T0, make_audit
from tests.test_reliability_damage import run_cli
from tests.test_reliability_import import read_only_state

ERRNOS = (errno.ENOSPC, errno.EACCES, errno.EROFS)
OPS = ("write", "fsync", "replace", "open")
State = dict[str, Any]


def _concerns(name: str, args: tuple[Any, ...], under: str) -> bool:
    """Whether a call of os.`name` touches a file under `under`."""
    if name in ("write", "fsync"):
        try:
            target = os.readlink(f"/proc/self/fd/{args[0]}")
        except OSError:
            return False
        return target.startswith(under)
    return any(isinstance(a, str | os.PathLike) and os.fspath(a).startswith(under) for a in args)


@dataclass
class Fault:
    """os.`name` fails with `code` on its call number `at` (0-based) under a folder."""

    name: str
    code: int
    at: int
    calls: int = 0
    fired: bool = False


@contextmanager
def injected(fault: Fault, under: Path) -> Iterator[Fault]:
    """Install `fault` for the `with` block only (`at=-1`: count the calls, fail none)."""
    real = getattr(os, fault.name)
    folder = str(under)

    def fake(*args: Any, **kwargs: Any) -> Any:
        if _concerns(fault.name, args, folder):
            fault.calls += 1
            if fault.calls - 1 == fault.at:
                fault.fired = True
                raise OSError(fault.code, os.strerror(fault.code))
        return real(*args, **kwargs)

    setattr(os, fault.name, fake)
    try:
        yield fault
    finally:
        setattr(os, fault.name, real)


def snapshot(root: Path) -> State:
    """What a fresh open of the store shows: every audit, the dealers and the settings."""
    with Store.open(root) as store:
        assert store.damaged == [], [d.message for d in store.damaged]
        return {
            "audits": {i: store.get(i).to_dict() for i in store.ids()},
            "dealers": store.dealers(),
            "auditor": store.setting("auditor"),
        }


def build_template(root: Path) -> None:
    with Store.open(root) as store:
        for n in range(3):
            store.create(make_audit(n), T0)
        store.replace_dealers([{"id": "lexus-dijon", "name": "Lexus Dijon"}])
        store.set_setting("auditor", "Camille Durand")


# Each action prepares its objects (fault-free), then returns the write to attempt, which is
# retried as is after a failure: what a "réessayer" does in the app.
Action = Callable[[Store, Path], Callable[[], object]]


def _save(store: Store, tmp: Path) -> Callable[[], object]:
    audit = store.get(make_audit(1).id)
    audit.notes["9"] = "saisi pendant que le disque était plein"
    audit.status = "awaiting_follow_up"
    return lambda: store.save(audit, moment=T0 + timedelta(hours=1))


def _live_answer(store: Store, tmp: Path) -> Callable[[], object]:
    draft = make_audit(5, status="draft")
    draft.answers, draft.call.ended_at, draft.deadlines = {}, None, None
    store.create(draft, T0)
    live = LiveCall(store, draft.id, FakeClock(T0 + timedelta(minutes=1)))
    first = [True]

    def answer() -> object:
        if first[0]:
            first[0] = False
            return live.answer("9", 1)
        assert live.save_error is not None  # the live call knows the answer is not saved
        return live.retry_save()

    return answer


def _put_many(store: Store, tmp: Path) -> Callable[[], object]:
    newer = make_audit(1)
    newer.revision = 4
    newer.notes["15"] = "importé"
    audits = [newer, make_audit(6), make_audit(7)]
    return lambda: store.put_many(audits, moment=T0 + timedelta(hours=2))


def _flush_index(store: Store, tmp: Path) -> Callable[[], object]:
    audit = store.get(make_audit(2).id)
    audit.notes["1"] = "modifié"
    store.save(audit, moment=T0 + timedelta(hours=3))
    return store.flush_index


def _mark_exported(store: Store, tmp: Path) -> Callable[[], object]:
    ids = store.ids()
    return lambda: store.mark_exported(ids, "lot-2026-11-17")


def _dealers(store: Store, tmp: Path) -> Callable[[], object]:
    rows = [{"id": "lexus-metz", "name": "Lexus Metz"}, {"id": "lexus-nice", "name": "Lexus Nice"}]
    return lambda: store.replace_dealers(rows)


def _settings(store: Store, tmp: Path) -> Callable[[], object]:
    return lambda: store.set_setting("auditor", "Dominique Petit")


# Not one commit but one write per audit: each audit is before or after, not all together.
# (None now: marking an export batch is one commit, as an import is.)
PER_AUDIT: set[str] = set()

ACTIONS: dict[str, Action] = {
    "create": lambda store, tmp: lambda: store.create(make_audit(8), T0),
    "save": _save,
    "live answer": _live_answer,
    "put_many": _put_many,
    "flush_index": _flush_index,
    "mark_exported": _mark_exported,
    "dealers": _dealers,
    "settings": _settings,
}


def clean_state(template: Path, tmp: Path, action: str) -> tuple[State, dict[str, int]]:
    """The state `action` leaves without any fault, and how many calls of each os function
    it makes under the store folder (each one is then made to fail in turn)."""
    work = tmp / "clean"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work)
    counts: dict[str, int] = {}
    with Store.open(work) as store:
        attempt = ACTIONS[action](store, work)
        snapshot_open(store)  # as fault_case does: the same reads cached, the same calls
        counters = [Fault(name, 0, at=-1) for name in OPS]
        with contextlib.ExitStack() as stack:
            for counter in counters:
                stack.enter_context(injected(counter, work))
            attempt()
        counts = {c.name: c.calls for c in counters}
        state = snapshot_open(store)
    assert snapshot(work) == state
    return state, counts


def snapshot_open(store: Store) -> State:
    """What the open store shows; its summaries must agree with its audits."""
    audits = {i: store.get(i).to_dict() for i in store.ids()}
    assert {s.id: s.revision for s in store.summaries()} == {
        i: r["revision"] for i, r in audits.items()
    }
    return {"audits": audits, "dealers": store.dealers(), "auditor": store.setting("auditor")}


def on_disk(work: Path, tmp: Path) -> State:
    """What a fresh open would find now (on a copy: the store is still open here)."""
    copy = tmp / "disk-now"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(work, copy)
    return snapshot(copy)


def fault_case(template: Path, tmp: Path, action: str, fault: Fault, clean: State) -> str:
    """One injected failure. Returns "refused" (a clear StoreError) or "absorbed" (the failing
    call was one a write may do without, such as a folder fsync refused by the system)."""
    work = tmp / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work)
    error: StoreError | None = None
    with Store.open(work) as store:
        attempt = ACTIONS[action](store, work)
        prepared = snapshot_open(store)
        try:
            with injected(fault, work):
                attempt()
        except StoreError as exc:
            error = exc
        except OSError as exc:
            raise AssertionError(f"raw OSError escaped {action}: {exc!r}") from exc
        assert fault.fired, "the injected failure never happened"
        if error is not None:
            message = str(error)
            assert str(work) in message, message
            assert describe_oserror(OSError(fault.code, "")) in message, message
        # On disk: the last good state, or the new one when the failure came after the
        # write's commit point (rename done, folder fsync failed; import journal written).
        disk = on_disk(work, tmp)
        for key in ("dealers", "auditor"):
            assert disk[key] in (prepared[key], clean[key]), key
        if action in PER_AUDIT:
            assert disk["audits"].keys() == clean["audits"].keys()
            for audit_id, record in disk["audits"].items():
                assert record in (prepared["audits"][audit_id], clean["audits"][audit_id])
        else:
            assert disk["audits"] in (prepared["audits"], clean["audits"])
        # In memory: the store shows what is on disk, and the same write retried succeeds.
        if not read_only_state(work)[1]:  # no import committed and left unfinished
            assert snapshot_open(store) == disk
        if error is not None:
            attempt()
        assert snapshot_open(store) == clean
    assert snapshot(work) == clean
    return "refused" if error is not None else "absorbed"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("disk") / "template"
    build_template(root)
    return root


@pytest.mark.slow
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_failing_call_gives_a_clear_error_and_keeps_the_last_good_state(
    template: Path, tmp_path: Path, action: str
) -> None:
    clean, counts = clean_state(template, tmp_path, action)
    refused = 0
    for i, name in enumerate(OPS):
        calls = counts[name]
        if not calls:
            continue
        for at in sorted({0, calls // 2, calls - 1}):
            code = ERRNOS[(i + at) % len(ERRNOS)]
            refused += fault_case(template, tmp_path, action, Fault(name, code, at), clean) == (
                "refused"
            )
    assert refused


def test_export_to_a_full_disk_keeps_the_previous_export(template: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    out = out_dir / "audits.jsonl"
    out.write_bytes(b"previous export\n")
    for name in OPS:
        for code in ERRNOS:
            fault = Fault(name, code, at=0)
            with injected(fault, out_dir):
                rc, stdout, err = run_cli("--db", str(template), "export", "--out", str(out))
            assert fault.fired
            assert rc == EXIT_ERROR and stdout == "", err
            assert str(out) in err and describe_oserror(OSError(code, "")) in err
            assert out.read_bytes() == b"previous export\n"
            assert [p.name for p in out_dir.iterdir()] == ["audits.jsonl"]  # no temp left
    rc, _, err = run_cli("--db", str(template), "export", "--out", str(out))
    assert rc == EXIT_OK and out.read_bytes().count(b"\n") == 3


@pytest.mark.parametrize("code", ERRNOS)
def test_cli_import_on_a_failing_disk_is_a_clear_error(
    template: Path, tmp_path: Path, code: int
) -> None:
    work = tmp_path / "s"
    shutil.copytree(template, work)
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(make_audit(n).to_export()) + "\n" for n in (6, 7)))
    before = snapshot(work)
    fault = Fault("replace", code, at=1)  # lock.info is written first; then the import
    with injected(fault, work):
        rc, _out, err = run_cli("--db", str(work), "import", str(source))
    assert rc == EXIT_ERROR and "Traceback" not in err
    assert describe_oserror(OSError(code, "")) in err and str(work) in err
    assert snapshot(work)["audits"] == before["audits"]


# ---- a real full file system -------------------------------------------------------------


@contextmanager
def small_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_really_full_disk(tmp_path: Path) -> None:
    """A 256 KiB tmpfs filled with audits: the save that does not fit fails with « le disque
    est plein », everything saved before is intact, and freeing space lets the save through."""
    with small_tmpfs(tmp_path / "mnt", "256k") as mnt:
        root = mnt / "store"
        ballast = mnt / "ballast"
        ballast.write_bytes(b"\0" * 150_000)
        saved: list[str] = []
        with Store.open(root) as store:
            with pytest.raises(StoreWriteError) as caught:
                for n in range(200):
                    audit = make_audit(n)
                    audit.notes = {q: "x" * 400 for q in ("1", "2", "3", "9", "10")}
                    store.create(audit, T0)
                    saved.append(audit.id)
            assert caught.value.errno == errno.ENOSPC
            assert "le disque est plein" in str(caught.value)
            assert sorted(store.ids()) == sorted(saved)
            # Nothing but the saved audits' files: no half-written one left beside them.
            assert sorted(p.name for p in (root / "audits").iterdir()) == sorted(
                f"{audit_id}.json" for audit_id in saved
            )
            ballast.unlink()
            store.create(make_audit(500), T0)  # space again: the next save works
            saved.append(make_audit(500).id)
        state = snapshot(root)
        assert sorted(state["audits"]) == sorted(saved)


def test_a_really_read_only_folder(tmp_path: Path) -> None:
    """The store's file system remounted read-only: opening it for writing is a clear
    « lecture seule » error naming the folder; an export still works, read-only, saying so;
    nothing is lost once it is writable again."""
    with small_tmpfs(tmp_path / "mnt", "1m") as mnt:
        root = mnt / "store"
        build_template(root)
        before = snapshot(root)
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        try:
            with pytest.raises(StoreWriteError) as caught:
                Store.open(root)
            assert caught.value.errno == errno.EROFS and str(root) in str(caught.value)
            assert "lecture seule" in str(caught.value)
            rc, out, err = run_cli("--db", str(root), "export", "--out", "-")
            assert rc == EXIT_OK, err
            assert len(out.splitlines()) == len(before["audits"])
            assert "lecture seule" in err and str(root) in err
            back = tmp_path / "back.jsonl"
            back.write_text(out, encoding="utf-8")
            rc, out, err = run_cli("--db", str(root), "import", str(back))
            assert rc == EXIT_ERROR and "lecture seule" in err
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        assert snapshot(root) == before
