"""The grid's numbers (issue 13 point 4): the transfer's limit, the e-mail's delay and the
call-back's business days are read from the grid file's rules, checked when it is loaded, and
followed by whatever uses them: the deadlines an audit records, its grid found through its
store's lookup."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor_tui.domain.grid import (
    DEFAULT_GRID_ID,
    GridError,
    grids_in,
    load_grid,
    load_grid_file,
    parse_grid,
)
from auditor_tui.domain.labels import callback_days_text, email_delay_text, transfer_limit_text
from auditor_tui.domain.lifecycle import end_call
from auditor_tui.domain.record import Audit
from auditor_tui.store import Store
from tests.factories import dealer
from tests.grid_copies import shipped_raw, write_grid_copy

# Tuesday 12 May 2026, 10:07 in Paris: three business days later is Monday 18 May (Thursday 14
# is Ascension), two is Friday 15.
CALL_END = datetime(2026, 5, 12, 8, 7, tzinfo=UTC)


def test_the_shipped_grid_gives_45_s_2_h_and_2_business_days() -> None:
    grid = load_grid()
    assert grid.transfer_limit == 45.0
    assert grid.email_delay == timedelta(hours=2)
    assert grid.callback_business_days == 2
    assert (transfer_limit_text(grid), email_delay_text(grid), callback_days_text(grid)) == (
        "45 s",
        "2 h",
        "2 jours ouvrés",
    )


@pytest.mark.parametrize(
    ("limit", "hours", "days", "texts"),
    [
        (60, 3, 3, ("60 s", "3 h", "3 jours ouvrés")),
        (45.5, 1.5, 1, ("45,5 s", "1 h 30", "1 jour ouvré")),
        (30, 0.75, 5, ("30 s", "45 min", "5 jours ouvrés")),
    ],
)
def test_the_screens_name_the_grids_numbers(
    tmp_path: Path, limit: float, hours: float, days: int, texts: tuple[str, str, str]
) -> None:
    path = write_grid_copy(tmp_path, limit_seconds=limit, hours=hours, business_days=days)
    grid = load_grid_file(path)
    assert (transfer_limit_text(grid), email_delay_text(grid), callback_days_text(grid)) == texts


@pytest.mark.parametrize(
    ("rule", "key", "value", "said"),
    [
        ("transfer", "limit_seconds", "45", "attendu int/float, trouvé str ('45')"),
        ("transfer", "limit_seconds", 0, "trouvé 0"),
        ("email", "hours", -2, "trouvé -2"),
        ("email", "hours", True, "trouvé bool (True)"),
        ("email", "hours", 1e308, "trouvé 1e+308"),
        ("callback", "business_days", 2.5, "attendu int, trouvé float (2.5)"),
        ("callback", "business_days", None, "manquant"),
    ],
)
def test_a_bad_number_is_named_with_its_rule_and_field(
    rule: str, key: str, value: Any, said: str
) -> None:
    raw = shipped_raw()
    raw["rules"][rule][key] = value
    with pytest.raises(GridError) as err:
        parse_grid(raw, "grille.json")
    assert err.value.problems == [
        next(p for p in err.value.problems if p.startswith(f"règle {rule!r}, champ {key!r} : "))
    ]
    assert said in err.value.problems[0]
    assert "grille.json" in str(err.value)


def test_a_missing_rule_is_named() -> None:
    raw = shipped_raw()
    del raw["rules"]["email"]
    with pytest.raises(GridError) as err:
        parse_grid(raw, "grille.json")
    assert err.value.problems == ["règle 'email' : manquante"]


@settings(max_examples=60, deadline=None)
@given(
    limit=st.one_of(
        st.integers(1, 9_999), st.floats(0.1, 9_999, allow_nan=False, allow_infinity=False)
    ),
    hours=st.one_of(
        st.integers(1, 9_999), st.floats(0.01, 9_999, allow_nan=False, allow_infinity=False)
    ),
    days=st.integers(1, 9_999),
)
def test_accepted_numbers_are_read_back_as_written(
    tmp_path_factory: pytest.TempPathFactory, limit: float, hours: float, days: int
) -> None:
    """A number the grid file accepts is the number the code works with (through the file)."""
    path = write_grid_copy(
        tmp_path_factory.mktemp("grid"), limit_seconds=limit, hours=hours, business_days=days
    )
    grid = load_grid_file(path)
    assert grid.transfer_limit == limit
    assert grid.email_delay == timedelta(hours=hours)
    assert grid.callback_business_days == days
    written = json.loads(path.read_text(encoding="utf-8"))["rules"]
    assert grid.rule("transfer")["limit_seconds"] == written["transfer"]["limit_seconds"]


def test_a_grid_folder_is_looked_in_first(tmp_path: Path) -> None:
    write_grid_copy(tmp_path / "grids")
    lookup = grids_in(tmp_path / "grids")
    mine = lookup(DEFAULT_GRID_ID)
    assert mine.transfer_limit == 60.0 and mine.source == str(
        tmp_path / "grids" / "grid-lexus-5-etoiles-2026-appel.json"
    )
    assert lookup(DEFAULT_GRID_ID) is mine  # read once
    assert grids_in(tmp_path / "elsewhere")(DEFAULT_GRID_ID) is load_grid(DEFAULT_GRID_ID)
    with pytest.raises(GridError, match="aucune grille 'lexus-2031'"):
        lookup("lexus-2031")


def test_an_audit_keeps_the_grid_it_was_made_with_and_its_deadlines(tmp_path: Path) -> None:
    """Made with the copy (3 h, 3 business days), its deadlines are the copy's, with the
    calendar recorded; read back through a store given the same lookup, it still is."""
    lookup = grids_in(tmp_path / "grids")
    write_grid_copy(tmp_path / "grids")
    audit = Audit.new(dealer(), lookup(DEFAULT_GRID_ID), CALL_END - timedelta(minutes=9))
    audit.answers["1"] = [1]
    end_call(audit, CALL_END)
    assert audit.deadlines == {
        "email": "2026-05-12T11:07:00+00:00",  # 13:07 in Paris
        "callback": "2026-05-18T21:59:59+00:00",  # Monday 18 May, 23:59:59 in Paris
    }
    assert audit.calendar is not None and audit.calendar["country"] == "FR"
    assert audit.calendar["subdiv"] is None and audit.calendar["timezone"] == "Europe/Paris"
    with Store.open(tmp_path / "store", grids=lookup) as store:
        store.create(audit)
        again = store.get(audit.id)
        assert again.grid is lookup(DEFAULT_GRID_ID) is store.grid()
        assert again.deadlines == audit.deadlines
    with Store.open(tmp_path / "store") as store:  # the shipped grids: 2 h, 2 business days
        shipped = store.get(audit.id)
        assert shipped.grid is load_grid(DEFAULT_GRID_ID) is store.grid()
        end_call(shipped, CALL_END)
        assert shipped.deadlines == {
            "email": "2026-05-12T10:07:00+00:00",
            "callback": "2026-05-15T21:59:59+00:00",
        }


def test_the_shipped_grid_rules_are_unchanged_by_a_copy(tmp_path: Path) -> None:
    raw = shipped_raw()
    before = copy.deepcopy(raw)
    write_grid_copy(tmp_path)
    assert shipped_raw() == before
