"""Where auditor-tui leans on Textual's insides, all in one place. Textual is pinned
(pyproject.toml, `TEXTUAL_VERSION`); each patch below says what it assumes of that version, and
tests/ui/test_textual_patches.py checks every assumption against the installed Textual: an
upgrade that renames a private name or changes the behaviour a patch works around fails there,
by name, instead of making a screen slow or wrong. Nothing else in the package imports a
private Textual module or calls a private Textual method.

- `release_styles_caches`: `textual._styles_cache.StylesCache.get_inner_outer`, an lru_cache
  keyed by the instance, keeps removed widgets' styles caches (and the lines they drew) alive.
- `FixedRowsTable`: `DataTable._update_dimensions(new_rows)`, called for the rows added, and
  `_row_label_column_width` / `_total_row_height`, which it reads.
- `KeysFooter`: Textual's Footer recomposes after every change of the screen's bindings
  (`Footer.bindings_changed`), even when the keys it shows stay the same.
- `remove_toast_holders`: Textual's ToastRack removes a stale `Toast` but not the
  `ToastHolder` around it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, TypeVar

from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import DataTable, Footer
from textual.widgets.data_table import RowKey

TEXTUAL_VERSION = "8.2.8"  # the version these patches were written and checked against

CellType = TypeVar("CellType")


def release_styles_caches() -> None:
    """Let removed widgets go. Textual keeps the styles cache of the last 1,024 widgets that
    painted alive after they are removed (`StylesCache.get_inner_outer` is an lru_cache on a
    method, keyed by the instance), with every line they last drew: ~30,000 objects per live
    call screen closed, which the collector's full scans then walk, during a key press of the
    next call (docs/performance.md). The cache only saves building two styles."""
    from textual._styles_cache import StylesCache

    clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if clear is not None:
        clear()


class FixedRowsTable(DataTable[CellType]):
    """A DataTable whose columns have fixed widths and whose rows are one line without a label
    (the home table): the rows added are not measured. DataTable measures every cell of the
    rows added (about 0.1 ms each), to size auto-width columns, labels and rows of several
    lines; with none of them, a key typed in the filter that adds 250 rows changes only the
    table's virtual size. Anything else: DataTable's own way."""

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        new_rows = list(new_rows)
        simple = not any(column.auto_width for column in self.columns.values()) and not any(
            (row := self.rows.get(key)) is not None and (row.label is not None or row.auto_height)
            for key in new_rows
        )
        if not simple:
            super()._update_dimensions(new_rows)
            return
        width = sum(column.get_render_width(self) for column in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(
            width + self._row_label_column_width, self._total_row_height + header
        )


class KeysFooter(Footer):
    """The key bar at the bottom of every screen: Textual's Footer, rebuilt only when the keys
    it shows change. Textual's Footer rebuilds all its keys after every change of the screen's
    bindings, even when the keys shown stay the same: a screen that starts (its focus set, then
    the bindings refreshed again after a refresh) rebuilt them two or three times for one
    visible result, 12-17 ms each and a frame (docs/performance.md), and so did every focus
    move. Here a rebuild that would show the same keys is skipped; the command palette key
    follows `show_command_palette` at once (Textual's Footer waits for a bindings change)."""

    _shown: Hashable = None  # what the keys showed at the last rebuild

    def watch_show_command_palette(self) -> None:
        if self.is_attached:
            self.call_after_refresh(self.recompose)

    def _keys(self) -> Hashable:
        """What compose would show: the keys, their labels and states, the palette key."""
        return (
            self.show_command_palette,
            self.compact,
            tuple(
                (binding.key, binding.key_display, binding.description, enabled, tooltip)
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show
            ),
        )

    async def recompose(self) -> None:
        if not self.is_attached:
            return  # its screen was closed since the rebuild was asked for
        keys = self._keys()
        if keys == self._shown and self.children:
            return  # the same keys (no children: none shown yet, the bindings not ready)
        self._shown = keys
        await super().recompose()


def remove_toast_holders(screen: Screen[Any]) -> None:
    """Remove the holders of the screen's toasts: Textual's ToastRack removes a stale toast
    but leaves the holder it was mounted in, which would push the next toast a line down.
    Called before a notification replaces the previous one (ui/widgets/notice.py)."""
    screen.query("ToastHolder").remove()
