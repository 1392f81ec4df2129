"""The core never imports Textual, and keeps slow imports off its start-up path."""

from __future__ import annotations

import subprocess
import sys


def test_core_does_not_import_textual_or_heavy_modules():
    code = (
        "import sys\n"
        "import auditor_tui.cli, auditor_tui.store, auditor_tui.exchange, auditor_tui.scoring\n"
        "import auditor_tui.record, auditor_tui.grid, auditor_tui.lifecycle\n"
        "bad = [m for m in ('textual', 'holidays', 'openpyxl') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
