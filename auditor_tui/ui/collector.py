"""The cycle collector's tuning, in one place (docs/performance.md). Its full collections walk
every object the process keeps, and start whenever enough objects have survived: with a large
store open that is 30-300 ms (on a shared 2-core machine), and it comes while a key press
allocates. So:

- a command (cli/main.py) runs with the collector paused (`paused`): it reads the store once
  and exits, what it makes is freed by reference counting, and the repeated full scans of that
  growing heap cost 10-40 % of an export, a report or an import of 10,000;
- the app moves what lives as long as it out of the scans (`freeze_loaded`): the modules loaded
  at its start, then the index and the summaries made while the store opens (`paused` with
  `freeze=True`, ui/app.py), then the home screen's rows once painted (`collect_and_freeze`);
- during a live call the full collections wait for a pause in the keys (`QuietCollector`).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def paused(*, freeze: bool = False) -> Iterator[None]:
    """No automatic collection inside; with `freeze`, what survived it leaves the collector's
    scans at the end. The collector is enabled again after, if it was before (a command's
    `main` is also called in-process, by the tests)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


def freeze_loaded() -> None:
    """Move every object alive now (the modules loaded so far: they live as long as the
    process) out of the collector's scans."""
    gc.freeze()


def collect_and_freeze() -> None:
    """Move the long-lived objects (summaries, rows) out of the collector's full scans, which
    would otherwise pause a key press 100-300 ms with 10,000 audits; garbage is collected
    first, so none is kept."""
    gc.collect()
    gc.freeze()


NEVER = 1_000_000  # young collections before an automatic full one: none while the call is shown


class QuietCollector:
    """`start()` turns the automatic full collections off, `stop()` restores the thresholds.
    `idle()`, from the screen's timer, runs a full collection once no key has been pressed for
    `quiet` seconds and `every` seconds have passed since the last one, or at any rate every
    `at_most` seconds; `activity()` notes a key press. `release`, called by `stop()`, lets go
    what the screen leaves behind that the next full scans would walk."""

    def __init__(
        self,
        *,
        quiet: float = 1.0,
        every: float = 30.0,
        at_most: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
        release: Callable[[], None] = lambda: None,
    ) -> None:
        self.quiet, self.every, self.at_most = quiet, every, at_most
        self._monotonic, self._release = monotonic, release
        self._saved: tuple[int, int, int] | None = None
        self._last_full = 0.0
        self._last_activity = 0.0

    @property
    def active(self) -> bool:
        return self._saved is not None

    def start(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            young, middle, _ = self._saved
            gc.set_threshold(young, middle, NEVER)
            now = self._monotonic()
            self._last_activity = now
            self._last_full = now - self.every  # the first quiet moment collects what came before

    def stop(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        self._release()

    def activity(self) -> None:
        self._last_activity = self._monotonic()

    def idle(self) -> bool:
        """Run the full collection if it is due; True when it ran."""
        if self._saved is None or not gc.isenabled():
            return False
        now = self._monotonic()
        since = now - self._last_full
        quiet = now - self._last_activity >= self.quiet
        if (since >= self.every and quiet) or since >= self.at_most:
            gc.collect()
            self._last_full = self._monotonic()
            return True
        return False
