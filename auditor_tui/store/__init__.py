"""The local store: one small TinyDB file per audit, a rebuildable index, the dealer directory
and settings, under one locked folder (`Store`, in facade.py).

`Store` is loaded on first use: importing a light part of the package (paths, errors) does not
load TinyDB and the facade before the TUI's first frame (docs/performance.md, cold start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor_tui.store.facade import Store as Store

__all__ = ["Store"]


def __getattr__(name: str) -> object:
    if name == "Store":
        from auditor_tui.store.facade import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
