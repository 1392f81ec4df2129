"""A scripted audit session played through the real store, for the crash tests.

The player does what the app does — `Store.open`, the dealer directory and identity settings,
`store.create`, then the live call (`LiveCall`: dial attempts, pick-up, transfer timer,
discovery counter, answers, notes, end of call) and the follow-up (`FollowUpSession`: e-mail,
call-back, Q16-Q19, complete, reopen) — with a deterministic script drawn from a seed and a
`FakeClock`. Every write is announced on standard output as one JSON line: `pending` before it
starts, `saved` once it has returned. A parent that kills this process with SIGKILL therefore
knows which states the store must hold (see tests/test_reliability_crash.py).

    python -m tests.crashplay STORE --seed 7 [--audits 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.dealers import Dealer
from auditor_tui.domain.grid import Grid, Question, load_grid
from auditor_tui.domain.lifecycle import LifecycleError
from auditor_tui.domain.record import Audit, DealerRef, Identity, format_instant
from auditor_tui.domain.scoring import is_applicable
from auditor_tui.exchange.dealers_csv import parse_dealers_csv, sample_dealers_path
from auditor_tui.session.followup import FollowUpError, FollowUpSession
from auditor_tui.session.live import LiveCall
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError, StoreLockedError

EXIT_REFUSED = 3
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
AUDITOR = "Camille Durand"
IDENTITY = Identity("Jean Martin", "+33199001234", "jean.martin@example.org")
NOTES = (
    "« Lexus, bonjour » — accueil souriant",
    "a demandé le nom deux fois",
    "musique d'attente très forte 🎵",
    "conseiller pressé ; pas de reformulation",
    "propose un essai au Mans 😊",
)


def emit(event: dict[str, Any]) -> None:
    """One JSON line on stdout, written with a single write() call and no buffering."""
    line = json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
    data = line.encode("utf-8")
    while data:
        data = data[os.write(1, data) :]


class ReportingStore(Store):
    """The real store, announcing each audit write before it starts and after it returned."""

    def create(self, audit: Audit, moment: datetime | None = None) -> Audit:
        emit({"event": "pending", "op": "create", "id": audit.id, "record": audit.to_dict()})
        stored = super().create(audit, moment)
        emit({"event": "saved", "op": "create", "id": audit.id, "record": stored.to_dict()})
        return stored

    def save(
        self,
        audit: Audit,
        *,
        kind: str = "edit",
        reason: str | None = None,
        moment: datetime | None = None,
    ) -> Audit:
        stamp = format_instant(moment) if moment is not None else None
        emit(
            {
                "event": "pending",
                "op": "save",
                "id": audit.id,
                "moment": stamp,
                "reason": reason,
                "record": audit.to_dict(),
            }
        )
        stored = super().save(audit, kind=kind, reason=reason, moment=moment)
        emit({"event": "saved", "op": "save", "id": audit.id, "record": stored.to_dict()})
        return stored


def open_store(root: Path) -> ReportingStore:
    store = ReportingStore.open(root)
    assert isinstance(store, ReportingStore)
    emit(
        {
            "event": "open",
            "pid": os.getpid(),
            "recovery": store.recovery_message,
            "damaged": [d.message for d in store.damaged],
        }
    )
    return store


def close_store(store: Store) -> None:
    emit({"event": "closing"})
    store.close()


class Player:
    """Plays audits one after the other; `rng` decides everything, `clock` gives the time."""

    def __init__(self, store: ReportingStore, seed: int) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.clock = FakeClock(START + timedelta(hours=seed % 8000))
        self.grid: Grid = load_grid()
        self.dealers: list[Dealer] = parse_dealers_csv(sample_dealers_path())

    def advance(self, low: float, high: float) -> None:
        self.clock.advance(round(self.rng.uniform(low, high), 1))

    def setup(self) -> None:
        """What the app does on first use: seed the dealer directory, remember the identity."""
        if not self.store.dealers():
            self.store.replace_dealers(d.to_dict() for d in self.dealers)
        if self.store.setting("auditor") != AUDITOR:
            self.store.set_setting("auditor", AUDITOR)
            self.store.set_setting("identity", IDENTITY.to_dict())

    def new_audit(self) -> Audit:
        d = self.rng.choice(self.dealers)
        ref = DealerRef(d.name, d.country, d.department, d.phone, d.id, d.city)
        audit = Audit.new(ref, self.grid, self.clock.now(), AUDITOR, IDENTITY)
        audit.id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        return self.store.create(audit, moment=self.clock.now())

    def play_audit(self) -> str:
        audit = self.new_audit()
        live = LiveCall(self.store, audit.id, self.clock)
        if self.rng.random() < 0.08:
            self.unreachable(live)
        else:
            self.call(live)
        self.follow_up(audit.id)
        return audit.id

    def unreachable(self, live: LiveCall) -> None:
        for _ in range(int(self.grid.rule("attempts")["max_failed_attempts"]) + 1):
            live.dial_attempt()
            self.advance(20, 45)
        for suggestion in live.suggestions():
            if suggestion.ends_call:
                live.accept(suggestion)

    def accept_suggestion(self, live: LiveCall, rule: str) -> None:
        qid = self.grid.rule_question(rule)
        for suggestion in live.suggestions():
            if suggestion.question == qid:
                live.accept(suggestion)

    def call(self, live: LiveCall) -> None:
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            live.dial_attempt()
            self.advance(15, 40)
        live.answered()
        self.accept_suggestion(live, "attempts")
        if rng.random() < 0.6:
            self.advance(5, 30)
            live.transfer_start()
            self.advance(5, 35)
            if rng.random() < 0.3:
                self.clock.jump_wall(rng.choice([3600, 600, -3]))  # NTP or the user
            self.advance(0, 35)
            live.transfer_pickup()
            self.accept_suggestion(live, "transfer")
        for _ in range(rng.randint(0, 7)):
            self.advance(5, 40)
            live.discovery_question()
        live.set_agreed_method(rng.choice(["phone", "email"]))
        first = self.grid.sections.index(self.grid.section_of(self.grid.rule_question("email")))
        follow_up = {q.id for s in self.grid.sections[first:] for q in s.questions}
        for question in self.grid.questions():
            if question.id in follow_up or question.id in live.audit.answers:
                continue
            if not live.applicable(question):
                continue
            self.answer(live, question)
            if rng.random() < 0.2:
                live.set_note(question.id, rng.choice(NOTES))
            self.advance(3, 30)
        self.accept_suggestion(live, "discovery")
        live.end_call()

    def answer(self, live: LiveCall, question: Question) -> None:
        rng = self.rng
        usable = [o.position for o in question.options if not o.unreachable]
        if question.kind == "single":
            live.answer(question.id, rng.choice(usable))
            if rng.random() < 0.15:  # the auditor changes their mind
                live.answer(question.id, rng.choice(usable))
            return
        plain = [o.position for o in question.options if not o.exclusive]
        exclusive = [o.position for o in question.options if o.exclusive]
        if exclusive and rng.random() < 0.15:
            live.answer(question.id, exclusive[0])
            return
        for position in rng.sample(plain, rng.randint(1, len(plain))):
            live.answer(question.id, position)
        if rng.random() < 0.15:  # toggled off and on again
            position = rng.choice(live.audit.answers[question.id])
            live.answer(question.id, position)
            live.answer(question.id, position)

    def follow_up(self, audit_id: str) -> None:
        rng = self.rng
        session = FollowUpSession(self.store, audit_id)
        if session.unreachable:
            self.try_complete(session)
            return
        ended = datetime.fromisoformat(str(session.audit.call.ended_at))
        if rng.random() < 0.85:
            self.advance(600, 9000)
            at = ended + timedelta(seconds=rng.randint(60, 8000))
            at = min(at, self.clock.now())
            session.record_email(at, rng.random() < 0.7, self.clock.now())
        if rng.random() < 0.8:
            self.advance(3600, 200_000)
            at = max(ended, self.clock.now() - timedelta(seconds=rng.randint(0, 3000)))
            method = rng.choice(["phone", "email"])
            session.record_callback(at, method, rng.choice(NOTES), self.clock.now())
        session.accept_all(self.clock.now())
        for qid in session.questions():
            if qid not in session.audit.answers:
                question = self.grid.question(qid)
                if is_applicable(question, session.audit.call.transferred):
                    positions = [
                        o.position for o in question.options if not (o.exclusive or o.unreachable)
                    ]
                    session.answer(qid, rng.choice(positions), self.clock.now())
        if self.try_complete(session) and rng.random() < 0.2:
            self.advance(60, 3600)
            session.reopen("correction après réécoute de l'appel", self.clock.now())
            self.try_complete(session)

    def try_complete(self, session: FollowUpSession) -> bool:
        if not session.editable:
            return False  # completed already (an unreachable dealer, say)
        try:
            session.complete(self.clock.now())
        except (LifecycleError, FollowUpError):
            return False
        return True


def play(root: Path, seed: int, audits: int) -> None:
    store = open_store(root)
    try:
        player = Player(store, seed)
        player.setup()
        for n in range(audits):
            if n and player.rng.random() < 0.25:  # the auditor quits and comes back
                close_store(store)
                store = open_store(root)
                player.store = store
            player.play_audit()
            player.advance(300, 3000)
        emit({"event": "done"})
    finally:
        close_store(store)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.crashplay")
    parser.add_argument("store", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--audits", type=int, default=1000)
    args = parser.parse_args(argv)
    try:
        play(args.store, args.seed, args.audits)
    except StoreLockedError as exc:
        emit({"event": "refused", "message": str(exc)})
        print(exc, file=sys.stderr)
        return EXIT_REFUSED
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
