"""The dealer directory's CSV import, all or nothing: every problem listed with its line and
column (UTF-8, BOM accepted, `;` or `,` detected from the header line), each phone number
checked and normalised (domain/dealers.py); the shipped sample directory, and the command that
imports a directory into a given store.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor_tui.domain.dealers import COUNTRIES, Dealer, normalise_phone, slugify
from auditor_tui.domain.opening import (
    DEFAULT_HOURS,
    closed_text,
    hours_text,
    parse_closed,
    parse_hours,
)
from auditor_tui.domain.resources import data_path

SAMPLE_DEALERS_FILE = "dealers-sample.csv"

REQUIRED_COLUMNS = ("name", "city", "department", "country", "phone")
# Optional: opening hours per weekday and closing days (domain/opening.py), for the plan.
HOURS_COLUMNS = (
    "hours_mon",
    "hours_tue",
    "hours_wed",
    "hours_thu",
    "hours_fri",
    "hours_sat",
    "hours_sun",
)

_DEPARTMENT = re.compile(r"0[1-9]|1[0-9]|2[1-9]|[3-8][0-9]|9[0-5]|2A|2B|97[1-6]")

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str  # column name; "" for a problem with the whole file or line
    message: str
    file: str = ""

    def __str__(self) -> str:
        where = f"{self.file}, ligne {self.line}" if self.file else f"ligne {self.line}"
        if self.field:
            where += f", champ {self.field}"
        return f"{where} : {self.message}"


class DealerImportError(ValueError):
    """A dealer file refused as a whole; `problems` lists every problem found, in line order."""

    def __init__(self, path: Path, problems: list[RowProblem]) -> None:
        self.path = path
        self.problems = problems
        count = f"{len(problems)} problème{'s' if len(problems) > 1 else ''}"
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Import des concessionnaires refusé, {count} :\n{lines}")


def parse_dealers_csv(path: Path) -> list[Dealer]:
    """Read a dealer CSV (UTF-8, BOM accepted; `;` or `,` detected from the header line).

    All-or-nothing: any problem raises DealerImportError listing every problem with its line and
    column. Blank lines are skipped; unknown columns are ignored. OSError if the file can't be read.
    """
    problems: list[RowProblem] = []

    def problem(line: int, field: str, message: str) -> None:
        problems.append(RowProblem(line, field, message, path.name))

    dealers = _parse(path.read_bytes(), problem)
    if problems:
        raise DealerImportError(path, sorted(problems, key=lambda p: p.line))
    return dealers


def import_command(db: Path | None, source: str = "FICHIER.csv") -> str:
    """The command that fills this store's directory (`db` None: the default folder), to be
    typed as shown: « auditor-tui --db '/mon dossier' dealers import FICHIER.csv »."""
    import shlex

    where = f" --db {shlex.quote(str(db))}" if db is not None else ""
    return f"auditor-tui{where} dealers import {source}"


def empty_directory_text(db: Path | None) -> str:
    """What to do with an empty directory, in French: the exact commands for this store."""
    return (
        "Aucun concessionnaire : importez l'annuaire avec\n"
        f"« {import_command(db)} »\n"
        f"(pour s'essayer : « {import_command(db, '--sample')} », numéros fictifs)."
    )


def sample_dealers_path() -> Path:
    """The shipped sample directory (41 dealers, fiction phone numbers)."""
    return data_path(SAMPLE_DEALERS_FILE)


Report = Callable[[int, str, str], None]  # (line, field, message)


def _parse(data: bytes, problem: Report) -> list[Dealer]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem(
            line, "", "le fichier n'est pas en UTF-8 ; réenregistrez-le au format « CSV UTF-8 »"
        )
        return []
    if not text.strip():
        problem(1, "", "fichier vide")
        return []

    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    # strict: a quote left open or misplaced is an error at its line, not a field that
    # swallows the rest of the file (then blamed as « ville manquante »).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        problem(1, "", _syntax_error(exc, 1, reader.line_num))
        return []
    columns = [c.strip().lower() for c in header]
    present_columns = _check_header(columns, problem)

    dealers: list[Dealer] = []
    first_line_of_id: dict[str, int] = {}
    rows = 0
    unreadable: list[int] = []

    def syntax(line: int, field: str, message: str) -> None:
        unreadable.append(line)
        problem(line, field, message)

    for line, row in _rows(reader, syntax):
        if not any(cell.strip() for cell in row):
            continue
        rows += 1
        extra = [cell for cell in row[len(columns) :] if cell.strip()]
        if extra:
            problem(line, "", f"{len(row)} valeurs pour {len(columns)} colonnes dans l'en-tête")
        values = {c: row[i].strip() for i, c in enumerate(columns) if c and i < len(row)}
        dealer_id = values.get("id") or slugify(values.get("name", ""))
        dealer = _parse_row(line, values, present_columns, problem)
        if dealer_id and values.get("name"):
            id_field = "id" if values.get("id") else "name"
            if dealer_id in first_line_of_id:
                problem(
                    line,
                    id_field,
                    f'identifiant en double "{dealer_id}" (déjà utilisé ligne '
                    f"{first_line_of_id[dealer_id]})",
                )
            else:
                first_line_of_id[dealer_id] = line
        if dealer is not None:
            dealers.append(dealer)
    if rows == 0 and not unreadable:
        problem(1, "", "aucun concessionnaire après la ligne d'en-tête")
    return dealers


def _rows(reader: Any, problem: Report) -> Iterator[tuple[int, list[str]]]:
    """The reader's rows, each with the line it starts on; a row the csv module refuses (a
    quote left open, a field over its size limit...) is reported at its first line and ends
    the reading, instead of escaping as a traceback or swallowing the lines that follow."""
    end_of_previous = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            start = end_of_previous + 1
            problem(start, "", _syntax_error(exc, start, reader.line_num))
            return
        yield end_of_previous + 1, row
        end_of_previous = reader.line_num


def _syntax_error(exc: csv.Error, start: int, stop: int) -> str:
    """A csv module error in French, with where the row began and where reading stopped."""
    reason = str(exc)
    if "end of data" in reason:
        what = "guillemet ouvert jamais refermé"
    elif "expected after" in reason:
        what = "guillemet mal placé (texte après le guillemet fermant)"
    else:
        what = f"ligne CSV illisible ({reason})"
    where = "" if stop <= start else f" (lecture arrêtée ligne {stop})"
    return f"{what}{where} : vérifiez les guillemets de cette ligne"


def _check_header(columns: list[str], problem: Report) -> set[str]:
    """Report missing and repeated columns (line 1); return the required columns present."""
    named = [c for c in columns if c]
    for column in sorted({c for c in named if named.count(c) > 1}):
        problem(1, column, "colonne en double dans l'en-tête")
    present = set(named)
    found = ", ".join(named) or "aucune"
    for column in REQUIRED_COLUMNS:
        if column not in present:
            problem(1, column, f"colonne obligatoire manquante (colonnes trouvées : {found})")
    return present


def _parse_row(
    line: int, values: Mapping[str, str], columns: set[str], problem: Report
) -> Dealer | None:
    """One data row to a Dealer, or None after reporting each of its problems.

    A field whose column is missing is not checked again: line 1 already says so.
    """
    ok = True

    def bad(field: str, message: str) -> None:
        nonlocal ok
        ok = False
        problem(line, field, message)

    name = values.get("name", "")
    if "name" in columns and not name:
        bad("name", "nom manquant")
    elif name and not values.get("id") and not slugify(name):
        bad("name", f'impossible de tirer un identifiant du nom "{name}" ; ajoutez une colonne id')
    city = values.get("city", "")
    if "city" in columns and not city:
        bad("city", "ville manquante")

    raw_country = values.get("country", "")
    country: str | None = raw_country.upper()
    if "country" not in columns:
        country = None
    elif not raw_country:
        bad("country", f"pays manquant (attendu {' ou '.join(COUNTRIES)})")
        country = None
    elif country not in COUNTRIES:
        bad("country", f'pays inconnu "{raw_country}" (attendu {" ou ".join(COUNTRIES)})')
        country = None

    department: str | None = None
    if "department" in columns and country is not None:
        try:
            department = _normalise_department(values.get("department", ""), country)
        except ValueError as exc:
            bad("department", str(exc))

    phone = ""
    if "phone" in columns and country is not None:
        try:
            phone = normalise_phone(values.get("phone", ""), country)
        except ValueError as exc:
            bad("phone", str(exc))

    email = values.get("email") or None
    if email is not None and not _EMAIL.fullmatch(email):
        bad("email", f'adresse e-mail invalide : "{email}"')

    hours, closed = _opening(values, columns, bad)

    if not ok or country is None or not columns.issuperset(REQUIRED_COLUMNS):
        return None
    return Dealer(
        id=values.get("id") or slugify(name),
        name=name,
        city=city,
        department=department,
        country=country,
        phone=phone,
        email=email,
        hours=hours,
        closed=closed,
    )


def _opening(
    values: Mapping[str, str], columns: set[str], bad: Callable[[str, str], None]
) -> tuple[tuple[str, ...] | None, str | None]:
    """The optional opening hours (`hours_mon` … `hours_sun`: an empty cell or a missing
    column is the default day) and closing days (`closed`), in their one spelling."""
    hours: tuple[str, ...] | None = None
    if columns & set(HOURS_COLUMNS):
        week = []
        for column, default in zip(HOURS_COLUMNS, DEFAULT_HOURS, strict=True):
            try:
                week.append(hours_text(parse_hours(values.get(column) or default)))
            except ValueError as exc:
                bad(column, str(exc))
        hours = tuple(week) if tuple(week) != DEFAULT_HOURS else None
    closed: str | None = None
    try:
        closed = closed_text(parse_closed(values.get("closed", ""))) or None
    except ValueError as exc:
        bad("closed", str(exc))
    return hours, closed


def _normalise_department(raw: str, country: str) -> str | None:
    """ "21", "2A", "971" for France (a lone digit gets its zero back: Excel drops it); None for
    Monaco. ValueError with a French message otherwise."""
    if country != "FR":
        if raw:
            raise ValueError(f'le département doit être vide pour {country} : "{raw}"')
        return None
    if not raw:
        raise ValueError("département manquant (obligatoire pour FR)")
    code = raw.upper()
    if code.isdigit() and len(code) == 1:
        code = "0" + code
    if not _DEPARTMENT.fullmatch(code):
        raise ValueError(f'département invalide "{raw}" (attendu 01 à 95, 2A, 2B ou 971 à 976)')
    return code
