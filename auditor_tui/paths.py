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
    from platformdirs import user_data_path

    return user_data_path("auditor-tui", appauthor=False)
