"""Which audits were left mid-call: drafts whose call started (a dial attempt or a start time)
and never ended. The app offers to resume the newest one at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditor_tui.durable import StoreError

if TYPE_CHECKING:
    from auditor_tui.store import Store, Summary


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
