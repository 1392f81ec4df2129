"""Command line: `auditor-tui` opens the TUI; subcommands import and export without it."""

from __future__ import annotations

import argparse
import gc
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from auditor_tui import __version__
from auditor_tui.input_files import DEFAULT_IMPORT_LIMIT
from auditor_tui.paths import ENV_VAR, default_store_path

if TYPE_CHECKING:  # the store and the grid are imported when a command runs: not before the TUI
    from auditor_tui.record import Audit
    from auditor_tui.reports import Period
    from auditor_tui.store import Store

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_REJECTED = 2
EXIT_CONFLICTS = 3


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def write_bytes_output(out: str, data: bytes) -> None:
    """Write `data` to `out` (a path, or "-" for standard output): a file atomically and
    owner-only, a FIFO or a device written through, a link refused (output_files.py)."""
    if out == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        from auditor_tui.output_files import write_output_file

        write_output_file(Path(out), data)


def write_output(out: str, produce: Callable[[io.StringIO], object]) -> None:
    """Write text to `out` (a path, or "-" for standard output), atomically and owner-only."""
    buffer = io.StringIO()
    produce(buffer)
    write_bytes_output(out, buffer.getvalue().encode("utf-8"))


def _import_file(store: Store, path: Path, args: argparse.Namespace) -> int:
    from auditor_tui.exchange import ImportRejected, import_jsonl
    from auditor_tui.input_files import STDIN

    data = args.stdin_data if str(path) == STDIN else None
    try:
        result = import_jsonl(store, path, args.max_size, data)
    except ImportRejected as exc:
        _err(str(exc))
        _err(f"Aucun audit de {path} n'a été importé : le dossier de données est inchangé.")
        return EXIT_REJECTED
    for warning in result.warnings:
        _err(f"{path}, {warning}")
    for conflict in result.conflicts:
        _err(f"{path}, {conflict}")
    print(
        f"{path} : {len(result.added)} ajouté(s), {len(result.replaced)} remplacé(s), "
        f"{len(result.unchanged)} inchangé(s), {len(result.older)} plus ancien(s) ignoré(s), "
        f"{len(result.conflicts)} conflit(s)."
    )
    return EXIT_CONFLICTS if result.conflicts else EXIT_OK


def cmd_import(store: Store, args: argparse.Namespace) -> int:
    """Each file is imported all or nothing on its own; a folder gives its complete batches."""
    from auditor_tui.input_files import STDIN
    from auditor_tui.sync import batch_files

    paths: list[Path] = []
    codes: set[int] = set()
    for name in args.files:
        path = Path(name)
        if name == STDIN or not path.is_dir():
            paths.append(path)
            continue
        found = batch_files(path)
        for folder in found.incomplete:
            _err(f"{folder} : lot incomplet (sans manifeste), ignoré.")
        for refusal in found.refused:
            _err(f"{refusal} ; rien n'en est importé.")
            codes.add(EXIT_REJECTED)
        if not found.files and not found.refused:
            print(f"{path} : aucun lot à importer.")
        paths.extend(found.files)
    codes.update(_import_file(store, path, args) for path in paths)
    for code in (EXIT_REJECTED, EXIT_CONFLICTS):
        if code in codes:
            return code
    return EXIT_OK


def _outgoing(store: Store, args: argparse.Namespace) -> Callable[[Audit], Audit] | None:
    if not args.pseudonymise:
        return None
    from auditor_tui.privacy import pseudonymise, store_key

    key = store_key(store)
    return lambda audit: pseudonymise(audit, key)


