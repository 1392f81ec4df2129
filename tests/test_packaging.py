"""`pip install .` ships the grid, the sample dealers and the stylesheets, found from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_data_and_runs_from_another_folder(tmp_path):
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            str(ROOT),
            "-w",
            str(tmp_path / "dist"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("auditor_tui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "auditor_tui/data/grid-lexus-5-etoiles-2026-appel.json" in names
    assert "auditor_tui/data/dealers-sample.csv" in names
    assert "auditor_tui/data/audits-sample.jsonl" in names  # what `import --sample` reads
    assert "auditor_tui/data/schema/audit-v1.json" in names  # the record as a JSON Schema
    assert "auditor_tui/store/facade.py" in names  # the core's packages
    assert not [n for n in names if "crashplay" in n]  # a test harness: not shipped
    tcss = [p.relative_to(ROOT).as_posix() for p in ROOT.glob("auditor_tui/**/*.tcss")]
    assert tcss and set(tcss) <= set(names)  # one stylesheet per screen, all shipped
    site = tmp_path / "site"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import auditor_tui, auditor_tui.domain.grid as g, auditor_tui.exchange.dealers_csv as d\n"
        "import auditor_tui.domain.resources as r\n"
        f"assert auditor_tui.__file__.startswith({str(site)!r}), auditor_tui.__file__\n"
        "grid = g.load_grid(); print(grid.max_points, len(d.parse_dealers_csv("
        "d.sample_dealers_path())), "
        "len(r.data_path('audits-sample.jsonl').read_bytes().splitlines()))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["30", "41", "12"]
