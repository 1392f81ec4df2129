"""The garbage collector during a live call. Its full collections walk every object the app
keeps (30-300 ms with a large store open, on a shared 2-core machine) and start whenever
enough objects have survived, which is while a key press allocates: 5 to 11 answer keys in a
hundred waited for one in the benchmark (docs/performance.md). While the call is on screen
they run when the auditor is not pressing keys instead; the young collections run as usual."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

NEVER = 1_000_000  # young collections before an automatic full one: none while the call is shown


class QuietCollector:
    """`start()` turns the automatic full collections off, `stop()` restores the thresholds.
    `idle()`, from the screen's timer, runs a full collection once no key has been pressed for
    `quiet` seconds and `every` seconds have passed since the last one, or at any rate every
    `at_most` seconds; `activity()` notes a key press."""

    def __init__(
        self,
        *,
        quiet: float = 1.0,
        every: float = 30.0,
        at_most: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet, self.every, self.at_most = quiet, every, at_most
        self._monotonic = monotonic
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


def release_styles_caches() -> None:
    """Let removed widgets go. Textual 8.2 keeps the styles cache of the last 1,024 widgets
    that painted alive after they are removed (`StylesCache.get_inner_outer` is an lru_cache on
    a method, keyed by the instance), with every line they last drew: ~30,000 objects per live
    call screen closed, which the collector's full scans then walk, during a key press of the
    next call (docs/performance.md). The cache only saves building two styles."""
    from textual._styles_cache import StylesCache

    clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if clear is not None:
        clear()
