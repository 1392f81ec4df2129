"""French display, its one home: numbers with the decimal comma (« 82,5 »), percents
(« 82,5 % »), stars (« ★★★★☆ »), the names of months and weekdays, instants in a given zone
(« jeu. 19 nov. 23:59 », « mar. 24 nov. 2026 23:59:59 (heure de Paris) »), durations
(« 2 j 10 h », « 32,4 s », « 03:12 ») and the times auditors type (« 17/11/2026 12:07 »,
« 12:07 »). The zone is always given: Paris time has its home in domain/periods.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

# ---- numbers, percents, stars -----------------------------------------------------------------


def decimal_comma(text: str) -> str:
    """A number written by Python (« 82.5 », « 1e-05 », « 82.5 90.0 ») with the French decimal
    comma (« 82,5 »)."""
    return text.replace(".", ",")


def number_text(value: float, spec: str = ".1f") -> str:
    """« 82,5 »: `value` formatted by `spec` (one decimal by default; « » is Python's shortest
    form, « 0,1 », as the exports write it), with the decimal comma."""
    return decimal_comma(format(value, spec))


def thousands(count: int, thin: bool = True) -> str:
    """« 10 000 »: thousands apart, by a narrow no-break space (by a plain space where the text
    may be read without a French font: `thin=False`)."""
    return f"{count:,}".replace(",", "\u202f" if thin else " ")


def percent_text(value: float) -> str:
    """« 82,5 % »: one decimal, the decimal comma, a space before the sign."""
    return f"{number_text(value)} %"


STAR = "★"  # a star won; also the stars' column heading
NO_STAR = "☆"  # a star not won
MAX_STARS = 5  # the grid's top (« Lexus 5 étoiles »); the reports take theirs from the grid


def stars_text(count: int, top: int = MAX_STARS) -> str:
    """« ★★★★☆ » for 4 stars out of 5 (`count` held between 0 and `top`)."""
    count = max(0, min(count, top))
    return STAR * count + NO_STAR * (top - count)


# ---- names of days and months -----------------------------------------------------------------

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")  # Monday first
WEEKDAYS_SHORT = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
MONTHS_SHORT = (
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
)

# ---- zones and instants -----------------------------------------------------------------------

# The place a zone is named by when it is not its city (« America/Cayenne » is « Cayenne »).
_PLACES = {"Indian/Reunion": "La Réunion"}


def zone_label(zone: str) -> str:
    """« heure de Paris » for Europe/Paris, « heure de La Réunion » for Indian/Reunion: the
    zone's place, else its city (« Europe/Monaco »: Monaco); a zone without a city (« UTC »)
    by its own name."""
    area, _, city = zone.rpartition("/")
    place = _PLACES.get(zone) or (city.replace("_", " ") if area and city else zone)
    return f"heure de {place}"


def day_text(day: date) -> str:
    """« lun. 4 janv. » for a calendar day (a plan's)."""
    return f"{WEEKDAYS_SHORT[day.weekday()]} {day.day} {MONTHS_SHORT[day.month - 1]}"


def format_day(moment: datetime, zone: str) -> str:
    """« jeu. 19 nov. » in the given zone."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{WEEKDAYS_SHORT[local.weekday()]} {local.day} {MONTHS_SHORT[local.month - 1]}"


def format_short(moment: datetime, zone: str) -> str:
    """« jeu. 19 nov. 23:59 » in the given zone (the queue's view)."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{format_day(moment, zone)} {local:%H:%M}"


def format_dated(moment: datetime, zone: str) -> str:
    """« sam. 21 nov. 2026 14:05 » in the given zone (the home table's view)."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{format_day(moment, zone)} {local.year} {local:%H:%M}"


def format_minute(moment: datetime, zone: str) -> str:
    """« 2026-11-21 14:05 » in the given zone (the reports' tables: sorts as text)."""
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


def format_since(moment: datetime, now: datetime) -> str:
    """When something began, in `moment`'s own zone: « 14:05 » the same day as `now`, else
    « le 21/11/2026 à 14:05 »."""
    if moment.date() == now.astimezone(moment.tzinfo).date():
        return f"{moment:%H:%M}"
    return f"le {moment:%d/%m/%Y} à {moment:%H:%M}"


def format_clock(moment: datetime, zone: str) -> str:
    """« 14:05:09 » in the given zone."""
    return f"{moment.astimezone(ZoneInfo(zone)):%H:%M:%S}"


def format_long(moment: datetime, zone: str) -> str:
    """« mar. 24 nov. 2026 23:59:59 (heure de Paris) » (the follow-up screen's view)."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{format_day(moment, zone)} {local.year} {local:%H:%M:%S} ({zone_label(zone)})"


def format_duration(delta: timedelta) -> str:
    """A countdown: « 2 j 10 h » from a day up, « 1 h 12 » from an hour, « 12 min 05 s » below,
    « 45 s » below a minute."""
    total = max(int(delta.total_seconds()), 0)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} j {hours} h"
    if hours:
        return f"{hours} h {minutes:02d}"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


_LOCAL_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
)

_TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%Hh%M", "%Hh")


def format_input(moment: datetime, zone: str) -> str:
    """The editable form of an instant: « 17/11/2026 12:07:09 » in the dealer's zone."""
    return f"{moment.astimezone(ZoneInfo(zone)):%d/%m/%Y %H:%M:%S}"


def parse_local(text: str, zone: str, now: datetime) -> datetime:
    """A time typed by the auditor, in the dealer's zone: « 17/11/2026 12:07[:09] », « 12:07 »
    (today there), or ISO 8601 with an offset. Returned in UTC; ValueError in French."""
    raw = " ".join(text.replace("à", " ").split())
    if not raw:
        raise ValueError("heure vide : saisissez JJ/MM/AAAA HH:MM")
    tz = ZoneInfo(zone)
    if "T" in raw or raw.endswith("Z") or "+" in raw:
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=tz)
            return moment.astimezone(UTC)
    for fmt in _LOCAL_FORMATS:
        try:
            naive = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return naive.replace(tzinfo=tz).astimezone(UTC)
    today = now.astimezone(tz).date()
    for fmt in _TIME_FORMATS:
        try:
            clock_time = datetime.strptime(raw, fmt).time()
        except ValueError:
            continue
        return datetime.combine(today, clock_time, tzinfo=tz).astimezone(UTC)
    raise ValueError(
        f"heure illisible « {text.strip()} » : attendu JJ/MM/AAAA HH:MM[:SS] ou HH:MM "
        f"({zone_label(zone)})"
    )


def format_seconds(seconds: float) -> str:
    """« 32,4 s »: one decimal, French decimal comma."""
    return f"{number_text(seconds)} s"


def format_elapsed(seconds: float | None) -> str:
    """A running clock: « 03:12 », « 1:03:12 » past an hour, « — » when not started."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
