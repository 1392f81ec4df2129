"""Instants at the door: RFC 3339 only, and the store's one spelling of them (DOMAIN.md §3):
UTC, `+00:00`, to the second (« 2026-11-17T09:30:00+00:00 »).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TypeVar, cast

T = TypeVar("T")

# RFC 3339 §5.6 `date-time`: ASCII digits only, `T` and `Z` in either case, an optional
# fraction after a dot, an offset in hours and minutes (ISO 8601's other forms are refused:
# week and ordinal dates, the basic format, a comma fraction, seconds in the offset).
_RFC_3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:([0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-]([0-9]{2}):([0-9]{2}))"
)
# The stored spelling, taken as it is (most instants are already in it).
_STORED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\+00:00")


def is_stored(text: str) -> bool:
    """Whether `text` is an instant in the stored spelling (`format_instant`'s)."""
    return _STORED.fullmatch(text) is not None


def format_instant(moment: datetime) -> str:
    """Stored form of an instant: ISO 8601 in UTC with offset, to the second."""
    if moment.tzinfo is None:
        raise ValueError("instant sans fuseau horaire")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_instant(text: str) -> datetime:
    """An instant as stored (ISO 8601 with an explicit offset); ValueError otherwise. Input
    from outside is checked with the stricter `parse_rfc3339`."""
    if not isinstance(text, str):
        raise ValueError(f"texte ISO 8601 attendu, trouvé {type(text).__name__}")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"instant sans décalage horaire : {text!r}")
    return moment


def parse_rfc3339(text: object) -> datetime:
    """An RFC 3339 date-time; ValueError (in French) for anything else. A fraction of a second
    is dropped: the store keeps instants to the second."""
    if not isinstance(text, str):
        raise ValueError(f"texte RFC 3339 attendu, trouvé {type(text).__name__}")
    match = _RFC_3339.fullmatch(text)
    if match is None:
        raise ValueError("forme attendue AAAA-MM-JJTHH:MM:SS+HH:MM ou …Z (RFC 3339)")
    second, off_h, off_m = match.groups()
    if off_h is not None and (int(off_h) > 23 or int(off_m) > 59):
        raise ValueError(f"décalage horaire hors limites {off_h}:{off_m}")
    if second == "60":
        raise ValueError("seconde intercalaire (60) non prise en charge")
    # The form is checked: what is left (a day or an hour out of range) fromisoformat says.
    return datetime.fromisoformat(text.upper()).replace(microsecond=0)


def normalise_instant(text: str) -> str:
    """The stored spelling of an RFC 3339 instant; ValueError (OverflowError at the edges of
    time) otherwise."""
    if _STORED.fullmatch(text):
        return text
    return format_instant(parse_rfc3339(text))


def stored_spelling(value: T) -> T:
    """The stored spelling of an instant read from a store or a record, whatever an earlier
    version let in (`Z`, another offset, a week date: anything `datetime.fromisoformat` reads
    with an offset); any other value is returned as it is, for the checks to name."""
    if not isinstance(value, str) or _STORED.fullmatch(value):
        return value
    try:
        return cast(T, format_instant(parse_rfc3339(value)))
    except (ValueError, OverflowError):
        pass
    try:
        moment = datetime.fromisoformat(value)
        return value if moment.tzinfo is None else cast(T, format_instant(moment))
    except (ValueError, OverflowError):
        return value
