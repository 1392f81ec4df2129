"""text/french.py, the home of French display: numbers, percents, stars, names, instants and
durations as the auditors read them (expected values written out by hand)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor_tui.domain.periods import PARIS, PARIS_ZONE
from auditor_tui.text.french import (
    MONTHS,
    MONTHS_SHORT,
    WEEKDAYS,
    WEEKDAYS_SHORT,
    format_dated,
    format_elapsed,
    format_minute,
    format_seconds,
    format_short,
    format_since,
    number_text,
    percent_text,
    stars_text,
    thousands,
    zone_label,
)


def test_numbers_take_the_decimal_comma() -> None:
    assert number_text(82.5) == "82,5"
    assert number_text(82.46) == "82,5"
    assert number_text(3) == "3,0"
    assert number_text(0.1, "") == "0,1"  # the exports' shortest form
    assert number_text(1e-05, "") == "1e-05"
    assert number_text(1.5, ".3g") == "1,5"
    assert percent_text(90) == "90,0 %"
    assert percent_text(-12.25) == "-12,2 %"  # rounded half to even, as Python formats
    assert format_seconds(32.4) == "32,4 s"


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_an_exported_number_reads_back_as_written(value: float) -> None:
    """A CSV cell (« 82,5 ») read back by a spreadsheet in France is the same number."""
    text = number_text(value, "")
    assert "." not in text
    assert float(text.replace(",", ".")) == value
    assert math.copysign(1, float(text.replace(",", "."))) == math.copysign(1, value)


def test_thousands_apart() -> None:
    assert thousands(10000) == "10\u202f000"
    assert thousands(999) == "999"
    assert thousands(1_000_000, thin=False) == "1 000 000"


def test_stars_out_of_five_or_the_grids_top() -> None:
    assert stars_text(4) == "★★★★☆"
    assert stars_text(0) == "☆☆☆☆☆"
    assert stars_text(7) == "★★★★★"  # never more than the top
    assert stars_text(-1) == "☆☆☆☆☆"
    assert stars_text(2, top=3) == "★★☆"


def test_names_of_months_and_weekdays() -> None:
    assert MONTHS[0] == "janvier" and MONTHS[7] == "août" and MONTHS[11] == "décembre"
    assert MONTHS_SHORT[1] == "févr." and MONTHS_SHORT[6] == "juil."
    assert WEEKDAYS[0] == "lundi" and WEEKDAYS[6] == "dimanche"
    assert WEEKDAYS_SHORT[3] == "jeu."
    assert len(MONTHS) == len(MONTHS_SHORT) == 12 and len(WEEKDAYS) == len(WEEKDAYS_SHORT) == 7


def test_instants_in_paris() -> None:
    assert PARIS_ZONE == "Europe/Paris" and str(PARIS) == "Europe/Paris"
    winter = datetime(2026, 11, 19, 22, 59, tzinfo=UTC)
    summer = datetime(2026, 7, 14, 8, 0, tzinfo=UTC)
    assert format_short(winter, PARIS_ZONE) == "jeu. 19 nov. 23:59"
    assert format_dated(summer, PARIS_ZONE) == "mar. 14 juil. 2026 10:00"
    assert format_minute(winter, PARIS_ZONE) == "2026-11-19 23:59"
    assert format_dated(winter, "America/Martinique") == "jeu. 19 nov. 2026 18:59"


def test_zone_labels_name_the_place() -> None:
    assert zone_label(PARIS_ZONE) == "heure de Paris"
    assert zone_label("Europe/Monaco") == "heure de Monaco"
    assert zone_label("Indian/Reunion") == "heure de La Réunion"
    assert zone_label("America/Port_of_Spain") == "heure de Port of Spain"
    assert zone_label("UTC") == "heure de UTC"


def test_since_the_same_day_or_another() -> None:
    zone = timezone(timedelta(hours=1))
    began = datetime(2026, 11, 21, 14, 5, tzinfo=zone)
    assert format_since(began, datetime(2026, 11, 21, 23, 0, tzinfo=zone)) == "14:05"
    assert format_since(began, datetime(2026, 11, 22, 0, 1, tzinfo=zone)) == "le 21/11/2026 à 14:05"
    # `now` in another zone is taken in the moment's: 22:30 UTC is 23:30 that same day there.
    assert format_since(began, datetime(2026, 11, 21, 22, 30, tzinfo=UTC)) == "14:05"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "—"), (0, "00:00"), (59.9, "00:59"), (192, "03:12"), (3792, "1:03:12")],
)
def test_a_running_clock(seconds: float | None, shown: str) -> None:
    assert format_elapsed(seconds) == shown
