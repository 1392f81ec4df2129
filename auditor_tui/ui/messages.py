"""Typed messages shared by the app and its screens: workers post them back to the UI thread,
screens post them up to the app ("messages up")."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # annotations only: the store is imported off the TUI's first frame
    from auditor_tui.domain.dealers import Dealer
    from auditor_tui.store import Store
    from auditor_tui.store.index import Summary


class StoreOpened(Message):
    """The store is open (posted by the app's opening worker)."""

    def __init__(self, store: Store, dealers: int) -> None:
        super().__init__()
        self.store = store
        self.dealers = dealers  # how many dealers its directory holds (0: say how to import)


class NewestAudits(Message):
    """The newest audits, read while the store opens, before the others are checked (posted by
    the opening worker, which goes on once `painted` is set: the rows are on screen)."""

    def __init__(self, summaries: Sequence[Summary], painted: threading.Event) -> None:
        super().__init__()
        self.summaries = list(summaries)
        self.painted = painted


class StoreFailed(Message):
    """The store could not be opened (locked by another process, unreadable…)."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message  # French, for the user


class DirectoryLoaded(Message):
    """The new-audit screen's data: the dealer directory and the last identity used."""

    def __init__(self, dealers: Sequence[Dealer], identity: dict[str, str], auditor: str) -> None:
        super().__init__()
        self.dealers = list(dealers)
        self.identity = identity
        self.auditor = auditor


class OpenAudit(Message):
    """Open an audit on the screen its status calls for (a draft: the live call; otherwise:
    the follow-up). `replace` swaps the current screen instead of stacking a new one."""

    def __init__(self, audit_id: str, status: str, *, replace: bool = False) -> None:
        super().__init__()
        self.audit_id = audit_id
        self.status = status
        self.replace = replace


class InProgressFound(Message):
    """The audits left mid-call, newest first; `ask` offers the newest in a modal first."""

    def __init__(self, in_progress: Sequence[Summary], *, ask: bool) -> None:
        super().__init__()
        self.in_progress = list(in_progress)
        self.ask = ask


class AuditCreateFailed(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


def unreadable_audit_text(audit_id: str, error: Exception) -> str:
    """What the auditor reads when an audit cannot be opened (its file changed outside the app,
    damaged, gone): the same words whichever screen it was to open on."""
    if isinstance(error, KeyError):  # str() of a KeyError is the key, quoted
        return f"Audit {audit_id} illisible : son fichier est introuvable."
    return f"Audit {audit_id} illisible : {error}"
