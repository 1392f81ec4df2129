"""The follow-up queue read from a store, for the home screen (which runs it off the UI thread
and hands the result to its widget): the audits awaiting the dealer from the store's summaries,
an audit's file read only when it matters; when the auditor last saw the queue (the
`last_seen_at` setting), for the summary of what expired while the app was closed; and what the
app remembers of the deadlines that passed (the `expiries` setting: rung, missed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from auditor_tui.domain.expiry_memory import SETTING as EXPIRIES
from auditor_tui.domain.expiry_memory import ExpiryMemory
from auditor_tui.domain.queue import AWAITING, QueueFacts, QueueState, build_queue
from auditor_tui.domain.record import format_instant, parse_instant
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from auditor_tui.store.index import Summary

LAST_SEEN = "last_seen_at"  # the store setting: when the queue was last on screen


def compute_queue(
    store: Store, read: Mapping[str, tuple[int, QueueFacts]], shown: int
) -> QueueState:
    """The queue from the store's summaries. An audit's file is read (for its facts: the
    dealer's zone, whether the e-mail received was a mere acknowledgement, whether what came
    came late) only when it matters — an e-mail or a call-back was received, or the audit is
    among the `shown` first — and its revision
    changed since `read` (the facts of the previous computation, `QueueState.read`). A file that
    cannot be read gives the default facts: the queue still shows the audit."""
    fresh: dict[str, tuple[int, QueueFacts]] = {}

    def facts_of(summary: Summary) -> QueueFacts:
        known = fresh.get(summary.id) or read.get(summary.id)
        if known is None or known[0] != summary.revision:
            try:
                facts = QueueFacts.of(store.get(summary.id))
            except (KeyError, StoreError):
                facts = QueueFacts()
            known = (summary.revision, facts)
        fresh[summary.id] = known
        return known[1]

    sources = [s for s in store.summaries() if s.status == AWAITING]
    # the file is read for what came: an acknowledgement, evidence that came late
    facts = {s.id: facts_of(s) for s in sources if s.email_received or s.callback_received}
    entries = build_queue(sources, facts)
    by_id = {s.id: s for s in sources}
    for i, entry in enumerate(entries[:shown]):  # the zone only shows in the countdowns
        zone = facts_of(by_id[entry.audit_id]).zone
        if zone != entry.zone:
            entries[i] = replace(entry, zone=zone)
    facts.update((k, v[1]) for k, v in fresh.items())
    index_of = {s.id: i for i, s in enumerate(sources)}
    dues = sorted((due.at, index_of[entry.audit_id]) for entry in entries for due in entry.dues)
    return QueueState(
        entries, list(sources), facts, fresh, [at for at, _ in dues], [i for _, i in dues]
    )


def last_seen(store: Store) -> datetime | None:
    """When the auditor last saw the queue; None the first time (or if the setting is not an
    instant: everything that expired is then summarised)."""
    raw = store.setting(LAST_SEEN)
    if not isinstance(raw, str):
        return None
    try:
        return parse_instant(raw)
    except ValueError:
        return None


def save_last_seen(store: Store, now: datetime) -> bool:
    """Remember that the auditor saw the queue at `now`. False when the store could not save
    it (a full disk): nothing else depends on it, the next save writes a later instant."""
    try:
        store.set_setting(LAST_SEEN, format_instant(now))
    except StoreError:
        return False
    return True


def expiry_memory(store: Store) -> ExpiryMemory:
    """The deadlines the bell rang for and those missed while the app was closed (the
    `expiries` setting)."""
    return ExpiryMemory.from_setting(store.setting(EXPIRIES))


def save_expiry_memory(store: Store, memory: ExpiryMemory) -> bool:
    """Keep it for the next start. False when the store could not save it (a full disk): the
    worst that follows is a bell rung again or a line not shown."""
    try:
        store.set_setting(EXPIRIES, memory.to_setting())
    except StoreError:
        return False
    return True
