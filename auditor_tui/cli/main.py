"""Command line: `auditor-tui` opens the TUI; subcommands import and export without it."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from auditor_tui import __version__
from auditor_tui.cli.exit_codes import EXIT_CONFLICTS, EXIT_ERROR, EXIT_OK, EXIT_REJECTED, epilog
from auditor_tui.cli.pipes import OutputError, quiet_stdout, write_stdout_bytes
from auditor_tui.exchange.input_files import DEFAULT_IMPORT_LIMIT
from auditor_tui.store.paths import ENV_VAR, default_store_path
from auditor_tui.text.safe_text import terminal_lines, terminal_text

if TYPE_CHECKING:  # the store and the grid are imported when a command runs: not before the TUI
    from auditor_tui.domain.record import Audit
    from auditor_tui.reports.figures import Period
    from auditor_tui.store import Store

SAMPLE_AUDITS_FILE = "audits-sample.jsonl"


def _err(message: str) -> None:
    """A message to standard error; a name it quotes (a batch folder, a file) may come from
    another auditor: its control characters are shown, not sent to the terminal."""
    print(terminal_lines(message), file=sys.stderr)


def write_bytes_output(out: str, data: bytes) -> None:
    """Write `data` to `out` (a path, or "-" for standard output): a file atomically and
    owner-only, a FIFO or a device written through, a link refused (output_files.py)."""
    if out == "-":
        write_stdout_bytes(data)
    else:
        from auditor_tui.exchange.output_files import write_output_file

        write_output_file(Path(out), data)


def _import_file(store: Store, path: Path, args: argparse.Namespace) -> int:
    from auditor_tui.exchange.importing import ImportRejected, import_jsonl
    from auditor_tui.exchange.input_files import STDIN

    data = args.stdin_data if str(path) == STDIN else None
    try:
        result = import_jsonl(store, path, args.max_size, data)
    except ImportRejected as exc:
        _err(str(exc))
        _err(f"Aucun audit de {path} n'a été importé : le dossier de données est inchangé.")
        unreadable = isinstance(exc.__cause__, OSError)  # missing, a folder, no permission…
        return EXIT_ERROR if unreadable else EXIT_REJECTED
    for warning in result.warnings:
        _err(f"{path}, {warning}")
    for conflict in result.conflicts:
        _err(f"{path}, {conflict}")
    print(
        f"{terminal_text(str(path))} : {len(result.added)} ajouté(s), "
        f"{len(result.replaced)} remplacé(s), "
        f"{len(result.unchanged)} inchangé(s), {len(result.older)} plus ancien(s) ignoré(s), "
        f"{len(result.conflicts)} conflit(s)."
    )
    if result.unknown_fields:
        print(f"{path} : champs inconnus conservés : {', '.join(result.unknown_fields)}")
    return EXIT_CONFLICTS if result.conflicts else EXIT_OK


def cmd_import(store: Store, args: argparse.Namespace) -> int:
    """Each file is imported all or nothing on its own; a folder gives its complete batches."""
    from auditor_tui.exchange.input_files import STDIN
    from auditor_tui.exchange.manifest import batch_files

    paths: list[Path] = []
    codes: set[int] = set()
    if args.sample:
        from auditor_tui.domain.resources import data_path

        if len(store):
            _err(
                f"{store.root} contient déjà des audits : les audits d'exemple ne s'importent "
                "que dans un dossier vide (pour ne pas les mêler à de vrais audits)."
            )
            return EXIT_REJECTED
        paths.append(data_path(SAMPLE_AUDITS_FILE))
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
            print(f"{terminal_text(str(path))} : aucun lot à importer.")
        paths.extend(found.files)
    codes.update(_import_file(store, path, args) for path in paths)
    for code in (EXIT_ERROR, EXIT_REJECTED, EXIT_CONFLICTS):
        if code in codes:
            return code
    return EXIT_OK


def _outgoing(store: Store, args: argparse.Namespace) -> Callable[[Audit], Audit] | None:
    if not args.pseudonymise:
        return None
    from auditor_tui.exchange.privacy import pseudonymise, store_key

    key = store_key(store)
    return lambda audit: pseudonymise(audit, key)


def cmd_export(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.exchange.export import ExportError
    from auditor_tui.exchange.output_files import OutputRefused
    from auditor_tui.exchange.sync import FORMATS, BatchRefused

    if args.changed:
        try:
            return cmd_export_changed(store, args)
        except BatchRefused as exc:
            _err(str(exc))
            return EXIT_REJECTED
    unread: list[str] = []
    audits = _readable_audits(store, unread)
    transform = _outgoing(store, args)
    if transform is not None:
        audits = [transform(a) for a in audits]
    try:
        data = FORMATS[args.format](audits)
    except ExportError as exc:
        _err(f"{exc} ; aucun fichier écrit.")
        return EXIT_ERROR
    store.close()  # before a FIFO's reader or a slow pipe is waited on: the folder is free
    try:
        write_bytes_output(args.out, data)
    except OutputRefused as exc:
        _err(str(exc))
        return EXIT_REJECTED
    if args.out != "-":
        print(f"{len(audits)} audit(s) exporté(s) vers {args.out}.")
    return _left_out(store, unread, "de l'export")


def _readable_audits(store: Store, unread: list[str]) -> list[Audit]:
    """Every audit that can be read; the message of each that cannot goes to `unread`."""
    from auditor_tui.store.errors import StoreError

    audits = []
    for audit_id in store.ids():
        try:
            audits.append(store.get(audit_id))
        except StoreError as exc:
            unread.append(str(exc))
    return audits


def _left_out(store: Store, unread: list[str], what: str) -> int:
    """Name the audits left out of an export or a report (unreadable now, or damaged at
    open: already named) and fail (README « Exit codes »), or EXIT_OK if there is none."""
    for message in unread:
        _err(f"audit illisible, laissé hors {what} : {message}")
    damaged = [d for d in store.damaged if d.path.parent == store.audits_dir]
    count = len(unread) + len(damaged)
    if not count:
        return EXIT_OK
    _err(f"{count} audit(s) laissé(s) hors {what} : les chiffres ne les comptent pas.")
    return EXIT_ERROR


def cmd_export_changed(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.domain.record import now_utc
    from auditor_tui.exchange.sync import FORMATS, export_changed, file_name

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
    from auditor_tui.reports.figures import Period

    try:
        return Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _size(text: str) -> int:
    from auditor_tui.exchange.input_files import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


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


def _table(text: str) -> str:
    from auditor_tui.reports.tables import TABLE_NAMES

    if text not in TABLE_NAMES:
        raise argparse.ArgumentTypeError(f"tableau inconnu {text!r} : {', '.join(TABLE_NAMES)}")
    return text


def cmd_report(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.reports.cache import load_rows
    from auditor_tui.reports.figures import Filters, build_report
    from auditor_tui.reports.tables import TABLE_NAMES, print_tables, tables, write_csv

    filters = Filters(args.period, args.dealer, args.auditor)
    unread: list[str] = []
    rows = load_rows(store, unread=unread)
    store.close()  # read: the folder is free before a slow reader of the output is waited on
    report = build_report(rows, filters)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        chosen = args.table or "dealers"
        write_csv(next(t for t in tables(report) if t.name == chosen), sys.stdout)
    else:
        print_tables(report, [args.table] if args.table else TABLE_NAMES, sys.stdout)
    return _left_out(store, unread, "du rapport")


def cmd_dealers_import(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.domain.dealers import DealerImportError, parse_dealers_csv, sample_dealers_path

    if args.sample:  # asked for by name: never put into a store behind the auditor's back
        args.file = str(sample_dealers_path())
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
    if args.sample:
        print(
            f"{len(dealers)} concessionnaire(s) d'exemple importé(s) (numéros fictifs, pour "
            "s'essayer) ; l'annuaire réel : « auditor-tui dealers import FICHIER.csv »."
        )
    else:
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
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog(
            "auditor-tui",
            "auditor-tui --db ~/essai import --sample",
            "auditor-tui export --format csv --out audits.csv",
            "auditor-tui --read-only report --period 2026-T1..T3",
        ),
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
    raw = argparse.RawDescriptionHelpFormatter

    p = sub.add_parser(
        "import",
        help="importer des audits (JSON Lines), chaque fichier tout ou rien",
        formatter_class=raw,
        epilog=epilog(
            "auditor-tui import audits.jsonl",
            "auditor-tui import lots/camille lots/julien",
            "auditor-tui --db ~/essai import --sample",
        ),
    )
    p.add_argument(
        "files",
        nargs="*",
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
    p.add_argument(
        "--sample",
        action="store_true",
        help="les audits d'exemple livrés avec l'application (dossier vide seulement)",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export",
        help="exporter les audits (tous, ou les nouveaux par lot)",
        formatter_class=raw,
        epilog=epilog(
            "auditor-tui export --format xlsx --out audits.xlsx",
            "auditor-tui export --out - | head -1",
            "auditor-tui export --changed --to envois --format csv",
        ),
    )
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

    p = sub.add_parser(
        "report",
        help="rapport réseau : étoiles, questions, trophée…",
        formatter_class=raw,
        epilog=epilog(
            "auditor-tui report --period 2026-T1..T3 --dealer Dijon",
            "auditor-tui report --format csv --table questions > questions.csv",
        ),
    )
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument(
        "--period", type=_period, metavar="PÉRIODE", help="ex. 2026, 2026-T2, 2026-T1..T3"
    )
    p.add_argument("--dealer", metavar="CONCESSION", help="partie du nom ou identifiant")
    p.add_argument("--auditor", metavar="AUDITEUR", help="partie du nom de l'auditeur")
    p.add_argument(
        "--table",
        metavar="TABLEAU",
        type=_table,
        help="un seul tableau, parmi : dealers, questions, sections, trophy, unreachable, "
        "trends (csv : dealers par défaut)",
    )
    p.set_defaults(func=cmd_report)

    dealers = sub.add_parser("dealers", help="annuaire des concessionnaires")
    dsub = dealers.add_subparsers(dest="dealers_command", metavar="ACTION", required=True)
    p = dsub.add_parser(
        "import",
        help="remplacer l'annuaire par un fichier CSV",
        formatter_class=raw,
        epilog=epilog(
            "auditor-tui dealers import concessions.csv",
            "auditor-tui --db ~/essai dealers import --sample",
        ),
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("file", metavar="FICHIER.csv", nargs="?")
    source.add_argument(
        "--sample",
        action="store_true",
        help="l'annuaire d'exemple livré (41 concessions fictives, numéros fictifs), pour "
        "s'essayer ; jamais chargé sans cette option",
    )
    p.set_defaults(func=cmd_dealers_import)
    return parser


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
    from auditor_tui.store.paths import default_store_path

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
        _err(
            f"Le dossier {exc.folder} est ouvert par un autre processus{holder} : lecture seule "
            "de ce qui y est enregistré, rien n'y est écrit."
        )
        return store
    except StoreWriteError as exc:
        if not readable:
            raise
        store = Store.open(db, read_only=True)
        _err(f"{exc} Dossier ouvert en lecture seule : rien n'y est écrit.")
        return store


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, checked whole: a usage error exits with status 2 (argparse's)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "export" and bool(args.changed) != bool(args.to):
        parser.error("--changed va avec --to DOSSIER ; sans --changed, utiliser --out FICHIER")
    if args.command == "import" and not (args.files or args.sample):
        parser.error("import : un fichier ou dossier de lots au moins, ou --sample")
    if args.command == "import" and args.files.count("-") > 1:
        parser.error("« - » (l'entrée standard) une seule fois")
    if args.command is None and args.read_only:
        parser.error("--read-only va avec export ou report (l'application écrit tout)")
    if args.read_only and not _reads_only(args):
        parser.error(f"{args.command} écrit dans le dossier de données : pas avec --read-only")
    return args


def _reads_only(args: argparse.Namespace) -> bool:
    return args.command == "report" or (args.command == "export" and not args.changed)


def main(argv: Sequence[str] | None = None) -> int:
    with quiet_stdout():  # `| head -1` is normal use, `--help | head -1` too
        args = parse_args(argv)
        if args.command is not None:
            return run_command(args)
    return run_tui(args.db)


def run_command(args: argparse.Namespace) -> int:
    refused = _read_stdin(args)
    if refused is not None:
        _err(f"{refused} ; rien n'a été importé.")
        return EXIT_REJECTED
    readable = _reads_only(args)
    from auditor_tui.domain.grid import GridError, load_grid
    from auditor_tui.store.errors import StoreError

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
            sys.stdout.flush()  # a full disk behind `> file` is said here, with status 1
            return code
    except (StoreError, GridError, OutputError) as exc:
        _err(str(exc))
        return EXIT_ERROR
    finally:
        if collecting:
            gc.enable()  # main() is also called in-process (tests)


if __name__ == "__main__":
    sys.exit(main())
