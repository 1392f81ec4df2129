"""The names the record contract knows at each level (DOMAIN.md §4), and the fields a record
holds beyond them: kept aside on the audit (`Audit.extra`), written back in place, unchanged,
by every save and every export; the import names the unknown ones.

`extra` is a tree shaped like the record: top-level fields the contract does not name, and,
under the name of a known object (`call`, `dealer`…), that object's own unknown fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

# Known objects, by their name in the record, with the names known inside them.
OBJECTS: Mapping[str, frozenset[str]] = {
    "dealer": frozenset({"name", "country", "department", "phone", "id", "city"}),
    "call": frozenset(
        {
            "started_at",
            "ended_at",
            "transferred",
            "transfer_seconds",
            "attempts",
            "answered_at",
            "transfer_started_at",
            "transfer_answered_at",
            "discovery_questions",
            "agreed_method",
            "receptionist_name",
            "advisor_name",
        }
    ),
    "follow_up": frozenset(
        {
            "email_received_at",
            "email_has_information",
            "callback_at",
            "callback_method",
            "callback_note",
            # Computed on export (domain/evidence.py): a value given is compared, reported
            # when it disagrees, and dropped like any other computed one.
            "email_in_time",
            "callback_in_time",
        }
    ),
    "identity": frozenset({"name", "phone", "email"}),
    "calendar": frozenset({"country", "subdiv", "holidays_version", "timezone"}),
    "deadlines": frozenset({"email", "callback"}),  # computed, and stored
    "score": frozenset({"points", "max", "percent", "stars", "sections"}),  # computed
}
# Known values (maps included: `answers` and `notes` are keyed by question, `score.sections`
# by section; `history`, the lifecycle, a list: domain/history.py); and the programme's
# optional fields (Audit.service, .wave, .planned): this version keeps them (checked), never
# « unknown ».
VALUES = frozenset(
    {
        "schema",
        "id",
        "revision",
        "questionnaire",
        "status",
        "auditor",
        "answers",
        "notes",
        "created_at",
        "updated_at",
        "export_batch",
        "outcome",
        "history",
        # The programme's optional fields (Audit.service, .wave, .planned).
        "service",
        "wave",
        "planned",
    }
)
RESERVED: frozenset[str] = frozenset()  # every optional field of the contract is modelled
DROPPED = frozenset({("follow_up", "email_in_time"), ("follow_up", "callback_in_time")})
KNOWN = VALUES | OBJECTS.keys()
SERVICES = ("VN", "VO", "APV")
HISTORY_EVENTS = (
    "created",
    "call_ended",
    "email_received",
    "callback_received",
    "completed",
    "reopened",
)


def split_extra(record: Mapping[str, Any]) -> dict[str, Any]:
    """What `record` holds beyond the known names, as an `extra` tree (see the module)."""
    extra: dict[str, Any] = {}
    if not record.keys() <= KNOWN:
        extra = {key: value for key, value in record.items() if key not in KNOWN}
    for name, known in OBJECTS.items():
        value = record.get(name)
        if isinstance(value, dict) and not value.keys() <= known:
            own = {k: v for k, v in value.items() if k not in known}
            if own:
                extra[name] = own
    return extra


def merge_extra(out: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`out` (a record as the app writes it) with `extra` put back in place; a known object
    the app left empty (`deadlines` of an unreachable call) holds only its unknown fields."""
    for key, value in extra.items():
        if key in OBJECTS and isinstance(value, dict):
            inner = out.get(key)
            out[key] = {**(inner if isinstance(inner, dict) else {}), **value}
        else:
            out[key] = value
    return out


def known_part(value: Any, name: str) -> Any:
    """A known object without its unknown fields (None stays None)."""
    if not isinstance(value, dict) or value.keys() <= OBJECTS[name]:
        return value
    return {k: v for k, v in value.items() if k in OBJECTS[name]}


def unknown_names(extra: Mapping[str, Any]) -> Iterator[str]:
    """The dotted names of the unknown fields of an `extra` tree (reserved ones left out):
    « x_region », « call.x_line »."""
    for key, value in extra.items():
        if key in OBJECTS:
            yield from (f"{key}.{inner}" for inner in value)
        elif key not in RESERVED:
            yield key


