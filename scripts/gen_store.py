#!/usr/bin/env python3
"""Generate realistic audit stores (for benchmarks and manual tries) through the real store API.

    scripts/gen_store.py DOSSIER --audits 1000 [--seed 2026]

Each audit is played as an auditor would: created, dial attempts, the call with its transfer,
every answer key press saved (with the odd correction), notes, the end of the call (deadlines
from the real calendars), then the e-mail and the call-back, and completion. Every step is a
real `Store.create` / `Store.save`, so each audit carries the event log the app would have
written (about 50 events). The mix: ~3 % drafts (call interrupted), ~8 % awaiting follow-up,
the rest complete, a few unreachable dealers, over two years of business days.

`generate_audits(count, seed)` returns the same audits in memory (final state, no store), for
tests or `Store.put_many`. Deterministic for a given seed. Data is fictional: dealers from the
shipped sample directory, phone numbers in the 01 99 00 xx xx fiction range.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor_tui.domain.dealers import Dealer
from auditor_tui.domain.grid import Grid, Question, load_grid
from auditor_tui.domain.lifecycle import complete, end_call
from auditor_tui.domain.record import Audit, DealerRef, Identity, format_instant
from auditor_tui.domain.scoring import is_applicable, toggle
from auditor_tui.exchange.dealers_csv import parse_dealers_csv, sample_dealers_path
from auditor_tui.store import Store, atomic

VERSION = 2  # bump when the generated stores change: the benchmark's cache is keyed by it
END = datetime(2026, 11, 17, 17, 0, tzinfo=UTC)  # the newest audit's day (fixed: reproducible)
SPAN_DAYS = 730

AUDITORS = (
    "Camille Rousseau",
    "Julien Marchand",
    "Sophie Lefèvre",
    "Thomas Girard",
    "Élodie Fontaine",
    "Nicolas Perrin",
    "Claire Dubois",
    "Antoine Mercier",
)
FIRST_NAMES = ("Marie", "Pierre", "Laura", "Hugo", "Inès", "Louis", "Chloé", "Mathieu", "Emma")
LAST_NAMES = ("Martin", "Bernard", "Petit", "Durand", "Moreau", "Laurent", "Simon", "Michel")
NOTES = (
    "Accueil chaleureux, la standardiste s'est présentée avec le nom de la concession.",
    "Attente musicale un peu longue avant le transfert, mais conseiller très aimable.",
    "Le conseiller a proposé un essai du NX le samedi suivant.",
    "Pas de reformulation de la demande ; il a fallu répéter le modèle souhaité.",
    "Demande de l'adresse e-mail faite spontanément, orthographe vérifiée.",
    "Bruit de fond important (atelier ?), conversation parfois difficile à suivre.",
    "Le conseiller connaissait bien la gamme hybride et a comparé RX et NX.",
    "Aucune question sur le véhicule actuel ni sur le financement.",
    "Rappel promis « dans la journée », finalement reçu le lendemain matin.",
    "Brochure et grille tarifaire jointes au courriel, avec une offre de reprise.",
    "Courriel reçu sans pièce jointe : simple accusé de réception.",
    "A demandé le moyen de contact préféré et l'a respecté.",
)
CALLBACK_NOTES = (
    "Rappel du conseiller commercial, proposition de rendez-vous en concession.",
    "Rappel bref, a surtout confirmé l'envoi de la brochure.",
    "Rappel par courriel avec une proposition d'essai et les disponibilités.",
)


@dataclass(frozen=True)
class Plan:
    """What will happen in one audit, drawn up front so the session reads as a story."""

    created: datetime
    status: str  # final status: draft | awaiting_follow_up | complete
    attempts: int  # dial attempts until someone answers; > max means unreachable
    transferred: bool
    transfer_seconds: float
    discovery: int


def _business_moment(rng: random.Random, end: datetime, span_days: int) -> datetime:
    """A weekday between 9:00 and 17:30 (Paris, as UTC+1), within `span_days` before `end`."""
    while True:
        day = end - timedelta(days=rng.randrange(span_days))
        if day.weekday() < 5:
            break
    minutes = rng.randrange(8 * 60, 16 * 60 + 30)
    return day.replace(hour=0, minute=0, second=0) + timedelta(minutes=minutes)


def _fiction_phone(rng: random.Random) -> str:
    return f"+3319900{rng.randrange(10000):04d}"


def _plan(rng: random.Random, grid: Grid, count: int) -> Plan:
    # A desk has a few audits prepared and a few dozen awaiting the dealer, whatever the size
    # of the store; none is left mid-call (that is a crash, and the app would ask to resume).
    draft, awaiting = min(0.03, 5 / count), min(0.08, 40 / count)
    roll = rng.random()
    status = (
        "draft" if roll < draft else "awaiting_follow_up" if roll < draft + awaiting else "complete"
    )
    # Drafts and audits awaiting follow-up are the recent ones.
    span = 3 if status != "complete" else SPAN_DAYS
    max_failed = int(grid.rule("attempts")["max_failed_attempts"])
    attempts = rng.choices([1, 2, 3, max_failed + 1], weights=[70, 18, 9, 3])[0]
    return Plan(
        created=_business_moment(rng, END, span),
        status=status,
        attempts=attempts,
        transferred=rng.random() < 0.75,
        transfer_seconds=round(rng.uniform(8, 70), 1),
        discovery=rng.choices([0, 1, 2, 3, 4, 5, 6, 7], weights=[10, 15, 20, 20, 15, 10, 6, 4])[0],
    )


def _presses(rng: random.Random, question: Question) -> list[int]:
    """The option keys pressed for one question (a correction now and then)."""
    positions = [o.position for o in question.options if not o.unreachable]
    if not question.multi:
        best = max(question.options, key=lambda o: o.points).position
        first = best if rng.random() < 0.7 else rng.choice(positions)
        if rng.random() < 0.08:
            return [rng.choice(positions), first]
        return [first]
    plain = [p for p in positions if not question.option(p).exclusive]
    exclusive = [p for p in positions if question.option(p).exclusive]
    if exclusive and rng.random() < 0.15:
        return [exclusive[0]]
    if rng.random() < 0.5:
        return plain
    return rng.sample(plain, rng.randint(1, len(plain)))


class Session:
    """One audit played step by step: iterate `steps()`; after each yield, `audit` is in the
    state to persist (`kind` "created" means `Store.create`, anything else `Store.save`)."""

    def __init__(
        self, rng: random.Random, grid: Grid, dealers: Sequence[Dealer], count: int
    ) -> None:
        self.rng = rng
        self.grid = grid
        self.plan = _plan(rng, grid, count)
        d = rng.choice(dealers)
        dealer = DealerRef(d.name, d.country, d.department, d.phone, d.id, d.city)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        identity = Identity(
            f"{first} {last}", _fiction_phone(rng), f"{first}.{last}@exemple.fr".lower()
        )
        self.audit = Audit.new(dealer, grid, self.plan.created, rng.choice(AUDITORS), identity)
        self.audit.id = str(_uuid(rng))
        self.now = self.plan.created

    def _tick(self, low: float, high: float) -> datetime:
        self.now += timedelta(seconds=self.rng.uniform(low, high))
        return self.now

    def _answer(self, qid: str, positions: Sequence[int]) -> Iterator[tuple[str, datetime]]:
        question = self.grid.question(qid)
        for position in positions:
            current = self.audit.answers.get(qid, [])
            self.audit.answers[qid] = toggle(question, current, position)
            if not self.audit.answers[qid]:
                del self.audit.answers[qid]
            yield "answer", self._tick(2, 12)

    def _answer_rule(self, rule: str, key: str) -> Iterator[tuple[str, datetime]]:
        r = self.grid.rule(rule)
        yield from self._answer(str(r["question"]), [int(r[key])])

    def _answer_free(self, qid: str) -> Iterator[tuple[str, datetime]]:
        yield from self._answer(qid, _presses(self.rng, self.grid.question(qid)))
        if self.rng.random() < 0.3:
            self.audit.notes[qid] = self.rng.choice(NOTES)
            yield "note", self._tick(10, 40)

    def steps(self) -> Iterator[tuple[str, datetime]]:
        audit, plan, rng, grid = self.audit, self.plan, self.rng, self.grid
        yield "created", self.now
        if plan.status == "draft":  # prepared, not dialled yet
            if rng.random() < 0.5:
                audit.notes["general"] = rng.choice(NOTES)
                yield "note", self._tick(20, 120)
            return
        attempts = grid.rule("attempts")
        for _ in range(min(plan.attempts, int(attempts["max_failed_attempts"]))):
            audit.call.attempts.append(format_instant(self._tick(20, 90)))
            yield "attempt", self.now
        if plan.attempts > int(attempts["max_failed_attempts"]):
            yield from self._answer(attempts["question"], [int(attempts["unreachable_option"])])
            end_call(audit, self._tick(5, 20))
            yield "end_call", self.now
            complete(audit)
            yield "complete", self._tick(5, 30)
            return
        audit.call.started_at = audit.call.attempts[0]
        audit.call.answered_at = format_instant(self._tick(5, 25))
        yield "call", self.now
        yield from self._answer(
            attempts["question"], [attempts["option_by_count"][str(plan.attempts)]]
        )
        call_questions = [q for s in grid.sections[:2] for q in s.questions]
        transfer = grid.rule("transfer")
        discovery = grid.rule("discovery")
        for q in call_questions:
            if q.id == transfer["question"]:
                if plan.transferred:
                    audit.call.transfer_started_at = format_instant(self._tick(10, 40))
                    yield "transfer", self.now
                    audit.call.transfer_answered_at = format_instant(
                        self._tick(plan.transfer_seconds, plan.transfer_seconds)
                    )
                    audit.call.transferred = True
                    audit.call.transfer_seconds = plan.transfer_seconds
                    audit.call.advisor_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    yield "transfer", self.now
                    in_time = plan.transfer_seconds <= float(transfer["limit_seconds"])
                    yield from self._answer_rule("transfer", "yes" if in_time else "no")
            elif q.id == attempts["question"] or not is_applicable(q, plan.transferred):
                continue
            elif q.id == discovery["question"]:
                for _ in range(plan.discovery):
                    audit.call.discovery_questions += 1
                    yield "discovery", self._tick(15, 60)
                band = next(
                    b
                    for b in discovery["bands"]
                    if b["min"] <= plan.discovery
                    and (b["max"] is None or plan.discovery <= b["max"])
                )
                yield from self._answer(q.id, [int(band["option"])])
            else:
                yield from self._answer_free(q.id)
        audit.call.receptionist_name = rng.choice(FIRST_NAMES)
        yield "edit", self._tick(10, 30)
        end_call(audit, self._tick(30, 120))
        yield "end_call", self.now
        yield from self._follow_up()

    def _follow_up(self) -> Iterator[tuple[str, datetime]]:
        audit, rng, grid = self.audit, self.rng, self.grid
        ended = self.now
        email_on_time = rng.random() < 0.7
        email = rng.random() < 0.9
        if email:
            delay = rng.uniform(300, 7000) if email_on_time else rng.uniform(7300, 90000)
            self.now = ended + timedelta(seconds=delay)
            audit.follow_up.email_received_at = format_instant(self.now)
            audit.follow_up.email_has_information = rng.random() < 0.8
            yield "follow_up", self.now
        yield from self._answer_rule("email", "yes" if email and email_on_time else "no")
        if self.plan.status == "awaiting_follow_up":
            return
        callback = rng.random() < 0.75
        if callback:
            self.now = ended + timedelta(hours=rng.uniform(3, 60))
            method = rng.choice(["phone", "phone", "email"])
            audit.follow_up.callback_at = format_instant(self.now)
            audit.follow_up.callback_method = method
            audit.follow_up.callback_note = rng.choice(CALLBACK_NOTES)
            yield "follow_up", self.now
        else:
            self.now = ended + timedelta(days=4)
        yield from self._answer_rule("callback", "yes" if callback else "no")
        yield from self._answer_rule("method_match", "yes" if rng.random() < 0.7 else "no")
        if callback:
            methods = grid.rule("callback_method")["options"]
            yield from self._answer(
                grid.rule_question("callback_method"),
                [int(methods[audit.follow_up.callback_method or "phone"])],
            )
        answered = set(audit.answers)
        for section in grid.sections[2:]:
            for q in section.questions:
                if q.id not in answered and q.id != grid.rule_question("callback_method"):
                    yield from self._answer_free(q.id)
        if rng.random() < 0.5:
            audit.notes["general"] = rng.choice(NOTES)
            yield "note", self._tick(20, 120)
        complete(audit)
        yield "complete", self._tick(5, 30)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def sessions(count: int, seed: int = 2026, start: int = 0, step: int = 1) -> Iterator[Session]:
    """Sessions number `start`, `start + step`, … below `count`; each has its own random
    stream (seeded by the seed and its number), so any slice is reproducible on its own."""
    grid = load_grid()
    dealers = parse_dealers_csv(sample_dealers_path())
    for i in range(start, count, step):
        yield Session(random.Random(f"{seed}-{i}"), grid, dealers, count)


def generate_audits(count: int, seed: int = 2026) -> list[Audit]:
    """The audits' final states, in memory (no store, no event log)."""
    out = []
    for session in sessions(count, seed):
        for _ in session.steps():
            pass
        out.append(session.audit)
    return out


