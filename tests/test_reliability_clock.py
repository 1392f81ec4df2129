"""Clock: live durations follow the monotonic clock whatever the wall clock does, the store keeps
its audit trail in order across wall-clock jumps, and instants stay right across daylight-saving
changes (stored in UTC, shown in Europe/Paris). Through the live call (auditor_tui/live.py) and
the real store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.record import Audit, parse_instant
from auditor_tui.domain.record_check import validate_record
from auditor_tui.session.live import LiveCall
from auditor_tui.store import Store
from auditor_tui.text.french import format_long
from tests.factories import GRID, dealer

PARIS = ZoneInfo("Europe/Paris")


def new_call(store: Store, start: datetime) -> tuple[LiveCall, FakeClock]:
    clock = FakeClock(start)
    audit = Audit.new(dealer(), GRID, start, "Camille Durand")
    store.create(audit, start)
    return LiveCall(store, audit.id, clock), clock


steps = st.lists(
    st.tuples(
        st.floats(min_value=0.1, max_value=30, allow_nan=False).map(lambda s: round(s, 1)),
        st.sampled_from([0, 0, 0, 3600, -3600, 600, -7, 86400]),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(before=steps, during=steps)
def test_running_timers_follow_the_monotonic_clock(
    tmp_path_factory: pytest.TempPathFactory,
    before: list[tuple[float, int]],
    during: list[tuple[float, int]],
) -> None:
    """Any mix of elapsed time and wall-clock jumps (NTP, the user, a time zone change): the
    call and transfer stopwatches and the stored transfer time are the monotonic durations."""
    with Store.open(tmp_path_factory.mktemp("clock") / "s") as store:
        live, clock = new_call(store, datetime(2026, 11, 17, 13, 0, tzinfo=UTC))
        live.dial_attempt()
        live.answered()
        call = 0.0
        for seconds, jump in before:
            clock.advance(seconds)
            clock.jump_wall(jump)
            call += seconds
        assert live.call_elapsed() == pytest.approx(call)
        live.transfer_start()
        transfer = 0.0
        for seconds, jump in during:
            clock.advance(seconds)
            clock.jump_wall(jump)
            call += seconds
            transfer += seconds
            assert live.transfer_elapsed() == pytest.approx(transfer)
            assert live.call_elapsed() == pytest.approx(call)
        live.transfer_pickup()
        assert store.get(live.audit_id).call.transfer_seconds == pytest.approx(transfer, abs=0.05)


def test_the_audit_trail_keeps_its_order_when_the_wall_clock_goes_back(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s") as store:
        live, clock = new_call(store, datetime(2026, 11, 17, 13, 0, tzinfo=UTC))
        live.dial_attempt()
        clock.advance(5)
        live.answered()
        clock.jump_wall(-3600)  # the system clock is set back an hour
        clock.advance(5)
        live.answer("9", 1)
        clock.advance(5)
        live.answer("10", 1)
        events = store.events(live.audit_id)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    revisions = [e["revision"] for e in events]
    assert revisions == sorted(revisions)
    stamps = [parse_instant(e["at"]) for e in events]
    # The session's time is carried by the monotonic clock: the set-back does not reorder it.
    assert stamps == sorted(stamps)
    assert stamps[-1] - stamps[0] == timedelta(seconds=15)


def _call_with_jump(tmp_path: Path, jump: int) -> tuple[LiveCall, Store]:
    store = Store.open(tmp_path / "s")
    live, clock = new_call(store, datetime(2026, 11, 17, 13, 0, tzinfo=UTC))
    live.dial_attempt()
    clock.advance(10)
    live.answered()
    clock.advance(60)
    clock.jump_wall(jump)
    clock.advance(80)
    live.end_call()
    return live, store


@pytest.mark.parametrize("jump", [3600, -3600])
def test_an_ended_calls_duration_ignores_a_wall_jump(tmp_path: Path, jump: int) -> None:
    live, store = _call_with_jump(tmp_path, jump)
    with store:
        assert live.call_elapsed() == 140.0


def test_a_wall_clock_set_back_mid_call_keeps_the_record_valid(tmp_path: Path) -> None:
    live, store = _call_with_jump(tmp_path, -3600)
    with store:
        record = store.get(live.audit_id).to_export()
    assert [str(p) for p in validate_record(record) if not p.warning] == []


@pytest.mark.parametrize(
    ("start", "offsets", "clock_times"),
    [
        # 25 Oct 2026, Paris goes back from 03:00 CEST to 02:00 CET: 02:xx happens twice.
        # Answered 00:30 UTC + 2 h = 02:30 CEST; ended 01:30 UTC + 1 h = 02:30 CET.
        (datetime(2026, 10, 25, 0, 20, tzinfo=UTC), (7200, 3600), ["02:30:00", "02:30:00"]),
        # 29 Mar 2026, Paris jumps from 02:00 CET to 03:00 CEST: 02:xx never happens.
        # Answered 00:50 UTC + 1 h = 01:50 CET; ended 01:50 UTC + 2 h = 03:50 CEST.
        (datetime(2026, 3, 29, 0, 40, tzinfo=UTC), (3600, 7200), ["01:50:00", "03:50:00"]),
    ],
    ids=["autumn", "spring"],
)
def test_a_call_across_a_daylight_saving_change(
    tmp_path: Path, start: datetime, offsets: tuple[int, int], clock_times: list[str]
) -> None:
    with Store.open(tmp_path / "s") as store:
        live, clock = new_call(store, start)
        live.dial_attempt()
        clock.advance(600)
        live.answered()
        clock.advance(3600)
        live.end_call()
    with Store.open(tmp_path / "s") as store:
        call = store.get(live.audit_id).call
    assert call.answered_at is not None and call.ended_at is not None
    answered, ended = parse_instant(call.answered_at), parse_instant(call.ended_at)
    # Stored in UTC, to the second, in the order they happened, an hour apart.
    assert call.answered_at.endswith("+00:00") and call.ended_at.endswith("+00:00")
    assert ended - answered == timedelta(hours=1)
    # Shown in Paris time with the offset in force at each instant.
    local = [moment.astimezone(PARIS) for moment in (answered, ended)]
    assert [int(m.utcoffset().total_seconds()) for m in local] == list(offsets)  # type: ignore[union-attr]
    shown = [format_long(moment, "Europe/Paris") for moment in (answered, ended)]
    assert all(text.endswith("(heure de Paris)") for text in shown)
    assert [text.split()[4] for text in shown] == clock_times
