"""A wave's plan (issue 14.1): every dealer of the directory placed on a day and a one-hour
window of the wave — only on its business days (the deadlines' `holidays` calendars: FR, 57,
6AE, MC…), within its opening hours and never on a closing day; spread over weekdays and
hours; never in the weekday and hour it had in the previous wave; the auditors balanced (at
most one call apart, one call a window each); the three services spread over the year.
Deterministic for a seed. Pure: the store keeps plans (store/plans.py).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from auditor_tui.domain.deadlines import calendar_for, is_business_day
from auditor_tui.domain.dealers import Dealer
from auditor_tui.domain.labels import fold
from auditor_tui.domain.opening import Minutes, hhmm
from auditor_tui.domain.periods import Quarter
from auditor_tui.domain.waves import SERVICES, Wave

PLAN_SCHEMA = "auditor-tui/plan/v1"


@dataclass(frozen=True)
class PlannedCall:
    """One call of a plan: dealer, day, window (the dealer's local time), service, auditor;
    `number`: which of the dealer's calls in the wave (1…); `audit`: the audit made for it."""

    dealer_id: str
    dealer: str
    number: int
    day: date
    window: tuple[str, str]
    service: str
    auditor: str | None
    audit: str | None = None

    @property
    def key(self) -> str:
        """The entry's name within its wave, as an audit started from it is linked."""
        return f"{self.dealer_id}#{self.number}"

    def planned(self) -> dict[str, Any]:
        """The record's `planned` field (DOMAIN.md §4)."""
        return {"date": self.day.isoformat(), "window": list(self.window)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "dealer_id": self.dealer_id,
            "dealer": self.dealer,
            "number": self.number,
            "date": self.day.isoformat(),
            "window": list(self.window),
            "service": self.service,
            "auditor": self.auditor,
            "audit": self.audit,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PlannedCall:
        start, end = d["window"]
        return cls(
            str(d["dealer_id"]),
            str(d["dealer"]),
            int(d["number"]),
            date.fromisoformat(d["date"]),
            (str(start), str(end)),
            str(d["service"]),
            d.get("auditor"),
            d.get("audit"),
        )


@dataclass(frozen=True)
class Plan:
    wave: Wave
    seed: int
    calls_per_dealer: int
    auditors: tuple[str, ...]
    calls: tuple[PlannedCall, ...]

    def to_json(self) -> dict[str, Any]:
        """What `plan --format json` prints (issue 14.1)."""
        return {
            "wave": self.wave.name,
            "start": self.wave.start.isoformat(),
            "end": self.wave.end.isoformat(),
            "calls": [
                {
                    "dealer": c.dealer,
                    "date": c.day.isoformat(),
                    "window": list(c.window),
                    "service": c.service,
                    "auditor": c.auditor,
                }
                for c in self.calls
            ],
        }

    def to_document(self) -> dict[str, Any]:
        """The stored form (store/plans.py)."""
        return {
            "schema": PLAN_SCHEMA,
            "wave": self.wave.name,
            "start": self.wave.start.isoformat(),
            "end": self.wave.end.isoformat(),
            "seed": self.seed,
            "calls_per_dealer": self.calls_per_dealer,
            "auditors": list(self.auditors),
            "calls": [c.to_dict() for c in self.calls],
        }

    @classmethod
    def from_document(cls, d: Mapping[str, Any]) -> Plan:
        """ValueError (or KeyError, TypeError) for a document this version cannot read."""
        if d.get("schema") != PLAN_SCHEMA:
            raise ValueError(f"plan : schéma {d.get('schema')!r} inconnu")
        wave = Wave.parse(
            str(d["wave"]), date.fromisoformat(d["start"]), date.fromisoformat(d["end"])
        )
        return cls(
            wave,
            int(d["seed"]),
            int(d["calls_per_dealer"]),
            tuple(str(a) for a in d["auditors"]),
            tuple(PlannedCall.from_dict(c) for c in d["calls"]),
        )

    def linked(self, key: str, audit_id: str) -> Plan:
        """The plan with its entry `key` linked to the audit made for it."""
        calls = tuple(replace(c, audit=audit_id) if c.key == key else c for c in self.calls)
        return replace(self, calls=calls)


class PlanError(ValueError):
    """A plan that cannot be drawn: nothing is stored. `unplaced`: the dealers, by name, with
    why (French)."""

    def __init__(self, wave: str, unplaced: Sequence[tuple[str, str]], detail: str = "") -> None:
        self.unplaced = list(unplaced)
        lines = "".join(f"\n  - {name} : {why}" for name, why in unplaced)
        super().__init__(
            f"vague {wave} : pas assez de créneaux ouverts{detail} ; "
            f"{len(unplaced)} concessionnaire(s) non placé(s) :{lines}"
        )


Slot = tuple[date, Minutes]


def open_slots(dealer: Dealer, wave: Wave) -> list[Slot]:
    """Every (day, window) of the wave the dealer can be called in: business days of its
    place, its opening hours, not its closing days."""
    calendar = calendar_for(dealer.country, dealer.department)
    opening = dealer.opening()
    week = [opening.weekday_windows(n) for n in range(7)]
    return [
        (day, window)
        for day in wave.days()
        if week[day.weekday()] and is_business_day(day, calendar) and not opening.is_closed_on(day)
        for window in week[day.weekday()]
    ]


def _service(counts: Counter[str], turn: int) -> str:
    """The service this dealer had least this year; ties in turn (dealer, wave, call)."""
    return min(SERVICES, key=lambda s: (counts[s], (SERVICES.index(s) - turn) % len(SERVICES)))


def draw_plan(
    wave: Wave,
    dealers: Sequence[Dealer],
    *,
    seed: int = 0,
    calls_per_dealer: int = 1,
    auditors: Sequence[str] = (),
    previous: Plan | None = None,
    year: Iterable[Plan] = (),
    kept: Iterable[PlannedCall] = (),
) -> Plan:
    """The plan of `wave` for `dealers`: `kept` (calls already made) stay as they are, the
    others are drawn. `previous`: the wave before (its slots are not repeated); `year`: the
    year's other plans (services spread over it). PlanError naming the dealers that found no
    open slot; ValueError for a count below 1."""
    if calls_per_dealer < 1:
        raise ValueError("au moins un appel par concessionnaire")
    rng = random.Random(seed)
    names = tuple(dict.fromkeys(a for a in auditors if a)) or ("",)
    capacity = len(names)  # one call a window for each auditor
    kept = tuple(kept)
    slot_load: Counter[tuple[date, int]] = Counter((c.day, _minutes(c.window[0])) for c in kept)
    day_load: Counter[date] = Counter(c.day for c in kept)
    weekday_load: Counter[int] = Counter(c.day.weekday() for c in kept)
    hour_load: Counter[int] = Counter(_minutes(c.window[0]) for c in kept)
    before: dict[str, set[tuple[int, int]]] = {}
    for call in previous.calls if previous is not None else ():
        before.setdefault(call.dealer_id, set()).add((call.day.weekday(), _minutes(call.window[0])))
    services: dict[str, Counter[str]] = {}
    for plan in year:
        if plan.wave.name != wave.name:
            for call in plan.calls:
                services.setdefault(call.dealer_id, Counter())[call.service] += 1
    mine: dict[str, list[PlannedCall]] = {}
    for call in kept:
        mine.setdefault(call.dealer_id, []).append(call)
        services.setdefault(call.dealer_id, Counter())[call.service] += 1

    ordered = sorted(dealers, key=lambda d: d.id)
    rank = {d.id: i for i, d in enumerate(ordered)}
    candidates: dict[str, list[Slot]] = {}
    for dealer in ordered:
        avoid = before.get(dealer.id, set())
        taken = {c.day for c in mine.get(dealer.id, [])}
        candidates[dealer.id] = [
            (day, window)
            for day, window in open_slots(dealer, wave)
            if (day.weekday(), window[0]) not in avoid and day not in taken
        ]
    tiebreak = {d.id: rng.random() for d in ordered}
    order = sorted(ordered, key=lambda d: (len(candidates[d.id]), tiebreak[d.id]))
    span = (wave.end - wave.start).days + 1
    quarter = Quarter.parse(wave.name).number
    unplaced: dict[str, str] = {}
    drawn: list[PlannedCall] = []
    todo = {
        d.id: sorted(set(range(1, calls_per_dealer + 1)) - {c.number for c in mine.get(d.id, [])})
        for d in ordered
    }
    for round_ in range(calls_per_dealer):
        for dealer in order:
            numbers = todo[dealer.id]
            if round_ >= len(numbers) or dealer.id in unplaced:
                continue
            number = numbers[round_]
            days_used = {c.day for c in mine.get(dealer.id, [])}
            best: tuple[tuple[int, int, int, float], Slot] | None = None
            for day, window in candidates[dealer.id]:
                if day in days_used or slot_load[(day, window[0])] >= capacity:
                    continue
                segment = (day - wave.start).days * calls_per_dealer // span
                score = (
                    segment != number - 1,
                    day_load[day],
                    weekday_load[day.weekday()] + hour_load[window[0]],
                    rng.random(),
                )
                if best is None or score < best[0]:
                    best = (score, (day, window))
            if best is None:
                full = "créneaux ouverts tous pris"
                unplaced[dealer.id] = full if candidates[dealer.id] else "aucun créneau ouvert"
                continue
            day, window = best[1]
            slot_load[(day, window[0])] += 1
            day_load[day] += 1
            weekday_load[day.weekday()] += 1
            hour_load[window[0]] += 1
            counts = services.setdefault(dealer.id, Counter())
            service = _service(counts, rank[dealer.id] + quarter - 1 + number - 1)
            counts[service] += 1
            call = PlannedCall(
                dealer.id,
                dealer.name,
                number,
                day,
                (hhmm(window[0]), hhmm(window[1])),
                service,
                None,
            )
            mine.setdefault(dealer.id, []).append(call)
            drawn.append(call)
    if unplaced:
        by_id = {d.id: d.name for d in dealers}
        slots = len({(day, w[0]) for found in candidates.values() for day, w in found})
        needed = calls_per_dealer * len(ordered)
        detail = (
            f" ({slots} créneau(x) d'une heure × {capacity} auditeur(s) pour {needed} appel(s))"
        )
        raise PlanError(wave.name, [(by_id[i], why) for i, why in sorted(unplaced.items())], detail)
    calls = [*kept, *_assign(drawn, kept, names)]
    calls.sort(key=lambda c: (c.day, c.window, c.dealer, c.number))
    return Plan(wave, seed, calls_per_dealer, tuple(a for a in names if a), tuple(calls))


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _assign(
    drawn: Sequence[PlannedCall], kept: Sequence[PlannedCall], names: Sequence[str]
) -> list[PlannedCall]:
    """Auditors for the calls drawn: in time order, each window's calls to distinct auditors,
    the least loaded first (ties in the order named), so loads stay at most one apart."""
    load: Counter[str] = Counter({name: 0 for name in names})
    busy: dict[tuple[date, str], set[str | None]] = {}
    for call in kept:
        if call.auditor is not None and call.auditor in load:
            load[call.auditor] += 1
        busy.setdefault((call.day, call.window[0]), set()).add(call.auditor)
    out: list[PlannedCall] = []
    for call in sorted(drawn, key=lambda c: (c.day, c.window, c.dealer_id, c.number)):
        taken = busy.setdefault((call.day, call.window[0]), set())
        free = [n for n in names if n not in taken]
        name = min(free, key=lambda n: (load[n], names.index(n)))
        load[name] += 1
        taken.add(name)
        out.append(replace(call, auditor=name or None))
    return out


@dataclass(frozen=True)
class DueCall:
    """A planned call not made yet whose day has come: `overdue` when its day has passed."""

    wave: str
    call: PlannedCall
    overdue: bool


def due_calls(plans: Sequence[Plan], today: date, auditor: str = "") -> list[DueCall]:
    """The calls not made yet, due today or overdue, for `auditor` (case and accents aside;
    calls planned for no one are everyone's; no name: every call), oldest first."""
    me = fold(auditor.strip())
    out = [
        DueCall(plan.wave.name, call, call.day < today)
        for plan in plans
        for call in plan.calls
        if call.audit is None
        and call.day <= today
        and (not me or call.auditor is None or fold(call.auditor) == me)
    ]
    out.sort(key=lambda d: (d.call.day, d.call.window, d.call.dealer))
    return out
