"""Command line: `auditor-tui` opens the TUI; a command (parser.py, commands.py) runs over the
store, opened for it (read-only when it only reads and the folder is held or cannot be written),
and exits with its status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from auditor_tui.cli.commands import err
from auditor_tui.cli.exit_codes import EXIT_ERROR, EXIT_REJECTED
from auditor_tui.cli.parser import parse_args, reads_only
from auditor_tui.cli.pipes import OutputError, quiet_stdout
from auditor_tui.store.paths import default_store_path
from auditor_tui.ui.collector import paused

if TYPE_CHECKING:  # the store and the grid are imported when a command runs: not before the TUI
    from auditor_tui.store import Store


def _read_stdin(args: argparse.Namespace) -> str | None:
    """`import -`: standard input read whole before the store is opened (and locked), so that
    a terminal waiting for a typist never holds the folder. Why it is refused, or None."""
    from auditor_tui.exchange.input_files import STDIN, InputFileError, read_input

    args.stdin_data = None
    if args.command != "import" or STDIN not in args.files:
        return None
    try:
        args.stdin_data = read_input(STDIN, args.max_size)
    except InputFileError as exc:
        return str(exc)
    return None


def run_tui(db: Path | None) -> int:
    from auditor_tui.ui.app import make_app

    app = make_app(db)
    app.run()
    return int(app.return_code or 0)


def _open_store(db: Path | None, read_only: bool, readable: bool) -> Store:
    """The store for a command. A command that only reads (export, report) never makes a store
    where there is none, and reads what it can: read-only if asked, and by itself when the
    folder is held by another process (the app) or cannot be written (a read-only disk, a
    full one, another user's folder), said on stderr (docs/reliability.md)."""
    from auditor_tui.store import Store
    from auditor_tui.store.errors import StoreError, StoreLockedError, StoreWriteError

    if readable:
        root = db if db is not None else default_store_path()
        if not (root / "audits").is_dir():
            what = "ce dossier n'existe pas" if not root.exists() else "aucun audit n'y est"
            raise StoreError(
                f"pas de dossier de données ici : {root} ({what}) ; rien n'est créé", root
            )
    if read_only:
        return Store.open(db, read_only=True)
    try:
        return Store.open(db)
    except StoreLockedError as exc:
        if not readable:
            raise
        store = Store.open(db, read_only=True)
        holder = f" (pid {exc.pid})" if exc.pid is not None else ""
        err(
            f"Le dossier {exc.folder} est ouvert par un autre processus{holder} : lecture seule "
            "de ce qui y est enregistré, rien n'y est écrit."
        )
        return store
    except StoreWriteError as exc:
        if not readable:
            raise
        store = Store.open(db, read_only=True)
        err(f"{exc} Dossier ouvert en lecture seule : rien n'y est écrit.")
        return store


def main(argv: Sequence[str] | None = None) -> int:
    with quiet_stdout():  # `| head -1` is normal use, `--help | head -1` too
        args = parse_args(argv)
        if args.command is not None:
            return run_command(args)
    return run_tui(args.db)


def run_command(args: argparse.Namespace) -> int:
    refused = _read_stdin(args)
    if refused is not None:
        err(f"{refused} ; rien n'a été importé.")
        return EXIT_REJECTED
    readable = reads_only(args)
    from auditor_tui.domain.grid import GridError, load_grid
    from auditor_tui.store.errors import StoreError

    with paused():  # a command reads the store once and exits: ui/collector.py
        try:
            load_grid()  # a broken grid file is named here, not as "unknown grid" on every line
            with _open_store(args.db, args.read_only, readable) as store:
                if store.recovery_message:
                    err(store.recovery_message)
                for notice in store.notices:
                    err(notice)
                for damaged in store.damaged:
                    err(f"fichier endommagé ignoré : {damaged.message}")
                code: int = args.func(store, args)
                sys.stdout.flush()  # a full disk behind `> file` is said here, with status 1
                return code
        except (StoreError, GridError, OutputError) as exc:
            err(str(exc))
            return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
