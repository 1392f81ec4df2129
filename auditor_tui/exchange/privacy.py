"""Pseudonymised exports: the names noted for dealer staff never leave the desk.

`pseudonymise` replaces the receptionist's and the advisor's names with a stable pseudonym
(a keyed hash: the same name gives the same pseudonym in every export of one store, and the
name cannot be found back without the store's key) and empties the free-text notes, which
may contain names, and the reasons of the reopenings in the history (its entries stay: when,
what, and the deadlines an early completion left open). The auditor's own name and mystery
identity are kept. Fields this version does not know are left out (they may hold anything),
at any level; the programme's `service`, `wave` and `planned` stay.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets

from auditor_tui.domain.history import REOPENED
from auditor_tui.domain.labels import fold
from auditor_tui.domain.record import Audit
from auditor_tui.store import Store

KEY_SETTING = "pseudonym_key"
PREFIX = "personne-"


def store_key(store: Store) -> bytes:
    """The store's pseudonym key, created on first use and kept in its settings."""
    key = store.setting(KEY_SETTING)
    if not isinstance(key, str) or len(key) < 32:
        key = secrets.token_hex(32)
        store.set_setting(KEY_SETTING, key)
    return bytes.fromhex(key)


def pseudonym(name: str, key: bytes) -> str:
    """`personne-` + 8 hex digits, the same for the same name whatever its case or accents."""
    folded = " ".join(fold(name).split())
    if not folded:
        return ""
    digest = hmac.new(key, folded.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:8]


def pseudonymise(audit: Audit, key: bytes) -> Audit:
    """A copy of the audit fit to share beyond the programme; the original is untouched."""
    out = copy.deepcopy(audit)
    out.call.receptionist_name = pseudonym(audit.call.receptionist_name, key)
    out.call.advisor_name = pseudonym(audit.call.advisor_name, key)
    out.notes = {}
    out.follow_up.callback_note = ""
    out.history = [
        {
            "at": e.get("at"),
            "event": e.get("event"),
            "detail": None if e.get("event") == REOPENED else e.get("detail"),
        }
        for e in out.history
    ]
    out.extra = {}  # unknown fields; `service`, `wave`, `planned` are the audit's
    return out