def cmd_export(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.output_files import OutputRefused
    from auditor_tui.sync import FORMATS

    if args.changed:
        return cmd_export_changed(store, args)
    from auditor_tui.exchange import all_audits

    audits = all_audits(store)
    transform = _outgoing(store, args)
    if transform is not None:
        audits = [transform(a) for a in audits]
    data = FORMATS[args.format](audits)
    store.close()  # before a FIFO's reader or a slow pipe is waited on: the folder is free
    try:
        write_bytes_output(args.out, data)
    except OutputRefused as exc:
        _err(str(exc))
        return EXIT_REJECTED
    if args.out != "-":
        print(f"{len(audits)} audit(s) exporté(s) vers {args.out}.")
    return EXIT_OK


def cmd_export_changed(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.record import now_utc
    from auditor_tui.sync import FORMATS, export_changed, file_name

    extra = {} if args.format == "jsonl" else {file_name(args.format): FORMATS[args.format]}
    batch = export_changed(
        store, Path(args.to), now_utc(), extra=extra, transform=_outgoing(store, args)
    )
    if batch is None:
        print("Aucun audit créé ou modifié depuis le dernier export : aucun fichier écrit.")
    else:
        print(f"Lot {batch.id} : {batch.count} audit(s) écrit(s) dans {batch.folder}.")
    return EXIT_OK


def _period(text: str) -> Period:
    from auditor_tui.reports import Period

    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _size(text: str) -> int:
    from auditor_tui.input_files import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _read_stdin(args: argparse.Namespace) -> str | None:
    """`import -`: standard input read whole before the store is opened (and locked), so that
    a terminal waiting for a typist never holds the folder. Why it is refused, or None."""
    from auditor_tui.input_files import STDIN, InputFileError, read_input

    args.stdin_data = None
    if args.command != "import" or STDIN not in args.files:
        return None
    try:
        args.stdin_data = read_input(STDIN, args.max_size)
    except InputFileError as exc:
        return str(exc)
    return None


def cmd_report(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.report_cache import load_rows
    from auditor_tui.report_tables import TABLE_NAMES, print_tables, tables, write_csv
    from auditor_tui.reports import Filters, build_report

    if args.table is not None and args.table not in TABLE_NAMES:
        _err(f"tableau inconnu {args.table!r} : {', '.join(TABLE_NAMES)}")
        return EXIT_ERROR
    filters = Filters(args.period, args.dealer, args.auditor)
    report = build_report(load_rows(store), filters)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        chosen = args.table or "dealers"
        write_csv(next(t for t in tables(report) if t.name == chosen), sys.stdout)
    else:
        print_tables(report, [args.table] if args.table else TABLE_NAMES, sys.stdout)
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


def _db_path(text: str) -> Path:
    """`--db`: a folder; an empty one would be the current folder, made a store by mistake."""
    if not text.strip():
        raise argparse.ArgumentTypeError("dossier vide : donnez le chemin du dossier de données")
    return Path(text)


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
        type=_db_path,
        default=None,
        help=f"dossier de données (défaut : ${ENV_VAR}, sinon {default_store_path()})",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="lire le dossier sans rien y écrire (export et report ; automatique sur un "
        "disque en lecture seule), sauf la copie d'un fichier trouvé endommagé si le disque "
        "le permet",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")

    p = sub.add_parser(
        "import", help="importer des audits (JSON Lines), chaque fichier tout ou rien"
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FICHIER.jsonl",
        help="fichiers (« - » : l'entrée standard), ou dossiers de lots (export --changed) : "
        "leurs lots complets",
    )
    p.add_argument(
        "--max-size",
        type=_size,
        default=DEFAULT_IMPORT_LIMIT,
        metavar="TAILLE",
        help="taille maximale d'un fichier importé (défaut 1G ; 200M, 2G…)",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="exporter les audits (tous, ou les nouveaux par lot)")
    p.add_argument("--format", choices=["jsonl", "csv", "xlsx"], default="jsonl")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", metavar="FICHIER", help="fichier de sortie, « - » : stdout")
    target.add_argument(
        "--to",
        metavar="DOSSIER",
        help="avec --changed : dossier où écrire le lot (JSONL + manifeste, + --format)",
    )
    p.add_argument(
        "--changed",
        action="store_true",
        help="seulement les audits créés ou modifiés depuis le dernier export, en un lot",
    )
    p.add_argument(
        "--pseudonymise",
        action="store_true",
        help="remplacer les noms du personnel du concessionnaire, retirer les notes libres",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("report", help="rapport réseau : étoiles, questions, trophée…")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--period", type=_period, metavar="PÉRIODE", help="2026, 2026-T2, 2026-T1..T3")
    p.add_argument("--dealer", metavar="CONCESSION", help="partie du nom ou identifiant")
    p.add_argument("--auditor", metavar="AUDITEUR", help="partie du nom de l'auditeur")
    p.add_argument(
        "--table",
        metavar="TABLEAU",
        help="un seul tableau : dealers, questions, sections, trophy, unreachable, trends "
        "(csv : dealers par défaut)",
    )
    p.set_defaults(func=cmd_report)

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


def _open_store(db: Path | None, read_only: bool, readable: bool) -> Store:
    """The store for a command: read-only if asked, or if the command only reads and the
    folder cannot be written (a read-only disk, another user's folder), said on stderr."""
    from auditor_tui.durable import StoreWriteError
    from auditor_tui.store import Store

    if read_only:
        return Store.open(db, read_only=True)
    try:
        return Store.open(db)
    except StoreWriteError as exc:
        if not readable or not exc.not_writable:
            raise
        store = Store.open(db, read_only=True)
        _err(f"{exc} Dossier ouvert en lecture seule : rien n'y est écrit.")
        return store


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "export" and bool(args.changed) != bool(args.to):
        parser.error("--changed va avec --to DOSSIER ; sans --changed, utiliser --out FICHIER")
    if args.command is None:
        if args.read_only:
            parser.error("--read-only va avec export ou report (l'application écrit tout)")
        return run_tui(args.db)
    if args.command == "import" and args.files.count("-") > 1:
        parser.error("« - » (l'entrée standard) une seule fois")
    refused = _read_stdin(args)
    if refused is not None:
        _err(f"{refused} ; rien n'a été importé.")
        return EXIT_REJECTED
    readable = args.command == "report" or (args.command == "export" and not args.changed)
    if args.read_only and not readable:
        parser.error(f"{args.command} écrit dans le dossier de données : pas avec --read-only")
    from auditor_tui.durable import StoreError
    from auditor_tui.grid import GridError, load_grid

    # A command reads the whole store once and exits. What it makes (records, rows, index
    # entries) is freed by reference counting; the cycle collector's repeated full scans of
    # that growing heap only cost time: 10-40 % of an export, a report or an import of 10,000.
    collecting = gc.isenabled()
    gc.disable()
    try:
        load_grid()  # a broken grid file is named here, not as "unknown grid" on every line
        with _open_store(args.db, args.read_only, readable) as store:
            if store.recovery_message:
                _err(store.recovery_message)
            for notice in store.notices:
                _err(notice)
            for damaged in store.damaged:
                _err(f"fichier endommagé ignoré : {damaged.message}")
            code: int = args.func(store, args)
            return code
    except (StoreError, GridError) as exc:
        _err(str(exc))
        return EXIT_ERROR
    finally:
        if collecting:
            gc.enable()  # main() is also called in-process (tests)


if __name__ == "__main__":
    sys.exit(main())
