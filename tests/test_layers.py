"""The house's rules (docs/architecture.md): the core's packages import one way, each only those
below it, never one above or beside it, whether at the top of a module, inside a function (an
import deferred for the cold start) or for type checking only; and no module grows past 400
lines."""

from __future__ import annotations

import ast
from pathlib import Path

import auditor_tui

PACKAGE = Path(auditor_tui.__file__).parent

# Each package, and the packages it may import (the root package itself, for its version, is
# open to all).
MAY_IMPORT: dict[str, set[str]] = {
    "text": set(),
    "domain": {"text"},
    "store": {"domain", "text"},
    "session": {"store", "domain", "text"},
    "reports": {"store", "domain", "text"},
    "exchange": {"reports", "store", "domain", "text"},
    "ui": {"session", "exchange", "reports", "store", "domain", "text"},
    "cli": {"ui", "session", "exchange", "reports", "store", "domain", "text"},
}


def package_of(module: str) -> str | None:
    """`auditor_tui.store.facade` → `store`; None for the root package and its own files."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in MAY_IMPORT) else None


def imports(path: Path) -> list[tuple[int, str]]:
    """Every `auditor_tui` module a file imports, with its line: at the top, in a function, or
    under TYPE_CHECKING."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "auditor_tui":  # `from auditor_tui import store`
                found += [(node.lineno, f"auditor_tui.{a.name}") for a in node.names]
            elif node.module.startswith("auditor_tui."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name) for a in node.names if a.name.startswith("auditor_tui.")
            ]
    return found


def crossings() -> list[str]:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2:
            continue  # __init__.py, __main__.py: the root package's own
        home = parts[0]
        for line, module in imports(path):
            target = package_of(module)
            if target is not None and target != home and target not in MAY_IMPORT[home]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {home} → {module}")
    return wrong


def test_every_package_of_the_core_is_known() -> None:
    found = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert found == set(MAY_IMPORT)


def test_the_packages_import_one_way() -> None:
    assert crossings() == []


def test_a_crossing_is_seen(tmp_path: Path, monkeypatch) -> None:
    """The check can fail: a deferred import of the store from the domain is named."""
    domain = tmp_path / "auditor_tui" / "domain"
    domain.mkdir(parents=True)
    (domain / "bad.py").write_text(
        "from auditor_tui import session\n\ndef f():\n    from auditor_tui.store import Store\n"
    )
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "auditor_tui")
    assert crossings() == [
        "auditor_tui/domain/bad.py:1: domain → auditor_tui.session",
        "auditor_tui/domain/bad.py:4: domain → auditor_tui.store",
    ]


LIMIT = 400  # lines: a module that grows past it is split along its seams (issue 13)


def test_no_module_is_over_the_limit() -> None:
    sizes = {
        str(path.relative_to(PACKAGE.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert len(sizes) > 90  # the whole package is measured
    assert {path: n for path, n in sizes.items() if n > LIMIT} == {}


# Widgets show what they are given (a screen hands it to them): none reads or writes the store,
# directly or through a session, which holds one.
WIDGETS_NEVER = ("auditor_tui.store", "auditor_tui.session")


def storage_in_widgets() -> list[str]:
    widgets = PACKAGE / "ui" / "widgets"
    return [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {module}"
        for path in sorted(widgets.rglob("*.py"))
        for line, module in imports(path)
        if module.startswith(WIDGETS_NEVER)
    ]


def test_widgets_never_touch_storage() -> None:
    assert len(list((PACKAGE / "ui" / "widgets").glob("*.py"))) > 10  # the widgets are read
    assert storage_in_widgets() == []


def test_a_widget_touching_storage_is_seen(tmp_path: Path, monkeypatch) -> None:
    """The check can fail: a widget importing the store for type checking only, and one using
    a session, are both named."""
    widgets = tmp_path / "auditor_tui" / "ui" / "widgets"
    widgets.mkdir(parents=True)
    (widgets / "bad.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from auditor_tui.store import Store\n\n"
        "def f():\n    import auditor_tui.session.queue\n"
    )
    monkeypatch.setattr(f"{__name__}.PACKAGE", tmp_path / "auditor_tui")
    assert storage_in_widgets() == [
        "auditor_tui/ui/widgets/bad.py:4: auditor_tui.store",
        "auditor_tui/ui/widgets/bad.py:7: auditor_tui.session.queue",
    ]
