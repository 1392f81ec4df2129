"""The commands, each over an open store: `import` (files or batch folders, all or nothing per
file), `export` (all, or the changed ones as a batch), `report`, `dealers import`. Each returns
its exit status (exit_codes.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from auditor_tui.cli.exit_codes import EXIT_CONFLICTS, EXIT_ERROR, EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.pipes import write_stdout_bytes
from auditor_tui.text.safe_text import terminal_lines, terminal_text

if TYPE_CHECKING:  # the store and the grid are imported when a command runs: not before the TUI
    from auditor_tui.domain.record import Audit
    from auditor_tui.store import Store


SAMPLE_AUDITS_FILE = "audits-sample.jsonl"


def err(message: str) -> None:
    """A message to standard error; a name it quotes (a batch folder, a file) may come from
    another auditor: its control characters are shown, not sent to the terminal."""
    print(terminal_lines(message), file=sys.stderr)


def _import_file(store: Store, path: Path, args: argparse.Namespace) -> int:
    from auditor_tui.exchange.importing import ImportRejected, import_jsonl
    from auditor_tui.exchange.input_files import STDIN

    data = args.stdin_data if str(path) == STDIN else None
    try:
        result = import_jsonl(store, path, args.max_size, data)
    except ImportRejected as exc:
        err(str(exc))
        err(f"Aucun audit de {path} n'a été importé : le dossier de données est inchangé.")
        unreadable = isinstance(exc.__cause__, OSError)  # missing, a folder, no permission…
        return EXIT_ERROR if unreadable else EXIT_REJECTED
    for warning in result.warnings:
        err(f"{path}, {warning}")
    for conflict in result.conflicts:
        err(f"{path}, {conflict}")
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
            err(
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
            err(f"{folder} : lot incomplet (sans manifeste), ignoré.")
        for refusal in found.refused:
            err(f"{refusal} ; rien n'en est importé.")
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
    from auditor_tui.exchange.export import ExportError, export_store
    from auditor_tui.exchange.output_files import OutputRefused, Spool
    from auditor_tui.exchange.sync import BatchRefused

    if args.changed:
        try:
            return cmd_export_changed(store, args)
        except BatchRefused as exc:
            err(str(exc))
            return EXIT_REJECTED
    try:
        spool = Spool(args.out)  # a link, a folder… refused before anything is read
    except OutputRefused as exc:
        err(str(exc))
        return EXIT_REJECTED
    unread: list[str] = []
    try:
        count, sheets = export_store(
            store, args.format, spool.stream, unread, _outgoing(store, args)
        )
    except ExportError as exc:
        spool.discard()
        err(f"{exc} ; aucun fichier écrit.")
        return EXIT_ERROR
    except BaseException:
        spool.discard()
        raise
    store.close()  # before a FIFO's reader or a slow pipe is waited on: the folder is free
    try:
        spool.publish(write_stdout_bytes)
    except OutputRefused as exc:
        err(str(exc))
        return EXIT_REJECTED
    more = [title for title in sheets if title.startswith("Réponses (")]
    if more:
        err(
            "La feuille « Réponses » dépasse les 1 048 576 lignes d'Excel : elle continue dans "
            + ", ".join(f"« {title} »" for title in more)
            + "."
        )
    if args.out != "-":
        print(f"{count} audit(s) exporté(s) vers {args.out}.")
    return _left_out(store, unread, "de l'export")


def _left_out(store: Store, unread: list[str], what: str) -> int:
    """Name the audits left out of an export or a report (unreadable now, or damaged at
    open: already named) and fail (README « Exit codes »), or EXIT_OK if there is none."""
    for message in unread:
        err(f"audit illisible, laissé hors {what} : {message}")
    damaged = [d for d in store.damaged if d.path.parent == store.audits_dir]
    count = len(unread) + len(damaged)
    if not count:
        return EXIT_OK
    err(f"{count} audit(s) laissé(s) hors {what} : les chiffres ne les comptent pas.")
    return EXIT_ERROR


def cmd_export_changed(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.domain.record import now_utc
    from auditor_tui.exchange.sync import export_changed, file_name

    extra = {} if args.format == "jsonl" else {file_name(args.format): args.format}
    batch = export_changed(
        store, Path(args.to), now_utc(), extra=extra, transform=_outgoing(store, args)
    )
    if batch is None:
        print("Aucun audit créé ou modifié depuis le dernier export : aucun fichier écrit.")
    else:
        print(f"Lot {batch.id} : {batch.count} audit(s) écrit(s) dans {batch.folder}.")
    return EXIT_OK


def cmd_report(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.reports.cache import load_rows
    from auditor_tui.reports.report import build_report
    from auditor_tui.reports.rows import Filters
    from auditor_tui.reports.sources import load_directory, load_plan
    from auditor_tui.reports.tables import DEFAULT_TABLES, print_tables, tables, write_csv
    from auditor_tui.reports.verbatim_output import write_verbatims
    from auditor_tui.reports.verbatims import NoteSpill

    filters = Filters(args.period, args.dealer, args.auditor, args.service)
    unread: list[str] = []
    # The verbatims are asked for by name only (half a million notes at 100,000 audits): the
    # notes are read then only, set aside on disk and written a question at a time.
    with NoteSpill() as spill:
        shown = args.table == "verbatims" and not args.pseudonymise
        rows = load_rows(store, unread=unread, spill=spill if shown else None)
        directory, plan = load_directory(store), load_plan(store)
        store.close()  # read: the folder is free before a slow reader of the output is waited on
        report = build_report(
            rows, filters, directory, plan, pseudonymise=args.pseudonymise, with_verbatims=False
        )
        if shown:
            found = spill.verbatims(r for r in rows if filters.keeps(r))
            write_verbatims(report, found, args.format, sys.stdout)
        elif args.format == "json":
            print(json.dumps(report.to_dict(args.table), ensure_ascii=False, indent=2))
        elif args.format == "csv":
            chosen = args.table or "dealers"
            write_csv(next(t for t in tables(report) if t.name == chosen), sys.stdout)
        else:
            print_tables(report, [args.table] if args.table else DEFAULT_TABLES, sys.stdout)
    return _left_out(store, unread, "du rapport")


def cmd_dealers_import(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.exchange.dealers_csv import (
        DealerImportError,
        parse_dealers_csv,
        sample_dealers_path,
    )

    if args.sample:  # asked for by name: never put into a store behind the auditor's back
        args.file = str(sample_dealers_path())
    try:
        dealers = parse_dealers_csv(Path(args.file))
    except DealerImportError as exc:
        err(str(exc))
        err("Annuaire inchangé.")
        return EXIT_REJECTED
    except OSError as exc:
        err(f"{args.file} : lecture impossible ({exc.strerror}).")
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
