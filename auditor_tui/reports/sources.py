"""What a report reads from the store besides its rows: the dealer directory (coverage lists
its dealers never audited) and the plan of the waves.
"""

from __future__ import annotations

from auditor_tui.domain.dealers import Dealer
from auditor_tui.reports.waves import DirectoryDealer, PlanEntry
from auditor_tui.store import Store
from auditor_tui.store.plans import stored_plans


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


def load_plan(store: Store) -> dict[str, list[PlanEntry]]:
    """The calls of each wave's stored plan (`auditor-tui plan`), by wave; a wave without a
    stored plan is absent (coverage plans every dealer of the directory once in it).
    PlanReadError (a StoreError naming the file) for a plan this version cannot read."""
    return {
        wave: [PlanEntry(wave, c.dealer_id, c.service, c.auditor) for c in plan.calls]
        for wave, plan in stored_plans(store).items()
    }
