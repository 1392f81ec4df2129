"""The validation of an input record (`auditor-tui/audit/v1`, DOMAIN.md §4): every problem
listed with its line and field (`Problem`), what a stored computed value disagrees with
reported as a warning.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auditor_tui.domain.grid import Grid, GridError, load_grid
from auditor_tui.domain.instants import parse_rfc3339
from auditor_tui.domain.labels import STATUSES
from auditor_tui.domain.record import (
    COUNTRIES,
    MAX_INTEGER,
    METHODS,
    SCHEMA,
    YEARS,
    Audit,
    is_canonical_id,
)
from auditor_tui.domain.record_fields import check_reserved, known_part
from auditor_tui.domain.record_fields import shown as _shown
from auditor_tui.domain.scoring import missing_answers, score, validate_answers


@dataclass(frozen=True)
class Problem:
    """One problem in an input record: where (line, field) and what."""

    line: int | None
    field: str
    message: str
    warning: bool = False  # reported but not fatal (a stored computed value that disagreed)

    def __str__(self) -> str:
        where = f"ligne {self.line}, " if self.line is not None else ""
        kind = "avertissement, " if self.warning else ""
        return f"{kind}{where}champ {self.field} : {self.message}"


def _check_instant(
    value: Any, fld: str, add: Callable[[str, str], None], required: bool = False
) -> datetime | None:
    if value is None:
        if required:
            add(fld, "instant requis")
        return None
    try:
        moment = parse_rfc3339(value)
        year = moment.astimezone(UTC).year
    except (ValueError, OverflowError) as exc:
        add(fld, f"instant RFC 3339 attendu, trouvé {_shown(value)} ({exc})")
        return None
    if not YEARS[0] <= year <= YEARS[1]:
        # Deadlines are computed from it: the year 9999 plus two business days overflows.
        add(fld, f"instant hors des années {YEARS[0]} à {YEARS[1]} : {_shown(value)}")
        return None
    return moment


def _check_count(value: Any, fld: str, low: int, add: Callable[[str, str], None]) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_INTEGER:
        add(fld, f"entier de {low} à {MAX_INTEGER} attendu, trouvé {_shown(value)}")


def _check_types(obj: Mapping[str, Any], add: Callable[[str, str], None]) -> None:
    """The optional fields `Audit.from_dict` reads, when present, have the types it needs."""

    def texts(where: Mapping[str, Any], prefix: str, keys: tuple[str, ...], null: bool) -> None:
        for key in keys:
            value = where.get(key)
            if not (isinstance(value, str) or (value is None and (null or key not in where))):
                add(f"{prefix}{key}", f"texte attendu, trouvé {value!r}")

    texts(obj, "", ("auditor", "export_batch"), True)
    notes = obj.get("notes")
    if notes is not None and not (
        isinstance(notes, dict) and all(isinstance(v, str) for v in notes.values())
    ):
        add("notes", 'objet {"<question>": "texte"} attendu')
    identity = obj.get("identity")
    if identity is not None:
        if isinstance(identity, dict):
            texts(identity, "identity.", ("name", "phone", "email"), False)
        else:
            add("identity", "objet {name, phone, email} attendu")
    for name in ("deadlines", "score"):  # computed: a value given is compared, then replaced
        value = obj.get(name)
        if value is not None and not isinstance(value, dict):
            add(name, f"objet ou null attendu, trouvé {_shown(value)}")
    calendar = obj.get("calendar")
    if calendar is not None:
        from auditor_tui.domain.deadlines import Calendar  # holidays: only deadlines need it

        try:
            Calendar.from_dict(calendar if isinstance(calendar, dict) else {})
        except ValueError as exc:
            add("calendar", str(exc))
    dealer = obj.get("dealer")
    if isinstance(dealer, dict):
        texts(dealer, "dealer.", ("id", "city"), True)
    call = obj.get("call")
    if isinstance(call, dict):
        texts(call, "call.", ("receptionist_name", "advisor_name"), True)
        if not isinstance(call.get("attempts") or [], list):
            add("call.attempts", f"liste d'instants attendue, trouvé {call['attempts']!r}")
        count = call.get("discovery_questions")
        if count is not None:
            _check_count(count, "call.discovery_questions", 0, add)
        for key in ("answered_at", "transfer_started_at", "transfer_answered_at"):
            _check_instant(call.get(key), f"call.{key}", add)
    follow_up = obj.get("follow_up")
    if isinstance(follow_up, dict):
        texts(follow_up, "follow_up.", ("callback_note",), True)
        info = follow_up.get("email_has_information")
        if info is not None and not isinstance(info, bool):
            add("follow_up.email_has_information", f"true, false ou null attendu, trouvé {info!r}")


def _check_phone(value: Any, country: str, fld: str, add: Callable[[str, str], None]) -> None:
    """E.164 and valid for the dealer's country: the directory's own rule (dealers.py)."""
    from auditor_tui.domain.dealers import normalise_phone  # phonenumbers: only import needs it

    if not isinstance(value, str) or not value.startswith("+"):
        add(fld, f"numéro E.164 attendu (+33…), trouvé {value!r}")
        return
    if country not in COUNTRIES:
        return  # the country itself is reported
    try:
        normalised = normalise_phone(value, country)
    except ValueError as exc:
        add(fld, str(exc))
        return
    if normalised != value:
        add(fld, f"numéro non normalisé E.164 {value!r} (attendu {normalised!r})")


def validate_record(
    obj: Any, line: int | None = None, grids: Callable[[str], Grid] = load_grid
) -> list[Problem]:
    """Every problem in one input record; an empty list means `Audit.from_dict` is safe."""
    problems: list[Problem] = []

    def add(fld: str, message: str, warning: bool = False) -> None:
        problems.append(Problem(line, fld, message, warning))

    if not isinstance(obj, dict):
        add("(enregistrement)", f"objet JSON attendu, trouvé {type(obj).__name__}")
        return problems
    if obj.get("schema") != SCHEMA:
        add("schema", f"{SCHEMA!r} attendu, trouvé {obj.get('schema')!r}")
    _check_types(obj, add)
    if not is_canonical_id(obj.get("id")):
        add(
            "id",
            "UUID en minuscules de la forme 8-4-4-4-12 attendu "
            f"(ex. {uuid.UUID(int=0)}), trouvé {_shown(obj.get('id'))}",
        )
    _check_count(obj.get("revision"), "revision", 1, add)
    status = obj.get("status")
    if status not in STATUSES:
        add("status", f"un de {', '.join(STATUSES)} attendu, trouvé {status!r}")

    grid: Grid | None = None
    qn = obj.get("questionnaire")
    if not isinstance(qn, str):
        add("questionnaire", f"identifiant de grille attendu, trouvé {qn!r}")
    else:
        try:
            grid = grids(qn)
        except (GridError, ValueError, OSError):
            add("questionnaire", f"grille inconnue {qn!r}")

    dealer = obj.get("dealer")
    if not isinstance(dealer, dict):
        add("dealer", "objet {name, country, department, phone} attendu")
    else:
        if not isinstance(dealer.get("name"), str) or not dealer["name"].strip():
            add("dealer.name", "nom du concessionnaire requis")
        country = dealer.get("country")
        if country not in COUNTRIES:
            add("dealer.country", f"« FR » ou « MC » attendu, trouvé {country!r}")
        dep = dealer.get("department")
        if dep is not None and not isinstance(dep, str):
            add("dealer.department", f"code de département (texte) ou null attendu, trouvé {dep!r}")
        if country == "FR" and dep is None:
            add("dealer.department", "département requis pour un concessionnaire en France")
        _check_phone(dealer.get("phone"), str(country), "dealer.phone", add)

    call = obj.get("call")
    transferred = False
    ended: datetime | None = None
    if not isinstance(call, dict):
        add("call", "objet {started_at, ended_at, transferred, transfer_seconds} attendu")
    else:
        started = _check_instant(call.get("started_at"), "call.started_at", add)
        ended = _check_instant(call.get("ended_at"), "call.ended_at", add)
        if started and ended and ended < started:
            add("call.ended_at", "fin d'appel antérieure au début")
        tr = call.get("transferred")
        if not isinstance(tr, bool):
            add("call.transferred", f"true ou false attendu, trouvé {tr!r}")
        transferred = tr is True
        ts = call.get("transfer_seconds")
        if ts is not None and (isinstance(ts, bool) or not isinstance(ts, (int, float)) or ts < 0):
            add("call.transfer_seconds", f"nombre ≥ 0 ou null attendu, trouvé {ts!r}")
        attempts = call.get("attempts") or []
        for i, attempt in enumerate(attempts if isinstance(attempts, list) else []):
            _check_instant(attempt, f"call.attempts[{i}]", add)
        method = call.get("agreed_method")
        if method is not None and method not in METHODS:
            add("call.agreed_method", f"« email », « phone » ou null attendu, trouvé {method!r}")

    fu = obj.get("follow_up")
    if not isinstance(fu, dict):
        add("follow_up", "objet {email_received_at, callback_at, callback_method} attendu")
        fu = {}
    else:
        _check_instant(fu.get("email_received_at"), "follow_up.email_received_at", add)
        _check_instant(fu.get("callback_at"), "follow_up.callback_at", add)
        method = fu.get("callback_method")
        if method is not None and method not in METHODS:
            add(
                "follow_up.callback_method",
                f"« email », « phone » ou null attendu, trouvé {method!r}",
            )

    answers = obj.get("answers")
    if not isinstance(answers, dict):
        add("answers", 'objet {"<question>": [options]} attendu')
    elif grid is not None:
        for p in validate_answers(grid, answers, transferred):
            add(p.field, p.message)
        clean = not any(pr.field.startswith("answers") for pr in problems)
        if clean and status == "complete":
            optional = [grid.rule_question("callback_method")] if not fu.get("callback_at") else []
            missing = missing_answers(grid, answers, transferred, optional)
            if missing:
                add("answers", "audit terminé sans réponse aux questions " + ", ".join(missing))
        if clean and not problems:
            _check_computed(obj, grid, answers, transferred, add)
    if status in ("awaiting_follow_up", "complete") and isinstance(call, dict) and ended is None:
        add("call.ended_at", f"requis pour un audit au statut {status!r}")
    for key in ("created_at", "updated_at"):
        # Optional on import; a record imported without one is stored and exported with ""
        # (Audit.from_dict), which must import again.
        if obj.get(key) not in (None, ""):
            _check_instant(obj[key], key, add)
    check_reserved(obj, add, lambda value, fld: _check_instant(value, fld, add, True))
    return problems


def _check_computed(
    obj: Mapping[str, Any],
    grid: Grid,
    answers: Mapping[str, list[int]],
    transferred: bool,
    add: Callable[..., None],
) -> None:
    """Stored computed fields that disagree with the recomputation are reported as warnings."""
    result = score(grid, answers, transferred)
    if "score" in obj and known_part(obj["score"], "score") != result.to_dict(
        str(obj.get("status"))
    ):
        add(
            "score",
            f"score fourni {obj['score']!r} différent du score recalculé "
            f"{result.points}/{result.max} ; le score recalculé est conservé",
            True,
        )
    if "outcome" in obj and obj["outcome"] != result.outcome:
        add("outcome", f"résultat fourni {obj['outcome']!r} remplacé par {result.outcome!r}", True)


def in_time_problems(
    obj: Mapping[str, Any], audit: Audit, line: int | None, now: datetime
) -> list[Problem]:
    """`follow_up.email_in_time` / `callback_in_time` given by a record and differing from what
    its evidence and deadlines (recomputed) say at `now`: reported, the recomputed value kept."""
    from auditor_tui.domain.evidence import disagreements

    return [
        Problem(
            line,
            f"follow_up.{name}",
            f"valeur fournie {_shown(given)} différente de la valeur recalculée "
            f"{_json(recomputed)} ; la valeur recalculée est conservée",
            True,
        )
        for name, given, recomputed in disagreements(obj.get("follow_up"), audit, now)
    ]


def _json(value: bool | None) -> str:
    return "null" if value is None else "true" if value else "false"
