"""What a report reads from the store besides its rows: the dealer directory (coverage lists
its dealers never audited) and the plan of the waves.
"""

from __future__ import annotations

from auditor_tui.domain.dealers import Dealer
from auditor_tui.reports.waves import DirectoryDealer, PlannedCall
from auditor_tui.store import Store


def load_directory(store: Store) -> list[DirectoryDealer]:
    """The store's dealer directory (checked when imported); a row that cannot be read is left
    out of coverage rather than stopping the report."""
    out = []
    for entry in store.dealers():
        try:
            dealer = Dealer.from_dict(entry)
        except ValueError:
            continue
        out.append(DirectoryDealer(dealer.id, dealer.name))
    return out


def load_plan(store: Store) -> list[PlannedCall] | None:
    """The calls of the stored plan; None while no plan is stored (coverage then plans every
    dealer of the directory once per wave)."""
    return None
