"""The long reliability run: the checks of tests/test_reliability_*.py, at scale.

    python scripts/reliability.py                      # the full run (minutes): the table
    python scripts/reliability.py --quick              # a few of each, to try the script
    python scripts/reliability.py --write docs/reliability.md   # the run, and the page

Sections: SIGKILL at random moments during a scripted audit (crash), during `auditor-tui
import` (import kills), the lock (concurrency), damaged store files (damage), hypothesis-fuzzed
import files (fuzz), generated hostile files and stores (hostile), read-only readers during
imports (readers), and every os call of every store write failing with ENOSPC/EACCES/EROFS
(disk), plus a real full and a real read-only tmpfs when mount is allowed. Prints a table; with
--write, the Markdown report with the machine it ran on. Exit status 1 if any check failed.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402

from tests import test_reliability_crash as crash  # noqa: E402
from tests import test_reliability_damage as damage  # noqa: E402
from tests import test_reliability_disk as disk  # noqa: E402
from tests import test_reliability_fuzz as fuzz  # noqa: E402
from tests import test_reliability_hostile as hostile  # noqa: E402
from tests import test_reliability_import as importkill  # noqa: E402
from tests import test_snapshot_read as snapshot  # noqa: E402


@dataclass
class Section:
    """One line of the report."""

    check: str
    cases: int = 0
    failed: int = 0
    seconds: float = 0.0
    details: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def fail(self, what: str, exc: BaseException) -> None:
        self.failed += 1
        if len(self.failures) < 5:
            tail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            self.failures.append(f"{what}: {tail[:600]}")

    @property
    def result(self) -> str:
        return "all passed" if not self.failed else f"**{self.failed} FAILED**"


Plan = tuple[Section, Callable[[Section], None]]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(section: Section, run: Callable[[Section], None]) -> Section:
    began = time.monotonic()
    try:
        run(section)
    finally:
        section.seconds = time.monotonic() - began
    progress(f"  {section.check}: {section.cases} cases, {section.failed} failed")
    return section


# ---- the sections ----------------------------------------------------------------------------


def run_crash(
    work: Path, trials: int, per_chain: int, max_saves: int, jobs: int, base: int
) -> Plan:
    def section_run(section: Section) -> None:
        chains = [
            list(range(base + 1000 * c, base + 1000 * c + min(per_chain, trials - c * per_chain)))
            for c in range((trials + per_chain - 1) // per_chain)
        ]
        results: list[crash.ChainResult] = []
        kills: list[int] = []

        def one_chain(index: int) -> None:
            result = crash.ChainResult()
            root = work / f"crash-{index}"
            rng = random.Random(base + index)
            state: dict[str, crash.Record] = {}
            for seed_ in chains[index]:
                try:
                    played = crash.play_and_kill(root, seed_, rng, max_saves)
                    assert played.killed or played.returncode == 0, played.stderr
                    expected = crash.expectation(state, played)
                    state = crash.check_store(root, expected, played)
                    result.trials += 1
                    result.killed += played.killed
                    result.saves += played.saves
                    kills.append(played.saves)
                    inflight = expected.inflight
                    if inflight is not None and state.get(inflight["id"]) != expected.saved.get(
                        inflight["id"]
                    ):
                        result.landed_unreported += 1
                except Exception as exc:
                    section.fail(f"chain {index}, seed {seed_}", exc)
                    result.trials += 1
                    shutil.rmtree(root, ignore_errors=True)
                    state = {}
            results.append(result)
            progress(f"    crash chain {index + 1}/{len(chains)} done")

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(one_chain, range(len(chains))))
        section.cases = sum(r.trials for r in results)
        killed = sum(r.killed for r in results)
        saves = sum(r.saves for r in results)
        landed = sum(r.landed_unreported for r in results)
        section.details = [
            f"{killed} killed by SIGKILL mid-run, {section.cases - killed} finished first",
            f"in chains of {per_chain} trials on one store (each trial reopens the previous "
            "one's crash)",
            f"{saves:,} saves reported before the kills; reported saves lost: {section.failed}",
            "saves reported per trial before the kill: "
            f"median {statistics.median(kills or [0]):.0f}, max {max(kills or [0])}",
            f"{landed} kills fell after a save reached the disk but before it was reported "
            "(allowed: found as the next state)",
        ]

    return Section("Crash: scripted audit killed with SIGKILL at random moments"), section_run


def run_import_kills(work: Path, trials: int, base_count: int, file_count: int, base: int) -> Plan:
    def section_run(section: Section) -> None:
        case = importkill.prepare(work / "import", base_count, file_count)
        rng = random.Random(base)
        outcomes: collections.Counter[str] = collections.Counter()
        for i in range(trials):
            try:
                outcomes[importkill.import_kill_trial(case, work / "import" / "trial", rng)] += 1
            except Exception as exc:
                section.fail(f"trial {i}", exc)
            section.cases += 1
        section.details = [
            f"file of {file_count} records into a store of {base_count} "
            f"({file_count - base_count // 2} new, {base_count // 2} replaced); "
            f"one full import: {case.seconds:.1f} s",
            f"store as before: {outcomes['before']}, fully imported: {outcomes['after']}, "
            f"fully imported by the next open (roll forward): {outcomes['rolled forward']}; "
            f"half-imported: {section.failed}",
        ]

    return Section("Import under kill: `auditor-tui import` killed at random moments"), section_run


def run_concurrency(work: Path, rounds: int) -> Plan:
    def section_run(section: Section) -> None:
        for i in range(rounds):
            folder = work / f"lock-{i}"
            folder.mkdir(parents=True)
            try:
                crash.test_second_process_is_refused_and_a_killed_holder_is_recovered(folder)
            except Exception as exc:
                section.fail(f"round {i}", exc)
            section.cases += 1
        section.details = [
            "while a player writes: a writing command and a second player are refused, naming "
            "the folder and the holder's pid, and an export reads what is saved (read-only, "
            "saying so); after a SIGKILL the lock is recovered with "
            "« La session précédente (pid …) s'est terminée sans fermer le dossier » and the "
            "store holds exactly what the killed player reported",
        ]

    return Section("Concurrency: second process refused, killed holder recovered"), section_run


def run_damage(work: Path, cases: int, base: int) -> Plan:
    def section_run(section: Section) -> None:
        template = work / "damage-template"
        damage.build_template(template)
        rng = random.Random(base)
        outcomes: collections.Counter[tuple[str, str]] = collections.Counter()
        for i in range(cases):
            target, kind = rng.choice(damage.TARGETS), rng.choice(damage.KINDS)
            try:
                outcomes[
                    (target, damage.damage_case(template, work / "damage", target, kind, rng))
                ] += 1
            except Exception as exc:
                section.fail(f"case {i} ({target}, {kind})", exc)
            section.cases += 1
        for target in damage.TARGETS:
            found = {o: n for (t, o), n in outcomes.items() if t == target}
            section.details.append(
                f"{target}: " + ", ".join(f"{n} {o}" for o, n in sorted(found.items()))
            )
        section.details.append(
            "damage kinds: " + ", ".join(damage.KINDS) + "; every case also exports through "
            "the CLI, saves another audit and creates a new one"
        )

    return Section("Damaged files: truncated, zeroed, garbled, reshaped store files"), section_run


def run_fuzz(work: Path, examples: int, base: int) -> Plan:
    def section_run(section: Section) -> None:
        if examples < 1:
            return  # --fuzz 0: skipped (hypothesis wants one example at least)
        template = work / "fuzz-template"
        fuzz.build_template(template)
        outcomes: collections.Counter[str] = collections.Counter()

        @seed(base)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=fuzz.import_files())
        def check(data: bytes) -> None:
            outcomes[fuzz.fuzz_import(template, work / "fuzz" / "s", data)] += 1

        try:
            check()
        except Exception as exc:
            section.fail("hypothesis", exc)
        section.cases = sum(outcomes.values())
        section.details = [
            f"refused with line and field, store byte-for-byte unchanged: {outcomes['rejected']}",
            f"imported, every audit valid, export strict JSON: {outcomes['imported']}",
        ]

    return Section("Fuzzing: hypothesis-generated import files"), section_run


def run_disk(work: Path) -> Plan:
    def section_run(section: Section) -> None:
        template = work / "disk-template"
        disk.build_template(template)
        outcomes: collections.Counter[str] = collections.Counter()
        for action in disk.ACTIONS:
            clean, counts = disk.clean_state(template, work / "disk", action)
            for name in disk.OPS:
                for at in range(counts[name]):
                    for code in disk.ERRNOS:
                        fault = disk.Fault(name, code, at)
                        try:
                            outcomes[
                                disk.fault_case(template, work / "disk", action, fault, clean)
                            ] += 1
                        except Exception as exc:
                            section.fail(f"{action}, os.{name} call {at}, errno {code}", exc)
                        section.cases += 1
        real: list[str] = []
        for name, test in (
            ("full tmpfs", disk.test_a_really_full_disk),
            ("read-only tmpfs", disk.test_a_really_read_only_folder),
        ):
            folder = work / name.replace(" ", "-")
            folder.mkdir()
            try:
                test(folder)
                real.append(f"{name}: passed")
                section.cases += 1
            except BaseException as exc:  # pytest.skip raises an exception outside pytest
                if type(exc).__name__ == "Skipped":
                    real.append(f"{name}: skipped ({exc})")
                else:
                    section.cases += 1
                    section.fail(name, exc)
        section.details = [
            f"{len(disk.ACTIONS)} operations ({', '.join(disk.ACTIONS)}) × each of their "
            "os.write/os.fsync/os.replace/os.open calls × ENOSPC, EACCES, EROFS",
            f"clear French error naming the file: {outcomes['refused']}; failure absorbed "
            f"(a folder fsync the system refuses): {outcomes['absorbed']}",
            "each: last good state on disk, in-memory state equal to the disk, retry succeeds",
            *real,
        ]

    return Section("Full disk and read-only: injected ENOSPC/EACCES/EROFS"), section_run


def run_hostile(work: Path, cases: int, base: int) -> Plan:
    def section_run(section: Section) -> None:
        template = work / "hostile-template"
        hostile.build_template(template)
        rng = random.Random(base)
        kinds = list(hostile.KINDS)
        outcomes: collections.Counter[tuple[str, str]] = collections.Counter()
        for i in range(cases):
            kind = kinds[i % len(kinds)]
            try:
                outcomes[(kind, hostile.hostile_case(template, work / "hostile", kind, rng))] += 1
            except Exception as exc:
                section.fail(f"case {i} ({kind})", exc)
            section.cases += 1
        for kind in kinds:
            found = {o: n for (k, o), n in outcomes.items() if k == kind}
            section.details.append(
                f"{kind}: " + ", ".join(f"{n} {o}" for o, n in sorted(found.items()))
            )
        section.details.append(
            "each case a fresh copy of a store of 4 audits with its dealer directory, settings "
            "and report cache; refused cases leave it byte-for-byte as it was (its caches "
            "aside) and the file outside it untouched"
        )

    return Section("Hostile inputs: generated hostile files and stores"), section_run


def run_readers(work: Path, imports: int, count: int) -> Plan:
    def section_run(section: Section) -> None:
        folder = work / "readers"
        folder.mkdir()
        base, jsonl = snapshot.import_case(folder, count, count // 3)
        before = after = 0
        for i in range(imports):
            try:
                seen = snapshot.reads_during_import(base, jsonl, folder / "work")
                before, after = before + seen[0], after + seen[1]
            except Exception as exc:
                section.fail(f"import {i}", exc)
            section.cases += 1
        section.details = [
            f"{imports} CLI imports of {count + count // 3} audits ({count} replaced, "
            f"{count // 3} new) into a store of {count}, each read again and again meanwhile by "
            "read-only readers in another process",
            f"{before + after:,} reads: {before:,} saw the store before the import, {after:,} "
            f"after it; a mix of the two: {section.failed}",
        ]

    return Section("Readers during imports: read-only reads while an import commits"), section_run


# ---- the report ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    with_name = Path("/proc/cpuinfo")
    if with_name.exists():
        for line in with_name.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    fs = "?"
    with_mounts = Path("/proc/mounts")
    if with_mounts.exists():
        tmp = os.path.realpath(tempfile.gettempdir())
        best = ""
        for line in with_mounts.read_text().splitlines():
            parts = line.split()
            if len(parts) > 2 and tmp.startswith(parts[1]) and len(parts[1]) >= len(best):
                best, fs = parts[1], parts[2]
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    return {
        "system": platform.platform(),
        "cpu": f"{cpu}, {os.cpu_count()} logical CPUs",
        "python": platform.python_version(),
        "file system of the work folder": f"{fs} ({tempfile.gettempdir()})",
        "commit": commit,
    }


def table(sections: list[Section]) -> str:
    lines = ["| check | cases | result | time |", "| --- | ---: | --- | ---: |"]
    for s in sections:
        lines.append(f"| {s.check} | {s.cases:,} | {s.result} | {s.seconds:,.0f} s |")
    return "\n".join(lines)


def report(sections: list[Section], info: dict[str, str], argv: list[str], total: float) -> str:
    out = [
        "# Reliability",
        "",
        "Figures from `scripts/reliability.py`, which runs the checks of "
        "`tests/test_reliability_*.py` at scale (the test suite runs small versions of the same "
        "checks in CI). Regenerate this page with:",
        "",
        "```",
        " ".join(["python scripts/reliability.py", *argv, "--write docs/reliability.md"]),
        "```",
        "",
        table(sections),
        "",
        f"Total: {total / 60:.1f} min. Machine: {info['cpu']}; {info['system']}; "
        f"Python {info['python']}; work folder on {info['file system of the work folder']}; "
        f"commit {info['commit']}; {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    for s in sections:
        out += [f"## {s.check}", ""]
        out += [f"- {d}" for d in s.details]
        out += [f"- FAILED: {f}" for f in s.failures]
        out.append("")
    out += [
        "## What each check proves",
        "",
        "- **Crash**: `python -m tests.crashplay` plays audits as the app does (dealer "
        "directory and identity settings, `store.create`, the live call through `LiveCall`, the "
        "follow-up through `FollowUpSession`, reopening the store between audits) with a "
        "deterministic script and a fake clock, and prints each write before it starts and "
        "after it returned. The parent kills it with SIGKILL after a random number of reported "
        "saves plus a few random milliseconds, or at a random instant of its start-up. The store "
        "must then open with no damaged file, hold exactly the last reported state of every "
        "audit (or, for the one write in flight, the next state), validate every audit's export "
        "with `validate_record`, have a gap-free event log and an index agreeing with the files, "
        "leave no temporary file or staging folder once opened, and keep every file 0600 and "
        "every folder 0700. A lock left by the killed player must be recovered with a message "
        "naming its pid.",
        "- **Import under kill**: the CLI import of a big file is killed (SIGKILL, from inside) "
        "just before a random one of its file-system calls on the store (a write, fsync, "
        "rename, unlink, mkdir or rmdir: any step, staging or commit); the store must be "
        "exactly as before or exactly as after a complete import (finished by the next open "
        "when killed past its commit point), with nothing left beside its files.",
        "- **Damaged files**: an audit file, `index.json`, `dealers.json`, `settings.json` or a "
        "pending `journal.json` is emptied, truncated, zero-filled, garbled, given invalid "
        "UTF-8, reshaped or given a wrong value. The store must open, report the file by name "
        "with a private copy of its bytes, never write over it, and keep everything else "
        "usable; the index is a cache and is rebuilt. Audit files are sealed (a SHA-256 over "
        "the record, the last exported revision and the event log): a change that leaves a "
        "usable record (a digit, a letter of a note, an event) is detected like the others; "
        "an audit file may only be *readable* after a change that leaves its content as it "
        "was (the test checks that). A changed dealer directory or settings file that is "
        "still usable is *readable*: they carry no seal.",
        "- **Fuzzing**: mutated valid records (wrong types, missing fields, bad instants, "
        "phones and answers, huge numbers, NaN, deep nesting) and damaged lines (garbage, cut "
        "lines, invalid UTF-8, duplicates, BOM, CRLF) are imported with the CLI: each ends in "
        "exit 2 listing every problem with line and field and the store byte-for-byte "
        "unchanged, or in an import whose audits all validate and export as strict JSON.",
        "- **Hostile inputs**: each case builds one attack of its kind at random (the "
        "threat model below) against a copy of a small store and checks the defence: a "
        "manifest naming a file outside its batch (absolute, `..`, a subfolder, a backslash); "
        "a manifest nested up to 200,000 deep, cut, reshaped, of invalid UTF-8, or a link, a "
        "folder or a FIFO; a batch folder or batch file that is a link; a FIFO, a device, a "
        "socket, a loose folder or a file over `--max-size` given to `import` (in a process of "
        "its own: a hang would fail it); `--out` onto a FIFO, a device, a link, a dangling "
        "link or a folder; a store whose `audits/`, audit file, index, settings, dealers, "
        "report cache or lock files are links (to a sticky shared folder, to a private file) "
        "or FIFOs; a journal whose staging folder or staged file is a link, or whose moves "
        "lead out; a report cache with a figure or a byte changed; dealer names, cities and "
        "auditors made of formula starts, rich markup, escape sequences (CSI, OSC 8 links, "
        "window titles), C1 controls and bidirectional overrides. Refused cases must end in "
        "exit 1 or 2 naming the path, never a traceback, with the store and the outside file "
        "unchanged; text must reach the report, the CSVs, the XLSX and the messages inert.",
        "- **Readers during imports**: a CLI import replaces every audit of a store (and adds "
        "more) while read-only readers in another process read it in a loop; each read must "
        "see every audit at the revision before the import, or every one at the revision "
        "after it, never a mix (the commit lock; the deterministic version, pausing an import "
        "between two renames, is in `tests/test_snapshot_read.py`).",
        "- **Disk**: each os call of each store write fails in turn, with each errno. The "
        "error must be a French `StoreError` naming the file and the cause; the disk keeps the "
        "last good state (or the new one once past a commit point: a rename done whose folder "
        "fsync failed, an import journal written); the open store shows what the disk holds; "
        "the same write retried succeeds. Marking an export batch is one commit, as an "
        "import is.",
        "",
        "The clock checks (monotonic timers through wall-clock jumps, daylight-saving changes) "
        "and file modes under a umask of 0 run in the test suite only: they are deterministic.",
        "",
        threat_model(),
        "## Known limits",
        "",
        "- Audit files written before seals (2026-11-22) carry none until their next save: "
        "a change to such a file that leaves a usable record cannot be detected. A sealed "
        "file changed and given back its modification time and size is trusted through the "
        "index until the file is read whole again (before every write).",
        "- A damaged audit file blocks an import of the same audit (refused, naming the file) "
        "until the file is moved away; its copy is already kept aside.",
        "- A store whose folder is read-only can only be read: `export` and `report` open it "
        "read-only by themselves; the app, `import` and `export --changed` refuse it with a "
        "clear message.",
        "- Clock: within a live-call session, instants are the wall clock read at the start "
        "carried forward by the monotonic clock, so a wall-clock jump mid-call moves neither "
        "durations nor stored instants (`tests/test_reliability_clock.py`). Across a restart "
        "only wall-clock instants survive: a clock changed while the app was closed shifts a "
        "stopwatch rebuilt on resume by as much.",
        "- In the hour repeated when daylight saving ends (02:00-03:00 in Paris), two instants "
        "an hour apart are shown with the same time (no offset shown); they are stored apart, "
        "in UTC.",
        "",
    ]
    return "\n".join(out)


THREAT_MODEL_INTRO = """## Threat model

