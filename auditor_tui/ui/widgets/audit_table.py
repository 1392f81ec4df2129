"""The home screen's table of audits: Entrée opens the highlighted one; rows are added
without measuring each cell (fixed widths, one line)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.geometry import Size
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from auditor_tui.ui.keymap import binding


class AuditTable(DataTable[Text]):
    """The audits: Enter opens the highlighted one."""

    BINDINGS = [
        binding(
            "validate",
            keys="enter",
            action="select_cursor",
            description="Ouvrir",
            tooltip="Ouvrir l'audit sélectionné",
        ),
        # DataTable's own home/end move sideways; in a list of rows they go to its ends.
        binding("first", description="Premier audit", tooltip="Aller au premier audit"),
        binding("last", description="Dernier audit affiché", tooltip="Aller au dernier affiché"),
    ]

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable (textual 8.2) measures every cell of the rows added, to size auto-width
        columns, labels and rows of several lines; this table has none of them (fixed widths,
        one line, no labels) and a key typed in the filter adds up to 250 rows: only its
        virtual size changes. Anything else: DataTable's own way."""
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
