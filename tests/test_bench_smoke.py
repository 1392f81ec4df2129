"""The benchmark (scripts/bench) and its store generator: a small smoke run that checks every
measure runs and is printed. Timings are never asserted: they belong to docs/performance.md."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from auditor_tui.domain.record_check import validate_record
from auditor_tui.store import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from gen_store import build_store, generate_audits  # noqa: E402

ROWS = (
    "cold start: bare Textual app (Header + Footer), first paint",
    "cold start: auditor-tui, home screen painted",
    "cold start: auditor-tui, first rows painted",
    "cold start: auditor-tui, every audit loaded (follow-up queue too)",
    "home: first rows shown (from App.run)",
    "resident memory, home loaded (VmRSS)",
    "answer → durably saved (LiveCall.answer, fsync)",
    "answer key → screen updated (Pilot, headless)",
    "home: filter, one key typed → table updated",
    "export JSONL (whole command)",
    "export CSV (whole command)",
    "export XLSX (whole command)",
    "report (whole command, table to stdout)",
    "import (merge) into an empty store (whole command)",
    "coverage, network, ranking, progressions, palmarès (in process, rows loaded)",
    "verbatims given back a question at a time (in process, notes set aside on disk)",
    "report --format json (whole command, every figure)",
    "report --table coverage (whole command)",
    "report --table ranking (whole command)",
    "report --format csv --table verbatims (whole command)",
)


def test_generated_audits_are_valid_records() -> None:
    audits = generate_audits(60, seed=7)
    for number, audit in enumerate(audits, start=1):
        fatal = [p for p in validate_record(audit.to_export(), number) if not p.warning]
        assert fatal == [], audit.id
    assert len({a.id for a in audits}) == 60
    assert generate_audits(5, seed=7)[4].to_dict() == audits[4].to_dict()  # reproducible


def test_generated_store_has_event_logs_and_a_desk_mix(tmp_path: Path) -> None:
    build_store(tmp_path / "store", 25, seed=3)
    with Store.open(tmp_path / "store") as store:
        assert len(store) == 25
        assert store.dealers()
        statuses = Counter(s.status for s in store.summaries())
        assert statuses["complete"] > 12 and statuses["awaiting_follow_up"] >= 1
        complete = next(s for s in store.summaries() if s.status == "complete")
        events = store.events(complete.id)
        assert len(events) > 20
        assert {"created", "answer", "end_call", "complete"} <= {e["kind"] for e in events}
        assert store.get(complete.id).deadlines
        done = [store.get(s.id) for s in store.summaries() if s.status == "complete"]
        assert any(a.follow_up.email_received_at for a in done)
        assert any(a.follow_up.callback_at for a in done)
        assert any(a.notes for a in done)


def test_smoke_run_prints_every_measure(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON": sys.executable, "TMPDIR": str(tmp_path)}
    env.pop("VIRTUAL_ENV", None)
    proc = subprocess.run(
        [str(ROOT / "scripts" / "bench"), "--smoke"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    for label in ROWS:
        assert any(line.startswith(f"| {label} | 20 |") for line in table), label
    assert "not available" not in proc.stdout
    assert "machine:" in proc.stdout