def split_record_extra(record: Mapping[str, Any]) -> dict[str, Any]:
    """`split_extra`, without the computed fields (DROPPED: recomputed on export)."""
    extra = split_extra(record)
    if not extra:
        return extra
    for name, inner in DROPPED:
        own = extra.get(name)
        if own is not None and inner in own:
            own = {k: v for k, v in own.items() if k != inner}
            if own:
                extra[name] = own
            else:
                del extra[name]
    return extra


def read_history(raw: Any) -> list[dict[str, Any]]:
    """A checked `history` (check_reserved) as the audit keeps it: each entry a dict of its
    own (a field a newer version adds to an entry is kept), its instant in the stored spelling
    (UTC, to the second)."""
    from auditor_tui.domain.instants import stored_spelling

    if not isinstance(raw, list):
        return []
    return [{**e, "at": stored_spelling(e.get("at"))} for e in raw if isinstance(e, dict)]


_HH_MM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A wave's name: a calendar quarter as the reports name it (domain/periods.py, `Quarter`).
WAVE_NAME = re.compile(r"[0-9]{4}-T[1-4]")


def shown(value: Any, limit: int = 80) -> str:
    """A value as a message quotes it, cut short (a hostile file may hold megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_wave_name(value: object) -> bool:
    """« 2027-T1 »: the one spelling of a wave (a quarter), as records and plans carry it."""
    return isinstance(value, str) and WAVE_NAME.fullmatch(value) is not None


def copy_planned(planned: Mapping[str, Any]) -> dict[str, Any]:
    """A planned slot, copied (its window a new list): the audit never shares one with its
    source."""
    out = dict(planned)
    if isinstance(out.get("window"), list):
        out["window"] = list(out["window"])
    return out


def check_reserved(
    record: Mapping[str, Any],
    add: Callable[[str, str], None],
    instant: Callable[[Any, str], object],
) -> None:
    """The reserved optional fields, when present, have the contract's form; `instant` checks
    one instant (and names its field)."""
    service = record.get("service")
    if service is not None and service not in SERVICES:
        add("service", f"un de {', '.join(SERVICES)} ou null attendu, trouvé {shown(service)}")
    wave = record.get("wave")
    if wave is not None and not is_wave_name(wave):
        add("wave", f"trimestre AAAA-TN (ex. « 2027-T1 ») ou null attendu, trouvé {shown(wave)}")
    planned = record.get("planned")
    if planned is not None:
        _check_planned(planned, add)
    history = record.get("history")
    if history is not None:
        if not isinstance(history, list):
            add("history", 'liste [{"at", "event", "detail"}] attendue')
            return
        for i, entry in enumerate(history):
            where = f"history[{i}]"
            if not isinstance(entry, dict):
                add(where, 'objet {"at", "event", "detail"} attendu')
                continue
            instant(entry.get("at"), f"{where}.at")
            if entry.get("event") not in HISTORY_EVENTS:
                add(
                    f"{where}.event",
                    f"un de {', '.join(HISTORY_EVENTS)} attendu, trouvé {entry.get('event')!r}",
                )
            detail = entry.get("detail")
            if detail is not None and not isinstance(detail, str):
                add(f"{where}.detail", f"texte ou null attendu, trouvé {detail!r}")


def _check_planned(planned: Any, add: Callable[[str, str], None]) -> None:
    if not isinstance(planned, dict):
        add("planned", 'objet {"date": "AAAA-MM-JJ", "window": ["HH:MM", "HH:MM"]} attendu')
        return
    day = planned.get("date")
    try:
        if not (isinstance(day, str) and _DAY.fullmatch(day)):
            raise ValueError
        date.fromisoformat(day)
    except ValueError:
        add("planned.date", f"date AAAA-MM-JJ attendue, trouvé {shown(day)}")
    window = planned.get("window")
    if window is not None and not (
        isinstance(window, list)
        and len(window) == 2
        and all(isinstance(t, str) and _HH_MM.fullmatch(t) for t in window)
        and window[0] <= window[1]
    ):
        add("planned.window", f'["HH:MM", "HH:MM"] (début ≤ fin) attendu, trouvé {shown(window)}')
