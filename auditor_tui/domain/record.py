"""The audit record (`auditor-tui/audit/v1`, DOMAIN.md §4): the typed model, its JSON form and
its validation, which lists every problem with its line and field.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor_tui.domain.grid import Grid, GridError, load_grid
from auditor_tui.domain.instants import format_instant as format_instant  # re-exported
from auditor_tui.domain.instants import parse_rfc3339, stored_spelling
from auditor_tui.domain.labels import STATUS_LABELS as STATUS_LABELS  # re-exported
from auditor_tui.domain.labels import STATUSES as STATUSES
from auditor_tui.domain.record_fields import (
    check_reserved,
    known_part,
    merge_extra,
    split_record_extra,
)
from auditor_tui.domain.scoring import Score, missing_answers, score, validate_answers

SCHEMA = "auditor-tui/audit/v1"

METHODS = ("email", "phone")
COUNTRIES = ("FR", "MC")
YEARS = (2000, 2100)  # instants outside are typing mistakes (and would overflow deadlines)
# Integers a spreadsheet or a JavaScript reader holds exactly (RFC 7493, I-JSON): a revision or
# a count beyond is refused rather than rounded by the next reader.
MAX_INTEGER = 2**53 - 1
_CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def now_utc() -> datetime:
    return datetime.now(UTC)


def is_canonical_id(value: object) -> bool:
    """The one spelling of an audit id: a UUID in lowercase 8-4-4-4-12 form, as `uuid4()`
    gives it (no braces, no `urn:uuid:`, no spaces, ASCII digits only). File names are made
    from it."""
    return isinstance(value, str) and _CANONICAL_ID.fullmatch(value) is not None


def parse_instant(text: str) -> datetime:
    """An instant as stored (ISO 8601 with an explicit offset); ValueError otherwise. Input
    from outside is checked with the stricter `instants.parse_rfc3339`."""
    if not isinstance(text, str):
        raise ValueError(f"texte ISO 8601 attendu, trouvé {type(text).__name__}")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"instant sans décalage horaire : {text!r}")
    return moment


@dataclass
class DealerRef:
    name: str
    country: str
    department: str | None
    phone: str
    id: str | None = None
    city: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "country": self.country,
            "department": self.department,
            "phone": self.phone,
        }
        if self.id is not None:
            d["id"] = self.id
        if self.city is not None:
            d["city"] = self.city
        return d


@dataclass
class Identity:
    """The auditor's mystery identity given to the dealer during the call."""

    name: str = ""
    phone: str = ""
    email: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "phone": self.phone, "email": self.email}


@dataclass
class Call:
    started_at: str | None = None
    ended_at: str | None = None
    transferred: bool = False
    transfer_seconds: float | None = None
    attempts: list[str] = field(default_factory=list)  # dial attempts, instants
    answered_at: str | None = None
    transfer_started_at: str | None = None
    transfer_answered_at: str | None = None
    discovery_questions: int = 0
    agreed_method: str | None = None  # contact method agreed during the call (Q13)
    receptionist_name: str = ""  # names noted for dealer staff (left out by a pseudonymised export)
    advisor_name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "transferred": self.transferred,
            "transfer_seconds": self.transfer_seconds,
            "attempts": list(self.attempts),
            "answered_at": self.answered_at,
            "transfer_started_at": self.transfer_started_at,
            "transfer_answered_at": self.transfer_answered_at,
            "discovery_questions": self.discovery_questions,
            "agreed_method": self.agreed_method,
            "receptionist_name": self.receptionist_name,
            "advisor_name": self.advisor_name,
        }


@dataclass
class FollowUp:
    email_received_at: str | None = None
    email_has_information: bool | None = None  # brochure/price list, not a bare acknowledgement
    callback_at: str | None = None
    callback_method: str | None = None
    callback_note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "email_received_at": self.email_received_at,
            "email_has_information": self.email_has_information,
            "callback_at": self.callback_at,
            "callback_method": self.callback_method,
            "callback_note": self.callback_note,
        }


