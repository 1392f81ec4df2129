"""The call's tooltips name the grid's numbers through fields (keymap.py: « chrono de {limit} »,
« ({attempts}) »): whoever shows a tooltip (the help, the command palette, docs/keys.md) fills
them from the audit's grid, so that a grid with another limit or other question numbers is named
as it is."""

from __future__ import annotations

import string
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor_tui.domain.grid import Grid

# What a tooltip's fields stand for without a grid (an audit that could not be read).
_GRID_FIELDS = {
    "attempts": "la question des tentatives",
    "limit": "la limite de la grille",  # the transfer's
    "discovery": "question de la découverte",
    "method_match": "question du recontact",
}


def grid_fields(grid: Grid | None) -> dict[str, str]:
    """The tooltips' fields for the audit's grid: « Q1 », « 45 s »."""
    if grid is None:
        return dict(_GRID_FIELDS)
    from auditor_tui.domain.labels import transfer_limit_text

    fields = {name: f"Q{grid.rule_question(name)}" for name in _GRID_FIELDS if name in grid.rules}
    return {**_GRID_FIELDS, **fields, "limit": transfer_limit_text(grid)}


def tooltip_text(tooltip: str, grid: Grid | None) -> str:
    """A tooltip as shown: its fields filled from the audit's grid (« Tentative d'appel horodatée
    (Q1) », « chrono de 45 s »); a text without them (or with others) shown as it is."""
    fields = grid_fields(grid)
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(tooltip) if name is not None}
    except ValueError:  # a lone brace: no field
        return tooltip
    return tooltip.format_map(fields) if names and names <= fields.keys() else tooltip


def screen_grid(screen: object) -> Grid | None:
    """The grid of the audit a screen shows (its `grid`: the live call's), None elsewhere."""
    from auditor_tui.domain.grid import Grid

    grid = getattr(screen, "grid", None)
    return grid if isinstance(grid, Grid) else None
