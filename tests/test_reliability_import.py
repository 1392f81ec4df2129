"""Import under kill: `auditor-tui import` of a big file, SIGKILLed at random moments, leaves the
store exactly as it was before or fully imported, never half. Reused at scale by
scripts/reliability.py.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor_tui.store import Store
from tests.factories import make_audit
from tests.test_reliability_crash import CLI, REPO, check_tree

Records = dict[str, dict[str, Any]]


def big_import(path: Path, base: int, count: int) -> Path:
    """`count` records: the second half of the `base` stored audits at a higher revision, then
    new ones."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(base // 2, base // 2 + count):
            audit = make_audit(n, transferred=n % 3 != 0, name=f"Lexus {n % 41}")
            if n < base:
                audit.revision = 2
                audit.notes["15"] = f"réécoute n°{n} : rappel cordial"
            out.write(json.dumps(audit.to_export(), ensure_ascii=False) + "\n")
    return path


def read_state(root: Path) -> Records:
    with Store.open(root) as store:
        assert store.damaged == [], [d.message for d in store.damaged]
        state = {i: store.get(i).to_dict() for i in store.ids()}
        assert {s.id: s.revision for s in store.summaries()} == {
            i: r["revision"] for i, r in state.items()
        }
    check_tree(root)
    return state


@dataclass
class ImportCase:
    """A stored base, a big file, and the states before and after a complete import."""

    base: Path
    jsonl: Path
    before: Records
    after: Records
    seconds: float  # one complete import, start to exit
    staging_seconds: float  # from the staging folder's appearance to exit


def run_import(root: Path, jsonl: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*CLI, "--db", str(root), "import", str(jsonl)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
    )


def wait_for(root: Path, proc: subprocess.Popen[bytes], prefix: str) -> bool:
    """Poll until a file named `prefix`… appears in the store folder (or the import ends)."""
    while proc.poll() is None:
        if any(p.name.startswith(prefix) for p in root.iterdir()):
            return True
        time.sleep(0.0005)
    return False


def prepare(workdir: Path, base_count: int, file_count: int) -> ImportCase:
    base = workdir / "base"
    with Store.open(base) as store:
        store.put_many([make_audit(n, name=f"Lexus {n % 41}") for n in range(base_count)])
    jsonl = big_import(workdir / "big.jsonl", base_count, file_count)
    before = read_state(base)
    full = workdir / "full"
    shutil.copytree(base, full)
    began = time.monotonic()
    proc = run_import(full, jsonl)
    staged = wait_for(full, proc, "staging-") and time.monotonic()
    out, err = proc.communicate(timeout=300)
    ended = time.monotonic()
    assert proc.returncode == 0, err.decode()
    after = read_state(full)
    assert len(after) == file_count + base_count // 2
    assert f"{file_count - base_count // 2} ajouté(s)" in out.decode()
    staging = ended - staged if staged else 0.0
    return ImportCase(base, jsonl, before, after, ended - began, staging)


def import_kill_trial(case: ImportCase, work: Path, rng: random.Random) -> str:
    """Kill one import at a random moment: a quarter of the time any instant of its run, half
    the time an instant after it started writing (staging folder present), a quarter of the
    time just after its commit point (journal present). Returns "before", "after" or
    "rolled forward" (killed after the commit point: the next open finished the import)."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(case.base, work)
    proc = run_import(work, case.jsonl)
    try:
        mode = rng.random()
        if mode < 0.25:
            time.sleep(rng.uniform(0.0, case.seconds))
        elif mode < 0.75:
            if wait_for(work, proc, "staging-"):
                time.sleep(rng.uniform(0.0, case.staging_seconds))
        elif wait_for(work, proc, "journal.json"):
            time.sleep(rng.uniform(0.0, 0.02))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode in (0, -signal.SIGKILL), err.decode()
    journal = (work / "journal.json").exists()
    state = read_state(work)
    if state == case.before:
        assert not journal
        return "before"
    assert state == case.after, "half-imported store: neither the state before nor after"
    return "rolled forward" if journal else "after"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> ImportCase:
    return prepare(tmp_path_factory.mktemp("import-kill"), base_count=40, file_count=160)


@pytest.mark.slow
def test_killed_import_leaves_the_store_before_or_after(case: ImportCase, tmp_path: Path) -> None:
    rng = random.Random(7)
    outcomes = [import_kill_trial(case, tmp_path / f"t{i}", rng) for i in range(10)]
    assert set(outcomes) <= {"before", "after", "rolled forward"}


def test_journal_commit_point(case: ImportCase, tmp_path: Path) -> None:
    """The two sides of put_many's commit point, deterministically: staged files without a
    journal are dropped at the next open; a journal is rolled forward."""
    for keep_journal, expected in ((False, case.before), (True, case.after)):
        work = tmp_path / f"journal-{keep_journal}"
        shutil.copytree(case.base, work)
        with Store.open(work) as store:
            real_apply = store._apply_journal

            def crash(journal: Any) -> None:
                raise KeyboardInterrupt  # stands for the kill, just before the renames

            store._apply_journal = crash  # type: ignore[method-assign]
            from auditor_tui.exchange import import_jsonl

            with pytest.raises(KeyboardInterrupt):
                import_jsonl(store, case.jsonl)
            store._apply_journal = real_apply  # type: ignore[method-assign]
        stages = [p for p in work.iterdir() if p.name.startswith("staging-")]
        assert len(stages) == 1 and (work / "journal.json").exists()
        if not keep_journal:
            (work / "journal.json").unlink()
        assert read_state(work) == expected
