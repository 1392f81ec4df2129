"""The follow-up queue on the home screen: audits awaiting the dealer, soonest deadline first,
with live countdowns, overdue rows highlighted, a notification and a bell when a deadline passes.

The widget shows what it is given: the screen computes the queue off the UI thread
(session/queue.py) and posts it here (`Computed`); the widget asks the screen to remember when
the auditor saw it (`Seen`), and what it notified (`Remember`: the bell rings once per deadline,
even across restarts; what passed while the app was closed stays readable from a line at the
top of the list until each audit is opened). Only the first `SHOWN` rows are widgets: a desk
may have thousands of audits awaiting the dealer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from textual import on
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
    from auditor_tui.domain.expiry_memory import ExpiryMemory, Missed
    from auditor_tui.domain.queue import Expiry, QueueEntry, QueueFacts, QueueState

_SEEN_EVERY = 60  # ticks between two `Seen` while nothing expires
SHOWN = 50  # rows shown: the nearest deadlines (the list shows ~7 to 14 of them at a time)
SUMMARY_LINES = 8  # expiries listed one by one in a notification, the rest counted
SHORT_SUMMARY_LINES = 3  # on a short terminal (the notification would cover the audits)
SHORT_TERMINAL = 30  # lines


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


class QueueRow(ListItem):
    """One audit of the queue: the dealer and its countdowns, on one line drawn by the row
    itself (no child widgets: a long queue mounts fewer widgets, each costs layout time). The
    countdowns are never cut: on a narrow line they are said shorter (« e-mail en retard »), and
    the dealer's name is shortened."""

    DEALER_WIDTH = 36  # at most; less when the countdowns need the room
    MIN_DEALER = 16  # below this the countdowns are said shorter

    def __init__(self, entry: QueueEntry, now: datetime) -> None:
        self.entry = entry
        self._now = now
        self._overdue = entry.overdue(now)
        self._countdown = entry.countdown(now)
        super().__init__(classes="queue-row -overdue" if self._overdue else "queue-row")

    @property
    def countdown(self) -> str:
        """The countdowns in full: « e-mail reçu en retard (45 min) · rappel : lun. 18 mai
        23:59 »."""
        return self._countdown

    def fitted(self, width: int) -> str:
        """The countdowns as shown on a line `width` wide: in full when the dealer keeps
        MIN_DEALER columns, else shorter."""
        countdown = self._countdown
        for short in (1, 2):
            if width - len(countdown) - 1 >= self.MIN_DEALER:
                break
            countdown = self.entry.countdown(self._now, short)
        return countdown

    def render(self) -> Content:
        total = self.content_size.width
        countdown = self.fitted(total)
        width = min(self.DEALER_WIDTH, max(0, total - len(countdown) - 1))
        dealer = terminal_text(self.entry.dealer)  # a name from the store: shown as written
        if len(dealer) > width:
            dealer = dealer[: max(0, width - 1)] + "…" if width else ""
        return Content.assemble(
            (dealer, "$text-error" if self._overdue else ""),
            " " * (width - len(dealer) + 1),
            (countdown, "$error bold" if self._overdue else "$text-muted"),
        )

    def tick(self, now: datetime) -> None:
        """Update the countdown text and the overdue class only."""
        self._now = now
        countdown, overdue = self.entry.countdown(now), self.entry.overdue(now)
        if (countdown, overdue) != (self._countdown, self._overdue):
            self._countdown, self._overdue = countdown, overdue
            self.set_class(overdue, "-overdue")
            self.refresh()


