"""The question asked in place before a live call changes phase (« Fin d'appel ? Entrée/o oui ·
Échap non »): a stray key ends, transfers or closes nothing by itself, nor takes back a timed
event (« u »: « Annuler la prise du transfert ? »).

Each key of a phase change adds a step, stamped with the monotonic instant of that key: on
« oui » the steps run in the order pressed, each at its own instant (the transfer's 45 s run
from the hold, not from the confirmation). While the question waits, every other key of the
call still does what it does and the question stays: an auditor who answers a question while
on hold keeps the transfer's timing. Échap drops the question and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from textual.content import Content

from auditor_tui.session import call_state
from auditor_tui.session.live import LiveCall

ANSWERED = "answered"
TRANSFER_START = "transfer_start"
TRANSFER_PICKUP = "transfer_pickup"
END_CALL = "end_call"
UNREACHABLE = "unreachable"
UNDO = "undo"

# What « u » would take back, as the question names it (« Annuler la prise du transfert ? »):
# every timed event, whose instant a stray « u » would lose. The discovery questions' count
# (« q ») is taken back at once: it has no instant.
UNDO_LABELS = {
    call_state.ATTEMPT: "Annuler la dernière tentative",
    call_state.ANSWERED: "Annuler le décroché",
    call_state.TRANSFER_START: "Annuler le début de transfert",
    call_state.TRANSFER_PICKUP: "Annuler la prise du transfert",
    call_state.END_CALL: "Annuler la fin d'appel",
}

KEYS_HINT = "Entrée/o oui · Échap non"


@dataclass(frozen=True)
class Step:
    kind: str
    label: str  # « Fin d'appel »
    at: float  # the clock's monotonic instant of the key
    run: Callable[[LiveCall, float], object]  # the change, given that instant

    def apply(self, live: LiveCall) -> object:
        return self.run(live, self.at)


@dataclass
class Question:
    steps: list[Step] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.steps)

    def add(self, step: Step) -> bool:
        """Add a step; a phase key pressed again keeps its first instant (False)."""
        if any(s.kind == step.kind for s in self.steps):
            return False
        self.steps.append(step)
        return True

    def step(self, kind: str) -> Step | None:
        return next((s for s in self.steps if s.kind == kind), None)

    def take(self) -> list[Step]:
        """The steps, in the order pressed; the question is no longer asked."""
        steps, self.steps = self.steps, []
        return steps

    def content(self) -> Content:
        labels = ", puis ".join(s.label for s in self.steps)
        return Content.assemble((f"{labels} ?", "bold"), f"  {KEYS_HINT}")


def makes_unreachable(live: LiveCall, qid: str, position: int) -> bool:
    """Whether option `position` of `qid` would declare the dealer unreachable (a phase
    change: asked first), rather than withdraw that answer."""
    if not live.grid.has_question(qid):
        return False
    question = live.grid.question(qid)
    if not 1 <= position <= len(question.options):
        return False
    chosen = position in live.audit.answers.get(qid, [])
    return question.option(position).unreachable and not chosen


def undo(live: LiveCall, _at: float) -> object:
    """The undo of the end of call, once confirmed (it has no instant of its own)."""
    return live.undo()


def refuse_done(live: LiveCall, kind: str, notify: Callable[..., None]) -> bool:
    """A phase key whose change is done already (« d » once answered, any after the end): not
    asked, refused at once with the reason the call would give after « oui »."""
    call = live.audit.call
    done = {
        ANSWERED: "appel déjà décroché" if call.answered_at else "",
        TRANSFER_START: "transfert déjà commencé" if call.transfer_started_at else "",
        TRANSFER_PICKUP: "transfert déjà pris" if call.transfer_answered_at else "",
    }.get(kind, "")
    if call.ended_at and kind in (ANSWERED, TRANSFER_START, TRANSFER_PICKUP, END_CALL):
        done = "appel terminé (u annule la fin d'appel)"
    if done:
        notify(done, title="Refusé", severity="warning")
    return bool(done)
