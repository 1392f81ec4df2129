"""Crash test: an audit player (tests.crashplay) killed with SIGKILL at random moments;
after each kill the store opens, is valid, and holds every save the player had reported.

Also the lock: a second process is refused with a message naming the store, and the lock of a
killed process is recovered with a message naming it. The functions here are reused at scale by
scripts/reliability.py.
"""

from __future__ import annotations

import functools
import json
import random
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from auditor_tui.domain.record_check import validate_record
from auditor_tui.store import Store
from auditor_tui.store.facade import diff_records
from tests.factories import make_audit

REPO = Path(__file__).resolve().parent.parent
PLAYER = [sys.executable, "-m", "tests.crashplay"]
CLI = [sys.executable, "-m", "auditor_tui"]
Record = dict[str, Any]


def parse_lines(data: bytes) -> list[dict[str, Any]]:
    """The complete JSON lines of the player's output (a line cut by the kill is dropped)."""
    lines = data.split(b"\n")
    return [json.loads(line) for line in lines[:-1] if line]


@dataclass
class Played:
    """What one killed (or finished) player reported."""

    pid: int
    returncode: int
    events: list[dict[str, Any]]
    stderr: str

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL

    @property
    def saves(self) -> int:
        return sum(1 for e in self.events if e["event"] == "saved")

    @property
    def holding_lock(self) -> bool:
        """Killed while it held the store (opened, not closing)."""
        marks = [e["event"] for e in self.events if e["event"] in ("open", "closing")]
        return bool(marks) and marks[-1] == "open"


