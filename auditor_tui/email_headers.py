"""The arrival instant of a dealer's e-mail, read from its pasted raw headers (`Date:`), with
the sender's time zone kept, for Q16.
"""

from __future__ import annotations

import re
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from email.parser import HeaderParser
from email.utils import parsedate_to_datetime

__all__ = ["EmailHeaderError", "parse_email_date"]

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


class EmailHeaderError(ValueError):
    """Pasted headers without a usable `Date:`; the message is for the auditor, in French."""


def parse_email_date(raw: str) -> datetime:
    """The `Date:` of pasted raw e-mail headers, as an aware datetime in the sender's offset.

    The whole message (headers and body) may be pasted: only the headers are read. Raises
    `EmailHeaderError` when the headers have no `Date:` or when it cannot be read.
    """
    text = textwrap.dedent(raw.replace("\r\n", "\n").replace("\r", "\n")).lstrip("\n")
    if not text.strip():
        raise EmailHeaderError("Aucun en-tête collé : collez les en-têtes bruts de l'e-mail.")
    headers = HeaderParser().parsestr(text)
    values = headers.get_all("Date") or []
    if not values:
        raise EmailHeaderError(
            "Aucun en-tête « Date: » trouvé : collez les en-têtes bruts de l'e-mail "
            "(« Afficher l'original » ou « Afficher la source » dans la messagerie)."
        )
    value = " ".join(str(values[0]).split())
    if not value:
        raise EmailHeaderError("L'en-tête « Date: » est vide.")
    try:
        moment = parsedate_to_datetime(value)
    except (ValueError, TypeError, IndexError) as exc:
        raise EmailHeaderError(f"Date illisible dans l'en-tête « Date: {value} ».") from exc
    if moment.tzinfo is None:
        moment = _assign_zone(moment, value)
    return moment


def _assign_zone(moment: datetime, value: str) -> datetime:
    """A date `email.utils` returned without zone: `-0000` is UTC, a known name its offset."""
    if _UNKNOWN_ZONE_UTC.search(value):
        return moment.replace(tzinfo=UTC)
    match = _ZONE_NAME.search(value)
    if match and match.group(1) in _NAMED_ZONES:
        name = match.group(1)
        return moment.replace(tzinfo=timezone(_NAMED_ZONES[name], name))
    raise EmailHeaderError(
        f"L'en-tête « Date: {value} » n'indique pas de fuseau horaire : "
        "saisissez l'heure de réception à la main."
    )