@contextmanager
def _without_fsync() -> Iterator[None]:
    """Generation needs no durability: skip the per-write fsync (the disk is synced once at
    the end). The benchmark measures saves with fsync, on the generated store."""
    saved = atomic._fsync
    atomic._fsync = lambda fd: None
    try:
        yield
    finally:
        atomic._fsync = saved


def play(store: Store, session: Session) -> None:
    """Persist each step of one audit's session through the store, as the app would."""
    for kind, moment in session.steps():
        if kind == "created":
            store.create(session.audit, moment)
        else:
            store.save(session.audit, kind=kind, moment=moment)


def _build_part(path: Path, count: int, seed: int, start: int, step: int) -> None:
    with _without_fsync(), Store.open(path) as store:
        for session in sessions(count, seed, start, step):
            play(store, session)


def _scratch_parent(path: Path) -> Path:
    """Where the parts are played: RAM (/dev/shm) when there is some, the target's folder else.
    Many small replaces cost mostly file-system metadata, which RAM makes cheap."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else path.parent


def build_store(
    path: Path, count: int, seed: int = 2026, jobs: int | None = None, sync: bool = False
) -> Path:
    """Create a store of `count` audits at `path` (a folder that must not exist yet); `sync`
    flushes the disk afterwards (so a benchmark does not measure the write-back).

    Large stores are played in `jobs` processes, each in its own scratch store; their audit
    files are then gathered in `path` and `Store.open` rebuilds the index from them (its
    documented recovery path: the index is a cache of audits/)."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(path)
    jobs = jobs or (os.cpu_count() or 1)
    if count < 400 or jobs == 1:
        _build_part(path, count, seed, 0, 1)
        _finish(path, count, sync)
        return path
    scratch = Path(tempfile.mkdtemp(prefix="auditor-gen-", dir=_scratch_parent(path)))
    try:
        parts = [scratch / f"part-{k}" for k in range(jobs)]
        with ProcessPoolExecutor(jobs) as pool:
            futures = [
                pool.submit(_build_part, part, count, seed, k, jobs) for k, part in enumerate(parts)
            ]
            for future in futures:
                future.result()
        (path / "audits").mkdir(mode=0o700, parents=True)
        for part in parts:
            for file in (part / "audits").iterdir():
                shutil.copy2(file, path / "audits" / file.name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    _finish(path, count, sync)
    return path


def _finish(path: Path, count: int, sync: bool) -> None:
    """Check the store, give it the sample dealer directory, and sync it to the disk."""
    with _without_fsync(), Store.open(path) as store:
        if len(store) != count or store.damaged:
            raise RuntimeError(f"{path}: {len(store)} audits au lieu de {count}")
        store.replace_dealers(d.to_dict() for d in parse_dealers_csv(sample_dealers_path()))
    if sync:
        os.sync()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="dossier du store à créer")
    parser.add_argument("--audits", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=None, help="processus (défaut : nproc)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    build_store(args.folder, args.audits, args.seed, args.jobs, sync=True)
    elapsed = time.monotonic() - started
    print(f"{args.audits} audits dans {args.folder} ({elapsed:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
