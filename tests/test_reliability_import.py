"""Import under kill: `auditor-tui import` of a big file, SIGKILLed at random moments, leaves the
store exactly as it was before or fully imported, never half. Reused at scale by
scripts/reliability.py.

The kill comes from inside the importing process, just before one of its calls of the file
system on the store folder (the n-th `os.replace`, `os.write`, `os.fsync`…): the moments are
every step of the import, chosen without waiting on the clock and without knowing how the
store lays out its files. What happened is read from the outside: a store opened read-only
refuses an import left unfinished (committed, not yet applied); the next normal open finishes
it.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auditor_tui.store import Store
from tests.factories import make_audit
from tests.test_reliability_crash import REPO

Records = dict[str, dict[str, Any]]

# `python - ROOT OP N ARGS…`: `auditor-tui ARGS…`, killed by SIGKILL just before its N-th call
# of os.OP on a file under ROOT (N = 0: never). Prints on its last line of standard error how
# many calls of each kind it made.
KILLABLE = """
import collections, json, os, signal, sys, threading

root, op, at, *argv = sys.argv[1:]
at = int(at)
calls = collections.Counter()
counting = threading.Lock()


def under_root(name, args):
    if name in ("write", "fsync"):
        try:
            return os.readlink(f"/proc/self/fd/{args[0]}").startswith(root)
        except OSError:
            return False
    return bool(args) and isinstance(args[0], (str, os.PathLike)) and (
        os.fspath(args[0]).startswith(root)
    )


def killable(name):
    real = getattr(os, name)

    def call(*args, **kwargs):
        if under_root(name, args):
            with counting:
                calls[name] += 1
                if name == op and calls[name] == at:
                    os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    setattr(os, name, call)


for name in ("mkdir", "write", "fsync", "replace", "rename", "unlink", "rmdir"):
    killable(name)
from auditor_tui.cli.main import main

code = main(argv)
print(json.dumps(dict(calls)), file=sys.stderr)
sys.exit(code)
"""


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


def files(root: Path) -> list[str]:
    """Every path under `root`, checked owner-only (0600 files, 0700 folders)."""
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def read_state(root: Path) -> tuple[Records, list[str]]:
    """The audits a normal open finds (finishing what a kill left), and the files left after
    it closed."""
    with Store.open(root) as store:
        assert store.damaged == [], [d.message for d in store.damaged]
        state = {i: store.get(i).to_dict() for i in store.ids()}
        assert {s.id: s.revision for s in store.summaries()} == {
            i: r["revision"] for i, r in state.items()
        }
    return state, files(root)


def read_only_state(root: Path) -> tuple[Records, bool]:
    """The audits a read-only open sees, changing nothing, and whether it says it read an
    import committed and not finished (as the next open will finish it)."""
    with Store.open(root, read_only=True) as store:
        state = {i: store.get(i).to_dict() for i in store.ids()}
        return state, any("import interrompu" in notice for notice in store.notices)


@dataclass
class ImportCase:
    """A stored base, a big file, and the states before and after a complete import."""

    base: Path
    jsonl: Path
    before: Records
    after: Records
    before_files: list[str]
    after_files: list[str]
    seconds: float  # one complete import, start to exit (for the record, never asserted)
    calls: dict[str, int]  # the file-system calls of one complete import, by kind


def run_import(root: Path, jsonl: Path, kill: tuple[str, int] = ("", 0)) -> tuple[int, str]:
    """Import `jsonl` into `root`, killed before the `kill[1]`-th call of os.`kill[0]`: the
    exit status and standard error."""
    op, at = kill
    proc = subprocess.run(
        [sys.executable, "-", str(root), op, str(at), "--db", str(root), "import", str(jsonl)],
        input=KILLABLE,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    return proc.returncode, proc.stderr


def prepare(workdir: Path, base_count: int, file_count: int) -> ImportCase:
    base = workdir / "base"
    with Store.open(base) as store:
        store.put_many([make_audit(n, name=f"Lexus {n % 41}") for n in range(base_count)])
    jsonl = big_import(workdir / "big.jsonl", base_count, file_count)
    before, before_files = read_state(base)
    full = workdir / "full"
    shutil.copytree(base, full)
    began = time.monotonic()
    code, err = run_import(full, jsonl)
    seconds = time.monotonic() - began
    assert code == 0, err
    calls = json.loads(err.splitlines()[-1])
    after, after_files = read_state(full)
    assert len(after) == file_count + base_count // 2
    assert after != before
    return ImportCase(base, jsonl, before, after, before_files, after_files, seconds, calls)


def killed_at(case: ImportCase, work: Path, op: str, at: int) -> str:
    """Kill one import of a copy of the base before its `at`-th call of os.`op`. Returns
    "before" (the store as it was), "after" (fully imported) or "rolled forward" (killed after
    its commit point: the next open finished the import)."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(case.base, work)
    code, err = run_import(work, case.jsonl, (op, at))
    assert code in (0, -signal.SIGKILL), err
    seen, unfinished = read_only_state(work)
    state, left = read_state(work)
    # A reader sees what the next open makes of the store: the import whole or not at all.
    assert seen == state, "a read-only reader saw another state than the next open"
    if unfinished:
        assert state == case.after, "an unfinished import was not finished by the next open"
        outcome = "rolled forward"
    else:
        assert state in (case.before, case.after), "half-imported: neither before nor after"
        outcome = "before" if state == case.before else "after"
    # Nothing left behind by the kill once opened: the files of the store before or after.
    assert left == (case.before_files if outcome == "before" else case.after_files)
    return outcome


