"""The home screen's follow-up queue, fed by the screen (widgets never touch storage): the
queue computed from the store off the UI thread (session/queue.py) and posted to the widget,
which shows it; when the auditor saw it (the widget's `Seen`) and what it notified (`Remember`),
saved off the UI thread too; the deadlines missed while the app was closed, listed on demand."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from auditor_tui.ui.widgets.followup_queue import SHOWN, FollowUpQueue

if TYPE_CHECKING:
    from auditor_tui.domain.expiry_memory import ExpiryMemory
    from auditor_tui.domain.queue import QueueFacts
    from auditor_tui.store import Store


def feed_queue(screen: Screen[Any], store: Store | None) -> None:
    """Compute the screen's follow-up queue again, off the UI thread (a computation still
    running is cancelled: the newest wins); the first time, with when the auditor last saw it."""
    if store is None:
        return  # the app is still opening the store: it hands it over later
    queue = screen.query_one(FollowUpQueue)
    work = partial(_compute, store, queue, queue.read, not queue.loaded)
    screen.run_worker(work, thread=True, exclusive=True, group="follow-up-queue")


def _compute(
    store: Store, queue: FollowUpQueue, read: Mapping[str, tuple[int, QueueFacts]], first: bool
) -> None:
    from auditor_tui.session.queue import compute_queue, expiry_memory, last_seen

    state = compute_queue(store, read, SHOWN)
    if first:  # with what the auditor saw and was told before
        computed = FollowUpQueue.Computed(state, last_seen(store), expiry_memory(store))
    else:
        computed = FollowUpQueue.Computed(state)
    queue.post_message(computed)


def save_memory(screen: Screen[Any], store: Store | None, memory: ExpiryMemory) -> None:
    """Keep, off the UI thread, what the queue notified (the bell, what passed while the app
    was closed) for the next start."""
    if store is not None:
        from auditor_tui.session.queue import save_expiry_memory

        work = partial(save_expiry_memory, store, memory)
        screen.run_worker(work, thread=True, exclusive=True, group="expiries")


def show_missed(screen: Screen[Any], asked: FollowUpQueue.MissedAsked) -> None:
    """The deadlines that passed while the app was closed; the audit chosen is opened (and
    its deadlines read: the line at the top of the queue counts one audit less)."""
    from auditor_tui.ui.screens.missed import MissedScreen

    def chosen(audit_id: str | None) -> None:
        if audit_id is not None:
            screen.query_one(FollowUpQueue).post_message(FollowUpQueue.Selected(audit_id))

    screen.app.push_screen(MissedScreen(asked.missed, asked.zones), chosen)


def save_seen(screen: Screen[Any], store: Store | None, at: datetime) -> None:
    """Remember, off the UI thread, that the auditor saw the queue at `at`."""
    if store is not None:
        from auditor_tui.session.queue import save_last_seen

        work = partial(save_last_seen, store, at)
        screen.run_worker(work, thread=True, exclusive=True, group="last-seen")
