"""What the app looks at when it opens a store: the audits left mid-call (drafts whose call
started and never ended: it offers to resume the newest), and unreachable dealers' audits left
« suivi en attente » by an older version (completed: nothing to follow up)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from auditor_tui.domain.scoring import OUTCOME_UNREACHABLE
from auditor_tui.store.errors import StoreError

if TYPE_CHECKING:
    from auditor_tui.store import Store
    from auditor_tui.store.index import Summary


def audits_in_progress(store: Store) -> list[Summary]:
    """Drafts whose call has started and not ended, newest first.

    The index has the call's start and end; dial attempts are only in the record, so drafts
    without a start time are read to look for them — only those saved since their creation
    (revision > 1): a dial attempt is a save, and a store may hold thousands of fresh drafts.
    """
    found: list[Summary] = []
    for summary in store.summaries():
        if summary.status != "draft" or summary.ended_at:
            continue
        if summary.started_at:
            found.append(summary)
            continue
        if summary.revision <= 1:
            continue
        try:
            audit = store.get(summary.id)
        except (KeyError, StoreError):  # gone or damaged since the index was read
            continue
        if audit.call.attempts and not audit.call.ended_at:
            found.append(summary)
    return found


def complete_unreachable(store: Store, moment: datetime) -> list[str]:
    """Complete the unreachable dealers' audits still awaiting follow-up (stored so by an older
    version, or imported so): nothing can follow. Each is saved with a « complete » event and
    the reason; returns their ids. A damaged or unsaved one is left as it is."""
    from auditor_tui.domain import lifecycle

    done = []
    for summary in store.summaries():
        if summary.status != "awaiting_follow_up" or summary.outcome != OUTCOME_UNREACHABLE:
            continue
        try:
            audit = store.get(summary.id)
            if lifecycle.settle(audit):
                store.save(audit, kind="complete", reason=UNREACHABLE_REASON, moment=moment)
                done.append(audit.id)
        except (KeyError, StoreError):
            continue
    return done


UNREACHABLE_REASON = "concessionnaire injoignable : rien à suivre (terminé à l'ouverture)"
