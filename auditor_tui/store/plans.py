"""The waves' plans in the store (`plans.json`, one document a wave): drawn (domain/plan.py)
from the dealer directory, the wave before and the year's other plans; re-drawn for the calls
not yet made, never for those made; the calls due for an auditor; an audit linked to the
entry it was made for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from auditor_tui.domain.dealers import Dealer
from auditor_tui.domain.plan import Plan, draw_plan
from auditor_tui.domain.waves import Wave
from auditor_tui.store.errors import StoreError

if TYPE_CHECKING:
    from auditor_tui.store.facade import Store


class EmptyDirectory(ValueError):
    """No dealer to plan: the directory is empty."""


class PlanReadError(StoreError):
    """A stored plan this version cannot read (changed by hand): named, nothing drawn."""


def stored_plans(store: Store) -> dict[str, Plan]:
    """Every stored plan, by wave name."""
    plans: dict[str, Plan] = {}
    for document in store.plans():
        try:
            plan = Plan.from_document(document)
        except (ValueError, KeyError, TypeError) as exc:
            wave = document.get("wave")
            raise PlanReadError(
                f"plan de la vague {wave!r} illisible dans {store.root / 'plans.json'} : {exc}",
                store.root,
            ) from exc
        plans[plan.wave.name] = plan
    return plans


def directory(store: Store) -> list[Dealer]:
    """The dealer directory (the rows this version cannot read are left out)."""
    dealers = []
    for row in store.dealers():
        try:
            dealers.append(Dealer.from_dict(row))
        except ValueError:
            continue
    return dealers


def draw_and_store(
    store: Store,
    wave: Wave,
    *,
    seed: int = 0,
    calls_per_dealer: int = 1,
    auditors: Sequence[str] = (),
) -> Plan:
    """Draw the wave's plan and store it: its calls already made are kept as they are, the
    others drawn again. PlanError (nothing stored) when dealers cannot all be placed,
    EmptyDirectory when there is none."""
    dealers = directory(store)
    if not dealers:
        raise EmptyDirectory(store.root)
    plans = stored_plans(store)
    existing = plans.get(wave.name)
    kept = [c for c in existing.calls if c.audit is not None] if existing is not None else []
    year = [p for name, p in plans.items() if name[:4] == wave.name[:4]]
    plan = draw_plan(
        wave,
        dealers,
        seed=seed,
        calls_per_dealer=calls_per_dealer,
        auditors=auditors,
        previous=plans.get(wave.previous_name()),
        year=year,
        kept=kept,
    )
    store.put_plan(plan.to_document())
    return plan


def link_audit(store: Store, wave: str, key: str, audit_id: str) -> None:
    """Record on the plan that the audit `audit_id` was made for its entry `key`."""
    plan = stored_plans(store).get(wave)
    if plan is None:
        return
    store.put_plan(plan.linked(key, audit_id).to_document())
