"""Command line: `auditor-tui` opens the TUI; subcommands import and export without it."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from auditor_tui import __version__
from auditor_tui.durable import StoreError, atomic_write_bytes
from auditor_tui.store import ENV_VAR, Store, default_store_path

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_REJECTED = 2
EXIT_CONFLICTS = 3


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def write_output(out: str, produce: Callable[[io.StringIO], object]) -> None:
    """Write text to `out` (a path, or "-" for standard output), atomically and owner-only."""
    buffer = io.StringIO()
    produce(buffer)
    if out == "-":
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    else:
        atomic_write_bytes(Path(out), buffer.getvalue().encode("utf-8"))


def cmd_import(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.exchange import ImportRejected, import_jsonl

    try:
        result = import_jsonl(store, Path(args.file))
    except ImportRejected as exc:
        _err(str(exc))
        _err("Aucun audit n'a été importé : le dossier de données est inchangé.")
        return EXIT_REJECTED
    for warning in result.warnings:
        _err(f"{args.file}, {warning}")
    for conflict in result.conflicts:
        _err(f"{args.file}, {conflict}")
    print(
        f"{args.file} : {len(result.added)} ajouté(s), {len(result.replaced)} remplacé(s), "
        f"{len(result.unchanged)} inchangé(s), {len(result.older)} plus ancien(s) ignoré(s), "
        f"{len(result.conflicts)} conflit(s)."
    )
    return EXIT_CONFLICTS if result.conflicts else EXIT_OK


def cmd_export(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.exchange import all_audits, write_jsonl

    audits = all_audits(store)
    count = 0

    def produce(buffer: io.StringIO) -> None:
        nonlocal count
        count = write_jsonl(audits, buffer)

    write_output(args.out, produce)
    if args.out != "-":
        print(f"{count} audit(s) exporté(s) vers {args.out}.")
    return EXIT_OK


def cmd_dealers_import(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.dealers import DealerImportError, parse_dealers_csv

    try:
        dealers = parse_dealers_csv(Path(args.file))
    except DealerImportError as exc:
        _err(str(exc))
        _err("Annuaire inchangé.")
        return EXIT_REJECTED
    except OSError as exc:
        _err(f"{args.file} : lecture impossible ({exc.strerror}).")
        return EXIT_ERROR
    store.replace_dealers(d.to_dict() for d in dealers)
    print(f"{len(dealers)} concessionnaire(s) importé(s) depuis {args.file}.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditor-tui",
        description="Audits d'appels mystère Lexus « Programme 5 Étoiles ». "
        "Sans commande : ouvre l'application.",
    )
    parser.add_argument("--version", action="version", version=f"auditor-tui {__version__}")
    parser.add_argument(
        "--db",
        metavar="DOSSIER",
        type=Path,
        default=None,
        help=f"dossier de données (défaut : ${ENV_VAR}, sinon {default_store_path()})",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")

    p = sub.add_parser("import", help="importer des audits (JSON Lines), tout ou rien")
    p.add_argument("file", metavar="FICHIER.jsonl")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="exporter les audits")
    p.add_argument("--format", choices=["jsonl"], default="jsonl")
    p.add_argument(
        "--out", required=True, metavar="FICHIER", help="fichier de sortie, « - » : stdout"
    )
    p.set_defaults(func=cmd_export)

    dealers = sub.add_parser("dealers", help="annuaire des concessionnaires")
    dsub = dealers.add_subparsers(dest="dealers_command", metavar="ACTION", required=True)
    p = dsub.add_parser("import", help="remplacer l'annuaire par un fichier CSV")
    p.add_argument("file", metavar="FICHIER.csv")
    p.set_defaults(func=cmd_dealers_import)
    return parser


def run_tui(db: Path | None) -> int:
    from auditor_tui.ui.app import make_app

    app = make_app(db)
    app.run()
    return int(app.return_code or 0)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        return run_tui(args.db)
    try:
        with Store.open(args.db) as store:
            if store.recovery_message:
                _err(store.recovery_message)
            for damaged in store.damaged:
                _err(f"fichier endommagé ignoré : {damaged.message}")
            code: int = args.func(store, args)
            return code
    except StoreError as exc:
        _err(str(exc))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
