"""ui/textual_patches.py against the installed Textual: each patch's assumption about
Textual's insides holds (a private name exists and behaves as the patch assumes: this is where
an upgrade fails, by name), and the patch does its job. Then the one-place rules: no other
module of the package leans on Textual's insides, and the collector is tuned in ui/collector.py
only (a planted copy of each is named)."""

from __future__ import annotations

import ast
import gc
import importlib
import importlib.metadata
import importlib.util
import inspect
import re
import sys
import weakref
from pathlib import Path
from types import ModuleType
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Button, DataTable, Footer, Static

import auditor_tui
from auditor_tui.ui.textual_patches import (
    TEXTUAL_VERSION,
    FixedRowsTable,
    KeysFooter,
    release_styles_caches,
    remove_toast_holders,
)
from tests.ui.screen_text import screen_lines

PACKAGE = Path(auditor_tui.__file__).parent


def test_the_patches_were_checked_against_the_installed_textual() -> None:
    """An upgrade of Textual comes here first: every patch below is to be checked again."""
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"textual=={TEXTUAL_VERSION}"' in pyproject
    assert importlib.metadata.version("textual") == TEXTUAL_VERSION


# ---- the styles caches ---------------------------------------------------------------------


class Painted(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("painted, then removed", id="gone")


async def test_styles_caches_live_in_textuals_cache_until_released() -> None:
    """Textual's `StylesCache.get_inner_outer` is an lru_cache on a method: each widget that
    paints puts its styles cache in it (as part of the key), kept alive there after the widget
    is gone, with the lines it drew, until the cache is cleared."""
    from textual._styles_cache import StylesCache
    from textual.color import Color

    assert callable(getattr(StylesCache.get_inner_outer, "cache_clear", None))
    release_styles_caches()
    app = Painted()
    async with app.run_test(size=(40, 5)) as pilot:
        await pilot.pause()
        assert StylesCache.get_inner_outer.cache_info().currsize > 0  # painting fills it
    release_styles_caches()
    assert StylesCache.get_inner_outer.cache_info().currsize == 0

    cache = StylesCache()
    cache.get_inner_outer(Color(0, 0, 0), Color(10, 20, 30))
    kept = weakref.ref(cache)
    del cache
    gc.collect()
    assert kept() is not None, "Textual no longer keeps it: release_styles_caches may go"
    release_styles_caches()
    gc.collect()
    assert kept() is None


# ---- the home table: rows added without measuring them --------------------------------------


class Tables(App[None]):
    def __init__(self, auto_width: bool = False) -> None:
        super().__init__()
        self.auto_width = auto_width

    def compose(self) -> ComposeResult:
        yield DataTable[str](id="theirs")
        yield CountingTable(id="ours")

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_column("Concessionnaire", width=None if self.auto_width else 12)
            table.add_column("Ville", width=8)
            table.add_rows([(f"Lexus numéro {i} de la région", "Lyon") for i in range(300)])


class CountingTable(FixedRowsTable[str]):
    calls = 0

    def _update_dimensions(self, new_rows: Any) -> None:
        type(self).calls += 1
        super()._update_dimensions(new_rows)


async def test_rows_added_are_sized_as_datatable_does_without_measuring_them() -> None:
    """DataTable sizes itself in `_update_dimensions(new_rows)`, measuring every cell added
    (a column's `content_width` grows to its widest cell); with fixed widths the table ends
    the same size without that."""
    CountingTable.calls = 0
    app = Tables()
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        theirs, ours = app.query_one("#theirs", DataTable), app.query_one("#ours", DataTable)
        assert CountingTable.calls >= 1, "DataTable no longer calls _update_dimensions"
        assert ours.virtual_size == theirs.virtual_size
        assert ours.virtual_size.height == 301  # 300 rows of one line, the header
        widths = [c.content_width for c in ours.ordered_columns]
        measured = [c.content_width for c in theirs.ordered_columns]
        assert measured == [len("Lexus numéro 0 de la région") + 2, len("Ville")]
        assert widths == [len("Concessionnaire"), len("Ville")]  # the headings only


async def test_an_auto_width_column_is_measured_as_datatable_does() -> None:
    app = Tables(auto_width=True)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        theirs, ours = app.query_one("#theirs", DataTable), app.query_one("#ours", DataTable)
        assert ours.virtual_size == theirs.virtual_size
        assert ours.ordered_columns[0].content_width == theirs.ordered_columns[0].content_width


# ---- the key bar ---------------------------------------------------------------------------


class Keys(App[None]):
    footer: type[Footer] = KeysFooter
    BINDINGS = [
        Binding("a", "first", "Premier", id="first"),
        Binding("b", "second", "Second", id="second"),
    ]
    second_shown = True

    def compose(self) -> ComposeResult:
        yield Button("un", id="one")
        yield Button("deux", id="two")
        yield self.footer(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.second_shown if action == "second" else True


def labels(app: Keys) -> str:
    """The key bar as shown: the screen's last line."""
    return screen_lines(app)[-1]


async def test_the_keys_are_rebuilt_only_when_what_they_show_changes() -> None:
    app = Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeysFooter)
        assert "Premier" in labels(app) and "Second" in labels(app)
        keys = list(footer.children)  # the key widgets the bar is made of
        # Focus moves twice: the screen's bindings change, the keys shown do not: the same
        # key widgets stay (a rebuild would make new ones).
        await pilot.press("tab")
        await pilot.press("tab")
        await pilot.pause()
        assert all(a is b for a, b in zip(footer.children, keys, strict=True))
        # A key hidden (its action no longer available): rebuilt, without it.
        app.second_shown = False
        app.refresh_bindings()
        app.refresh_bindings()
        await pilot.pause()
        assert "Premier" in labels(app) and "Second" not in labels(app)
        rebuilt = list(footer.children)
        assert not any(a is b for a in rebuilt for b in keys)
        # The palette key follows show_command_palette at once.
        footer.show_command_palette = False
        await pilot.pause()
        assert not any(a is b for a in footer.children for b in rebuilt)


async def test_a_rebuild_due_when_the_footer_is_removed_is_dropped() -> None:
    app = Keys()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeysFooter)
        app.second_shown = False
        app.refresh_bindings()  # a rebuild is due after the next refresh…
        await footer.remove()  # …and the footer goes first (its screen closed)
        await pilot.pause()
        assert not footer.is_attached


