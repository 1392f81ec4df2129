"""The follow-up screen's evidence keys, apart from the screen: « e » notes the e-mail, « r »
the call-back (each in its window, which also removes what was noted on the wrong audit), and
the early-verdict questions (issue 17.2): a « Non » or a completion while a deadline is still
open and its evidence missing is asked first, naming the deadline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from auditor_tui.domain import history
from auditor_tui.domain.evidence import CALLBACK, EMAIL, Evidence
from auditor_tui.domain.record import parse_instant
from auditor_tui.ui.screens.follow_up_modals import (
    CallbackEntry,
    CallbackModal,
    ConfirmModal,
    EmailEntry,
    EmailModal,
    RemoveEntry,
    TimeCheck,
)
from auditor_tui.ui.screens.follow_up_view import answers_text, recorded

if TYPE_CHECKING:
    from auditor_tui.session.followup import FollowUpSession
    from auditor_tui.ui.screens.follow_up import FollowUpScreen

# The grid rules whose « Non » says the dealer did not do it in time, and the deadline behind
# each: Q16 the e-mail's, Q17 and Q18 (recontacté selon la méthode convenue) the call-back's.
_RULE_DEADLINES = (("email", EMAIL), ("callback", CALLBACK), ("method_match", CALLBACK))


def _check_time(screen: FollowUpScreen, what: str) -> TimeCheck:
    def check(at: datetime) -> None:
        screen.session.check_time(at, screen.clock.now(), what)

    return check


def _default_time(recorded_at: str | None, now: datetime) -> datetime:
    """What a time field starts with: the recorded instant, else now."""
    return parse_instant(recorded_at) if recorded_at else now


def ask_email(screen: FollowUpScreen) -> None:
    """The e-mail's window; on « enregistrer », the e-mail noted (or removed)."""
    s = screen.session
    now = screen.clock.now()
    fu = s.audit.follow_up

    def done(entry: object) -> None:
        if isinstance(entry, EmailEntry):
            screen.run_change(
                lambda: s.record_email(entry.at, entry.has_information, screen.clock.now()),
                "E-mail enregistré.",
            )
        elif isinstance(entry, RemoveEntry):
            remove(screen, EMAIL, s.clear_email, "E-mail reçu supprimé")

    screen.app.push_screen(
        EmailModal(
            s.zone,
            _default_time(fu.email_received_at, now),
            now,
            _check_time(screen, "l'e-mail"),
            fu.email_has_information is not False,
            recorded(s, EMAIL),
        ),
        done,
    )


def ask_callback(screen: FollowUpScreen) -> None:
    """The call-back's window; on « enregistrer », the call-back noted (or removed)."""
    s = screen.session
    now = screen.clock.now()
    fu = s.audit.follow_up
    method = fu.callback_method or s.audit.call.agreed_method or "phone"

    def done(entry: object) -> None:
        if isinstance(entry, CallbackEntry):
            screen.run_change(
                lambda: s.record_callback(entry.at, entry.method, entry.note, screen.clock.now()),
                "Rappel enregistré.",
            )
        elif isinstance(entry, RemoveEntry):
            remove(screen, CALLBACK, s.clear_callback, "Rappel reçu supprimé")

    screen.app.push_screen(
        CallbackModal(
            s.zone,
            _default_time(fu.callback_at, now),
            now,
            _check_time(screen, "le rappel"),
            method,
            recorded(s, CALLBACK),
            fu.callback_note,
        ),
        done,
    )


def remove(
    screen: FollowUpScreen, kind: str, clear: Callable[[datetime], object], done: str
) -> None:
    """Remove the recorded e-mail or call-back; say so, with the answers given that rested on
    it (kept: the auditor decides, from the suggestions worked out again)."""
    if not screen.run_change(lambda: clear(screen.clock.now())):
        return
    kept = answers_text(screen.session, kind)
    if kept:
        screen.notify(f"{done}.\nRéponses gardées, à revoir : {kept}", timeout=8)
    else:
        screen.notify(f"{done}.")


# ---- verdicts before their time ----------------------------------------------------------------


def early_for_answer(s: FollowUpSession, qid: str, position: int, now: datetime) -> list[Evidence]:
    """The deadlines a press of `position` on `qid` would judge before their time: the « Non »
    of Q16, Q17 or Q18 (not already given) while the deadline behind it is open and its evidence
    missing."""
    grid = s.grid
    open_kinds = {e.kind: e for e in s.waiting(now)}
    for rule_name, kind in _RULE_DEADLINES:
        rule = grid.rule(rule_name)
        if str(rule["question"]) != qid or position != int(rule["no"]):
            continue
        if kind in open_kinds and s.audit.answers.get(qid) != [position]:
            return [open_kinds[kind]]
    return []


def early_text(s: FollowUpSession, early: list[Evidence], what: str) -> str:
    """« le rappel peut encore arriver jusqu'au lun. 18 mai 23:59 — terminer quand même ? »"""
    left = [(e.kind, e.deadline) for e in early if e.deadline is not None]
    text = f"{history.still_possible(left, s.zone)} — {what} quand même ?"
    return text[:1].upper() + text[1:]


def confirm_early(
    screen: FollowUpScreen,
    early: list[Evidence],
    title: str,
    what: str,
    change: Callable[[], None],
) -> None:
    """Ask before a verdict before its time (« Terminer avant l'échéance ? »); `change` on
    « oui » only."""

    def answered(yes: bool | None) -> None:
        if yes:
            change()

    detail = early_text(screen.session, early, what)
    screen.app.push_screen(ConfirmModal(title, detail, yes=None), answered)
