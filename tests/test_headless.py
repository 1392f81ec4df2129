"""The core never imports Textual nor Rich, and keeps slow imports off its start-up path."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import auditor_tui

UI = "auditor_tui.ui"

# Run in a fresh interpreter: `textual` and `rich` cannot be imported at all (a meta-path
# finder refuses them before any other finder is asked), then every module named on the
# command line is imported in turn. Prints, as JSON, the modules that failed and whether
# textual or rich reached sys.modules anyway.
IMPORT_WITHOUT_UI_LIBRARIES = """
import importlib, json, sys, traceback

BLOCKED = ("textual", "rich")


class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not importable in the headless core")
        return None


sys.meta_path.insert(0, Refuse())
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException:
        failed[name] = traceback.format_exc(limit=-3)
loaded = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print(json.dumps({"failed": failed, "loaded": loaded}))
"""


def core_modules() -> list[str]:
    """Every module of the package outside `auditor_tui.ui`, the package itself included."""
    names = [
        info.name
        for info in pkgutil.walk_packages(auditor_tui.__path__, "auditor_tui.")
        if info.name != UI and not info.name.startswith(UI + ".")
    ]
    return ["auditor_tui", *sorted(names)]


def test_the_walk_finds_the_core_and_leaves_the_ui_out() -> None:
    """The list the next test imports is the package's, not an empty or partial one."""
    modules = core_modules()
    assert {"auditor_tui.cli.main", "auditor_tui.store.facade", "auditor_tui.domain.grid"} <= set(
        modules
    )
    assert {"auditor_tui.reports.tables", "auditor_tui.__main__"} <= set(modules)
    assert not [m for m in modules if m == UI or m.startswith(UI + ".")]
    assert len(modules) >= 30


def test_every_core_module_imports_without_textual_or_rich() -> None:
    modules = core_modules()
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_WITHOUT_UI_LIBRARIES, *modules],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["failed"] == {}, "\n".join(result["failed"].values())
    assert result["loaded"] == []


def test_the_refusal_is_real() -> None:
    """The same child refuses a module that does import Textual: the check can fail."""
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            IMPORT_WITHOUT_UI_LIBRARIES,
            "auditor_tui.cli.main",
            "auditor_tui.ui.app",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    result = json.loads(run.stdout.splitlines()[-1])
    assert list(result["failed"]) == ["auditor_tui.ui.app"]
    assert "is not importable in the headless core" in result["failed"]["auditor_tui.ui.app"]
    assert result["loaded"] == []


def test_core_start_up_leaves_slow_modules_unloaded() -> None:
    """What every command imports first keeps holidays and openpyxl for when they are used."""
    code = (
        "import sys\n"
        "import auditor_tui.cli.main, auditor_tui.store.facade, auditor_tui.exchange.importing\n"
        "import auditor_tui.domain.scoring\n"
        "import auditor_tui.domain.record, auditor_tui.domain.grid, auditor_tui.domain.lifecycle\n"
        "bad = [m for m in ('textual', 'rich', 'holidays', 'openpyxl') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""
