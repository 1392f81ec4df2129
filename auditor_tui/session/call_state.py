"""What the live call keeps in memory only: the session's time (the wall clock read once, then
carried forward by the monotonic clock), the monotonic anchors of the pick-up and the transfer
(set live, rebuilt from the stored instants on resume), the « attempts exhausted » mark and the
timer events of this session, for undo.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from auditor_tui.domain.clock import Clock
from auditor_tui.domain.record import Call, format_instant, parse_instant
from auditor_tui.session.base import SessionRefused

# Timer events: what undo takes back, and the kinds of the saves they make.
ATTEMPT = "attempt"
ANSWERED = "answered"
TRANSFER_START = "transfer_start"
TRANSFER_PICKUP = "transfer_pickup"
DISCOVERY = "discovery"
END_CALL = "end_call"


class LiveCallError(SessionRefused):
    """A live-call action refused; the message says why, in French, ready to show."""


class CallState:
    """One live-call session's state in memory (`LiveCall.state`)."""

    def __init__(self, clock: Clock, call: Call) -> None:
        self.clock = clock
        # Session time: the wall clock read once, then carried forward by the monotonic clock,
        # so a wall-clock jump mid-call moves no stored instant relative to another (durations
        # derived from them stay the measured ones). A new session re-reads the wall clock.
        self._wall0 = clock.now()
        self._mono0 = clock.monotonic()
        self.attempts_exhausted = False  # past the grid's maximum: the last attempt failed
        self.events: list[str] = []  # this session's timer events, latest last (undo)
        self.answered_mono: float | None = None
        self.transfer_mono: float | None = None
        self.reanchor(call)

    def reanchor(self, call: Call) -> None:
        """The monotonic anchors rebuilt from the stored instants."""
        self.answered_mono = self.anchor(call.answered_at)
        self.transfer_mono = self.anchor(call.transfer_started_at)

    def at(self, at: float | None) -> float:
        """A key's monotonic instant: `at` (never later than now), or now."""
        now = self.clock.monotonic()
        return now if at is None else min(at, now)

    def now(self, at: float | None = None) -> datetime:
        return self._wall0 + timedelta(seconds=self.at(at) - self._mono0)

    def stamp(self, at: float | None = None) -> str:
        return format_instant(self.now(at))

    def anchor(self, instant: str | None) -> float | None:
        """The monotonic time matching a stored instant (rebuilt once, then monotonic)."""
        if instant is None:
            return None
        ago = (self.now() - parse_instant(instant)).total_seconds()
        return self.clock.monotonic() - max(0.0, ago)

    def since(self, anchor: float) -> float:
        """Seconds from a monotonic anchor to now."""
        return max(0.0, self.clock.monotonic() - anchor)

    @staticmethod
    def between(start: str, end: str) -> float:
        return max(0.0, (parse_instant(end) - parse_instant(start)).total_seconds())
