"""The follow-up queue on the home screen: audits awaiting the dealer, soonest deadline first,
with live countdowns, overdue rows highlighted, a notification and a bell when a deadline passes.
"""

from __future__ import annotations

from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, ListItem, ListView

from auditor_tui.clock import Clock
from auditor_tui.durable import StoreError
from auditor_tui.followup import (
    QueueEntry,
    QueueFacts,
    build_queue,
    expired_between,
    expiry_summary,
)
from auditor_tui.record import format_instant, parse_instant
from auditor_tui.store import Store, Summary
from auditor_tui.ui.widgets.static_text import set_text

LAST_SEEN = "last_seen_at"
_LAST_SEEN_EVERY = 60  # ticks between two saves of `last_seen_at` while nothing expires


class QueueRow(ListItem):
    """One audit of the queue: the dealer and its countdowns."""

    def __init__(self, entry: QueueEntry, now: datetime) -> None:
        super().__init__(classes="queue-row")
        self.entry = entry
        # Made here, not in compose: a tick may reach a row before its children are mounted.
        self._countdown = Label(entry.countdown(now), classes="queue-countdown")
        self.set_class(entry.overdue(now), "-overdue")

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.entry.dealer, classes="queue-dealer")
            yield self._countdown

    def tick(self, now: datetime) -> None:
        """Update the countdown text and the overdue class only."""
        set_text(self._countdown, self.entry.countdown(now))
        self.set_class(self.entry.overdue(now), "-overdue")


class FollowUpQueue(Widget, can_focus=False):
    """Audits awaiting follow-up. Posts `FollowUpQueue.Selected` on Enter."""

    DEFAULT_CSS = """
    FollowUpQueue {
        height: auto;
        max-height: 12;
    }
    FollowUpQueue > ListView {
        height: auto;
        max-height: 12;
        background: $surface;
    }
    FollowUpQueue .queue-row Horizontal {
        height: 1;
        padding: 0 1;
    }
    FollowUpQueue .queue-dealer {
        width: 1fr;
        max-width: 36;
        text-overflow: ellipsis;
        text-wrap: nowrap;
    }
    FollowUpQueue .queue-countdown {
        width: auto;
        color: $text-muted;
    }
    FollowUpQueue .queue-row.-overdue .queue-countdown {
        color: $error;
        text-style: bold;
    }
    FollowUpQueue .queue-row.-overdue .queue-dealer {
        color: $text-error;
    }
    FollowUpQueue #queue-empty {
        color: $text-muted;
        padding: 0 1;
    }
    """

    class Selected(Message):
        """The auditor picked an audit of the queue."""

        def __init__(self, audit_id: str) -> None:
            super().__init__()
            self.audit_id = audit_id

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self.clock = clock
        self._sources: list[Summary] = []
        self._entries: list[QueueEntry] = []
        self._facts: dict[str, QueueFacts] = {}
        self._facts_revision: dict[str, int] = {}
        self._last_tick: datetime = clock.now()
        self._ticks = 0

    def compose(self) -> ComposeResult:
        yield Label("Aucun audit en attente de suivi.", id="queue-empty")
        yield ListView(id="queue-list")

    def on_mount(self) -> None:
        self.refresh_queue()
        self._startup_summary()
        self.set_interval(1.0, self.tick)

    @property
    def entries(self) -> list[QueueEntry]:
        """The queue as shown, soonest deadline first."""
        return list(self._entries)

    def refresh_queue(self) -> None:
        """Reload the queue from the store's summaries (in memory; an audit's file is read only
        when its revision changed, for its zone and its e-mail's content)."""
        self._sources = [s for s in self.store.summaries() if s.status == "awaiting_follow_up"]
        for summary in self._sources:
            if self._facts_revision.get(summary.id) != summary.revision:
                self._facts[summary.id] = self._facts_of(summary.id)
                self._facts_revision[summary.id] = summary.revision
        entries = build_queue(self._sources, self._facts)
        now = self.clock.now()
        listing = self.query_one(ListView)
        self.query_one("#queue-empty").display = not entries
        listing.display = bool(entries)
        rows = list(listing.query(QueueRow))
        if [r.entry.audit_id for r in rows] == [e.audit_id for e in entries]:
            for row, entry in zip(rows, entries, strict=True):
                row.entry = entry
                row.tick(now)
        else:
            index = listing.index
            listing.clear()
            listing.extend(QueueRow(e, now) for e in entries)
            if entries:
                listing.index = min(index or 0, len(entries) - 1)
        self._entries = entries

    def _facts_of(self, audit_id: str) -> QueueFacts:
        try:
            return QueueFacts.of(self.store.get(audit_id))
        except (KeyError, StoreError):
            return QueueFacts()

    def tick(self) -> None:
        """Every second: countdown texts, overdue classes, and the bell for what just expired."""
        now = self.clock.now()
        for row in self.query(QueueRow):
            row.tick(now)
        expired = expired_between(self._sources, self._last_tick, now, self._facts)
        self._last_tick = now
        self._ticks += 1
        if expired:
            self.notify(expiry_summary(expired), title="Échéance", severity="warning")
            self.app.bell()
        if expired or self._ticks % _LAST_SEEN_EVERY == 0:
            self._save_last_seen(now)

    def _startup_summary(self) -> None:
        """What expired while the app was closed, then remember that the auditor saw it."""
        now = self.clock.now()
        raw = self.store.setting(LAST_SEEN)
        since: datetime | None = None
        if isinstance(raw, str):
            try:
                since = parse_instant(raw)
            except ValueError:
                since = None
        expired = expired_between(self._sources, since, now, self._facts)
        if expired:
            self.notify(
                expiry_summary(expired),
                title="Pendant votre absence",
                severity="warning",
                timeout=15,
            )
        self._last_tick = now
        self._save_last_seen(now)

    @work(thread=True, exclusive=True, group="last-seen")
    def _save_last_seen(self, now: datetime) -> None:
        self.store.set_setting(LAST_SEEN, format_instant(now))

    @on(ListView.Selected, "#queue-list")
    def _selected(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, QueueRow):
            self.post_message(self.Selected(event.item.entry.audit_id))
