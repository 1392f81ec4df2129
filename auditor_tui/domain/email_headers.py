"""The arrival instant of a dealer's e-mail, for Q16, read from what the auditor pastes: the raw
headers (RFC 5322 `Date:`) or the header block a mail client shows at the top of a forwarded or
copied message (Outlook, Gmail, Thunderbird, Apple Mail; in French or English).
"""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.parser import HeaderParser
from email.utils import parsedate_to_datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from auditor_tui.domain.labels import fold
from auditor_tui.domain.periods import PARIS_ZONE
from auditor_tui.text.french import MONTHS, MONTHS_SHORT, WEEKDAYS, WEEKDAYS_SHORT, zone_label

__all__ = ["EmailHeaderError", "looks_like_headers", "parse_email_date", "pasted_lines"]

# Zone names some mail software still writes instead of an offset (RFC 5322 §4.3 obsolete
# zones are understood by `email.utils`; these European ones are not).
_NAMED_ZONES = {
    "CET": timedelta(hours=1),
    "MET": timedelta(hours=1),
    "CEST": timedelta(hours=2),
    "MEST": timedelta(hours=2),
    "WET": timedelta(0),
    "WEST": timedelta(hours=1),
    "UTC": timedelta(0),
}
_UNKNOWN_ZONE_UTC = re.compile(r"(?:^|\s)-0000(?:\s|$)")  # RFC 5322: UTC, local zone unknown
_ZONE_NAME = re.compile(r"\s([A-Z]{3,4})\s*(?:\(.*\))?\s*$")

