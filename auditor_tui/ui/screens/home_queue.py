"""The home screen's follow-up queue, fed by the screen (widgets never touch storage): the
queue computed from the store off the UI thread (session/queue.py) and posted to the widget,
which shows it; when the auditor saw it (the widget's `Seen`), saved off the UI thread too."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from auditor_tui.ui.widgets.followup_queue import SHOWN, FollowUpQueue

if TYPE_CHECKING:
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
    from auditor_tui.session.queue import compute_queue, last_seen

    state = compute_queue(store, read, SHOWN)
    queue.post_message(FollowUpQueue.Computed(state, last_seen(store) if first else None))


def save_seen(screen: Screen[Any], store: Store | None, at: datetime) -> None:
    """Remember, off the UI thread, that the auditor saw the queue at `at`."""
    if store is not None:
        from auditor_tui.session.queue import save_last_seen

        work = partial(save_last_seen, store, at)
        screen.run_worker(work, thread=True, exclusive=True, group="last-seen")