def left_unfinished(base: Path, jsonl: Path, work: Path) -> Path:
    """`work`: a copy of `base` holding an import of `jsonl` killed after its commit point and
    before it finished (killed at its renames in turn until one leaves that)."""
    for at in range(1, 1000):
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(base, work)
        code, err = run_import(work, jsonl, ("replace", at))
        assert code == -signal.SIGKILL, f"no kill left an unfinished import: {err}"
        if read_only_state(work)[1]:
            return work
    raise AssertionError("no kill left an unfinished import")


def import_kill_trial(case: ImportCase, work: Path, rng: random.Random) -> str:
    """Kill one import at a random one of its file-system calls (see `killed_at`)."""
    kinds = sorted(case.calls)
    op = rng.choices(kinds, weights=[case.calls[k] for k in kinds])[0]
    return killed_at(case, work, op, rng.randint(1, case.calls[op]))


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> ImportCase:
    return prepare(tmp_path_factory.mktemp("import-kill"), base_count=40, file_count=160)


@pytest.mark.slow
def test_killed_import_leaves_the_store_before_or_after(case: ImportCase, tmp_path: Path) -> None:
    rng = random.Random(7)
    outcomes = Counter(import_kill_trial(case, tmp_path / f"t{i}", rng) for i in range(10))
    assert set(outcomes) <= {"before", "after", "rolled forward"}


def test_a_kill_at_each_rename_of_an_import_is_before_or_after_its_commit_point(
    tmp_path: Path,
) -> None:
    """Every rename of a small import, killed just before it in turn: the store is as it was up
    to one rename (the commit point), then imported (finished by the next open) from there on,
    never half, never back."""
    case = prepare(tmp_path / "case", base_count=4, file_count=6)
    renames = [("replace", n) for n in range(1, case.calls.get("replace", 0) + 1)]
    renames += [("rename", n) for n in range(1, case.calls.get("rename", 0) + 1)]
    assert len(renames) >= 6 + 2  # six audit files at least, and the commit itself
    outcomes = [killed_at(case, tmp_path / "work", op, at) for op, at in renames]
    first_imported = next(i for i, o in enumerate(outcomes) if o != "before")
    assert first_imported > 0, outcomes  # killed before its first rename: nothing imported
    assert "before" not in outcomes[first_imported:], outcomes  # one commit point
    assert "rolled forward" in outcomes, outcomes  # committed, finished by the next open
