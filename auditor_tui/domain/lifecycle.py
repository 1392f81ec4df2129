"""An audit's life: draft → awaiting follow-up (at call end) → complete, and the deadlines
fixed when the call ends (computed once and stored, never at every start). Each step is noted in
the audit's history (domain/history.py) when its instant is given.
"""

from __future__ import annotations

from datetime import datetime

from auditor_tui.domain import history
from auditor_tui.domain.record import Audit, format_instant, parse_instant
from auditor_tui.domain.scoring import OUTCOME_UNREACHABLE


class LifecycleError(ValueError):
    """A transition refused; `missing` lists what is still needed."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        self.missing = missing or []
        super().__init__(message)


def recompute_deadlines(audit: Audit) -> None:
    """Set `calendar` and `deadlines` from the call end, the dealer's place and the delays of
    the audit's grid.

    A calendar already recorded on the audit is reused, so the place (country, subdivision)
    a past deadline was computed with never changes behind the auditor's back.
    """
    if not audit.call.ended_at or audit.score().outcome == OUTCOME_UNREACHABLE:
        audit.deadlines = None  # nothing to follow up on a dealer that was never reached
        return
    from auditor_tui.domain.deadlines import Calendar, calendar_for, deadlines_for

    if audit.calendar:
        calendar = Calendar.from_dict(audit.calendar)
    else:
        calendar = calendar_for(audit.dealer.country, audit.dealer.department)
    audit.calendar = calendar.to_dict()
    grid = audit.grid
    audit.deadlines = deadlines_for(
        parse_instant(audit.call.ended_at),
        calendar,
        grid.email_delay,
        grid.callback_business_days,
    )


def settle(audit: Audit) -> bool:
    """An unreachable dealer's audit whose call has ended has nothing to follow up: it is
    complete, without deadlines — whichever came first, the end of the call or Q1's answer.
    True when this changed the audit (every save of a live call or a follow-up applies it)."""
    if (
        audit.call.ended_at is None
        or audit.status == "complete"
        or audit.score().outcome != OUTCOME_UNREACHABLE
    ):
        return False
    audit.status = "complete"
    audit.deadlines = None
    return True


def end_call(audit: Audit, moment: datetime) -> None:
    """The call ends: the e-mail's and the call-back's clocks start, for the grid's delays (an
    unreachable dealer's audit is complete at once: see `settle`)."""
    audit.call.ended_at = format_instant(moment)
    if audit.status == "draft":
        audit.status = "awaiting_follow_up"
    settle(audit)
    recompute_deadlines(audit)
    history.sync(audit, moment)


def complete(audit: Audit, moment: datetime | None = None) -> None:
    """Close the audit; refused with the list of what is still missing. At `moment` the
    history notes it, with the deadlines still open and their evidence missing (a completion
    confirmed before its time, DOMAIN.md §4)."""
    missing = audit.missing()
    if not audit.call.ended_at:
        missing = ["fin d'appel", *missing]
    if missing:
        raise LifecycleError("audit incomplet : " + ", ".join(missing), missing)
    audit.status = "complete"
    if moment is not None:
        from auditor_tui.domain.evidence import open_deadlines

        still_open = open_deadlines(audit, moment)
        detail = history.early_detail(still_open) if still_open else None
        history.note(audit, history.COMPLETED, moment, detail)
        history.sync(audit, moment)


def reopen(audit: Audit, reason: str, moment: datetime | None = None) -> None:
    """Reopen a completed audit; the reason goes into the history (at `moment`) and the event
    log with the save."""
    if audit.status != "complete":
        raise LifecycleError("seul un audit terminé peut être rouvert")
    if audit.score().outcome == OUTCOME_UNREACHABLE:
        raise LifecycleError("concessionnaire injoignable : rien à suivre, l'audit reste terminé")
    if not reason.strip():
        raise LifecycleError("un motif de réouverture est requis")
    audit.status = "awaiting_follow_up"
    if moment is not None:
        history.note(audit, history.REOPENED, moment, reason.strip())
