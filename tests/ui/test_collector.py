"""ui/collector.py, the collector's tuning in one place: paused around a command or the
store's opening (then what survived leaves the scans), enabled again only if it was."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from auditor_tui.ui.collector import QuietCollector, collect_and_freeze, paused


@pytest.fixture
def collector_state() -> Iterator[None]:
    enabled, threshold = gc.isenabled(), gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()  # back in the scans: what the tests froze is not the app's
        gc.set_threshold(*threshold)
        (gc.enable if enabled else gc.disable)()


def test_paused_then_enabled_again(collector_state: None) -> None:
    gc.enable()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    with paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # it was off before: left off


def test_paused_enabled_again_after_an_error(collector_state: None) -> None:
    gc.enable()
    with pytest.raises(KeyError), paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_what_survives_a_freezing_pause_leaves_the_scans(collector_state: None) -> None:
    gc.unfreeze()
    with paused(freeze=True):
        kept = [[n] for n in range(1000)]  # lists: objects the collector tracks
    assert gc.get_freeze_count() >= len(kept)
    gc.unfreeze()
    with paused():
        kept += [[n] for n in range(1000)]
    assert gc.get_freeze_count() == 0  # without `freeze`, nothing leaves the scans


def test_collect_and_freeze_keeps_no_garbage(collector_state: None) -> None:
    """Garbage is collected before the rest is frozen: a cycle nothing refers to is freed, a
    live object is frozen."""

    class Node:
        other: object = None

    gc.unfreeze()
    gc.disable()
    a, b, live = Node(), Node(), Node()
    a.other, b.other = b, a  # a cycle: only the collector frees it
    gone = weakref.ref(a)
    del a, b
    assert gone() is not None
    collect_and_freeze()
    assert gone() is None
    assert gc.get_freeze_count() > 0 and live.other is None


def test_the_quiet_collector_releases_on_stop(collector_state: None) -> None:
    released = []
    collector = QuietCollector(release=lambda: released.append(True))
    collector.start()
    assert gc.get_threshold()[2] > 1000  # no automatic full collection meanwhile
    collector.stop()
    assert released == [True]
