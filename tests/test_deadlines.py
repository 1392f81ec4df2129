"""Tests for auditor_tui.domain.deadlines: Q16 e-mail and Q17 call-back deadlines (DOMAIN §3)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from holidays import list_supported_countries
from holidays.version import __version__ as HOLIDAYS_VERSION
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor_tui.domain.deadlines import (
    Calendar,
    DeadlineError,
    business_days_between,
    calendar_for,
    callback_deadline,
    deadlines_for,
    email_deadline,
    is_business_day,
    is_within,
)

# The 2026 grid's delays (its `rules`: email.hours, callback.business_days; tests/test_grid.py).
TWO_HOURS = timedelta(hours=2)
TWO_DAYS = 2

PARIS = ZoneInfo("Europe/Paris")
MONACO = ZoneInfo("Europe/Monaco")

FRANCE = calendar_for("FR", "21")
MOSELLE = calendar_for("FR", "57")
BAS_RHIN = calendar_for("FR", "67")
HAUT_RHIN = calendar_for("FR", "68")
MONACO_CAL = calendar_for("MC", None)
ALSACE_MOSELLE = [MOSELLE, BAS_RHIN, HAUT_RHIN]


def paris(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def utc(text: str) -> datetime:
    instant = datetime.fromisoformat(text)
    assert instant.tzinfo is not None
    return instant


def callback_utc(call: datetime, calendar: Calendar = FRANCE) -> str:
    return callback_deadline(call, calendar, TWO_DAYS).isoformat()


# --- calendar_for -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "department", "subdiv", "zone"),
    [
        ("FR", "21", None, "Europe/Paris"),
        ("FR", None, None, "Europe/Paris"),
        ("FR", "57", "57", "Europe/Paris"),
        ("FR", "67", "6AE", "Europe/Paris"),
        ("FR", "68", "6AE", "Europe/Paris"),
        ("FR", " 57 ", "57", "Europe/Paris"),
        ("FR", "2A", None, "Europe/Paris"),
        ("FR", "2b", None, "Europe/Paris"),
        ("FR", "75", None, "Europe/Paris"),
        ("FR", "971", "971", "America/Guadeloupe"),
        ("FR", "974", "974", "Indian/Reunion"),
        ("fr", "67", "6AE", "Europe/Paris"),
        ("MC", None, None, "Europe/Monaco"),
        ("MC", "06", None, "Europe/Monaco"),
    ],
)
def test_calendar_for_maps_departments_to_holidays_subdivisions(
    country: str, department: str | None, subdiv: str | None, zone: str
) -> None:
    calendar = calendar_for(country, department)
    assert calendar.subdiv == subdiv
    assert calendar.timezone == zone
    assert calendar.holidays_version == HOLIDAYS_VERSION


def test_overseas_subdivisions_are_known_to_holidays() -> None:
    for department in ("971", "972", "973", "974", "976"):
        assert calendar_for("FR", department).subdiv in list_supported_countries()["FR"]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("department", ["67", "68"])
def test_alsace_uses_6ae_not_the_deprecated_ges_alias(department: str) -> None:
    calendar = calendar_for("FR", department)
    assert calendar.subdiv == "6AE"
    # "GES" would warn (an error here) and drop Good Friday.
    assert not is_business_day(date(2026, 4, 3), calendar)


def test_ges_subdivision_is_refused() -> None:
    with pytest.raises(DeadlineError, match="GES"):
        Calendar(country="FR", subdiv="GES", holidays_version="0.1", timezone="Europe/Paris")


@pytest.mark.parametrize("country", ["BE", "", "France"])
def test_unknown_country_is_an_error(country: str) -> None:
    with pytest.raises(DeadlineError, match="Pays inconnu"):
        calendar_for(country, None)


def test_invalid_calendar_fields_are_errors() -> None:
    with pytest.raises(DeadlineError, match="Pays inconnu"):
        Calendar(country="DE", subdiv=None, holidays_version="0.1", timezone="Europe/Berlin")
    with pytest.raises(DeadlineError, match="Fuseau"):
        Calendar(country="FR", subdiv=None, holidays_version="0.1", timezone="Mars/Olympus")
    with pytest.raises(DeadlineError, match="Monaco"):
        Calendar(country="MC", subdiv="57", holidays_version="0.1", timezone="Europe/Monaco")


def test_unknown_subdivision_is_reported_when_used() -> None:
    calendar = Calendar(country="FR", subdiv="99", holidays_version="0.1", timezone="Europe/Paris")
    with pytest.raises(DeadlineError, match="99"):
        is_business_day(date(2026, 6, 9), calendar)


def test_labels_are_french() -> None:
    assert FRANCE.label == "France"
    assert MOSELLE.label == "France — Alsace-Moselle (57)"
    assert BAS_RHIN.label == "France — Alsace-Moselle (67/68)"
    assert calendar_for("FR", "974").label == "France — La Réunion (974)"
    assert MONACO_CAL.label == "Monaco"


# --- Calendar record ----------------------------------------------------------------------


@pytest.mark.parametrize("calendar", [FRANCE, MOSELLE, BAS_RHIN, MONACO_CAL])
def test_calendar_dict_round_trip(calendar: Calendar) -> None:
    recorded = calendar.to_dict()
    assert set(recorded) == {"country", "subdiv", "holidays_version", "timezone"}
    assert Calendar.from_dict(recorded) == calendar


def test_recorded_calendar_keeps_its_version() -> None:
    recorded = {
        "country": "FR",
        "subdiv": "6AE",
        "holidays_version": "0.60",
        "timezone": "Europe/Paris",
    }
    assert Calendar.from_dict(recorded).to_dict() == recorded


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"country": None}, "country"),
        ({"timezone": 3}, "timezone"),
        ({"holidays_version": ""}, "holidays_version"),
        ({"subdiv": 57}, "subdiv"),
    ],
)
def test_calendar_from_dict_names_the_bad_field(change: dict[str, object], message: str) -> None:
    recorded: dict[str, object] = {**MOSELLE.to_dict(), **change}
    with pytest.raises(DeadlineError, match=message):
        Calendar.from_dict(recorded)


def test_calendar_from_dict_missing_field() -> None:
    recorded = MOSELLE.to_dict()
    del recorded["subdiv"]
    with pytest.raises(DeadlineError, match="subdiv"):
        Calendar.from_dict(recorded)


# --- business days ------------------------------------------------------------------------


def test_business_days() -> None:
    assert is_business_day(date(2026, 6, 9), FRANCE)  # Tuesday
    assert not is_business_day(date(2026, 6, 13), FRANCE)  # Saturday
    assert not is_business_day(date(2026, 6, 14), FRANCE)  # Sunday
    assert not is_business_day(date(2026, 5, 14), FRANCE)  # Ascension


def test_is_business_day_refuses_a_datetime() -> None:
    with pytest.raises(DeadlineError):
        is_business_day(datetime(2026, 6, 9, tzinfo=UTC), FRANCE)


@pytest.mark.parametrize("calendar", ALSACE_MOSELLE)
def test_alsace_moselle_days(calendar: Calendar) -> None:
    assert not is_business_day(date(2026, 4, 3), calendar)  # Vendredi saint
    assert not is_business_day(date(2025, 12, 26), calendar)  # Saint-Étienne


def test_alsace_moselle_days_are_working_days_elsewhere() -> None:
    for calendar in (FRANCE, MONACO_CAL, calendar_for("FR", "2A")):
        assert is_business_day(date(2026, 4, 3), calendar)
        assert is_business_day(date(2025, 12, 26), calendar)


def test_monaco_days() -> None:
    for day in (date(2026, 1, 27), date(2026, 11, 19), date(2026, 12, 8)):
        assert not is_business_day(day, MONACO_CAL)
        assert is_business_day(day, FRANCE)
    # Monaco has no 8 May or 14 July holiday.
    assert is_business_day(date(2026, 5, 8), MONACO_CAL)
    assert is_business_day(date(2026, 7, 14), MONACO_CAL)


def test_business_days_between_is_half_open() -> None:
    assert business_days_between(date(2026, 6, 12), date(2026, 6, 16), FRANCE) == 2
    assert business_days_between(date(2026, 6, 9), date(2026, 6, 9), FRANCE) == 0
    assert business_days_between(date(2026, 6, 10), date(2026, 6, 9), FRANCE) == 0
    assert business_days_between(date(2026, 5, 13), date(2026, 5, 18), FRANCE) == 2


# --- call-back deadline (Q17) -------------------------------------------------------------


def test_weekday_call() -> None:
    deadline = callback_deadline(paris(2026, 6, 9, 10), FRANCE, TWO_DAYS)  # Tuesday
    assert deadline == datetime(2026, 6, 11, 23, 59, 59, tzinfo=PARIS)  # Thursday
    assert deadline.tzinfo is UTC
    assert deadline.isoformat() == "2026-06-11T21:59:59+00:00"


@pytest.mark.parametrize(
    "call",
    [
        paris(2026, 6, 12, 17),  # Friday
        paris(2026, 6, 13, 10),  # Saturday: Monday and Tuesday are the two days
        paris(2026, 6, 14, 10),  # Sunday
        paris(2026, 6, 12, 0, 0),  # first minute of Friday
    ],
)
def test_end_of_week_calls_are_due_on_tuesday(call: datetime) -> None:
    assert callback_utc(call) == "2026-06-16T21:59:59+00:00"


def test_call_the_evening_before_ascension() -> None:
    # Wed 13 May 2026, 18:30: Thursday 14 is Ascension -> Friday 15 and Monday 18.
    assert callback_utc(paris(2026, 5, 13, 18, 30)) == "2026-05-18T21:59:59+00:00"


@pytest.mark.parametrize("calendar", ALSACE_MOSELLE)
def test_good_friday_in_alsace_moselle(calendar: Calendar) -> None:
    # Thu 2 Apr 2026: Fri 3 Vendredi saint and Mon 6 Easter Monday are off.
    assert callback_utc(paris(2026, 4, 2), calendar) == "2026-04-08T21:59:59+00:00"


def test_good_friday_elsewhere_in_france() -> None:
    assert callback_utc(paris(2026, 4, 2), FRANCE) == "2026-04-07T21:59:59+00:00"


def test_saint_etienne_in_alsace_moselle() -> None:
    call = paris(2025, 12, 24, 16)  # Wednesday; 25 and 26 Dec are off in Alsace-Moselle
    assert callback_utc(call, BAS_RHIN) == "2025-12-30T22:59:59+00:00"
    assert callback_utc(call, MOSELLE) == "2025-12-30T22:59:59+00:00"
    assert callback_utc(call, FRANCE) == "2025-12-29T22:59:59+00:00"


def test_christmas_eve_2026_in_alsace() -> None:
    # Thu 24 Dec 2026: Fri 25 off, Sat 26 (Saint-Étienne) is a weekend day anyway.
    assert callback_utc(paris(2026, 12, 24), HAUT_RHIN) == "2026-12-29T22:59:59+00:00"


def test_year_boundary() -> None:
    # Thu 31 Dec 2026: Fri 1 Jan 2027 is off -> Monday 4 and Tuesday 5 January.
    assert callback_utc(paris(2026, 12, 31, 17)) == "2027-01-05T22:59:59+00:00"
    # Wed 30 Dec 2026: Thursday 31, (1 Jan off), Monday 4.
    assert callback_utc(paris(2026, 12, 30, 17)) == "2027-01-04T22:59:59+00:00"


def test_monaco_call_before_fete_du_prince() -> None:
    call = datetime(2026, 11, 18, 15, tzinfo=MONACO)  # Wednesday; Thu 19 is Fête du Prince
    deadline = callback_deadline(call, MONACO_CAL, TWO_DAYS)
    assert deadline == datetime(2026, 11, 23, 23, 59, 59, tzinfo=MONACO)  # Monday
    assert deadline.isoformat() == "2026-11-23T22:59:59+00:00"
    assert callback_utc(paris(2026, 11, 18, 15), FRANCE) == "2026-11-20T22:59:59+00:00"


def test_monaco_sainte_devote_and_immaculate_conception() -> None:
    # Mon 26 Jan 2026: Tue 27 is Sainte-Dévote.
    assert callback_utc(paris(2026, 1, 26), MONACO_CAL) == "2026-01-29T22:59:59+00:00"
    assert callback_utc(paris(2026, 1, 26), FRANCE) == "2026-01-28T22:59:59+00:00"
    # Mon 7 Dec 2026: Tue 8 is the Immaculée Conception.
    assert callback_utc(paris(2026, 12, 7), MONACO_CAL) == "2026-12-10T22:59:59+00:00"
    assert callback_utc(paris(2026, 12, 7), FRANCE) == "2026-12-09T22:59:59+00:00"


def test_deadline_after_spring_dst_change() -> None:
    # Fri 27 Mar 2026 (UTC+1); clocks go forward on Sunday 29 March; due Tue 31 (UTC+2).
    deadline = callback_deadline(paris(2026, 3, 27, 11), FRANCE, TWO_DAYS)
    local = deadline.astimezone(PARIS)
    assert local.timetz() == time(23, 59, 59, tzinfo=PARIS)
    assert local.utcoffset() == timedelta(hours=2)
    assert deadline.isoformat() == "2026-03-31T21:59:59+00:00"


def test_deadline_after_autumn_dst_change() -> None:
    # Fri 23 Oct 2026 (UTC+2); clocks go back on Sunday 25 October; due Tue 27 (UTC+1).
    deadline = callback_deadline(paris(2026, 10, 23, 11), FRANCE, TWO_DAYS)
    assert deadline.astimezone(PARIS).utcoffset() == timedelta(hours=1)
    assert deadline.isoformat() == "2026-10-27T22:59:59+00:00"
    # Thu 22 Oct: due Monday 26, also after the change.
    assert callback_utc(paris(2026, 10, 22, 11)) == "2026-10-26T22:59:59+00:00"


def test_call_day_is_the_local_day_not_the_utc_day() -> None:
    # 2026-06-30T22:30Z is Wednesday 1 July 00:30 in Paris: due Friday 3 July.
    call = utc("2026-06-30T22:30:00+00:00")
    assert callback_utc(call) == "2026-07-03T21:59:59+00:00"
    # 23:30 Paris on Tuesday 30 June is still Tuesday: due Thursday 2 July.
    assert callback_utc(paris(2026, 6, 30, 23, 30)) == "2026-07-02T21:59:59+00:00"


def test_call_instant_offset_does_not_matter() -> None:
    same_instant = [
        utc("2026-06-30T22:30:00+00:00"),
        datetime(2026, 7, 1, 0, 30, tzinfo=PARIS),
        datetime(2026, 6, 30, 18, 30, tzinfo=timezone(timedelta(hours=-4))),
    ]
    assert {callback_utc(call) for call in same_instant} == {"2026-07-03T21:59:59+00:00"}


def test_callback_exactly_on_deadline_and_one_second_late() -> None:
    deadline = callback_deadline(paris(2026, 6, 9, 10), FRANCE, TWO_DAYS)
    assert is_within(datetime(2026, 6, 11, 23, 59, 59, tzinfo=PARIS), deadline)
    assert is_within(datetime(2026, 6, 11, 23, 59, 59, 400_000, tzinfo=PARIS), deadline)
    assert is_within(datetime(2026, 6, 11, 23, 59, 59, 999_999, tzinfo=PARIS), deadline)
    assert not is_within(datetime(2026, 6, 12, 0, 0, 0, tzinfo=PARIS), deadline)
    assert not is_within(deadline + timedelta(seconds=1), deadline)


def test_callback_deadline_counts_the_grids_business_days() -> None:
    """Another grid's number of days: Tuesday 12 May 2026, three business days are Wednesday
    13, Friday 15 (Thursday 14 is Ascension) and Monday 18 May; one is Wednesday 13."""
    call = paris(2026, 5, 12, 10, 7)
    assert callback_deadline(call, FRANCE, 3).astimezone(PARIS) == datetime(
        2026, 5, 18, 23, 59, 59, tzinfo=PARIS
    )
    assert callback_deadline(call, FRANCE, 1).isoformat() == "2026-05-13T21:59:59+00:00"
    with pytest.raises(DeadlineError, match="jours ouvrés"):
        callback_deadline(call, FRANCE, 0)


# --- e-mail deadline (Q16) ----------------------------------------------------------------


def test_email_deadline_is_two_hours_in_utc() -> None:
    deadline = email_deadline(paris(2026, 6, 9, 10, 15), TWO_HOURS)
    assert deadline.tzinfo is UTC
    assert deadline.isoformat() == "2026-06-09T10:15:00+00:00"


def test_email_exactly_on_time_and_one_second_late() -> None:
    end = utc("2026-06-09T08:15:00+00:00")
    deadline = email_deadline(end, TWO_HOURS)
    assert is_within(end + timedelta(hours=2), deadline)
    assert is_within(datetime(2026, 6, 9, 12, 15, tzinfo=PARIS), deadline)
    assert not is_within(end + timedelta(hours=2, seconds=1), deadline)


def test_email_deadline_across_spring_dst_change() -> None:
    # 01:30 Paris (UTC+1) on 29 Mar 2026; two real hours later it is 04:30 (UTC+2).
    end = datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)
    deadline = email_deadline(end, TWO_HOURS)
    assert deadline.isoformat() == "2026-03-29T02:30:00+00:00"
    assert deadline.astimezone(PARIS).time() == time(4, 30)
    assert deadline - end == timedelta(hours=2)
    assert not is_within(datetime(2026, 3, 29, 4, 31, tzinfo=PARIS), deadline)


def test_email_deadline_across_autumn_dst_change() -> None:
    # 01:30 Paris (UTC+2) on 25 Oct 2026; two real hours later it is 02:30 (UTC+1).
    end = datetime(2026, 10, 25, 1, 30, tzinfo=PARIS)
    deadline = email_deadline(end, TWO_HOURS)
    assert deadline.isoformat() == "2026-10-25T01:30:00+00:00"
    assert deadline.astimezone(PARIS).replace(tzinfo=None) == datetime(2026, 10, 25, 2, 30)
    assert deadline.astimezone(PARIS).utcoffset() == timedelta(hours=1)


def test_email_deadline_takes_the_grids_delay() -> None:
    end = utc("2026-05-12T08:07:00+00:00")
    assert email_deadline(end, timedelta(hours=3)).isoformat() == "2026-05-12T11:07:00+00:00"
    assert email_deadline(end, timedelta(minutes=90)).isoformat() == "2026-05-12T09:37:00+00:00"


def test_email_deadline_from_utc_on_dst_night() -> None:
    end = utc("2026-03-29T01:30:00+00:00")  # 03:30 CEST, just after the switch
    assert email_deadline(end, TWO_HOURS).isoformat() == "2026-03-29T03:30:00+00:00"


# --- record format and errors -------------------------------------------------------------


def test_deadlines_for_record() -> None:
    call = datetime(2026, 6, 9, 10, 15, 42, 987_654, tzinfo=PARIS)
    assert deadlines_for(call, FRANCE, TWO_HOURS, TWO_DAYS) == {
        "email": "2026-06-09T10:15:42+00:00",
        "callback": "2026-06-11T21:59:59+00:00",
    }


def test_deadlines_for_record_with_other_delays() -> None:
    call = datetime(2026, 5, 12, 10, 7, 30, tzinfo=PARIS)
    assert deadlines_for(call, FRANCE, timedelta(hours=3), 3) == {
        "email": "2026-05-12T11:07:30+00:00",
        "callback": "2026-05-18T21:59:59+00:00",
    }


def test_deadlines_for_is_utc_to_the_second() -> None:
    pattern = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")
    call = datetime(2026, 11, 18, 23, 59, 59, 999_999, tzinfo=MONACO)
    for value in deadlines_for(call, MONACO_CAL, TWO_HOURS, TWO_DAYS).values():
        assert pattern.fullmatch(value)
        assert datetime.fromisoformat(value).utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 6, 9, 10, 0)
    aware = naive.replace(tzinfo=UTC)
    with pytest.raises(DeadlineError, match="fuseau"):
        email_deadline(naive, TWO_HOURS)
    with pytest.raises(DeadlineError, match="fuseau"):
        callback_deadline(naive, FRANCE, TWO_DAYS)
    with pytest.raises(DeadlineError, match="fuseau"):
        deadlines_for(naive, FRANCE, TWO_HOURS, TWO_DAYS)
    with pytest.raises(DeadlineError, match="fuseau"):
        is_within(naive, aware)
    with pytest.raises(DeadlineError, match="fuseau"):
        is_within(aware, naive)


def test_deadline_error_is_a_value_error() -> None:
    assert issubclass(DeadlineError, ValueError)


def test_holidays_and_textual_stay_off_the_import_path() -> None:
    code = (
        "import sys, auditor_tui.domain.deadlines;"
        "assert 'holidays' not in sys.modules, 'holidays';"
        "assert 'textual' not in sys.modules, 'textual'"
    )
    repo_root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code], check=True, cwd=repo_root)


# --- properties ---------------------------------------------------------------------------

CALENDARS = [
    FRANCE,
    MOSELLE,
    BAS_RHIN,
    HAUT_RHIN,
    MONACO_CAL,
    calendar_for("FR", "2A"),
    calendar_for("FR", "972"),
    calendar_for("FR", "974"),
]
ZONES = [UTC, PARIS, MONACO, ZoneInfo("America/Guadeloupe"), timezone(timedelta(hours=14))]


@settings(max_examples=300, deadline=None)
@given(
    call=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2028, 12, 31, 23, 59, 59),
        timezones=st.sampled_from(ZONES),
    ),
    calendar=st.sampled_from(CALENDARS),
)
def test_callback_deadline_properties(call: datetime, calendar: Calendar) -> None:
    deadline = callback_deadline(call, calendar, TWO_DAYS)
    local = deadline.astimezone(calendar.zone)
    call_day = call.astimezone(calendar.zone).date()

    assert deadline.utcoffset() == timedelta(0)
    assert local.time() == time(23, 59, 59)
    assert deadline > call
    assert is_business_day(local.date(), calendar)
    assert business_days_between(call_day, local.date(), calendar) == 2
    assert business_days_between(call_day, local.date() - timedelta(days=1), calendar) == 1
    assert local.date() - call_day <= timedelta(days=10)


@given(
    call=st.datetimes(
        min_value=datetime(2025, 1, 1),
        max_value=datetime(2028, 12, 31, 23, 59, 59),
        timezones=st.sampled_from(ZONES),
    )
)
def test_email_deadline_property(call: datetime) -> None:
    deadline = email_deadline(call, TWO_HOURS)
    assert deadline - call == timedelta(hours=2)
    assert is_within(call.astimezone(UTC) + timedelta(hours=2), deadline)
    assert not is_within(deadline + timedelta(seconds=1), deadline)