# A date as RFC 5322 writes it (« Tue, 17 Nov 2026 12:07:09 +0100 (CET) », obsolete forms
# included): read by `email.utils`. Anything else is a mail client's display, read below
# (`email.utils` would skip the « PM » of « Saturday, November 21, 2026 2:05 PM »).
_RFC_DATE = re.compile(
    r"(?:[A-Za-z]{3},?\s*)?\d{1,2}[\s-][A-Za-z]{3}[\s-]\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"(?:\s+(?!(?:AM|PM)\b)[^\s(]+)?(?:\s*\(.*\))?",
    re.IGNORECASE,
)

# ---- the names mail clients write, in French and English -----------------------------------

# French: the names the app writes (text/french.py), without their dot and without accents too
# (« fevr », « aout »), and « fév »; then English's names and abbreviations.
_ENGLISH_MONTHS = (
    ("january", "jan"),
    ("february", "feb"),
    ("march", "mar"),
    ("april", "apr"),
    ("may",),
    ("june", "jun"),
    ("july", "jul"),
    ("august", "aug"),
    ("september", "sep"),
    ("october", "oct"),
    ("november", "nov"),
    ("december", "dec"),
)
_ENGLISH_WEEKDAYS = (  # Monday first, as `date.weekday()`
    ("monday", "mon"),
    ("tuesday", "tues", "tue"),
    ("wednesday", "wed"),
    ("thursday", "thurs", "thur", "thu"),
    ("friday", "fri"),
    ("saturday", "sat"),
    ("sunday", "sun"),
)
_MORE_FRENCH = {"févr.": ("fév",)}


def _spellings(*names: str) -> list[str]:
    """Each name as a mail client may write it: without its dot, and without accents."""
    found = []
    for name in names:
        for spelling in (name.rstrip("."), *_MORE_FRENCH.get(name, ())):
            found += [spelling, fold(spelling)]
    return found


_MONTHS = {
    name: number
    for number, (long, short, english) in enumerate(
        zip(MONTHS, MONTHS_SHORT, _ENGLISH_MONTHS, strict=True), 1
    )
    for name in (*_spellings(long, short), *english)
}
_WEEKDAYS = {
    name: number
    for number, (long, short, english) in enumerate(
        zip(WEEKDAYS, WEEKDAYS_SHORT, _ENGLISH_WEEKDAYS, strict=True)
    )
    for name in (*_spellings(long, short), *english)
}


def _any_of(names: dict[str, int]) -> str:
    return "|".join(sorted(names, key=len, reverse=True))


# ---- the shapes of a client's date line ----------------------------------------------------

# « Envoyé : … », « Date : … » (French: a space before the colon), « Date: … », « Sent: … »,
# possibly quoted (« > ») in a reply.
_LABELLED_LINE = re.compile(
    r"^[ \t>]*(?P<label>envoyé|envoye|sent|date)(?P<gap>[ \t]*):[ \t]*(?P<value>\S.*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
# « Le sam. 21 nov. 2026 à 14:05, Lexus Dijon <…> a écrit : » and « On … wrote: », which Gmail
# wraps onto a second line when the sender is long.
_WROTE_LINE = re.compile(
    r"^[ \t>]*(?P<opening>le|on)[ \t]+(?P<value>[^\n]+?(?:\n[ \t>]*[^\n]+?)??)"
    r"(?:[ \t]*\n[ \t>]*|[ \t]+)(?:a[ \t]+écrit|wrote)[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
# « samedi », « sam. », « Saturday, », « Sat, » — but not the « Mar » of « Mar 3, 2026 ».
_WEEKDAY = re.compile(
    rf"(?P<weekday>{_any_of(_WEEKDAYS)})\.?,?\s+(?!\d{{1,2}},?\s+\d{{4}})", re.IGNORECASE
)
_NAMED_DATES = (
    # « 21 novembre 2026 », « 1er nov. 2026 », « 21 November 2026 »
    re.compile(
        rf"(?P<day>\d{{1,2}})(?:er)?\s+(?P<month>{_any_of(_MONTHS)})\.?,?\s+(?P<year>\d{{4}})",
        re.IGNORECASE,
    ),
    # « November 21, 2026 », « Nov 21 2026 »
    re.compile(
        rf"(?P<month>{_any_of(_MONTHS)})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})",
        re.IGNORECASE,
    ),
)
_NUMERIC_DATE = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")
# « 14:05 », « à 14:05:07 », « at 2:05 PM », « 14h05 », then the rest of the line.
_CLOCK = re.compile(
    r",?\s+(?:(?:à|at),?\s+)?(?P<hour>\d{1,2})[:h](?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?!\d)(?:\s*(?P<half>[ap])\.?m\.?(?!\w))?(?P<rest>.*)",
    re.IGNORECASE,
)
# « UTC+1 », « GMT+01:00 », « (UTC+01:00) », « UTC », « +0100 »
_WRITTEN_ZONE = re.compile(
    r"\(?(?:(?P<prefix>UTC|GMT)\s*)?"
    r"(?:(?P<sign>[+\-−])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?\)?",
    re.IGNORECASE,
)

_RETYPE = "Saisissez l'heure de réception à la main."
_CHECK = "Vérifiez le texte collé ou saisissez l'heure de réception à la main."


class EmailHeaderError(ValueError):
    """Pasted text without a usable date; the message is for the auditor, in French."""


class _Found(NamedTuple):
    """One line of a client's block that may carry the date."""

    position: int
    shown: str  # as pasted, for messages
    value: str
    day_first: bool  # a French label: « 03/11/2026 » is 3 November
    rfc: bool  # a « Date » label, which may hold an RFC 5322 date
    wrote: bool  # « Le … a écrit : »: the sender follows the time


def pasted_lines(text: str) -> str:
    """Pasted text with its line ends as « \n »: a terminal sends the newlines of a paste as
    carriage returns (what the Entrée key sends)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def looks_like_headers(text: str) -> bool:
    """Whether pasted text is a block of headers (several lines, or a « Date: », « Envoyé : »,
    « Le … a écrit : » line) rather than a time typed or copied on its own."""
    text = pasted_lines(text)
    return "\n" in text.strip() or bool(_date_lines(text))


def parse_email_date(raw: str, zone: str = PARIS_ZONE) -> datetime:
    """The date of a pasted e-mail, as an aware datetime in the offset it was written in.

    Raw headers are read first: their `Date:` (RFC 5322) wins over anything else. Otherwise
    the first date line of a mail client's block (« Envoyé : », « Sent: », « Date : »,
    « Le … a écrit : ») is read; a time shown without zone is the auditor's local time in
    `zone`. The whole message may be pasted. Raises `EmailHeaderError` when no date can be
    read safely (unreadable, day/month order unsure, hour lived twice or skipped by DST).
    """
    text = textwrap.dedent(_plain_spaces(raw).replace("\r\n", "\n").replace("\r", "\n"))
    text = text.lstrip("\n")
    if not text.strip():
        raise EmailHeaderError("Aucun en-tête collé : collez les en-têtes bruts de l'e-mail.")
    values = HeaderParser().parsestr(text).get_all("Date") or []
    if values:
        value = " ".join(str(values[0]).split())
        if not value:
            raise EmailHeaderError("L'en-tête « Date: » est vide.")
        header = _Found(0, f"Date: {value}", value, day_first=False, rfc=True, wrote=False)
        moment = _read(header, zone)
        if moment is None:
            raise EmailHeaderError(f"Date illisible dans l'en-tête « Date: {value} ». {_RETYPE}")
        return moment
    return _read_client_block(text, zone)


def _plain_spaces(text: str) -> str:
    """Plain spaces for the (narrow) no-break spaces of French typography (« Envoyé : »)."""
    return text.translate({0x00A0: " ", 0x202F: " ", 0x2007: " ", 0x2009: " "})


def _read_client_block(text: str, zone: str) -> datetime:
    """The first readable date line of a client's block; an error naming what was found."""
    found = sorted(_date_lines(text))
    for line in found:
        moment = _read(line, zone)
        if moment is not None:
            return moment
    if found:
        shown = found[0].shown if len(found[0].shown) <= 80 else found[0].shown[:79] + "…"
        raise EmailHeaderError(
            f"Aucun en-tête « Date: » lisible : « {shown} » n'est pas une date reconnue "
            f"(attendu par exemple « Envoyé : samedi 21 novembre 2026 14:05 »). {_RETYPE}"
        )
    raise EmailHeaderError(
        "Aucun en-tête « Date: » trouvé : collez les en-têtes bruts de l'e-mail "
        "(« Afficher l'original » ou « Afficher la source » dans la messagerie) ou le bloc "
        "« De : … Envoyé : … » affiché en tête du message transféré."
    )


def _date_lines(text: str) -> list[_Found]:
    lines = []
    for match in _LABELLED_LINE.finditer(text):
        label = match["label"]
        french = label.lower().startswith("envoy") or bool(match["gap"])
        shown = f"{label}{match['gap']}: {match['value']}"
        is_date = label.lower() == "date"
        value = " ".join(match["value"].split())
        lines.append(_Found(match.start(), shown, value, french, is_date, wrote=False))
    for match in _WROTE_LINE.finditer(text):
        value = " ".join(match["value"].replace(">", " ").split())
        shown = " ".join(match.group().split())
        french = match["opening"].lower() == "le"
        lines.append(_Found(match.start(), shown, value, french, rfc=False, wrote=True))
    return lines


def _read(line: _Found, zone: str) -> datetime | None:
    """The instant of one date line; None when it does not hold a date; an error when it holds
    one that cannot be read safely."""
    if line.rfc and _RFC_DATE.fullmatch(line.value):
        return _read_rfc(line.value, line.shown)
    rest = line.value
    weekday = _WEEKDAY.match(rest)
    if weekday:
        rest = rest[weekday.end() :]
    date = next((m for form in _NAMED_DATES if (m := form.match(rest))), None)
    date = date or _NUMERIC_DATE.match(rest)
    clock = _CLOCK.fullmatch(rest, date.end()) if date else None
    if date is None or clock is None:
        return None
    if date["month"].isdigit() and not line.day_first:
        raise EmailHeaderError(
            f"Date illisible dans « {line.shown} » : une date en chiffres n'est lue, jour "
            "d'abord, qu'après un libellé français (« Envoyé : », « Date : », « Le … a écrit ») ; "
            f"ici l'ordre jour/mois n'est pas sûr. {_RETYPE}"
        )
    moment = _moment(date, clock, line.shown)
    if weekday and moment.weekday() != _WEEKDAYS[weekday["weekday"].lower()]:
        day_name = WEEKDAYS[_WEEKDAYS[weekday["weekday"].lower()]]
        raise EmailHeaderError(
            f"Date illisible dans « {line.shown} » : le {moment:%d/%m/%Y} n'est pas un "
            f"{day_name}. {_CHECK}"
        )
    written = clock["rest"].strip()
    if line.wrote or not written:  # « …, Lexus Dijon a écrit » or nothing: no zone written
        return _at_local_time(moment, zone, line.shown)
    written_zone = _written_zone(written)
    return None if written_zone is None else moment.replace(tzinfo=written_zone)


def _moment(date: re.Match[str], clock: re.Match[str], shown: str) -> datetime:
    """The naive date and time of the matches; an error when no such day or hour exists."""
    impossible = EmailHeaderError(
        f"Date illisible dans « {shown} » : ce jour ou cette heure n'existe pas. {_CHECK}"
    )
    hour = int(clock["hour"])
    if clock["half"]:  # « 12:05 AM » is 00:05, « 12:05 PM » 12:05
        if not 1 <= hour <= 12:
            raise impossible
        hour = hour % 12 + (12 if clock["half"].lower() == "p" else 0)
    month = date["month"]
    try:
        return datetime(
            int(date["year"]),
            int(month) if month.isdigit() else _MONTHS[month.lower()],
            int(date["day"]),
            hour,
            int(clock["minute"]),
            int(clock["second"] or 0),
        )
    except ValueError as exc:
        raise impossible from exc


def _written_zone(text: str) -> tzinfo | None:
    """The zone written after a client's time, or None when it is not one."""
    named = _NAMED_ZONES.get(text.strip("()").upper())
    if named is not None:
        return timezone(named, text.strip("()").upper())
    match = _WRITTEN_ZONE.fullmatch(text)
    if match is None or not (match["prefix"] or match["minutes"]):
        return None  # a bare « +1 » is not an offset
    if match["sign"] is None:
        return UTC
    offset = timedelta(hours=int(match["hours"]), minutes=int(match["minutes"] or 0))
    if offset > timedelta(hours=14) or int(match["minutes"] or 0) >= 60:
        return None
    return timezone(offset if match["sign"] == "+" else -offset)


def _at_local_time(moment: datetime, zone: str, shown: str) -> datetime:
    """A time shown without zone, in `zone`; an error in the hour a DST change repeats or skips."""
    earlier = moment.replace(tzinfo=ZoneInfo(zone), fold=0)
    later = moment.replace(fold=1, tzinfo=earlier.tzinfo)
    if earlier.utcoffset() == later.utcoffset():
        return earlier
    twice = earlier.astimezone(UTC).astimezone(earlier.tzinfo).replace(tzinfo=None) == moment
    happened = "a eu lieu deux fois" if twice else "n'a pas existé"
    raise EmailHeaderError(
        f"Heure incertaine dans « {shown} » : le {moment:%d/%m/%Y}, {moment:%H:%M} "
        f"{happened} ({zone_label(zone)}, changement d'heure) et le texte n'indique pas le "
        f"fuseau. {_RETYPE}"
    )


def _read_rfc(value: str, shown: str) -> datetime:
    """An RFC 5322 date, read by `email.utils`, with the sender's offset."""
    try:
        moment = parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError) as exc:
        raise EmailHeaderError(f"Date illisible dans l'en-tête « {shown} ». {_RETYPE}") from exc
    if moment.tzinfo is None:
        moment = _assign_zone(moment, shown)
    return moment


def _assign_zone(moment: datetime, shown: str) -> datetime:
    """A date `email.utils` returned without zone: `-0000` is UTC, a known name its offset."""
    if _UNKNOWN_ZONE_UTC.search(shown):
        return moment.replace(tzinfo=UTC)
    match = _ZONE_NAME.search(shown)
    if match and match.group(1) in _NAMED_ZONES:
        name = match.group(1)
        return moment.replace(tzinfo=timezone(_NAMED_ZONES[name], name))
    raise EmailHeaderError(
        f"L'en-tête « {shown} » n'indique pas de fuseau horaire : "
        "saisissez l'heure de réception à la main."
    )
