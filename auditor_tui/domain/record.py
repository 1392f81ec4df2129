"""The audit record (`auditor-tui/audit/v1`, DOMAIN.md §4): the typed model and its JSON form.
Its validation, which lists every problem with its line and field, is record_check.py.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor_tui.domain.grid import Grid, GridLookup, load_grid
from auditor_tui.domain.instants import format_instant as format_instant  # re-exported
from auditor_tui.domain.instants import parse_instant as parse_instant  # re-exported
from auditor_tui.domain.instants import stored_spelling
from auditor_tui.domain.labels import STATUS_LABELS as STATUS_LABELS  # re-exported
from auditor_tui.domain.labels import STATUSES as STATUSES
from auditor_tui.domain.record_fields import (
    copy_planned,
    known_part,
    merge_extra,
    read_history,
    split_record_extra,
)
from auditor_tui.domain.scoring import Score, missing_answers, score

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
    # The lifecycle, `[{"at", "event", "detail"}]` oldest first (domain/history.py).
    history: list[dict[str, Any]] = field(default_factory=list)
    # The programme's optional fields (DOMAIN.md §4): the service the call was about (VN, VO,
    # APV), the wave it counts in (« 2027-T1 »), the slot the plan gave it
    # ({"date": "2027-01-12", "window": ["10:00", "11:00"]}). Absent: not written.
    service: str | None = None
    wave: str | None = None
    planned: dict[str, Any] | None = None
    # Fields of the record this version does not model, kept and written back in place
    # (record_fields.py): the fields this version does not know.
    extra: dict[str, Any] = field(default_factory=dict)
    # Where `grid` is found by the questionnaire's id: the shipped grids, or the store's lookup.
    grids: GridLookup = field(default=load_grid, repr=False, compare=False)
    _scored: _LastScore = field(default_factory=_LastScore, init=False, repr=False, compare=False)

    @classmethod
    def new(
        cls,
        dealer: DealerRef,
        grid: Grid,
        moment: datetime,
        auditor: str = "",
        identity: Identity | None = None,
        service: str | None = None,
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
            history=[{"at": stamp, "event": "created", "detail": None}],
            service=service,
            grids=lambda grid_id: grid if grid_id == grid.id else load_grid(grid_id),
        )

    @property
    def grid(self) -> Grid:
        """The grid of the questionnaire: the one it was made with, as its store finds it."""
        return self.grids(self.questionnaire)

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
        out: dict[str, Any] = {
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
            "history": [dict(e) for e in self.history],
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "export_batch": self.export_batch,
        }
        if self.service is not None:
            out["service"] = self.service
        if self.wave is not None:
            out["wave"] = self.wave
        if self.planned is not None:
            out["planned"] = copy_planned(self.planned)
        return out

    def to_export(self, now: datetime | None = None) -> dict[str, Any]:
        """The exported record: stored fields plus the computed `score`, `outcome`, and
        whether the evidence came in time (`follow_up.email_in_time`, `callback_in_time`: a
        deadline still open with nothing recorded is judged at `now`, the wall clock by
        default)."""
        from auditor_tui.domain.evidence import in_time

        # Scored once, as an export does: no need to remember from what (Audit.score's key).
        last = self._scored.last
        if last is None:
            result = score(self.grid, self.answers, self.call.transferred)
        else:
            result = self.score()
        out = self._known_dict()
        out.pop("export_batch")
        out["score"] = result.to_dict(self.status)
        out["outcome"] = result.outcome
        out["deadlines"] = self.deadlines or {"email": None, "callback": None}
        out["follow_up"].update(in_time(self, now or now_utc()))
        return merge_extra(out, self.extra) if self.extra else out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], grids: GridLookup = load_grid) -> Audit:
        """Build from an already validated dict (see `validate_record`) or a stored record:
        instants in the stored spelling, fields not modelled kept in `extra`; `grids`: where
        its grid is found (the store's)."""
        dealer = d["dealer"]
        call = d.get("call") or {}
        fu = d.get("follow_up") or {}
        ident = d.get("identity") or {}
        at = stored_spelling
        deadlines = known_part(d.get("deadlines"), "deadlines")
        given = d.get("answers") or {}
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
                attempts=list(map(at, call.get("attempts") or ())),
                answered_at=at(call.get("answered_at")),
                transfer_started_at=at(call.get("transfer_started_at")),
                transfer_answered_at=at(call.get("transfer_answered_at")),
                discovery_questions=int(call.get("discovery_questions") or 0),
                agreed_method=call.get("agreed_method"),
                receptionist_name=call.get("receptionist_name") or "",
                advisor_name=call.get("advisor_name") or "",
            ),
            # map, not a comprehension: no call of its own (Python 3.11), an export reads 100,000
            answers=dict(zip(map(str, given), map(list, given.values()), strict=True)),
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
            history=read_history(d.get("history")),
            service=d.get("service"),
            wave=d.get("wave"),
            planned=copy_planned(d["planned"]) if d.get("planned") is not None else None,
            extra=split_record_extra(d),
            grids=grids,
        )