def play_and_kill(
    root: Path, seed: int, rng: random.Random, max_saves: int, audits: int = 1000
) -> Played:
    """Run the player on `root` and SIGKILL it at a random moment: after a random number of
    reported saves (0..max_saves) plus a random few milliseconds, or, one time in eight, at a
    random instant of its start-up."""
    proc = subprocess.Popen(
        [*PLAYER, str(root), "--seed", str(seed), "--audits", str(audits)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert proc.stdout is not None
    head: list[bytes] = []
    try:
        if rng.random() < 1 / 8:
            time.sleep(rng.uniform(0.0, 0.5))  # the kill's moment, not a wait for anything
        else:
            target, seen = rng.randint(1, max_saves), 0
            while seen < target:
                line = proc.stdout.readline()
                if not line:
                    break
                head.append(line)
                seen += line.startswith(b'{"event":"saved"')
            time.sleep(rng.uniform(0.0, 0.004))  # a few ms on: mid-write, or between two
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        rest, err = drain(proc)
    return Played(proc.pid, proc.returncode, parse_lines(b"".join(head) + rest), err.decode())


def drain(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """The rest of a dead (or finishing) process's output. Not communicate(): it reads the
    pipe's descriptor and would miss what readline() had already buffered."""
    assert proc.stdout is not None and proc.stderr is not None
    proc.wait(timeout=120)
    return proc.stdout.read(), proc.stderr.read()


@dataclass
class Expected:
    """The states the store may hold: `saved` exactly, except the audit of `inflight`, whose
    write may or may not have landed."""

    saved: dict[str, Record]
    inflight: dict[str, Any] | None = None
    created_inflight: bool = field(default=False)


def expectation(before: dict[str, Record], played: Played) -> Expected:
    saved = dict(before)
    inflight: dict[str, Any] | None = None
    for event in played.events:
        if event["event"] == "pending":
            inflight = event
        elif event["event"] == "saved":
            saved[event["id"]] = event["record"]
            inflight = None
    return Expected(saved, inflight, inflight is not None and inflight["op"] == "create")


def landed(pending: dict[str, Any], previous: Record) -> Record:
    """The record a save announced as `pending` leaves on disk once it has landed."""
    record = dict(pending["record"])
    record["revision"], record["updated_at"] = previous["revision"], previous["updated_at"]
    if not diff_records(previous, record) and pending.get("reason") is None:
        return previous  # no change, no write
    record["revision"] = previous["revision"] + 1
    record["updated_at"] = pending["moment"]
    return record


@functools.cache
def clean_layout() -> frozenset[str]:
    """What the top of a store folder holds once closed cleanly after audits, dealers and
    settings were saved in it (found by doing so, not written out)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        with Store.open(root) as store:
            store.create(make_audit(1))
            store.replace_dealers([{"id": "lexus-dijon", "name": "Lexus Dijon"}])
            store.set_setting("auditor", "Camille Durand")
        return frozenset(p.name for p in root.iterdir())


def check_tree(root: Path) -> None:
    """Owner-only files and folders, and nothing left beside the store's own files (whatever
    a write in progress names its temporary files or an import its staged ones): one file per
    audit in audits/, at the top only what a cleanly closed store holds."""
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        assert mode == wanted, (path, oct(mode))
    with Store.open(root, read_only=True) as store:
        ids = store.ids()
    left = sorted(p.name for p in (root / "audits").iterdir())
    assert left == sorted(f"{audit_id}.json" for audit_id in ids), "left in audits/"
    extra = {p.name for p in root.iterdir()} - clean_layout()
    assert not extra, f"left in the store folder: {sorted(extra)}"


def check_store(root: Path, expected: Expected, played: Played | None = None) -> dict[str, Record]:
    """Open the store after a kill and check it against what was reported; returns its audits
    (the reference for the next trial on the same store)."""
    with Store.open(root) as store:
        assert store.damaged == [], [d.message for d in store.damaged]
        if played is not None and played.holding_lock:
            assert store.recovery_message is not None
            assert f"pid {played.pid}" in store.recovery_message
    check_tree(root)  # opening alone sweeps what the kill left (temporary files, staging)
    with Store.open(root) as store:
        inflight = expected.inflight
        wanted = set(expected.saved)
        found = set(store.ids())
        if expected.created_inflight and inflight is not None:
            found.discard(inflight["id"])
        assert found == wanted, f"lost: {wanted - found}, unexpected: {found - wanted}"
        actual: dict[str, Record] = {}
        for audit_id in store.ids():
            audit = store.get(audit_id)
            record = audit.to_dict()
            if inflight is not None and inflight["id"] == audit_id:
                if expected.created_inflight:
                    allowed = [inflight["record"]]
                else:
                    previous = expected.saved[audit_id]
                    allowed = [previous, landed(inflight, previous)]
                assert record in allowed, f"{audit_id}: not the reported state nor the next"
            else:
                assert record == expected.saved[audit_id], f"{audit_id}: differs from reported"
            problems = [p for p in validate_record(audit.to_export()) if not p.warning]
            assert problems == [], [str(p) for p in problems]
            events = store.events(audit_id)
            assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
            assert events[0]["kind"] == "created"
            assert events[-1]["revision"] == audit.revision
            actual[audit_id] = record
        index = {s.id: s.revision for s in store.summaries()}
        assert index == {i: r["revision"] for i, r in actual.items()}
    check_tree(root)
    return actual


@dataclass
class ChainResult:
    trials: int = 0
    killed: int = 0
    saves: int = 0
    landed_unreported: int = 0


def crash_chain(
    root: Path, seeds: list[int], rng: random.Random, max_saves: int, result: ChainResult
) -> None:
    """Several kill trials in a row on one store, each checked before the next starts."""
    state: dict[str, Record] = {}
    for seed in seeds:
        played = play_and_kill(root, seed, rng, max_saves)
        assert played.killed or played.returncode == 0, played.stderr
        expected = expectation(state, played)
        new_state = check_store(root, expected, played)
        result.trials += 1
        result.killed += played.killed
        result.saves += played.saves
        inflight = expected.inflight
        if inflight is not None and new_state.get(inflight["id"]) != expected.saved.get(
            inflight["id"]
        ):
            result.landed_unreported += 1
        state = new_state


@pytest.mark.slow
@pytest.mark.parametrize("chain", range(4))
def test_sigkill_at_random_moments_loses_no_reported_save(tmp_path: Path, chain: int) -> None:
    rng = random.Random(1000 + chain)
    result = ChainResult()
    crash_chain(tmp_path / "store", [100 * chain + i for i in range(6)], rng, 120, result)
    assert result.trials == 6 and result.killed >= 5


def start_player(root: Path, seed: int) -> tuple[subprocess.Popen[bytes], list[bytes]]:
    """A player that has opened the store and reported a few saves."""
    proc = subprocess.Popen(
        [*PLAYER, str(root), "--seed", str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )
    assert proc.stdout is not None
    head: list[bytes] = []
    while sum(line.startswith(b'{"event":"saved"') for line in head) < 3:
        line = proc.stdout.readline()
        assert line, proc.stderr.read().decode() if proc.stderr else ""
        head.append(line)
    return proc, head


def run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=60)


def test_second_process_is_refused_and_a_killed_holder_is_recovered(tmp_path: Path) -> None:
    root = tmp_path / "store"
    proc, head = start_player(root, seed=5)
    try:
        # While the player writes, a writing command and a second player are refused, naming
        # the store and the holder; neither writes anything. An export reads what is saved.
        cli = run(*CLI, "--db", str(root), "import", str(tmp_path / "x.jsonl"))
        assert cli.returncode == 1 and cli.stdout == ""
        assert str(root) in cli.stderr and "déjà ouvert par un autre processus" in cli.stderr
        assert f"pid {proc.pid}" in cli.stderr
        cli = run(*CLI, "--db", str(root), "export", "--out", "-")
        assert cli.returncode == 0, cli.stderr
        assert f"ouvert par un autre processus (pid {proc.pid}) : lecture seule" in cli.stderr
        assert all(json.loads(line)["id"] for line in cli.stdout.splitlines())
        second = run(*PLAYER, str(root), "--seed", "6")
        assert second.returncode == 3
        assert [json.loads(line)["event"] for line in second.stdout.splitlines()] == ["refused"]
        assert str(root) in second.stderr and f"pid {proc.pid}" in second.stderr
    finally:
        proc.send_signal(signal.SIGKILL)
        rest, err = drain(proc)
    played = Played(proc.pid, proc.returncode, parse_lines(b"".join(head) + rest), err.decode())
    assert played.killed
    # The lock of the killed player is recovered, with a message naming it.
    cli = run(*CLI, "--db", str(root), "export", "--out", "-")
    assert cli.returncode == 0, cli.stderr
    assert f"La session précédente (pid {proc.pid}) s'est terminée sans fermer" in cli.stderr
    exported = {json.loads(line)["id"] for line in cli.stdout.splitlines()}
    expected = expectation({}, played)
    assert set(expected.saved) <= exported
    # ... and nothing written by a second writer: the store is exactly what the player reported.
    check_store(root, expected)


def test_player_finishes_cleanly_with_private_files(tmp_path: Path) -> None:
    """Unkilled, the player's audits are all there, complete or awaiting follow-up; with a
    umask of 0, every store file is still 0600 and every folder 0700, exports too."""
    run = subprocess.run(
        [*PLAYER, str(tmp_path / "s"), "--seed", "11", "--audits", "3"],
        capture_output=True,
        cwd=REPO,
        timeout=120,
        umask=0,
    )
    assert run.returncode == 0, run.stderr.decode()
    played = Played(0, 0, parse_lines(run.stdout), "")
    assert [e["event"] for e in played.events][-2:] == ["done", "closing"]
    state = check_store(tmp_path / "s", expectation({}, played))
    assert len(state) == 3
    assert {r["status"] for r in state.values()} <= {"complete", "awaiting_follow_up"}
    with Store.open(tmp_path / "s") as store:
        assert store.recovery_message is None  # closed properly last time
        assert len(store.dealers()) == 41 and store.setting("auditor")
    out = tmp_path / "export.jsonl"
    subprocess.run(
        [*CLI, "--db", str(tmp_path / "s"), "export", "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=REPO,
        timeout=60,
        umask=0,
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    check_tree(tmp_path / "s")
