"""A dealer's opening hours per weekday and its closing days, as the directory writes them
(« 09:00-12:00 14:00-19:00 », « fermé », « 2027-08-02..2027-08-20 24/12/2027 »), and the
one-hour windows a mystery call can be planned in. Pure: no storage, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# A dealer's week (Monday first) when the directory says nothing: a French showroom's usual hours.
DEFAULT_HOURS = (
    "09:00-12:00 14:00-18:00",
    "09:00-12:00 14:00-18:00",
    "09:00-12:00 14:00-18:00",
    "09:00-12:00 14:00-18:00",
    "09:00-12:00 14:00-18:00",
    "09:00-12:00",
    "fermé",
)
CLOSED_WORDS = frozenset({"fermé", "ferme", "closed", "-"})
WINDOW_MINUTES = 60

_RANGE = re.compile(r"([01]?[0-9]|2[0-3])[:hH]([0-5][0-9])?-([01]?[0-9]|2[0-4])[:hH]([0-5][0-9])?")
_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})|([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")

Minutes = tuple[int, int]  # [start, end) in minutes after midnight


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_hours(text: str) -> tuple[Minutes, ...]:
    """One weekday's hours: ranges « 09:00-12:00 14:00-19:00 » (also « 9h-12h », separated by
    spaces, commas or « / »), in order, not overlapping; « fermé » (or « - ») for a day off.
    ValueError in French otherwise."""
    cleaned = text.strip()
    if cleaned.lower() in CLOSED_WORDS:
        return ()
    if not cleaned:
        raise ValueError("horaires vides (« fermé » pour un jour de fermeture)")
    ranges: list[Minutes] = []
    for part in re.split(r"[\s,;/]+(?=[0-9])", re.sub(r"\s*-\s*", "-", cleaned)):
        match = _RANGE.fullmatch(part)
        if match is None:
            raise ValueError(f"plage horaire illisible « {part} » (ex. 09:00-12:00 14:00-19:00)")
        start = int(match[1]) * 60 + int(match[2] or 0)
        end = int(match[3]) * 60 + int(match[4] or 0)
        if end > 24 * 60 or end <= start:
            raise ValueError(f"plage horaire « {part} » : la fin doit suivre le début")
        if ranges and start < ranges[-1][1]:
            raise ValueError(f"plage horaire « {part} » : chevauche ou précède la précédente")
        ranges.append((start, end))
    return tuple(ranges)


def hours_text(ranges: tuple[Minutes, ...]) -> str:
    """The one spelling of a weekday's hours: « 09:00-12:00 14:00-19:00 », « fermé »."""
    return " ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in ranges) or "fermé"


def _day(match: re.Match[str]) -> date:
    if match[1]:
        return date(int(match[1]), int(match[2]), int(match[3]))
    return date(int(match[6]), int(match[5]), int(match[4]))


def parse_closed(text: str) -> tuple[tuple[date, date], ...]:
    """Closing days: dates (« 2027-12-24 » or « 24/12/2027 ») and ranges « A..B », separated
    by spaces, commas or semicolons. ValueError in French otherwise."""
    out: list[tuple[date, date]] = []
    for part in re.split(r"[\s,;]+", text.strip()):
        if not part:
            continue
        ends = part.split("..")
        if len(ends) > 2:
            raise ValueError(f"fermeture illisible « {part} » (attendu 2027-08-02..2027-08-20)")
        days: list[date] = []
        for end in ends:
            match = _DAY.fullmatch(end)
            try:
                if match is None:
                    raise ValueError
                days.append(_day(match))
            except ValueError:
                raise ValueError(
                    f"date de fermeture illisible « {end} » (attendu 2027-12-24 ou 24/12/2027)"
                ) from None
        first, last = days[0], days[-1]
        if last < first:
            raise ValueError(f"fermeture « {part} » : la fin précède le début")
        out.append((first, last))
    return tuple(out)


def closed_text(closed: tuple[tuple[date, date], ...]) -> str:
    """The one spelling of closing days: « 2027-08-02..2027-08-20 2027-12-24 »."""
    return " ".join(str(a) if a == b else f"{a}..{b}" for a, b in closed)


@dataclass(frozen=True)
class Opening:
    """When a dealer answers the phone: its hours per weekday (Monday first) and its closing
    days."""

    week: tuple[tuple[Minutes, ...], ...]
    closed: tuple[tuple[date, date], ...] = ()

    @classmethod
    def of(cls, hours: tuple[str, ...] | None, closed: str | None) -> Opening:
        """From the directory's spellings (already checked); None: the default week."""
        week = hours if hours is not None else DEFAULT_HOURS
        return cls(tuple(parse_hours(h) for h in week), parse_closed(closed or ""))

    def is_closed_on(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.closed)

    def windows(self, day: date) -> tuple[Minutes, ...]:
        """The one-hour windows of `day` (none on a closing day): from each range's start, as
        many whole hours as fit."""
        if self.is_closed_on(day):
            return ()
        return self.weekday_windows(day.weekday())

    def weekday_windows(self, weekday: int) -> tuple[Minutes, ...]:
        """The one-hour windows of a weekday (Monday 0), closing days aside."""
        out: list[Minutes] = []
        for start, end in self.week[weekday]:
            while start + WINDOW_MINUTES <= end:
                out.append((start, start + WINDOW_MINUTES))
                start += WINDOW_MINUTES
        return tuple(out)