class MissedRow(ListItem):
    """The line at the top of the queue that opens what passed while the app was closed:
    « 3 échéances passées depuis votre dernière visite · ↑ Entrée : la liste »."""

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(classes="queue-row missed-row")

    def render(self) -> Content:
        return Content.assemble((self.text, "$text-warning bold"), (" · Entrée : la liste", ""))


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
    FollowUpQueue > ListView > .missed-row {
        background: $warning-muted;
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
        """The queue, computed by the screen's worker, posted to the widget; the first time,
        with when the auditor last saw it (None: never, or unknown)."""

        def __init__(
            self,
            state: QueueState,
            last_seen: datetime | None = None,
            memory: ExpiryMemory | None = None,
        ) -> None:
            super().__init__()
            self.state = state
            self.last_seen = last_seen
            self.memory = memory  # the first time: what was notified before (the setting)

    class Seen(Message):
        """The auditor has seen the queue as it stands at `at` (what expired until then was
        notified): the screen remembers it for the next start."""

        def __init__(self, at: datetime) -> None:
            super().__init__()
            self.at = at

    class MissedAsked(Message):
        """The auditor asked for the deadlines missed while the app was closed (the line at
        the top of the list): the screen shows them."""

        def __init__(self, missed: Sequence[Missed], zones: dict[str, str]) -> None:
            super().__init__()
            self.missed = list(missed)
            self.zones = zones

    class Remember(Message):
        """What the queue notified changed (a bell rung, a deadline missed while the app was
        closed, an audit looked at): the screen keeps it for the next start."""

        def __init__(self, memory: ExpiryMemory) -> None:
            super().__init__()
            self.memory = memory

    def __init__(
        self,
        clock: Clock,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.clock = clock
        self._state: QueueState | None = None  # until the screen posts it
        self._rows: list[QueueRow] = []
        self._last_tick: datetime = clock.now()
        self._ticks = 0
        self._loaded = False
        self._memory: ExpiryMemory | None = None  # from the first computation on
        self._missed: MissedRow | None = None

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
        return list(self._state.entries) if self._state is not None else []

    @property
    def read(self) -> dict[str, tuple[int, QueueFacts]]:
        """The facts read from audit files for the queue shown: the next computation reads
        again only the audits whose revision changed."""
        return self._state.read if self._state is not None else {}

    def on_follow_up_queue_computed(self, message: Computed) -> None:
        lists = self.query(ListView)
        if not lists or not lists.first().is_attached:
            return  # computed as the app quits: nothing left to show it in
        first = not self._loaded
        self._state = message.state
        if first:
            from auditor_tui.domain.expiry_memory import ExpiryMemory

            self._memory = message.memory or ExpiryMemory()
        if self._memory is not None:  # only the audits still awaiting their follow-up
            self._remember(self._memory.keep(s.id for s in message.state.sources))
        self._show(message.state.entries)
        self._loaded = True
        if first:
            self._startup_summary(message.last_seen)

    @property
    def memory(self) -> ExpiryMemory | None:
        """What the queue notified (None until the first computation)."""
        return self._memory

    def _remember(self, memory: ExpiryMemory) -> None:
        if memory != self._memory:
            self._memory = memory
            self.post_message(self.Remember(memory))
        self._show_missed()

    def seen_audit(self, audit_id: str) -> None:
        """The auditor opened the audit: what it missed while the app was closed is read."""
        if self._memory is not None:
            self._remember(self._memory.seen(audit_id))

    def _show_missed(self) -> None:
        """The line at the top of the list, while deadlines missed while the app was closed
        are left to read; the cursor stays on its audit."""
        text = self._memory.missed_line() if self._memory is not None else ""
        listing = self.query_one(ListView)
        index = listing.index
        if self._missed is not None and text:
            self._missed.text = text
            self._missed.refresh()
        elif self._missed is not None:
            self._missed.remove()
            self._missed = None
            if index:
                listing.index = index - 1
        elif text:
            self._missed = MissedRow(text)
            listing.insert(0, [self._missed])
            listing.display = True
            if index is not None:
                listing.index = index + 1

    def _show(self, entries: list[QueueEntry]) -> None:
        shown = entries[:SHOWN]
        now = self.clock.now()
        listing = self.query_one(ListView)
        empty = self.query_one("#queue-empty", Label)
        empty.update("Aucun audit en attente de suivi.")
        empty.display = not entries
        listing.display = bool(entries) or self._missed is not None
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
        current = listing.highlighted_child
        kept = current.entry.audit_id if isinstance(current, QueueRow) else None
        listing.clear()
        self._rows = [QueueRow(e, now) for e in shown]
        above = [MissedRow(self._missed.text)] if self._missed is not None else []
        self._missed = above[0] if above else None
        listing.extend([*above, *self._rows])
        ids = [e.audit_id for e in shown]
        if kept in ids:  # the cursor stays on its audit, wherever its deadlines moved it
            listing.index = len(above) + ids.index(kept)
        elif shown:  # else on an audit where it was (the line above is one key up)
            listing.index = min(max(index or 0, len(above)), len(above) + len(shown) - 1)

    def _expired(self, since: datetime | None, until: datetime) -> list[Expiry]:
        return self._state.expired(since, until) if self._state is not None else []

    def tick(self) -> None:
        """Every second: countdown texts, overdue classes, and the bell for what just expired."""
        if not self._loaded:
            return
        now = self.clock.now()
        for row in self._rows:
            row.tick(now)
        expired = self._unrung(self._expired(self._last_tick, now))
        self._last_tick = now
        self._ticks += 1
        if expired:
            short = self.app.size.height < SHORT_TERMINAL
            lines = SHORT_SUMMARY_LINES if short else SUMMARY_LINES
            self.notify(expiry_text(expired, lines), title="Échéance", severity="warning")
            self._ring(expired)
        if expired or self._ticks % _SEEN_EVERY == 0:
            self.post_message(self.Seen(now))

    def _unrung(self, expired: list[Expiry]) -> list[Expiry]:
        """What the bell has not rung for yet: once per deadline, whatever the restarts."""
        return self._memory.unrung(expired) if self._memory is not None else expired

    def _ring(self, expired: list[Expiry]) -> None:
        self.app.bell()
        if self._memory is not None:
            self._remember(self._memory.rang(expired))

    def _startup_summary(self, since: datetime | None) -> None:
        """What expired while the app was closed (since the auditor last saw the queue; None:
        ever), then say that the auditor saw it."""
        now = self.clock.now()
        expired = self._unrung(self._expired(since, now))
        if expired:
            short = self.app.size.height < SHORT_TERMINAL
            self.notify(
                expiry_text(expired, SHORT_SUMMARY_LINES if short else SUMMARY_LINES),
                title="Pendant votre absence",
                severity="warning",
                timeout=15,
            )
            if self._memory is not None:  # readable again from the top of the list
                self._remember(self._memory.passed_while_closed(expired))
            self._ring(expired)
        self._last_tick = now
        self.post_message(self.Seen(now))

    @on(ListView.Selected, "#queue-list")
    def _selected(self, event: ListView.Selected) -> None:
        event.stop()
        if isinstance(event.item, QueueRow):
            self.post_message(self.Selected(event.item.entry.audit_id))
        elif isinstance(event.item, MissedRow) and self._memory is not None:
            self._open_missed()

    def _open_missed(self) -> None:
        """Ask the screen for the list of what passed while the app was closed (each with its
        dealer's zone, Paris when unknown)."""
        assert self._memory is not None
        facts = self._state.facts if self._state is not None else {}
        zones = {audit_id: f.zone for audit_id, f in facts.items()}
        zones.update((e.audit_id, e.zone) for e in self.entries[:SHOWN])
        self.post_message(self.MissedAsked(self._memory.missed, zones))