Who may hand the app something made to hurt it, and what they can reach:

- **A batch folder from another auditor** (or any file someone hands over: a JSONL, a dealer
  CSV): careless (odd characters, a huge file, a deep JSON) or hostile (a manifest naming
  files outside its folder, links, FIFOs, text made to act in a terminal or a spreadsheet).
- **A store on a shared or removable disk** (a USB key, a network share, a folder restored
  from elsewhere): someone else may have prepared it: links in place of its folders or files,
  FIFOs, a crafted import journal, edited caches or audit files.
- **A curious local user**: another account on the same machine, who can read what is
  world-readable, write where everyone may (`/tmp`) and plant links there.

Out of scope: the auditor's own account, or root, acting on purpose (it can change anything,
the app included); a forger who recomputes the unkeyed checksums (below); the machine itself.
"""

# The threat model, edge by edge: (edge, what is defended, what is not).
DEFENCES = [
    (
        "Batch manifests",
        "`files` must be plain names of files of the batch folder (no separator, no `..`, "
        "no absolute path, printable); a link inside a batch folder or a folder of "
        "batches is refused, not followed; a manifest is read as a regular file of at "
        "most 64 MB; a deep, broken or misshapen one is refused naming it (exit 2); each "
        "JSONL must match the manifest's SHA-256 and size.",
        "The manifest's SHA-256 is no signature: whoever can write the batch folder can "
        "change a file and its manifest together. The folder named on the command line "
        "may itself be a link (the user's choice).",
    ),
    (
        "Files given to `import`",
        "Regular files only, opened without waiting (a FIFO or a device is refused at "
        "once, the store never held for it), at most `--max-size` (1 GB by default); `-` "
        "reads standard input before the store is opened; a folder must be a batch or a "
        "folder of batches.",
        "A file on a stalled network share stalls the read, as for any program.",
    ),
    (
        "`export --out`",
        "A new or regular file is replaced atomically (0600); a FIFO or a character "
        "device is written through, never replaced; a link, a folder, a block device or a "
        "socket is refused (exit 2) and left as it is. The store is closed before a "
        "FIFO's reader is waited on.",
        "A link among the folders on the way (`--out /tmp/link/x.csv`) is followed, as "
        "the user named it.",
    ),
    (
        "The store's folders and files",
        "`audits/`, the staging folders and every store file are taken only as what the "
        "store made: a link or a FIFO is named and ignored, never read, copied aside, "
        "chmod'ed or followed (O_NOFOLLOW, O_NONBLOCK, lstat); a journal may only move "
        "regular files of real staging folders into `audits/`; a shared (sticky) folder "
        "is refused as a store; another user's folder is never chmod'ed; an unreadable "
        '`audits/` is a clear error (exit 1); `--db ""` is refused (exit 2).',
        "The folder given with `--db` may be a link (the user chose it). A check and the "
        "use after it are not one step: whoever can write inside the store folder while "
        "the app runs (its owner, root) can swap a file in between, but could as well "
        "write the audits.",
    ),
    (
        "Text reaching a terminal",
        "Control characters (ESC, BEL, C1 controls, bidirectional overrides) in names, "
        "notes and file names are shown as « � » (line breaks as a space) on every screen "
        "of the app (lists, title bar, notifications, windows, fields: ui/plain_text.py), "
        "in the report and in every command-line message; markup in them is shown as "
        "written, never applied.",
        "The store keeps the text as it was given (an edited note left as shown keeps its "
        "characters). JSON and JSONL carry text as data (JSON escapes C0 controls, not C1 "
        "ones).",
    ),
    (
        "Text reaching a spreadsheet",
        "Every CSV the app writes (the audit export, the report) puts an apostrophe "
        "before a text cell starting with `=`, `+`, `-`, `@`, a tab or a CR, and quotes a "
        "cell holding a line break; an XLSX text cell that reads as a formula gets a "
        "quotePrefix style (Excel keeps it as text even when edited; the value is "
        "unchanged).",
        "Numbers stay numbers (a score of `-1`). Someone who removes the apostrophe "
        "re-arms the formula.",
    ),
    (
        "Figures",
        "An audit that cannot be read is named and makes `report` and `export` exit 1 "
        "(the rest still given); a report-cache row is used only for the very file it was "
        "made from (revision, modification time and size as the index holds them), and "
        "the cache carries a SHA-256 of its rows: a cache changed by hand is rebuilt.",
        "The audit files' seals, the index and the report cache are unkeyed SHA-256 "
        "checksums: they catch damage and edits that do not recompute them, not a forger "
        "who does. A key would have to be kept outside the store and would make a store "
        "unreadable on another account or machine: not done.",
    ),
    (
        "Readers and writers",
        "`export` and `report` read while the app holds the store, on a read-only or full "
        "disk, or with an unreadable index (rebuilt in memory), read-only, saying so; "
        "they never make a store where there is none (exit 1). They see one committed "
        "state: each audit as it was last saved, an import or a batch marking whole or "
        "not at all, an interrupted one as the next writer will finish it.",
        "A reader waiting more than 60 s for a commit, or a commit waiting more than 120 "
        "s for readers, gives up with a clear message (nothing changed). A reader sees "
        "the app's saves made during its read audit by audit. A store never opened for "
        "writing by this version (no `commit.lock`) is read without the lock.",
    ),
]

READERS_AND_WRITERS = """## Readers and writers