class _LastScore:
    """An audit's last score with what it was computed from: an import scores each record
    when its deadlines are recomputed, when it is checked and when it is indexed. A copy of
    the audit starts without it (never a copy of the grid)."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: tuple[Grid, Any, Score] | None = None  # replaced whole: safe across threads

    def __copy__(self) -> _LastScore:
        return _LastScore()

    def __deepcopy__(self, memo: Any) -> _LastScore:
        return _LastScore()


@dataclass
class Audit:
    id: str
    questionnaire: str
    dealer: DealerRef
    revision: int = 1
    call: Call = field(default_factory=Call)
    answers: dict[str, list[int]] = field(default_factory=dict)
    follow_up: FollowUp = field(default_factory=FollowUp)
    status: str = "draft"
    auditor: str = ""
    identity: Identity = field(default_factory=Identity)
    notes: dict[str, str] = field(default_factory=dict)
    calendar: dict[str, Any] | None = None  # the holiday calendar the deadlines were computed with
    deadlines: dict[str, str] | None = None  # {"email": instant, "callback": instant}
    created_at: str = ""
    updated_at: str = ""
    export_batch: str | None = None
    # Fields of the record this version does not model, kept and written back in place
    # (record_fields.py): unknown ones, and the contract's reserved `service`, `wave`…
    extra: dict[str, Any] = field(default_factory=dict)
    _scored: _LastScore = field(default_factory=_LastScore, init=False, repr=False, compare=False)

    @classmethod
    def new(
        cls,
        dealer: DealerRef,
        grid: Grid,
        moment: datetime,
        auditor: str = "",
        identity: Identity | None = None,
    ) -> Audit:
        stamp = format_instant(moment)
        return cls(
            id=str(uuid.uuid4()),
            questionnaire=grid.id,
            dealer=dealer,
            auditor=auditor,
            identity=identity or Identity(),
            created_at=stamp,
            updated_at=stamp,
        )

    @property
    def grid(self) -> Grid:
        return load_grid(self.questionnaire)

    def score(self) -> Score:
        """The score of the answers as they are now (computed again only if they changed)."""
        grid = self.grid
        try:
            key = (
                self.call.transferred,
                [(q, tuple(chosen)) for q, chosen in self.answers.items()],
            )
        except TypeError:  # not answers at all: scoring says how
            return score(grid, self.answers, self.call.transferred)
        last = self._scored.last
        if last is not None and last[0] is grid and last[1] == key:
            return last[2]
        result = score(grid, self.answers, self.call.transferred)
        self._scored.last = (grid, key, result)
        return result

    def optional_questions(self) -> list[str]:
        """Unscored questions that cannot be known yet: Q19 (callback method) before a call-back."""
        if self.follow_up.callback_at is None:
            return [self.grid.rule_question("callback_method")]
        return []

    def missing(self) -> list[str]:
        return missing_answers(
            self.grid, self.answers, self.call.transferred, self.optional_questions()
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored form: the contract's required fields plus this app's own, and the
        fields kept in `extra`, in place."""
        out = self._known_dict()
        return merge_extra(out, self.extra) if self.extra else out

    def _known_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "id": self.id,
            "revision": self.revision,
            "questionnaire": self.questionnaire,
            "dealer": self.dealer.to_dict(),
            "call": self.call.to_dict(),
            "answers": {k: list(v) for k, v in self.answers.items()},
            "follow_up": self.follow_up.to_dict(),
            "status": self.status,
            "auditor": self.auditor,
            "identity": self.identity.to_dict(),
            "notes": dict(self.notes),
            "calendar": self.calendar,
            "deadlines": self.deadlines,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "export_batch": self.export_batch,
        }

    def to_export(self) -> dict[str, Any]:
        """The exported record: stored fields plus the computed `score` and `outcome`."""
        result = self.score()
        out = self._known_dict()
        out.pop("export_batch")
        out["score"] = result.to_dict(self.status)
        out["outcome"] = result.outcome
        out["deadlines"] = self.deadlines or {"email": None, "callback": None}
        return merge_extra(out, self.extra) if self.extra else out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Audit:
        """Build from an already validated dict (see `validate_record`) or a stored record:
        instants in the stored spelling, fields not modelled kept in `extra`."""
        dealer = d["dealer"]
        call = d.get("call") or {}
        fu = d.get("follow_up") or {}
        ident = d.get("identity") or {}
        at = stored_spelling
        deadlines = known_part(d.get("deadlines"), "deadlines")
        return cls(
            id=d["id"],
            revision=int(d["revision"]),
            questionnaire=d["questionnaire"],
            dealer=DealerRef(
                dealer["name"],
                dealer["country"],
                dealer.get("department"),
                dealer["phone"],
                dealer.get("id"),
                dealer.get("city"),
            ),
            call=Call(
                started_at=at(call.get("started_at")),
                ended_at=at(call.get("ended_at")),
                transferred=bool(call.get("transferred", False)),
                transfer_seconds=call.get("transfer_seconds"),
                attempts=[at(a) for a in call.get("attempts") or []],
                answered_at=at(call.get("answered_at")),
                transfer_started_at=at(call.get("transfer_started_at")),
                transfer_answered_at=at(call.get("transfer_answered_at")),
                discovery_questions=int(call.get("discovery_questions") or 0),
                agreed_method=call.get("agreed_method"),
                receptionist_name=call.get("receptionist_name") or "",
                advisor_name=call.get("advisor_name") or "",
            ),
            answers={str(k): list(v) for k, v in (d.get("answers") or {}).items()},
            follow_up=FollowUp(
                email_received_at=at(fu.get("email_received_at")),
                email_has_information=fu.get("email_has_information"),
                callback_at=at(fu.get("callback_at")),
                callback_method=fu.get("callback_method"),
                callback_note=fu.get("callback_note") or "",
            ),
            status=d["status"],
            auditor=d.get("auditor") or "",
            identity=Identity(
                ident.get("name", ""), ident.get("phone", ""), ident.get("email", "")
            ),
            notes=dict(d.get("notes") or {}),
            calendar=known_part(d.get("calendar"), "calendar") or None,
            deadlines={k: at(v) for k, v in deadlines.items()} if deadlines else None,
            created_at=at(d.get("created_at") or ""),
            updated_at=at(d.get("updated_at") or ""),
            export_batch=d.get("export_batch"),
            extra=split_record_extra(d, at),
        )


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


def _shown(value: Any, limit: int = 80) -> str:
    """A value as a message quotes it, cut short (a hostile file may hold megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
