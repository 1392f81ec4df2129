"""The dealer directory: the `Dealer` model, phone numbers checked and normalised, type-ahead
search. Its CSV import is exchange/dealers_csv.py.

Headless: no `textual` here. Phone numbers are validated and normalised with `phonenumbers`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from auditor_tui.domain.labels import fold
from auditor_tui.domain.opening import DEFAULT_HOURS, Opening

COUNTRIES = ("FR", "MC")

# phonenumbers regions whose numbers belong to a dealer of each country, in the order tried as
# default region for a number written without its country code. France includes its overseas
# departments (971–976), whose numbers have their own regions (+590, +596, +594, +262, +508).
# Monaco accepts French numbers too: Monaco reserves no range for fiction, so the sample's
# Monaco dealer carries a French fiction number; and a Monaco dealer may publish a French line.
PHONE_REGIONS: dict[str, tuple[str, ...]] = {
    "FR": ("FR", "GP", "MQ", "GF", "RE", "PM", "YT"),
    "MC": ("MC", "FR"),
}

# What a phone number may be written with: ASCII digits, a leading « + », and the separators
# people type or spreadsheets add (spaces, no-break spaces, dots, dashes, slashes, brackets).
# phonenumbers would read letters as keypad digits (« 0353ABCDEF ») and drop an extension
# (« x12 »): both are refused instead, so no number is changed behind the auditor's back.
_PHONE_TEXT = re.compile(r"\+?[0-9 .\-/()\u00a0\u202f]*")
_EXTENSION = re.compile(r"(?:\s*(?:x|ext\.?|extension|poste|p\.|#|;ext=)\s*)[0-9]+\s*$", re.I)


def slugify(name: str) -> str:
    """A stable id from a dealer name: "Lexus Orléans" → "lexus-orleans"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")


@dataclass(frozen=True)
class Dealer:
    id: str
    name: str
    city: str
    department: str | None
    country: str
    phone: str
    email: str | None = None
    # Opening hours per weekday, Monday first, in opening.py's spelling (« fermé » for a day
    # off), and closing days; None: the directory did not say (opening.DEFAULT_HOURS).
    hours: tuple[str, ...] | None = None
    closed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("hours", "closed"):  # written only when the directory gave them
            if out[key] is None:
                del out[key]
        if self.hours is not None:
            out["hours"] = list(self.hours)
        return out

    def opening(self) -> Opening:
        """When the dealer answers the phone (the default week when the directory is silent)."""
        return Opening.of(self.hours, self.closed)

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> Dealer:
        """Rebuild from `to_dict` output or an audit record's dealer (no city or id there).

        Trusts the values (they were validated on the way in); only checks their types.
        """

        def optional(key: str) -> str | None:
            value = d.get(key)
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                raise ValueError(f"concessionnaire : « {key} » n'est pas du texte : {value!r}")
            return value

        def required(key: str) -> str:
            value = optional(key)
            if value is None:
                raise ValueError(f"concessionnaire : champ « {key} » manquant")
            return value

        name = required("name")
        hours = d.get("hours")
        if hours is not None and not (
            isinstance(hours, list | tuple)
            and len(hours) == len(DEFAULT_HOURS)
            and all(isinstance(h, str) for h in hours)
        ):
            raise ValueError(f"concessionnaire : « hours » : 7 textes attendus, trouvé {hours!r}")
        return cls(
            id=optional("id") or slugify(name),
            name=name,
            city=optional("city") or "",
            department=optional("department"),
            country=required("country"),
            phone=required("phone"),
            email=optional("email"),
            hours=tuple(hours) if hours is not None else None,
            closed=optional("closed"),
        )

    @property
    def phone_display(self) -> str:
        """National format for a number in the French plan ("01 99 00 12 34"), else international
        ("+377 93 00 00 00"): what an auditor in France dials."""
        import phonenumbers  # here, not at the top: ~35 ms off the app's start-up path

        try:
            number = phonenumbers.parse(self.phone, None)
        except phonenumbers.NumberParseException:
            return self.phone
        if phonenumbers.region_code_for_number(number) in PHONE_REGIONS["FR"]:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

    def search_text(self) -> str:
        return fold(f"{self.name} {self.city} {self.department or ''}")


def matches(dealer: Dealer, query: str) -> bool:
    """Type-ahead: every whitespace-separated term of the query is in the dealer's search text."""
    haystack = dealer.search_text()
    return all(term in haystack for term in fold(query).split())


@functools.lru_cache(maxsize=4096)  # an import checks 10,000 records of a few dozen dealers
def normalise_phone(raw: str, country: str) -> str:
    """The number in E.164, if it is a valid number for a dealer of `country`.

    "Valid for the country" means `phonenumbers.is_valid_number` and a region in
    `PHONE_REGIONS[country]`: France with its overseas departments; for Monaco, Monaco *or*
    France (Monaco has no range reserved for fiction, so sample data uses a French one).
    Raises ValueError with a French message otherwise.
    """
    import phonenumbers  # here, not at the top: ~35 ms off the app's start-up path

    regions = PHONE_REGIONS.get(country)
    if regions is None:
        raise ValueError(f'pays inconnu "{country}" (attendu {" ou ".join(COUNTRIES)})')
    if not raw.strip():
        raise ValueError("numéro de téléphone manquant")
    _check_phone_text(raw.strip())
    found_elsewhere: str | None = None
    for region in regions:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        number_region = phonenumbers.region_code_for_number(number)
        if number_region in regions:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        found_elsewhere = found_elsewhere or number_region
    hint = f" (numéro de {found_elsewhere})" if found_elsewhere else ""
    raise ValueError(f'numéro de téléphone invalide pour {country} : "{raw}"{hint}')


def _check_phone_text(raw: str) -> None:
    """ValueError (in French) for a number written with anything but digits and separators."""
    if _PHONE_TEXT.fullmatch(raw):
        return
    extension = _EXTENSION.search(raw)
    if extension and _PHONE_TEXT.fullmatch(raw[: extension.start()]):
        raise ValueError(
            f"extension « {extension.group().strip()} » non prise en charge : "
            f'le numéro seul est attendu (« {raw[: extension.start()].strip()} »), "{raw}"'
        )
    letters = " ".join(re.findall(r"[^\W\d_]+", raw))
    if letters:
        raise ValueError(f'lettres dans le numéro (« {letters} ») : chiffres seulement, "{raw}"')
    odd = "".join(dict.fromkeys(c for c in raw if not _PHONE_TEXT.fullmatch(c)))
    raise ValueError(
        f"caractère inattendu dans le numéro ({', '.join(repr(c) for c in odd) or '« + »'}) : "
        f'chiffres, espaces, points ou tirets seulement, et « + » en tête, "{raw}"'
    )
