"""The app shell and the home screen, driven by keys over a real store in tmp_path."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from textual.widgets import Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.record import format_instant
from auditor_tui.session.resume import audits_in_progress
from auditor_tui.store import Store, atomic, storage
from auditor_tui.store.errors import StoreWriteError
from auditor_tui.store.index import Summary
from auditor_tui.text.french import stars_text
from auditor_tui.ui.app import EXIT_STORE_UNAVAILABLE, AuditorApp, make_app
from auditor_tui.ui.screens.help import HelpScreen, keys_of
from auditor_tui.ui.screens.home import MAX_ROWS, AuditTable, HomeScreen
from auditor_tui.ui.screens.home_rows import (
    AuditRow,
    count_text,
    filter_rows,
    format_moment,
    narrows,
)
from auditor_tui.ui.screens.resume import ResumeScreen
from tests.ui.conftest import (
    NOW,
    best_answers,
    build_audit,
    fixed_id,
    home_ready,
    sample_audits,
    sample_dealers,
    seed_store,
    wait_for,
)
from tests.ui.screen_text import screen_lines, screen_text

NEWEST_FIRST = [fixed_id(4), fixed_id(3), fixed_id(2), fixed_id(1)]


def cell_texts(screen: HomeScreen, column: int) -> list[str]:
    table = screen.query_one("#audits")
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]  # type: ignore[attr-defined]


# ---- formatting (pure) ---------------------------------------------------------------------


def test_moment_in_paris_in_french() -> None:
    assert format_moment("2026-11-21T13:05:00+00:00") == "sam. 21 nov. 2026 14:05"
    assert format_moment("2026-07-14T08:00:00+00:00") == "mar. 14 juil. 2026 10:00"  # summer time


def test_stars_and_counts() -> None:
    assert stars_text(4) == "★★★★☆"
    assert stars_text(0) == "☆☆☆☆☆"
    assert count_text(1) == "1 audit"
    assert count_text(10000) == "10\u202f000 audits"


def test_filter_matches_dealer_city_and_status_without_accents() -> None:
    rows = [AuditRow.of(Summary.of(a)) for a in sample_audits()]
    assert [r.dealer for r in filter_rows(rows, "lil")] == ["Lexus Lille"]
    assert {r.dealer for r in filter_rows(rows, "TERMINE")} == {"Lexus Dijon", "Lexus Nice"}
    assert [r.dealer for r in filter_rows(rows, "versailles brouillon")] == ["Lexus Versailles"]
    assert filter_rows(rows, "dijon brouillon") == []
    assert len(filter_rows(rows, "  ")) == 4
    dijon = next(r for r in rows if r.dealer == "Lexus Dijon")
    assert (dijon.score, dijon.percent, dijon.stars) == ("30/30", "100,0 %", "★★★★★")
    versailles = next(r for r in rows if r.dealer == "Lexus Versailles")
    assert (versailles.percent, versailles.stars) == ("—", "—")  # a draft's score is running


def test_a_filter_narrows_another_when_each_of_its_terms_extends_one() -> None:
    assert narrows("lyon", "lyo") and narrows("Lyon Nord", "nord ly")
    assert narrows("nîmes termine", "nime") and narrows("x", "")
    assert not narrows("ly", "lyo") and not narrows("", "a") and not narrows("lyon", "nice")
    rows = [AuditRow.of(Summary.of(a)) for a in sample_audits()]
    for query, previous in [("termin", "ter"), ("lille suivi", "lil")]:
        assert narrows(query, previous)
        assert filter_rows(filter_rows(rows, previous), query) == filter_rows(rows, query)


# ---- the home screen ----------------------------------------------------------------------


async def test_home_is_painted_before_the_store_is_open(db: Path, clock: FakeClock) -> None:
    release = threading.Event()
    open_store = Store.open

    def slow_open(root: Path | None = None, **kwargs: Any) -> Store:
        release.wait(10)
        return open_store(root, **kwargs)

    app = make_app(db, clock)
    with mock.patch.object(Store, "open", slow_open):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            home = app.screen
            assert isinstance(home, HomeScreen) and not home.loaded
            empty = home.query_one("#audits-empty", Static)
            assert str(empty.render()) == "Ouverture du dossier de données…"
            release.set()
            assert await home_ready(pilot) is home
            assert home.shown_ids == NEWEST_FIRST


async def test_the_newest_audits_show_while_the_others_are_checked(
    db: Path, clock: FakeClock
) -> None:
    shown, release = threading.Event(), threading.Event()
    open_store = Store.open

    def paused_open(root: Path | None = None, **kwargs: Any) -> Store:
        show = kwargs.pop("first")

        def first(summaries: list[Summary]) -> None:
            show(summaries)  # waits for the rows to be painted
            shown.set()
            release.wait(10)  # the others are checked once the test has looked

        return open_store(root, first=first, first_count=2)

    app = make_app(db, clock)
    with mock.patch.object(Store, "open", paused_open):
        async with app.run_test(size=(80, 24)) as pilot:
            home = app.screen
            assert isinstance(home, HomeScreen)
            # The opening worker waits in `first`: wait for that event, not for the worker.
            assert await asyncio.to_thread(shown.wait, 10), "the newest audits never came"
            await pilot.pause()
            assert home.shown_ids == NEWEST_FIRST[:2] and not home.loaded
            count = home.query_one("#audits-count", Static)
            assert str(count.render()) == "Chargement des autres audits…"
            release.set()
            assert await home_ready(pilot) is home
            assert home.shown_ids == NEWEST_FIRST
            assert "4 audits" in str(count.render())


async def test_home_lists_audits_newest_first(db: Path, clock: FakeClock) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        assert home.shown_ids == NEWEST_FIRST
        assert cell_texts(home, 0) == [
            "Lexus Versailles",
            "Lexus Nice",
            "Lexus Lille",
            "Lexus Dijon",
        ]
        assert cell_texts(home, 2) == ["brouillon", "terminé", "suivi en attente", "terminé"]
        assert cell_texts(home, 3)[-1] == "30/30"
        assert "4 audits" in str(home.query_one("#audits-count", Static).render())


async def test_wide_terminal_shows_city_and_percent(db: Path, clock: FakeClock) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(160, 50)) as pilot:
        home = await home_ready(pilot)
        assert cell_texts(home, 1)[0] == "Versailles"
        assert cell_texts(home, 5)[-1] == "100,0 %"
        assert cell_texts(home, 6)[-1] == "★★★★★"


@pytest.mark.parametrize("size", [(80, 24), (120, 35)])
async def test_the_longest_date_and_every_star_are_shown_whole(
    tmp_path: Path, clock: FakeClock, size: tuple[int, int]
) -> None:
    """« mer. 30 sept. 2026 23:59 » (24 wide) in full, and all five stars where the narrow
    set's last column or the wide set's is."""
    audit = build_audit(
        9, "Lexus Dijon", status="complete", answers=best_answers(True), transferred=True
    )
    audit.call.started_at = "2026-09-30T21:59:00+00:00"  # 23:59 in Paris, summer time
    db = seed_store(tmp_path / "store", [audit])
    app = make_app(db, clock)
    async with app.run_test(size=size) as pilot:
        await home_ready(pilot)
        rows = [line for line in screen_lines(app) if "Lexus Dijon" in line]
        assert "mer. 30 sept. 2026 23:59" in rows[0]
        assert "★★★★★" in rows[0]
        assert ("Étoiles" if size[0] >= 120 else "★") in screen_text(app)


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_the_table_scrolls_to_its_last_row_and_ends_there(
    tmp_path: Path, clock: FakeClock, size: tuple[int, int]
) -> None:
    """AuditTable sizes itself without DataTable's measuring of each cell: the list must still
    scroll to its last row, end with it (no blank rows after), and fit sideways."""
    audits = [build_audit(n, when=NOW - timedelta(hours=n)) for n in range(1, 81)]
    app = make_app(seed_store(tmp_path / "s", audits), clock)
    async with app.run_test(size=size) as pilot:
        home = await home_ready(pilot)
        table = home.query_one("#audits", AuditTable)
        oldest = format_moment(format_instant(NOW - timedelta(hours=80)))
        newest = format_moment(format_instant(NOW - timedelta(hours=1)))

        def line_at(y: int) -> str:
            return screen_lines(app)[y]

        assert newest in line_at(table.region.y + 1)  # the header, then the newest
        await pilot.press("end")
        await pilot.pause()
        assert oldest in line_at(table.region.bottom - 1)  # the last row, at the bottom
        assert newest not in screen_text(app)
        assert table.max_scroll_x == 0  # every column in sight
        table.scroll_end(animate=False)  # as far as it goes: still the last row at the bottom
        await pilot.pause()
        assert oldest in line_at(table.region.bottom - 1)
        await pilot.press("home")
        await pilot.pause()
        assert newest in line_at(table.region.y + 1)


async def test_typing_filters_and_escape_clears(db: Path, clock: FakeClock) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        await pilot.press("slash", "l", "i", "l")
        assert cell_texts(home, 0) == ["Lexus Lille"]
        assert "1 sur 4 audits" in str(home.query_one("#audits-count", Static).render())
        await pilot.press("backspace", "backspace", "backspace", *"termin")
        assert cell_texts(home, 0) == ["Lexus Nice", "Lexus Dijon"]
        await pilot.press(*"zzz")
        assert home.shown_ids == []
        assert home.query_one("#audits-empty", Static).display
        await pilot.press("escape")
        assert home.shown_ids == NEWEST_FIRST
        assert app.focused is home.query_one("#audits")


async def test_empty_store_opens_with_a_hint(empty_db: Path, clock: FakeClock) -> None:
    app = make_app(empty_db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        assert home.shown_ids == []
        assert "nouvel audit" in str(home.query_one("#audits-empty", Static).render())


@pytest.mark.slow
async def test_ten_thousand_audits(tmp_path: Path, clock: FakeClock) -> None:
    names = [d.name for d in sample_dealers()]
    audits = [
        build_audit(i, names[i % len(names)], when=NOW - timedelta(hours=i)) for i in range(10000)
    ]
    # Test data needs no durability: skip fsync and the temp-file sweep of each file opened.
    with (
        mock.patch.object(atomic, "_fsync", lambda fd: None),
        mock.patch.object(storage, "remove_stale_temp_files", lambda path: []),
    ):
        db = seed_store(tmp_path / "big", audits)
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        assert home.shown_ids == [a.id for a in audits[:MAX_ROWS]]  # newest first
        assert home.query_one("#audits", AuditTable).row_count == MAX_ROWS  # not a screenful
        assert "10\u202f000 audits" in str(home.query_one("#audits-count", Static).render())
        await pilot.press("slash", *"nice")
        nice = [a.id for a in audits if a.dealer.name == "Lexus Nice"]
        assert home.shown_ids == nice[:MAX_ROWS] and len(nice) < MAX_ROWS


async def test_more_audits_come_as_the_cursor_nears_the_last_one(
    tmp_path: Path, clock: FakeClock
) -> None:
    names = [d.name for d in sample_dealers()]
    count = 2 * MAX_ROWS + 100
    audits = [
        build_audit(i, names[i % len(names)], when=NOW - timedelta(hours=i)) for i in range(count)
    ]
    with mock.patch.object(atomic, "_fsync", lambda fd: None):  # test data: no durability
        db = seed_store(tmp_path / "many", audits)
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        table = home.query_one("#audits", AuditTable)
        counter = home.query_one("#audits-count", Static)
        assert home.shown_ids == [a.id for a in audits[:MAX_ROWS]]
        assert "250 plus récents affichés, la suite en descendant" in str(counter.render())
        await pilot.press("end")  # the last row shown: the next ones come
        await pilot.pause()
        assert table.row_count == 2 * MAX_ROWS and table.cursor_row == MAX_ROWS - 1
        assert home.shown_ids == [a.id for a in audits[: 2 * MAX_ROWS]]
        await pilot.press("end")
        await pilot.pause()
        assert home.shown_ids == [a.id for a in audits]  # newest first, every one
        assert "la suite" not in str(counter.render())
        await pilot.press("end", "enter")  # the oldest opens like any other
        await wait_for(pilot, lambda: app.screen is not home, "the oldest audit")
        assert app.screen.audit_id == audits[-1].id  # type: ignore[attr-defined]


async def test_open_routes_by_status(db: Path, clock: FakeClock) -> None:
    from auditor_tui.ui.screens.follow_up import FollowUpScreen
    from auditor_tui.ui.screens.live_call import LiveCallScreen

    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("enter")  # the newest: a draft → the live call
        await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the live call")
        assert app.screen.audit_id == fixed_id(4)  # type: ignore[attr-defined]
        await pilot.press("escape")
        home = await home_ready(pilot)
        await pilot.press("down", "down", "o")  # Lille: awaiting follow-up
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the follow-up")
        assert app.screen.audit_id == fixed_id(2)  # type: ignore[attr-defined]
        del home


async def test_reports_key(db: Path, clock: FakeClock) -> None:
    from auditor_tui.ui.screens.report import ReportScreen

    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen), "the reports")


# ---- help, command palette ----------------------------------------------------------------


async def test_help_lists_the_keys_of_the_screen_it_was_opened_from(
    db: Path, clock: FakeClock
) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        expected = {k.description: k.keys for k in keys_of(home)}
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        listed = {k.description: k.keys for k in app.screen.keys}
        assert listed == expected
        assert listed["Nouvel audit"] == "n"
        assert listed["Ouvrir"] == "Entrée / o"
        assert listed["Filtrer"] == "/"
        assert listed["Rapports"] == "F2"
        assert listed["Aide"] == "F1 / ?"
        assert listed["Quitter"] == "ctrl+q"
        assert listed["Commandes"] == "ctrl+p"
        assert "Cursor up" not in listed  # Textual's own widget keys are left out
        table = app.screen.query_one("#help-keys")
        assert table.row_count == len(listed)  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert app.screen is home
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert app.screen is home


async def test_command_palette_offers_the_main_actions(db: Path, clock: FakeClock) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        titles = [c.title for c in app.get_system_commands(home)]
        assert titles == [
            "Nouvel audit",
            "Reprendre l'audit en cours",
            "Rapports",
            "Avance automatique (activer / désactiver)",
            "Aide",
            "Changer de thème",
            "Quitter",
        ]
        await pilot.press("ctrl+p")
        await pilot.press(*"nouvel", "enter")
        from auditor_tui.ui.screens.new_audit import NewAuditScreen

        await wait_for(pilot, lambda: isinstance(app.screen, NewAuditScreen), "the new audit")


# ---- opening the store --------------------------------------------------------------------


async def test_locked_store_quits_with_a_french_message(db: Path, clock: FakeClock) -> None:
    with Store.open(db):  # another session holds the folder
        app = make_app(db, clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: app.fatal_message is not None, "the refusal")
    assert app.return_code == EXIT_STORE_UNAVAILABLE
    assert app.fatal_message is not None and "déjà ouvert" in app.fatal_message


async def test_a_store_that_cannot_be_written_quits_pointing_to_read_only_commands(
    db: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def read_only_disk(root: Path | None = None, **kwargs: Any) -> Store:
        error = OSError(errno.EROFS, "Read-only file system")
        raise StoreWriteError(db / "store.lock", error, action="de verrouiller le dossier")

    monkeypatch.setattr(Store, "open", read_only_disk)
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.fatal_message is not None, "the refusal")
    assert app.return_code == EXIT_STORE_UNAVAILABLE
    assert app.fatal_message is not None
    assert "lecture seule" in app.fatal_message and "--read-only report" in app.fatal_message


async def test_an_empty_directory_is_left_empty(tmp_path: Path, clock: FakeClock) -> None:
    """No fictional dealer in a real store: the sample comes only when asked for
    (tests/ui/test_sample_dealers.py)."""
    db = seed_store(tmp_path / "store", dealers=False)
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        assert app.dealer_count == 0
    with Store.open(db) as store:
        assert store.dealers() == []


async def test_exit_closes_the_store(db: Path, clock: FakeClock) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await home_ready(pilot)
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    with Store.open(db) as store:  # the lock was released
        assert len(store) == 4
    assert (db / "index.json").exists()


# ---- resume after a closed terminal -------------------------------------------------------


def mid_call(db: Path, audit_id: str) -> None:
    """What the live call leaves in the store after a dial attempt, before the app dies."""
    with Store.open(db) as store:
        audit = store.get(audit_id)
        audit.call.attempts.append(format_instant(NOW))
        store.save(audit, kind="attempt", moment=NOW)


def test_in_progress_means_a_started_call_not_ended(db: Path) -> None:
    with Store.open(db) as store:
        assert audits_in_progress(store) == []  # Versailles is a draft, but never dialled
    mid_call(db, fixed_id(4))
    with Store.open(db) as store:
        assert [s.id for s in audits_in_progress(store)] == [fixed_id(4)]


def resume_asked(app: AuditorApp) -> bool:
    """The resume question is on screen (pushed, and composed)."""
    return isinstance(app.screen, ResumeScreen) and bool(app.screen.query("#resume-question"))


async def test_resume_offered_after_an_app_closed_mid_call(db: Path, clock: FakeClock) -> None:
    from auditor_tui.ui.screens.live_call import LiveCallScreen

    mid_call(db, fixed_id(4))
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: resume_asked(app), "the resume question")
        assert "Lexus Versailles" in str(app.screen.query_one("#resume-question").render())
        await pilot.press("escape")  # plus tard
        await home_ready(pilot)
        await pilot.press("ctrl+q")

    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: resume_asked(app), "the resume question")
        await pilot.press("enter")  # reprendre
        await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the live call")
        assert app.screen.audit_id == fixed_id(4)  # type: ignore[attr-defined]


async def test_resume_command_opens_the_call_left_in_progress(db: Path, clock: FakeClock) -> None:
    from auditor_tui.ui.screens.live_call import LiveCallScreen

    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        home = await home_ready(pilot)
        app.action_resume()  # « Reprendre l'audit en cours » in the palette; none in progress
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is home
    mid_call(db, fixed_id(4))
    app = make_app(db, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: resume_asked(app), "the resume question")
        await pilot.press("escape")
        await home_ready(pilot)
        app.action_resume()
        await wait_for(pilot, lambda: isinstance(app.screen, LiveCallScreen), "the live call")
        await pilot.pause()
        assert app.screen.audit_id == fixed_id(4)  # type: ignore[attr-defined]
