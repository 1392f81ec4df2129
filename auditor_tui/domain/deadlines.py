"""Follow-up deadlines: the e-mail (Q16, 2 h in the 2026 grid) and the call-back (Q17, 2 business
days). The delays are the grid's (`Grid.email_delay`, `Grid.callback_business_days`), given
as arguments.

Pure functions of their inputs (no clock); holidays come from the `holidays` package,
imported lazily so it stays off the application's start-up path.

Conventions:

* Every instant taken or returned is timezone-aware; naive datetimes raise `DeadlineError`.
  Returned deadlines are in UTC.
* Deadlines are compared at whole-second resolution (`is_within`): the audit record stores
  instants to the second, so anything inside the deadline's own second is in time — a
  call-back at 23:59:59.400 local meets a 23:59:59 deadline, one at 00:00:00 does not.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from auditor_tui.domain.periods import PARIS_ZONE

__all__ = [
    "Calendar",
    "DeadlineError",
    "business_days_between",
    "calendar_for",
    "callback_deadline",
    "deadlines_for",
    "email_deadline",
    "is_business_day",
    "is_within",
]

_END_OF_DAY = time(23, 59, 59)

_COUNTRY_TIMEZONES: dict[str, str] = {"FR": PARIS_ZONE, "MC": "Europe/Monaco"}
_COUNTRY_LABELS: dict[str, str] = {"FR": "France", "MC": "Monaco"}

# Departments whose public holidays differ from metropolitan France, mapped to the
# `holidays` subdivision code and, for overseas departments, their own time zone
# (their « jour ouvré » and « 23:59:59 » are local). 67/68 use "6AE": the deprecated
# alias "GES" only warns and drops the Alsace-Moselle days.
_DEPARTMENT_SUBDIVS: dict[str, tuple[str, str]] = {
    "57": ("57", PARIS_ZONE),
    "67": ("6AE", PARIS_ZONE),
    "68": ("6AE", PARIS_ZONE),
    "971": ("971", "America/Guadeloupe"),
    "972": ("972", "America/Martinique"),
    "973": ("973", "America/Cayenne"),
    "974": ("974", "Indian/Reunion"),
    "976": ("976", "Indian/Mayotte"),
}
_SUBDIV_LABELS: dict[str, str] = {
    "57": "Alsace-Moselle (57)",
    "6AE": "Alsace-Moselle (67/68)",
    "971": "Guadeloupe (971)",
    "972": "Martinique (972)",
    "973": "Guyane (973)",
    "974": "La Réunion (974)",
    "976": "Mayotte (976)",
}
_REJECTED_SUBDIVS = frozenset({"GES"})


class DeadlineError(ValueError):
    """Invalid input to a deadline computation (unknown country, naive datetime, …)."""


@dataclass(frozen=True)
class Calendar:
    """The business-day calendar of a dealer's place, as recorded on the audit.

    Recording `holidays_version` lets a later library update be detected instead of
    silently moving a past deadline.
    """

    country: str
    subdiv: str | None
    holidays_version: str
    timezone: str

    def __post_init__(self) -> None:
        _country_timezone(self.country)
        if self.subdiv in _REJECTED_SUBDIVS:
            raise DeadlineError(
                f"Subdivision {self.subdiv!r} obsolète : elle ignore les jours fériés "
                "d'Alsace-Moselle ; utiliser « 57 » ou « 6AE »."
            )
        if self.country == "MC" and self.subdiv is not None:
            raise DeadlineError(f"Monaco n'a pas de subdivision (reçu {self.subdiv!r}).")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise DeadlineError(f"Fuseau horaire inconnu : {self.timezone!r}.") from exc

    @property
    def zone(self) -> ZoneInfo:
        """The dealer's time zone, in which days start and end."""
        return ZoneInfo(self.timezone)

    @property
    def label(self) -> str:
        """French name of the calendar, for display."""
        country = _COUNTRY_LABELS[self.country]
        if self.subdiv is None:
            return country
        return f"{country} — {_SUBDIV_LABELS.get(self.subdiv, self.subdiv)}"

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> Calendar:
        """Rebuild a recorded calendar; raise `DeadlineError` naming a bad field."""
        return cls(
            country=_text(d, "country"),
            subdiv=_optional_text(d, "subdiv"),
            holidays_version=_text(d, "holidays_version"),
            timezone=_text(d, "timezone"),
        )


def _optional_text(d: Mapping[str, object], key: str) -> str | None:
    """A recorded calendar's field that must be present: a non-empty text or null."""
    if key not in d:
        raise DeadlineError(f"Calendrier : champ « {key} » manquant.")
    value = d[key]
    if value is None or (isinstance(value, str) and value):
        return value
    raise DeadlineError(f"Calendrier : « {key} » doit être un texte non vide (reçu {value!r}).")


