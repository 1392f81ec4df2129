"""The follow-up queue on the home screen: audits awaiting the dealer, soonest deadline first,
with live countdowns, overdue rows highlighted, a notification and a bell when a deadline passes.

The queue is computed off the UI thread (from the store's summaries; an audit's file is read
only when its revision changed and its zone or its e-mail's content matters), and only its
first `SHOWN` rows are widgets: a desk may have thousands of audits awaiting the dealer.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, ListItem, ListView, Static

from auditor_tui.domain.clock import Clock
from auditor_tui.text.french import thousands
from auditor_tui.text.safe_text import terminal_text
from auditor_tui.ui.widgets.static_text import set_text

if TYPE_CHECKING:
    from auditor_tui.domain.queue import Expiry, QueueEntry, QueueFacts
    from auditor_tui.store import Store
    from auditor_tui.store.index import Summary

LAST_SEEN = "last_seen_at"
_LAST_SEEN_EVERY = 60  # ticks between two saves of `last_seen_at` while nothing expires
SHOWN = 50  # rows shown: the nearest deadlines (the list shows ~7 to 14 of them at a time)
SUMMARY_LINES = 8  # expiries listed one by one in a notification, the rest counted
SHORT_SUMMARY_LINES = 3  # on a short terminal (the notification would cover the audits)
SHORT_TERMINAL = 30  # lines
_SECOND = timedelta(seconds=1)


def more_text(shown: int, total: int) -> str:
    """« Les 50 échéances les plus proches, sur 3 300 audits en attente de suivi »: the line
    above a queue longer than the rows shown."""
    return (
        f"Les {shown} échéances les plus proches, sur {thousands(total)} audits en attente de suivi"
    )


def expiry_text(expired: Sequence[Expiry], lines: int = SUMMARY_LINES) -> str:
    """The notification for expiries: each one listed up to `lines`, the rest counted."""
    from auditor_tui.domain.queue import expiry_summary

    if len(expired) <= lines:
        return expiry_summary(list(expired))
    head = expiry_summary(list(expired[:lines])).split(" :\n", 1)[1]
    rest = len(expired) - lines
    return (
        f"{thousands(len(expired))} échéances dépassées :\n{head}\n"
        f"• … et {thousands(rest)} autre{'s' if rest > 1 else ''}"
    )


@dataclass(frozen=True)
class QueueState:
    """The queue computed off the UI thread: every entry, soonest first, and what the ticks
    need to find the deadlines passing (the sources and facts, the dues sorted by instant)."""

    entries: list[QueueEntry]
    sources: list[Summary]
    facts: dict[str, QueueFacts]
    read: dict[str, tuple[int, QueueFacts]]  # facts read from audit files, by id: (revision, …)
    due_times: list[datetime]  # every pending deadline, sorted
    due_sources: list[int]  # the index in `sources` of each of them

    @classmethod
    def empty(cls) -> QueueState:
        return cls([], [], {}, {}, [], [])

    def around(self, since: datetime | None, until: datetime) -> list[Summary]:
        """The sources with a deadline in [since - 1 s, until + 1 s] (deadlines are compared
        to the second), the only ones that can expire between `since` and `until`."""
        low = 0 if since is None else bisect.bisect_left(self.due_times, since - _SECOND)
        high = bisect.bisect_right(self.due_times, until + _SECOND)
        chosen = sorted(set(self.due_sources[low:high]))
        return [self.sources[i] for i in chosen]


def compute_queue(
    store: Store, read: Mapping[str, tuple[int, QueueFacts]], shown: int = SHOWN
) -> QueueState:
    """The queue from the store's summaries. An audit's file is read (for its facts: the
    dealer's zone, whether the e-mail received was a mere acknowledgement) only when it matters
    — an e-mail was received, or the audit is among the `shown` first — and its revision
    changed since `read`."""
    from auditor_tui.domain.queue import AWAITING, QueueFacts, build_queue
    from auditor_tui.store.errors import StoreError

    fresh: dict[str, tuple[int, QueueFacts]] = {}

    def facts_of(summary: Summary) -> QueueFacts:
        known = fresh.get(summary.id) or read.get(summary.id)
        if known is None or known[0] != summary.revision:
            try:
                facts = QueueFacts.of(store.get(summary.id))
            except (KeyError, StoreError):
                facts = QueueFacts()
            known = (summary.revision, facts)
        fresh[summary.id] = known
        return known[1]

    sources = [s for s in store.summaries() if s.status == AWAITING]
    facts = {s.id: facts_of(s) for s in sources if s.email_received}
    entries = build_queue(sources, facts)
    by_id = {s.id: s for s in sources}
    for i, entry in enumerate(entries[:shown]):  # the zone only shows in the countdowns
        zone = facts_of(by_id[entry.audit_id]).zone
        if zone != entry.zone:
            entries[i] = replace(entry, zone=zone)
    facts.update((k, v[1]) for k, v in fresh.items())
    index_of = {s.id: i for i, s in enumerate(sources)}
    dues = sorted((due.at, index_of[entry.audit_id]) for entry in entries for due in entry.dues)
    return QueueState(
        entries, sources, facts, fresh, [at for at, _ in dues], [index for _, index in dues]
    )


class QueueRow(ListItem):
    """One audit of the queue: the dealer and its countdowns, on one line drawn by the row
    itself (no child widgets: a long queue mounts fewer widgets, each costs layout time)."""

    DEALER_WIDTH = 36  # at most; less when the countdowns need the room

    def __init__(self, entry: QueueEntry, now: datetime) -> None:
        self.entry = entry
        self._overdue = entry.overdue(now)
        self._countdown = entry.countdown(now)
        super().__init__(classes="queue-row -overdue" if self._overdue else "queue-row")

    @property
    def countdown(self) -> str:
        """The countdowns as shown: « e-mail : 1 h 12 · rappel : jeu. 19 nov. 23:59 »."""
        return self._countdown

    def render(self) -> Content:
        room = max(0, self.content_size.width - len(self._countdown))
        width = min(self.DEALER_WIDTH, room)
        dealer = terminal_text(self.entry.dealer)  # a name from the store: shown as written
        if len(dealer) > width:
            dealer = dealer[: max(0, width - 1)] + "…" if width else ""
        return Content.assemble(
            (dealer, "$text-error" if self._overdue else ""),
            " " * (width - len(dealer)),
            (self._countdown, "$error bold" if self._overdue else "$text-muted"),
        )

    def tick(self, now: datetime) -> None:
        """Update the countdown text and the overdue class only."""
        countdown, overdue = self.entry.countdown(now), self.entry.overdue(now)
        if (countdown, overdue) != (self._countdown, self._overdue):
            self._countdown, self._overdue = countdown, overdue
            self.set_class(overdue, "-overdue")
            self.refresh()


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
    FollowUpQueue > ListView > .queue-row {
        height: 1;
        padding: 0 1;
    }
    FollowUpQueue #queue-empty, FollowUpQueue #queue-more {
        color: $text-muted;
        padding: 0 1;
    }
    """

    class Selected(Message):
        """The auditor picked an audit of the queue."""

        def __init__(self, audit_id: str) -> None:
            super().__init__()
            self.audit_id = audit_id

    class Computed(Message):
        """The queue, computed by the worker; the first time, with when the auditor last saw
        it (the `last_seen_at` setting, read by the worker too)."""

        def __init__(self, state: QueueState, last_seen: object = None) -> None:
            super().__init__()
            self.state = state
            self.last_seen = last_seen

    def __init__(
        self,
        store: Store | None,
        clock: Clock,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.store = store
        self.clock = clock
        self._state = QueueState.empty()
        self._rows: list[QueueRow] = []
        self._last_tick: datetime = clock.now()
        self._ticks = 0
        self._loaded = False

    def compose(self) -> ComposeResult:
        yield Label("Chargement des suivis…", id="queue-empty")
        more, listing = Static("", id="queue-more"), ListView(id="queue-list")
        listing.display = more.display = False  # until the queue is computed
        yield more  # above the list: the list's height is capped, a line below may not show
        yield listing

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)

    @property
    def loaded(self) -> bool:
        """True once the queue has been computed (and shown) at least once."""
        return self._loaded

    @property
    def entries(self) -> list[QueueEntry]:
        """The whole queue, soonest deadline first (the first SHOWN are rows)."""
        return list(self._state.entries)

    def set_store(self, store: Store) -> None:
        """The store is open: compute the queue."""
        self.store = store
        self.refresh_queue()

    def refresh_queue(self) -> None:
        """Recompute the queue off the UI thread (see `compute_queue`)."""
        if self.store is not None:
            self._compute(self.store, self._state.read, first=not self._loaded)

    @work(thread=True, exclusive=True, group="follow-up-queue")
    def _compute(
        self, store: Store, read: Mapping[str, tuple[int, QueueFacts]], *, first: bool
    ) -> None:
        state = compute_queue(store, read)
        self.post_message(self.Computed(state, store.setting(LAST_SEEN) if first else None))

    def on_follow_up_queue_computed(self, message: Computed) -> None:
        lists = self.query(ListView)
        if not lists or not lists.first().is_attached:
            return  # computed as the app quits: nothing left to show it in
        first = not self._loaded
        self._state = message.state
        self._show()
        self._loaded = True
        if first:
            self._startup_summary(message.last_seen)

    def _show(self) -> None:
        entries = self._state.entries
        shown = entries[:SHOWN]
        now = self.clock.now()
        listing = self.query_one(ListView)
        empty = self.query_one("#queue-empty", Label)
        empty.update("Aucun audit en attente de suivi.")
        empty.display = not entries
        listing.display = bool(entries)
        more = self.query_one("#queue-more", Static)
        more.display = len(entries) > len(shown)
        if more.display:
            set_text(more, more_text(len(shown), len(entries)))
        if [r.entry.audit_id for r in self._rows] == [e.audit_id for e in shown]:
            for row, entry in zip(self._rows, shown, strict=True):
                row.entry = entry
                row.tick(now)
            return
        index = listing.index
        listing.clear()
        self._rows = [QueueRow(e, now) for e in shown]
        listing.extend(self._rows)
        if shown:
            listing.index = min(index or 0, len(shown) - 1)

    def _expired(self, since: datetime | None, until: datetime) -> list[Expiry]:
        from auditor_tui.domain.queue import expired_between

        state = self._state
        return expired_between(state.around(since, until), since, until, state.facts)

    def tick(self) -> None:
        """Every second: countdown texts, overdue classes, and the bell for what just expired."""
        if not self._loaded:
            return
        now = self.clock.now()
        for row in self._rows:
            row.tick(now)
        expired = self._expired(self._last_tick, now)
        self._last_tick = now
        self._ticks += 1
        if expired:
            short = self.app.size.height < SHORT_TERMINAL
            lines = SHORT_SUMMARY_LINES if short else SUMMARY_LINES
            self.notify(expiry_text(expired, lines), title="Échéance", severity="warning")
            self.app.bell()
        if expired or self._ticks % _LAST_SEEN_EVERY == 0:
            self._save_last_seen(now)

    def _startup_summary(self, raw: object) -> None:
        """What expired while the app was closed (since `raw`, the last `last_seen_at`), then
        remember that the auditor saw it."""
        from auditor_tui.domain.record import parse_instant

        now = self.clock.now()
        since: datetime | None = None
        if isinstance(raw, str):
            try:
                since = parse_instant(raw)
            except ValueError:
                since = None
        expired = self._expired(since, now)
        if expired:
            short = self.app.size.height < SHORT_TERMINAL
            self.notify(
                expiry_text(expired, SHORT_SUMMARY_LINES if short else SUMMARY_LINES),
                title="Pendant votre absence",
                severity="warning",
                timeout=15,
            )
        self._last_tick = now
        self._save_last_seen(now)

    @work(thread=True, exclusive=True, group="last-seen")
    def _save_last_seen(self, now: datetime) -> None:
        from auditor_tui.domain.record import format_instant

        if self.store is not None:
            self.store.set_setting(LAST_SEEN, format_instant(now))

    @on(ListView.Selected, "#queue-list")
    def _selected(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, QueueRow):
            self.post_message(self.Selected(event.item.entry.audit_id))
