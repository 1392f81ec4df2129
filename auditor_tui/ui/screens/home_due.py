"""The home screen's « À appeler aujourd'hui », fed by the screen (widgets never touch
storage): the plans read and the calls due worked out off the UI thread (store/plans.py), for
this store's auditor and today in Paris; a call started opens the new audit with its dealer
and service filled in."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from auditor_tui.ui.widgets.due_calls import DueCalls

if TYPE_CHECKING:
    from auditor_tui.domain.clock import Clock
    from auditor_tui.domain.plan import DueCall
    from auditor_tui.store import Store

AUDITOR_SETTING = "auditor"  # the name the new-audit screen keeps


def feed_due(screen: Screen[Any], store: Store | None, clock: Clock) -> None:
    """Work out the calls due again, off the UI thread (the newest computation wins)."""
    if store is None:
        return  # the app is still opening the store: it hands it over later
    work = partial(_compute, store, screen.query_one(DueCalls), clock.now())
    screen.run_worker(work, thread=True, exclusive=True, group="due-calls")


def _compute(store: Store, widget: DueCalls, now: datetime) -> None:
    from auditor_tui.domain.periods import PARIS
    from auditor_tui.domain.plan import due_calls
    from auditor_tui.store.errors import StoreError
    from auditor_tui.store.plans import stored_plans

    today = now.astimezone(PARIS).date()
    try:
        plans = list(stored_plans(store).values())
        auditor = str(store.setting(AUDITOR_SETTING) or "")
    except StoreError as exc:
        widget.post_message(DueCalls.Computed([], today, str(exc)))
        return
    widget.post_message(DueCalls.Computed(due_calls(plans, today, auditor), today, None))


def start_planned(screen: Screen[Any], store: Store | None, clock: Clock, due: DueCall) -> None:
    """The new audit, its dealer and service those of the planned call."""
    from auditor_tui.ui.screens.new_audit import NewAuditScreen

    if store is not None:
        screen.app.push_screen(NewAuditScreen(store, clock, due))


def focus_due(screen: Screen[Any]) -> None:
    if not screen.query_one(DueCalls).focus_list():
        screen.notify("Aucun appel planifié à faire aujourd'hui (auditor-tui plan).")