One writing process at a time holds `store.lock` (a kernel `flock`, released by the system
when the process dies): the app, `import`, `export --changed`, `dealers import`. Readers
(`export`, `report`, and `--read-only`) take none of it, so they never wait for the app. What
they could see half-done is a commit of several audit files (an import, a batch marked
exported): staged files, then a journal (the commit point), then renames. `commit.lock` keeps
the two apart: a reader holds it shared for as long as it reads; a writer takes it exclusive
only from the journal to the last rename (staging, the long part, happens before). A save by
the app replaces one file atomically and takes no lock: a reader sees each audit as it was
saved. A journal found while holding the lock belongs to a writer that died past its commit
point: the reader reads the staged files, as the next writer will move them, and writes
nothing.

Why a lock rather than a read that retries when the store changed underneath it: the store's
session lock is already a `flock`, so wherever the store can be opened for writing (a local
disk, NFSv4, where Linux maps `flock` onto the server's byte-range locks) the commit lock
works too, and a file system without locks is refused at open. A retrying reader would need
a change counter written (and synced) by every commit, and could be starved by a busy writer.
"""


def threat_model() -> str:
    rows = ["| edge | defended | not defended |", "| --- | --- | --- |"]
    rows += [f"| {edge} | {yes} | {no} |" for edge, yes, no in DEFENCES]
    return "\n".join([THREAT_MODEL_INTRO, *rows, "", READERS_AND_WRITERS])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crash", type=int, default=500, help="SIGKILL trials (500)")
    parser.add_argument("--chain", type=int, default=10, help="trials per store (10)")
    parser.add_argument("--max-saves", type=int, default=300, help="kill within N saves (300)")
    parser.add_argument("--import-kills", type=int, default=100, help="import kills (100)")
    parser.add_argument("--import-records", type=int, default=600, help="records per file")
    parser.add_argument("--lock-rounds", type=int, default=10)
    parser.add_argument("--damage", type=int, default=1000, help="damaged-file cases (1000)")
    parser.add_argument("--fuzz", type=int, default=1000, help="fuzzed import files (1000)")
    parser.add_argument("--hostile", type=int, default=1200, help="hostile cases (1200)")
    parser.add_argument("--reader-imports", type=int, default=20, help="imports read (20)")
    parser.add_argument("--reader-audits", type=int, default=1500, help="audits per store")
    parser.add_argument("--no-disk", action="store_true", help="skip the disk section")
    parser.add_argument("--jobs", type=int, default=2, help="crash chains run in parallel")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--quick", action="store_true", help="a few cases of each section")
    parser.add_argument("--write", type=Path, help="write the Markdown report there")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.crash, args.chain, args.max_saves = 6, 3, 60
        args.import_kills, args.import_records = 4, 100
        args.lock_rounds, args.damage, args.fuzz = 1, 30, 30
        args.hostile, args.reader_imports, args.reader_audits = 30, 2, 150
    shown = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--keep"]
    if args.write is not None:
        i = shown.index("--write") if "--write" in shown else -1
        shown = shown[:i] + shown[i + 2 :] if i >= 0 else shown

    work = Path(tempfile.mkdtemp(prefix="auditor-reliability-"))
    began = time.monotonic()
    plan = [
        run_crash(work, args.crash, args.chain, args.max_saves, args.jobs, args.seed),
        run_import_kills(
            work, args.import_kills, args.import_records // 5, args.import_records, args.seed
        ),
        run_concurrency(work, args.lock_rounds),
        run_damage(work, args.damage, args.seed),
        run_fuzz(work, args.fuzz, args.seed),
        run_hostile(work, args.hostile, args.seed),
        run_readers(work, args.reader_imports, args.reader_audits),
    ]
    if not args.no_disk:
        plan.append(run_disk(work))
    sections = []
    try:
        for section, run in plan:
            progress(f"{section.check} …")
            sections.append(timed(section, run))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    total = time.monotonic() - began
    print(table(sections))
    for s in sections:
        for failure in s.failures:
            print(f"FAILED {s.check}: {failure}")
    if args.write is not None:
        args.write.write_text(report(sections, machine(), shown, total), encoding="utf-8")
        progress(f"wrote {args.write}")
    return 1 if any(s.failed for s in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
