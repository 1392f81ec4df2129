"""Instants as French auditors read and type them, in a given zone: « jeu. 19 nov. 23:59 »,
« mar. 24 nov. 2026 23:59:59 (heure de Paris) », countdowns « 2 j 10 h », and the times they
type (« 17/11/2026 12:07 », « 12:07 »).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Europe/Paris"

_WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")

_MONTHS = (
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

_ZONE_LABELS = {
    "Europe/Paris": "Paris",
    "Europe/Monaco": "Monaco",
    "America/Guadeloupe": "Guadeloupe",
    "America/Martinique": "Martinique",
    "America/Cayenne": "Cayenne",
    "Indian/Reunion": "La Réunion",
    "Indian/Mayotte": "Mayotte",
}


def zone_label(zone: str) -> str:
    """« heure de Paris » for Europe/Paris; the zone's own name when unknown."""
    return f"heure de {_ZONE_LABELS.get(zone, zone)}"


def format_day(moment: datetime, zone: str) -> str:
    """« jeu. 19 nov. » in the given zone."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}"


def format_short(moment: datetime, zone: str) -> str:
    """« jeu. 19 nov. 23:59 » in the given zone (the queue's view)."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{format_day(moment, zone)} {local:%H:%M}"


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
    return f"{seconds:.1f}".replace(".", ",") + " s"
