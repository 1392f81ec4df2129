"""Shared UI fixtures: a real store folder in tmp_path seeded with the sample dealers and a few
audits with fixed ids and instants, a FakeClock, and the app built by the one factory."""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable
from textual.worker import WorkerCancelled, WorkerFailed

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.dealers import Dealer
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.lifecycle import end_call
from auditor_tui.domain.record import Audit, DealerRef, format_instant
from auditor_tui.exchange.dealers_csv import parse_dealers_csv, sample_dealers_path
from auditor_tui.store import Store
from auditor_tui.ui.app import AuditorApp, make_app
from auditor_tui.ui.screens.home import HomeScreen
from tests.factories import best_answers

# Saturday 21 November 2026, 14:05 in Paris: the "now" of every UI test.
NOW = datetime(2026, 11, 21, 13, 5, tzinfo=UTC)
GRID = load_grid()


@functools.cache
def _sample_dealers() -> tuple[Dealer, ...]:
    return tuple(parse_dealers_csv(sample_dealers_path()))


def sample_dealers() -> list[Dealer]:
    """The shipped sample directory (41 dealers)."""
    return list(_sample_dealers())


def dealer_named(name: str) -> Dealer:
    return next(d for d in sample_dealers() if d.name == name)


def fixed_id(n: int) -> str:
    """A stable UUID for the n-th test audit."""
    return str(uuid.UUID(int=0xA0D17 << 64 | n))


def build_audit(
    n: int,
    dealer: str = "Lexus Dijon",
    *,
    when: datetime = NOW - timedelta(days=1),
    status: str = "draft",
    answers: dict[str, list[int]] | None = None,
    transferred: bool = False,
    started: bool = False,
) -> Audit:
    """An audit with a fixed id and instants, for a sample dealer.

    `started` records one dial attempt and the call start; a status past "draft" also ends the
    call 8 minutes in (which fixes the follow-up deadlines).
    """
    d = dealer_named(dealer)
    ref = DealerRef(d.name, d.country, d.department, d.phone, d.id, d.city)
    audit = Audit.new(ref, GRID, when, auditor="Camille Auditrice")
    audit.id = fixed_id(n)
    audit.answers = dict(answers or {})
    audit.call.transferred = transferred
    if started or status != "draft":
        audit.call.attempts = [format_instant(when)]
        audit.call.started_at = format_instant(when)
    if status != "draft":
        end_call(audit, when + timedelta(minutes=8))
        audit.status = status
    return audit


def seed_store(path: Path, audits: Iterable[Audit] = (), *, dealers: bool = True) -> Path:
    """Create a store folder with the sample dealers and these audits, then close it (the app
    opens it with its own lock)."""
    with Store.open(path) as store:
        if dealers:
            store.replace_dealers(d.to_dict() for d in sample_dealers())
        audits = list(audits)
        if audits:
            store.put_many(audits, moment=NOW)
    return path


def sample_audits() -> list[Audit]:
    """Four audits over four days, one per status (and an unreachable one)."""
    return [
        build_audit(
            1,
            "Lexus Dijon",
            when=NOW - timedelta(days=4),
            status="complete",
            answers=best_answers(True),
            transferred=True,
        ),
        build_audit(2, "Lexus Lille", when=NOW - timedelta(days=3), status="awaiting_follow_up"),
        build_audit(
            3, "Lexus Nice", when=NOW - timedelta(days=2), status="complete", answers={"1": [4]}
        ),
        build_audit(4, "Lexus Versailles", when=NOW - timedelta(hours=3)),
    ]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A store folder with the sample dealers and `sample_audits()`."""
    return seed_store(tmp_path / "store", sample_audits())


@pytest.fixture
def empty_db(tmp_path: Path) -> Path:
    """A store folder with the sample dealers and no audit."""
    return seed_store(tmp_path / "store")


@pytest.fixture
def app_factory(clock: FakeClock) -> Callable[[Path], AuditorApp]:
    def factory(path: Path) -> AuditorApp:
        return make_app(path, clock)

    return factory


STEPS = 200  # rounds of work a condition may take before a test gives up on it


async def wait_for(
    pilot: Pilot[Any], predicate: Callable[[], bool], what: str = "the condition"
) -> None:
    """Let the app work until `predicate()` holds: each step waits for the running workers to
    finish, then for the messages they posted to be handled (no clock involved); fail loudly
    after STEPS steps."""
    for _ in range(STEPS):
        if predicate():
            return
        # a worker cancelled (the app quits) or failed (the app reports it) ends the wait too
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    if not predicate():
        raise AssertionError(f"still waiting for {what} after {STEPS} steps")


def row_cells(home: HomeScreen, audit_id: str) -> dict[str, str]:
    """The home table's row of `audit_id`, by column title (as shown at this width)."""
    table = home.query_one("#audits", DataTable)
    titles = [str(column.label) for column in table.ordered_columns]
    return dict(zip(titles, (str(cell) for cell in table.get_row(audit_id)), strict=True))


async def home_ready(pilot: Pilot[Any]) -> HomeScreen:
    """Wait until the store is open and the home screen lists the audits."""
    app = pilot.app

    def ready() -> bool:
        return isinstance(app.screen, HomeScreen) and app.screen.loaded

    await wait_for(pilot, ready, "the home screen's audits")
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, HomeScreen)
    return app.screen
