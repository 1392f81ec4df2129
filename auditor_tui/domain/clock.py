"""Time sources, injectable: a monotonic clock for live durations, a wall clock for instants.

Live timers (the 45-second transfer, the call) use `monotonic()` so that a wall-clock change
mid-call cannot bend them; the store keeps wall-clock instants (`now()`), from which timers are
rebuilt after a restart.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock for tests: starts at `start`, moves only when told. `jump_wall` moves the wall
    clock alone, as a user or NTP changing the system time would."""

    def __init__(self, start: datetime, mono: float = 1000.0) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._wall = start
        self._mono = mono

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> datetime:
        return self._wall

    def advance(self, seconds: float) -> None:
        self._mono += seconds
        self._wall += timedelta(seconds=seconds)

    def jump_wall(self, seconds: float) -> None:
        self._wall += timedelta(seconds=seconds)
