"""The tables' model: a column (machine name, French heading, kind of value, how to read it
from an item) and a table of cells keeping machine values (reports/tables.py shows them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor_tui.domain.periods import Period, Quarter

Cell = str | int | float | bool | None


@dataclass(frozen=True)
class Column:
    key: str  # machine name (CSV header); also the attribute read, unless `get` is given
    label: str  # French heading for people
    # text | int | percent | percents | stars | points | change | move | when | note (wrapped)
    kind: str = "text"
    get: Callable[[Any], Any] | None = None
    shown: bool = True  # False: for machines only (ids), not in the terminal or the TUI
    flex: bool = False  # long text: shares the width left by the others, cut with « … »

    def cell(self, item: Any) -> Cell:
        value = self.get(item) if self.get else getattr(item, self.key)
        if isinstance(value, datetime):
            return value.isoformat(timespec="seconds")
        if isinstance(value, tuple):
            return ", ".join(str(v) for v in value)
        if isinstance(value, (Quarter, Period)):
            return str(value)
        return value  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""
    empty: str = "Aucune donnée."

    @classmethod
    def of(
        cls,
        name: str,
        title: str,
        items: Iterable[Any],
        columns: Sequence[Column],
        note: str = "",
        empty: str = "Aucune donnée.",
    ) -> Table:
        rows = tuple(tuple(c.cell(item) for c in columns) for item in items)
        return cls(name, title, tuple(columns), rows, note, empty)


DEALER_ID = Column("dealer_id", "Id", get=lambda item: item.dealer_key, shown=False)
DEALER = Column("dealer", "Concession")
