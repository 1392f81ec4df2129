"""Where the store lives by default: `$AUDITOR_TUI_DB`, else the user data folder. Its own small
module so that the command line names it without importing the store (and TinyDB, the grid,
the record model) before the TUI's first frame."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "AUDITOR_TUI_DB"


def default_store_path() -> Path:
    """`$AUDITOR_TUI_DB`, else the user data folder (platformdirs)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return user_store_path()


def user_store_path() -> Path:
    """The user data folder (platformdirs): the one place the app creates without asking."""
    from platformdirs import user_data_path

    return user_data_path("auditor-tui", appauthor=False)


def asks_before_creating(db: Path | None) -> Path | None:
    """The folder the app would create on opening `db` (None: the default), if it must ask
    first: one that does not exist, anywhere but the user data folder (a typing mistake in
    --db or $AUDITOR_TUI_DB would otherwise start an empty store, audits left elsewhere)."""
    target = (db if db is not None else default_store_path()).expanduser().absolute()
    if os.path.lexists(target) or target == user_store_path().absolute():
        return None
    return target
