"""The programme's waves and services (DOMAIN.md §4): what an audit was about (VN, VO, APV)
and the wave it counts in — its `wave` field, else the calendar quarter of its call — and a
wave's name and days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from auditor_tui.domain.periods import Quarter, call_moment
from auditor_tui.domain.record import Audit
from auditor_tui.domain.record_fields import SERVICES as SERVICES  # re-exported
from auditor_tui.domain.record_fields import is_wave_name as is_wave_name  # re-exported

SERVICE_LABELS = {
    "VN": "Vente de véhicules neufs",
    "VO": "Vente de véhicules d'occasion",
    "APV": "Après-Vente",
}


def audit_wave(audit: Audit) -> str:
    """The wave an audit counts in: its own `wave`, else the quarter of its call (Europe/Paris)."""
    return audit.wave if audit.wave is not None else str(Quarter.of(call_moment(audit)))


def audit_service(audit: Audit) -> str | None:
    """The service the call was about (VN, VO, APV), or None when it was not recorded."""
    return audit.service


def service_label(service: str | None) -> str:
    """« VN · Vente de véhicules neufs », « non précisé » when none was recorded."""
    if service is None:
        return "non précisé"
    return f"{service} · {SERVICE_LABELS.get(service, service)}"


@dataclass(frozen=True)
class Wave:
    """A wave: its name (a quarter, « 2027-T1 ») and its days, first and last included; by
    default the quarter's, other dates may be set."""

    name: str
    start: date
    end: date

    @classmethod
    def parse(cls, name: str, start: date | None = None, end: date | None = None) -> Wave:
        """The wave named `name`; ValueError, in French, unless it is a quarter « AAAA-TN »
        (« 2027-t1 », « 2027-Q1 » are read too) or its days are not in order."""
        try:
            quarter = Quarter.parse(name)
        except ValueError:
            raise ValueError(
                f"vague {name!r} : une période trimestrielle est attendue (ex. 2027-T1)"
            ) from None
        canonical = str(quarter)
        first = date(quarter.year, 3 * quarter.number - 2, 1)
        after = date(quarter.year + (quarter.number == 4), 3 * quarter.number % 12 + 1, 1)
        wave = cls(canonical, start or first, end or after - timedelta(days=1))
        if wave.end < wave.start:
            raise ValueError(f"vague {canonical} : fin {wave.end} avant le début {wave.start}")
        return wave

    def with_days(self, start: date | None, end: date | None) -> Wave:
        """The same wave over other days (None: keep its own); ValueError, in French, for days
        out of order."""
        return Wave.parse(self.name, start or self.start, end or self.end)

    def previous_name(self) -> str:
        """The name of the wave before (« 2026-T4 » for « 2027-T1 »)."""
        quarter = Quarter.parse(self.name)
        if quarter.number == 1:
            return str(Quarter(quarter.year - 1, 4))
        return str(Quarter(quarter.year, quarter.number - 1))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]