def _text(d: Mapping[str, object], key: str) -> str:
    value = _optional_text(d, key)
    if value is None:
        raise DeadlineError(f"Calendrier : « {key} » ne peut pas être null.")
    return value


def calendar_for(country: str, department: str | None) -> Calendar:
    """The calendar of a dealer in `country` ("FR" or "MC") and French `department`.

    Monaco ignores the department. French departments without their own holidays
    (including "2A", "2B") use the metropolitan calendar.
    """
    code = country.strip().upper()
    zone = _country_timezone(code)
    subdiv: str | None = None
    if code == "FR" and department is not None:
        subdiv, zone = _DEPARTMENT_SUBDIVS.get(department.strip().upper(), (None, zone))
    return Calendar(
        country=code, subdiv=subdiv, holidays_version=_holidays_version(), timezone=zone
    )


def _country_timezone(country: str) -> str:
    try:
        return _COUNTRY_TIMEZONES[country]
    except KeyError:
        raise DeadlineError(
            f"Pays inconnu : {country!r} (attendu : {', '.join(_COUNTRY_TIMEZONES)})."
        ) from None


def _holidays_version() -> str:
    from holidays.version import __version__

    return __version__


@functools.lru_cache(maxsize=256)
def _holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    import holidays

    try:
        calendar = holidays.country_holidays(country, subdiv=subdiv, years=year)
    except NotImplementedError as exc:
        raise DeadlineError(
            f"Calendrier de jours fériés indisponible : {country} / {subdiv} ({exc})."
        ) from exc
    return frozenset(calendar.keys())


def is_business_day(day: date, calendar: Calendar) -> bool:
    """Monday–Friday and not a public holiday of the calendar's place."""
    if isinstance(day, datetime):
        raise DeadlineError("is_business_day attend une date, pas un datetime.")
    return day.weekday() < 5 and day not in _holiday_dates(
        calendar.country, calendar.subdiv, day.year
    )


def business_days_between(start: date, end: date, calendar: Calendar) -> int:
    """Number of business days in the half-open interval (start, end]; 0 if end <= start."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_business_day(day, calendar)
        day += timedelta(days=1)
    return count


def _nth_business_day_after(day: date, n: int, calendar: Calendar) -> date:
    while n > 0:
        day += timedelta(days=1)
        n -= is_business_day(day, calendar)
    return day


def _require_aware(instant: datetime, name: str) -> None:
    if not isinstance(instant, datetime):
        raise DeadlineError(f"{name} : datetime attendu (reçu {type(instant).__name__}).")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DeadlineError(
            f"{name} : instant sans fuseau horaire ({instant.isoformat()}) ; "
            "un datetime avec fuseau (UTC de préférence) est requis."
        )


def email_deadline(call_ended_at: datetime, delay: timedelta) -> datetime:
    """Q16: end of call + `delay` of absolute time (not wall-clock time), in UTC."""
    _require_aware(call_ended_at, "Fin d'appel")
    # Arithmetic in UTC: adding to a zoned datetime would add wall-clock hours.
    return call_ended_at.astimezone(UTC) + delay


def callback_deadline(call_ended_at: datetime, calendar: Calendar, business_days: int) -> datetime:
    """Q17: 23:59:59 local of the `business_days`-th business day after the call's local day,
    in UTC."""
    _require_aware(call_ended_at, "Fin d'appel")
    if business_days < 1:
        raise DeadlineError(f"Nombre de jours ouvrés invalide : {business_days!r}.")
    zone = calendar.zone
    call_day = call_ended_at.astimezone(zone).date()
    due_day = _nth_business_day_after(call_day, business_days, calendar)
    return datetime.combine(due_day, _END_OF_DAY, tzinfo=zone).astimezone(UTC)


def is_within(received_at: datetime, deadline: datetime) -> bool:
    """Whether `received_at` meets `deadline`, compared at whole-second resolution."""
    _require_aware(received_at, "Réception")
    _require_aware(deadline, "Échéance")
    return _to_second(received_at) <= _to_second(deadline)


def _to_second(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(microsecond=0)


def _iso_utc(instant: datetime) -> str:
    return _to_second(instant).isoformat()


def deadlines_for(
    call_ended_at: datetime, calendar: Calendar, email_delay: timedelta, business_days: int
) -> dict[str, str]:
    """The audit record's `deadlines`: ISO 8601 UTC instants to the second, from the grid's
    delays (`Grid.email_delay`, `Grid.callback_business_days`)."""
    return {
        "email": _iso_utc(email_deadline(call_ended_at, email_delay)),
        "callback": _iso_utc(callback_deadline(call_ended_at, calendar, business_days)),
    }
