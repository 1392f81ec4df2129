"""The command line as argparse reads it: every command, option and help text (in French), and
`parse_args`, which checks the whole line (a usage error exits with status 2).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from auditor_tui import __version__
from auditor_tui.cli.commands import cmd_dealers_import, cmd_export, cmd_import, cmd_report
from auditor_tui.cli.exit_codes import epilog
from auditor_tui.cli.plan import cmd_plan
from auditor_tui.exchange.input_files import DEFAULT_IMPORT_LIMIT
from auditor_tui.store.paths import ENV_VAR, default_store_path

if TYPE_CHECKING:
    from datetime import date

    from auditor_tui.domain.periods import Period
    from auditor_tui.domain.waves import Wave

T = TypeVar("T")


def _checked(parse: Callable[[str], T], text: str) -> T:
    """`parse(text)`, its ValueError (a French message) as argparse's usage error."""
    try:
        return parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _period(text: str) -> Period:
    from auditor_tui.domain.periods import Period

    return _checked(Period.parse, text)


def _size(text: str) -> int:
    from auditor_tui.exchange.input_files import parse_size

    return _checked(parse_size, text)


def _table(text: str) -> str:
    from auditor_tui.reports.tables import TABLE_NAMES

    if text not in TABLE_NAMES:
        raise argparse.ArgumentTypeError(f"tableau inconnu {text!r} : {', '.join(TABLE_NAMES)}")
    return text


def _service(text: str) -> str:
    from auditor_tui.reports.rows import SERVICES

    if text.strip().upper() not in SERVICES:
        raise argparse.ArgumentTypeError(f"service inconnu {text!r} : {', '.join(SERVICES)}")
    return text.strip().upper()


def _wave(text: str) -> Wave:
    from auditor_tui.domain.waves import Wave

    return _checked(Wave.parse, text)


def _day(text: str) -> date:
    from datetime import date

    def iso(text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"date AAAA-MM-JJ attendue, trouvé {text!r}") from None

    return _checked(iso, text)


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError(f"entier de 1 à 100 attendu, trouvé {text!r}")
    return int(text)


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"entier attendu, trouvé {text!r}") from None


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
            "auditor-tui report --period 2027-T1 --table coverage",
            "auditor-tui report --service APV --format csv --table verbatims > verbatims.csv",
        ),
    )
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument(
        "--period", type=_period, metavar="PÉRIODE", help="ex. 2026, 2026-T2, 2026-T1..T3"
    )
    p.add_argument("--dealer", metavar="CONCESSION", help="partie du nom ou identifiant")
    p.add_argument("--auditor", metavar="AUDITEUR", help="partie du nom de l'auditeur")
    p.add_argument(
        "--service",
        type=_service,
        metavar="SERVICE",
        help="VN (véhicules neufs), VO (occasion) ou APV (après-vente)",
    )
    p.add_argument(
        "--table",
        metavar="TABLEAU",
        type=_table,
        help="un seul tableau, parmi : dealers, questions, sections, trophy, unreachable, "
        "trends, coverage, network, ranking, progressions, trophy_history, verbatims "
        "(csv : dealers par défaut ; table : tous sauf coverage, ranking et verbatims ; "
        "json : tous sauf verbatims)",
    )
    p.add_argument(
        "--pseudonymise",
        action="store_true",
        help="sans les verbatims (les notes libres peuvent nommer des personnes)",
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

    p = sub.add_parser(
        "plan",
        help="planifier une vague : chaque concession un jour et un créneau",
        formatter_class=raw,
        epilog=epilog(
            "auditor-tui plan --wave 2027-T1 --auditor Camille Julien",
            "auditor-tui plan --wave 2027-T1 --seed 7 --calls-per-dealer 2",
            "auditor-tui plan --wave 2027-T1 --show --format json",
        ),
    )
    p.add_argument("--wave", type=_wave, required=True, metavar="VAGUE", help="ex. 2027-T1")
    p.add_argument(
        "--seed", type=_seed, default=0, help="tirage (défaut 0) : même graine, même plan"
    )
    p.add_argument(
        "--calls-per-dealer", type=_positive, default=1, metavar="N", help="appels par concession"
    )
    p.add_argument(
        "--auditor",
        nargs="+",
        action="extend",
        metavar="NOM",
        help="auditeurs à répartir (défaut : ceux du plan, sinon l'auditeur de ce dossier)",
    )
    p.add_argument(
        "--start", type=_day, metavar="AAAA-MM-JJ", help="premier jour (défaut : le trimestre)"
    )
    p.add_argument(
        "--end", type=_day, metavar="AAAA-MM-JJ", help="dernier jour (défaut : le trimestre)"
    )
    p.add_argument(
        "--show", action="store_true", help="afficher le plan enregistré, sans rien tirer"
    )
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_plan)
    for command in [*dsub.choices.values(), *(p for n, p in sub.choices.items() if n != "dealers")]:
        _store_options_after(command)
    return parser


def _store_options_after(command: argparse.ArgumentParser) -> None:
    """`--db` and `--read-only` also after the command (« dealers import --sample --db X »,
    not its folder read as the CSV file); left unset there, the ones before it stand."""
    command.add_argument(
        "--db",
        metavar="DOSSIER",
        type=_db_path,
        default=argparse.SUPPRESS,
        help="dossier de données",
    )
    command.add_argument(
        "--read-only", action="store_true", default=argparse.SUPPRESS, help="sans rien écrire"
    )


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
    if args.command == "plan" and (args.start or args.end):
        try:
            args.wave = args.wave.with_days(args.start, args.end)
        except ValueError as exc:
            parser.error(str(exc))
    if args.read_only and not reads_only(args):
        parser.error(f"{args.command} écrit dans le dossier de données : pas avec --read-only")
    return args


def reads_only(args: argparse.Namespace) -> bool:
    return (
        args.command == "report"
        or (args.command == "export" and not args.changed)
        or (args.command == "plan" and args.show)
    )