async def test_textuals_footer_rebuilds_the_same_keys_on_a_focus_move() -> None:
    """What KeysFooter is for: Textual's own Footer rebuilds every key on each change of the
    screen's bindings (`Footer.bindings_changed` → `recompose`), the keys shown alike."""
    app = Keys()
    app.footer = Footer
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(Footer)
        keys, shown = list(footer.children), labels(app)
        await pilot.press("tab")
        await pilot.pause()
        assert labels(app) == shown  # the same keys shown…
        assert not any(a is b for a in footer.children for b in keys), (
            "Textual's Footer no longer rebuilds the same keys: KeysFooter may go"
        )


# ---- the toasts' holders -------------------------------------------------------------------


class Toasts(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("")


def holders_and_toasts(app: App[None]) -> tuple[int, int]:
    return len(app.screen.query("ToastHolder")), len(app.screen.query("Toast"))


async def test_a_replaced_toast_leaves_its_holder_unless_removed() -> None:
    """Textual's ToastRack removes a stale Toast but not the ToastHolder around it (app.tcss
    styles ToastRack, ToastHolder and Toast by those names)."""
    app = Toasts()
    async with app.run_test(size=(60, 10), notifications=True) as pilot:
        app.notify("première", timeout=60)
        await pilot.pause()
        assert len(app.screen.query("ToastRack")) == 1
        assert holders_and_toasts(app) == (1, 1)
        app.clear_notifications()
        app.notify("deuxième", timeout=60)
        await pilot.pause()
        assert holders_and_toasts(app) == (2, 1), "Textual removes the holder now: drop the patch"
        app.clear_notifications()
        remove_toast_holders(app.screen)
        app.notify("troisième", timeout=60)
        await pilot.pause()
        assert holders_and_toasts(app) == (1, 1)
        assert any("troisième" in line for line in screen_lines(app))


# ---- one place each: Textual's insides, the collector ----------------------------------------

PATCHES, COLLECTOR = "ui/textual_patches.py", "ui/collector.py"


def textual_privates(cls: type) -> set[str]:
    """The private names Textual's classes in `cls`'s ancestry define: methods, properties,
    class attributes, and what their `__init__` sets."""
    names: set[str] = set()
    for k in cls.__mro__:
        if k.__module__.partition(".")[0] != "textual":
            continue
        names |= {n for n in vars(k) if n.startswith("_") and not n.startswith("__")}
        init = vars(k).get("__init__")
        if init is not None:
            names |= set(re.findall(r"self\.(_[A-Za-z]\w*)", inspect.getsource(init)))
    return names


def private_widgets() -> set[str]:
    """Textual's widgets that only its private modules define (ToastHolder, FooterKey…)."""
    import textual.containers
    import textual.screen
    import textual.widget
    import textual.widgets

    public = set(textual.widgets.__all__) | set(dir(textual.containers))
    public |= set(dir(textual.screen)) | set(dir(textual.widget))
    found = set()
    for name, module in list(sys.modules.items()):
        if name.startswith("textual.") and any(p.startswith("_") for p in name.split(".")):
            for attr, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, textual.widget.Widget)
                    and value.__module__ == name
                    and attr not in public
                    and not attr.startswith("_")
                ):
                    found.add(attr)
    return found


