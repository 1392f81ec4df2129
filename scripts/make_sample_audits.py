#!/usr/bin/env python3
"""Write the example audits shipped with the app (`data/audits-sample.jsonl`), played by the app's
own code: each audit created as the « Nouvel audit » screen does, its call driven through
`LiveCall` (dial attempts, pick-up, the transfer stopwatch, the discovery counter, answers,
notes, the timers' suggestions accepted) and its follow-up through `FollowUpSession` (e-mail,
call-back, Q16-Q19 suggestions, completion, a reopening), on a fixed clock, in a scratch store,
then exported as `auditor-tui export` does. Deterministic: the same file on every run.

    scripts/make_sample_audits.py            # rewrites data/audits-sample.jsonl
    scripts/make_sample_audits.py --out -    # to standard output

tests/test_sample_audits.py fails when the shipped file is no longer what this script writes
(the record or the scoring changed): run it again and commit the file.

Fiction only: dealers of the shipped sample directory (01 99 00, 03 53 01 and 04 65 71 ranges),
mystery identities with numbers of those ranges and `example.org` addresses.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.dealers import Dealer
from auditor_tui.domain.grid import Grid, Question, load_grid
from auditor_tui.domain.record import Audit, DealerRef, Identity
from auditor_tui.domain.scoring import is_applicable
from auditor_tui.exchange.dealers_csv import parse_dealers_csv, sample_dealers_path
from auditor_tui.exchange.export import all_audits, iter_export
from auditor_tui.session.followup import FollowUpSession
from auditor_tui.session.live import LiveCall
from auditor_tui.store import Store

OUT = Path(__file__).resolve().parents[1] / "data" / "audits-sample.jsonl"

IDENTITIES = {
    "Camille Rousseau": Identity("Jean Martin", "+33199001234", "jean.martin@example.org"),
    "Julien Marchand": Identity("Claire Petit", "+33353010042", "claire.petit@example.org"),
}


@dataclass(frozen=True)
class Scenario:
    """One audit as it went: every instant is UTC; the answers not given here are the best
    option of each question (every plain option of a multiple choice)."""

    dealer: str
    auditor: str
    dial: datetime  # the first dial attempt
    attempts: int = 1  # until someone answers; 4: nobody does (unreachable)
    transfer: float | None = None  # seconds to the transfer's pick-up; None: not transferred
    discovery: int = 6  # discovery questions asked
    agreed: str = "phone"  # the contact method agreed during the call
    answers: dict[str, tuple[int, ...]] = field(default_factory=dict)  # positions pressed
    notes: dict[str, str] = field(default_factory=dict)
    email: float | None = 40  # minutes after the call's end; None: no e-mail
    email_useful: bool = True  # False: a bare acknowledgement
    callback: float | None = 26  # hours after the call's end; None: no call-back
    callback_method: str = "phone"
    callback_note: str = ""
    complete: bool = True  # False: still awaiting the call-back
    reopen: str = ""  # a reason: completed, reopened with it, corrected, completed again
    correction: dict[str, tuple[int, ...]] = field(default_factory=dict)


def at(day: str, hour: int, minute: int) -> datetime:
    """An instant from a Paris day and time (winter or summer time from the date)."""
    paris_offset = 2 if "2026-03-29" <= day < "2026-10-25" else 1
    moment = datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}:00+00:00")
    return moment.astimezone(UTC) - timedelta(hours=paris_offset)


SCENARIOS = (
    Scenario(
        "Lexus Dijon",
        "Camille Rousseau",
        at("2026-01-20", 10, 12),
        transfer=22.4,
        notes={"3": "« Lexus Dijon, bonjour, Sandrine à votre écoute »"},
    ),
    Scenario(
        "Lexus Lille",
        "Julien Marchand",
        at("2026-02-10", 14, 35),
        attempts=2,
        transfer=52.8,
        discovery=2,
        answers={"12": (1,), "21": (7,)},
        notes={"4": "Musique d'attente, puis un second standard avant le conseiller."},
        email=95,
        callback=30,
    ),
    Scenario(
        "Lexus Marseille",
        "Camille Rousseau",
        at("2026-03-05", 9, 40),
        attempts=3,
        discovery=0,
        answers={"3": (4,), "10": (2,), "14": (3,), "15": (2,), "22": (4,), "23": (4,)},
        notes={"14": "Conseiller pressé : ni résumé ni prochaine étape."},
        email=185,
        callback=None,
    ),
    Scenario(
        "Lexus Dijon",
        "Julien Marchand",
        at("2026-04-14", 11, 5),
        discovery=5,
        agreed="email",
        callback_method="email",
        callback_note="Proposition d'essai du NX par courriel, avec les créneaux du samedi.",
    ),
    Scenario(
        "Lexus Monaco",
        "Camille Rousseau",
        at("2026-05-19", 15, 20),
        transfer=18.0,
        discovery=4,
        answers={"24": (1, 2)},
        notes={"11": "Conseiller très au fait de la gamme hybride (RX, NX)."},
    ),
    Scenario(
        "Lexus Marseille",
        "Julien Marchand",
        at("2026-06-23", 16, 45),
        transfer=38.5,
        discovery=3,
        answers={"15": (2,)},
        email=70,
        callback=44,
    ),
    Scenario(
        "Lexus Dijon",
        "Camille Rousseau",
        at("2026-07-08", 10, 30),
        transfer=31.2,
        answers={"15": (2,)},
    ),
    Scenario(
        "Lexus Nantes",
        "Julien Marchand",
        at("2026-08-27", 14, 10),
        discovery=2,
        agreed="email",
        email=25,
        email_useful=False,
        callback=21,
        callback_method="email",
        answers={"16": (2,), "20": (3,)},
        notes={"12": "A noté l'adresse e-mail pour envoyer la brochure du UX."},
    ),
    Scenario("Lexus Lille", "Camille Rousseau", at("2026-09-15", 9, 15), attempts=4),
    Scenario(
        "Lexus Dijon",
        "Julien Marchand",
        at("2026-10-06", 15, 0),
        transfer=12.6,
        reopen="Réécoute : le conseiller n'a pas repris mon nom en fin d'appel.",
        correction={"15": (2,)},
    ),
    Scenario(
        "Lexus Bordeaux",
        "Camille Rousseau",
        at("2026-11-03", 11, 25),
        transfer=44.0,
        discovery=1,
        answers={"20": (3,)},
        agreed="email",
        callback_method="phone",
    ),
    Scenario(
        "Lexus Strasbourg",
        "Julien Marchand",
        at("2026-11-24", 10, 50),
        transfer=27.5,
        callback=None,
        complete=False,
    ),
)


class Player:
    """Plays scenarios through the live call and the follow-up, as the app does."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.grid: Grid = load_grid()
        self.dealers: dict[str, Dealer] = {
            d.name: d for d in parse_dealers_csv(sample_dealers_path())
        }
        self.clock = FakeClock(SCENARIOS[0].dial)

    def play(self, number: int, scenario: Scenario) -> None:
        d = self.dealers[scenario.dealer]
        self.clock.jump_wall(
            (scenario.dial - timedelta(minutes=3) - self.clock.now()).total_seconds()
        )
        ref = DealerRef(d.name, d.country, d.department, d.phone, d.id, d.city)
        identity = IDENTITIES[scenario.auditor]
        audit = Audit.new(ref, self.grid, self.clock.now(), scenario.auditor, identity)
        audit.id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"auditor-tui/sample/{number}"))
        self.store.create(audit, moment=self.clock.now())
        self.clock.advance(180)
        live = LiveCall(self.store, audit.id, self.clock)
        if scenario.attempts > int(self.grid.rule("attempts")["max_failed_attempts"]):
            self.unreachable(live, scenario)
        else:
            self.call(live, scenario)
        self.follow_up(audit.id, scenario)

    def unreachable(self, live: LiveCall, scenario: Scenario) -> None:
        for _ in range(scenario.attempts):
            live.dial_attempt()
            self.clock.advance(40)
        for suggestion in live.suggestions():
            if suggestion.ends_call:
                live.accept(suggestion)

    def accept(self, live: LiveCall, rule: str) -> None:
        qid = self.grid.rule_question(rule)
        for suggestion in live.suggestions():
            if suggestion.question == qid:
                live.accept(suggestion)

    def call(self, live: LiveCall, s: Scenario) -> None:
        for _ in range(s.attempts):
            live.dial_attempt()
            self.clock.advance(35)
        live.answered()
        self.accept(live, "attempts")
        self.clock.advance(20)
        if s.transfer is not None:
            live.transfer_start()
            self.clock.advance(s.transfer)
            live.transfer_pickup()
            self.accept(live, "transfer")
        for _ in range(s.discovery):
            self.clock.advance(25)
            live.discovery_question()
        live.set_agreed_method(s.agreed)
        during_call = set(self.grid_questions_before("email"))
        for question in self.grid.questions():
            if question.id not in during_call or question.id in live.audit.answers:
                continue
            if live.applicable(question):
                self.press(live.answer, question, s.answers)
                self.clock.advance(15)
        for qid, text in s.notes.items():
            live.set_note(qid, text)
        self.accept(live, "discovery")
        self.clock.advance(60)
        live.end_call()

    def grid_questions_before(self, rule: str) -> list[str]:
        """The questions of the sections before the one holding `rule`'s question."""
        first = self.grid.sections.index(self.grid.section_of(self.grid.rule_question(rule)))
        return [q.id for section in self.grid.sections[:first] for q in section.questions]

    @staticmethod
    def press(
        answer: Callable[[str, int], object], question: Question, given: dict[str, tuple[int, ...]]
    ) -> None:
        """The scenario's positions for the question, else its best one(s)."""
        positions = given.get(question.id)
        if positions is None:
            plain = [o for o in question.options if not (o.exclusive or o.unreachable)]
            if question.multi:
                positions = tuple(o.position for o in plain)
            else:
                positions = (max(plain, key=lambda o: o.points).position,)
        for position in positions:
            answer(question.id, position)

    def follow_up(self, audit_id: str, s: Scenario) -> None:
        session = FollowUpSession(self.store, audit_id)
        if session.unreachable:
            if session.editable:
                session.complete(self.clock.now())
            return
        ended = datetime.fromisoformat(str(session.audit.call.ended_at))
        if s.email is not None:
            when = ended + timedelta(minutes=s.email)
            self.clock.jump_wall((when + timedelta(minutes=5) - self.clock.now()).total_seconds())
            session.record_email(when, s.email_useful, self.clock.now())
        if s.callback is not None:
            when = ended + timedelta(hours=s.callback)
            self.clock.jump_wall((when + timedelta(minutes=10) - self.clock.now()).total_seconds())
            session.record_callback(when, s.callback_method, s.callback_note, self.clock.now())
        if not s.complete:
            session.accept_all(self.clock.now())  # the e-mail's Q16, say
            return
        if s.callback is None:  # the auditor waits out the call-back's window
            self.clock.jump_wall((ended + timedelta(days=5) - self.clock.now()).total_seconds())
        now = self.clock.now()
        transferred = session.audit.call.transferred
        session.accept_all(now)
        for qid in session.questions():
            question = self.grid.question(qid)
            if qid in s.answers:
                session.clear(qid, now)
            elif qid in session.audit.answers or not is_applicable(question, transferred):
                continue
            self.press(lambda q, p: session.answer(q, p, now), question, s.answers)
        session.complete(self.clock.now())
        if s.reopen:
            self.clock.advance(3600)
            session.reopen(s.reopen, self.clock.now())
            for qid, positions in s.correction.items():
                session.answer(qid, positions[0], self.clock.now())
            session.complete(self.clock.now())


def sample_jsonl() -> bytes:
    """The example audits as `auditor-tui export --format jsonl` writes them."""
    with (
        tempfile.TemporaryDirectory(prefix="auditor-sample-") as scratch,
        Store.open(Path(scratch) / "store") as store,
    ):
        player = Player(store)
        for number, scenario in enumerate(SCENARIOS, start=1):
            player.play(number, scenario)
        # Exported as of the end of the play (the in-time flags of an open window depend on it).
        return "".join(iter_export(all_audits(store), player.clock.now())).encode("utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(OUT), help=f"« - » : stdout (défaut : {OUT})")
    args = parser.parse_args(argv)
    data = sample_jsonl()
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(args.out).write_bytes(data)
        print(f"{len(data.splitlines())} audits écrits dans {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