def _is_self(node: ast.expr) -> bool:
    return (isinstance(node, ast.Name) and node.id in ("self", "cls")) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def leaning(path: Path, module: ModuleType, widgets: set[str], anyones: set[str]) -> list[str]:
    """What a module does with Textual's insides or the collector, one line each: a private
    module imported, a private widget named, a private name of its Textual ancestors used or
    overridden, a private Textual name used on another object (`anyones`), `gc` imported."""
    from tests.test_one_home import docstrings

    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = docstrings(tree)
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        modules = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        for name in modules:
            parts = name.split(".")
            if parts[0] == "textual" and any(p.startswith("_") for p in parts):
                found.add((node.lineno, f"imports {name}"))
            if parts[0] == "gc":
                found.add((node.lineno, "tunes the collector"))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            for word in sorted(set(re.findall(r"\w+", node.value)) & widgets):
                found.add((node.lineno, f"names Textual's {word}"))
        if isinstance(node, ast.Attribute) and not _is_self(node.value) and node.attr in anyones:
            found.add((node.lineno, f"uses Textual's {node.attr}"))
    for cdef in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        cls = getattr(module, cdef.name, None)
        if not inspect.isclass(cls):
            continue
        privates = textual_privates(cls)
        for node in ast.walk(cdef):
            if isinstance(node, ast.Attribute) and _is_self(node.value) and node.attr in privates:
                found.add((node.lineno, f"uses Textual's {node.attr}"))
        for stmt in cdef.body:
            names = []
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [stmt.name]
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
            for name in set(names) & privates:
                found.add((stmt.lineno, f"overrides Textual's {name}"))
    return [f"{line}: {what}" for line, what in sorted(found)]


def home_of(what: str) -> str:
    return COLLECTOR if what.endswith("tunes the collector") else PATCHES


def strays() -> list[str]:
    import textual.app
    import textual.screen

    widgets = private_widgets()
    ours = set()  # the private names our own code gives its objects are not Textual's
    paths = sorted(PACKAGE.rglob("*.py"))
    for path in paths:
        ours |= set(re.findall(r"self\.(_[A-Za-z]\w*)\s*[:=]", path.read_text(encoding="utf-8")))
    anyones = textual_privates(textual.app.App) | textual_privates(textual.screen.Screen)
    anyones |= textual_privates(DataTable) | textual_privates(Footer)
    wrong = []
    for path in paths:
        where = path.relative_to(PACKAGE).as_posix()
        name = "auditor_tui." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
        module = importlib.import_module(name.removesuffix(".__init__"))
        for found in leaning(path, module, widgets, anyones - ours):
            if home_of(found) != where:
                wrong.append(f"{where}:{found}")
    return wrong


def test_textuals_insides_and_the_collector_are_used_in_one_place_each() -> None:
    assert strays() == []


def test_the_patches_are_where_textuals_insides_are_used() -> None:
    """The scanner sees the real thing: each patch, in its home."""
    import auditor_tui.ui.collector
    import auditor_tui.ui.textual_patches as patches

    found = leaning(PACKAGE / PATCHES, patches, private_widgets(), set())
    assert "imports textual._styles_cache" in " ".join(found)
    assert any("overrides Textual's _update_dimensions" in f for f in found)
    assert any("uses Textual's _row_label_column_width" in f for f in found)
    assert any("names Textual's ToastHolder" in f for f in found)
    collector = leaning(PACKAGE / COLLECTOR, auditor_tui.ui.collector, set(), set())
    assert [f.split(": ")[1] for f in collector] == ["tunes the collector"]


PLANTED = '''"""Names ToastHolder and textual._styles_cache in its docstring: not counted."""
import gc

from textual._styles_cache import StylesCache
from textual.widgets import DataTable, Static


class Table(DataTable[str]):
    def _update_dimensions(self, new_rows):
        super()._update_dimensions(new_rows)
        return self._total_row_height


class Panel(Static):
    _ready = False  # not Textual's: Static has no _ready
    _nodes = None

    def clean(self) -> None:
        self.screen.query("ToastHolder").remove()
        self.app._refresh_notifications()
        gc.freeze()
'''


def test_a_planted_copy_is_named(tmp_path: Path) -> None:
    path = tmp_path / "planted.py"
    path.write_text(PLANTED, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("planted_textual_use", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    anyones = textual_privates(App)
    assert leaning(path, module, private_widgets(), anyones) == [
        "2: tunes the collector",
        "4: imports textual._styles_cache",
        "4: imports textual._styles_cache.StylesCache",
        "9: overrides Textual's _update_dimensions",
        "10: uses Textual's _update_dimensions",
        "11: uses Textual's _total_row_height",
        "16: overrides Textual's _nodes",
        "19: names Textual's ToastHolder",
        "20: uses Textual's _refresh_notifications",
    ]
