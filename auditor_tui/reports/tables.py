"""The network report as tables: one source for the terminal (rich), the TUI and CSV.

Cells keep machine values (numbers, ISO 8601 UTC instants); `display` turns them into what
people read (French decimal comma, stars as ★, Europe/Paris time).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.periods import PARIS_ZONE
from auditor_tui.domain.record import parse_instant
from auditor_tui.reports.figures import DealerTrend
from auditor_tui.reports.report import NetworkReport
from auditor_tui.reports.table_model import DEALER, DEALER_ID, Cell, Column, Table
from auditor_tui.reports.trophies import TrophyEntry
from auditor_tui.reports.wave_tables import WAVE_TABLE_NAMES, wave_tables
from auditor_tui.text.french import (
    decimal_comma,
    format_minute,
    number_text,
    percent_text,
    stars_text,
)
from auditor_tui.text.safe_text import formula_guard, terminal_text

TABLE_NAMES = (
    "dealers",
    "questions",
    "sections",
    "trophy",
    "unreachable",
    "trends",
    *WAVE_TABLE_NAMES,
)
# What `report` prints without --table: every table but those with a line per dealer and wave
# or per note (coverage, ranking, verbatims: hundreds to tens of thousands of lines; the network
# and the progressions sum them up, the app shows them whole).
LONG_TABLES = ("coverage", "ranking", "verbatims")
DEFAULT_TABLES = tuple(name for name in TABLE_NAMES if name not in LONG_TABLES)


def _joined_percents(trend: DealerTrend) -> str:
    return " ".join(str(p) for p in trend.percents)


def _quarter_stars(n: int) -> Callable[[TrophyEntry], int | None]:
    return lambda entry: entry.stars[n - 1]


def tables(report: NetworkReport) -> list[Table]:
    """The report as tables, in TABLE_NAMES order."""
    r = report
    year = r.trophy.year or ""
    return [
        Table.of(
            "dealers",
            "Concessions par trimestre",
            r.dealer_quarters,
            (
                DEALER_ID,
                DEALER,
                Column("quarter", "Trimestre"),
                Column("audits", "Audits", "int"),
                Column("unreachable", "Injoignable", "int"),
                Column("average_percent", "Moyenne", "percent"),
                Column("stars", "Étoiles", "stars"),
            ),
            "Étoiles : seuils de la grille appliqués à la moyenne du trimestre.",
        ),
        Table.of(
            "questions",
            "Questions, pratiques les plus faibles d'abord",
            r.questions,
            (
                Column("question", "Q"),
                Column("section", "Section", flex=True),
                Column("text", "Question", flex=True),
                Column("audits", "Audits", "int"),
                Column("full", "Pleins", "int"),
                Column("share", "Part", "percent"),
                Column("average_points", "Moy.", "points"),
                Column("max_points", "Max", "int"),
            ),
            "Appels aboutis seulement. Pleins : audits ayant tous les points de la question ; "
            "part : leur proportion ; moy. : points moyens.",
        ),
        Table.of(
            "sections",
            "Sections",
            r.sections,
            (
                Column("section", "Section"),
                Column("audits", "Audits", "int"),
                Column("average_percent", "Moyenne", "percent"),
                Column("points", "Points", "int"),
                Column("max", "Max", "int"),
            ),
            "Appels aboutis seulement ; moyenne des pourcentages de section de chaque audit.",
        ),
        Table.of(
            "trophy",
            f"Trophée de la Qualité {year}".strip(),
            (*r.trophy.candidates, *r.trophy.in_running),
            (
                DEALER_ID,
                DEALER,
                Column("status", "Statut", get=lambda e: "en course" if e.missing else "candidat"),
                *(Column(f"t{n}", f"T{n}", "stars", _quarter_stars(n)) for n in range(1, 5)),
                Column("missing", "Trimestres manquants"),
            ),
            f"{r.trophy.top_stars} étoiles exigées aux quatre trimestres ; « en course » : "
            "aucun trimestre manqué, d'autres pas encore audités.",
            f"Aucune concession à {r.trophy.top_stars} étoiles sur tous ses trimestres audités"
            f" de {year}."
            if year
            else "Aucun audit compté.",
        ),
        Table.of(
            "unreachable",
            "Concessions injoignables",
            r.unreachable,
            (
                DEALER_ID,
                DEALER,
                Column("unreachable", "Injoignable", "int"),
                Column("audits", "Audits", "int"),
                Column("last_at", "Dernier essai", "when"),
                Column("quarters", "Trimestres", flex=True),
            ),
        ),
        Table.of(
            "trends",
            "Tendance par concession",
            r.trends,
            (
                DEALER_ID,
                DEALER,
                Column("last_percent", "Dernière", "percent", lambda t: t.percents[-1]),
                Column("change", "Évolution", "change"),
                Column("percents", "Moyennes", "percents", _joined_percents, flex=True),
                Column("quarters", "Trimestres", flex=True),
            ),
            "Évolution : dernier trimestre moins le précédent, en points de pourcentage.",
        ),
        *wave_tables(report),
    ]


def display(value: Cell, kind: str) -> str:
    """A cell as people read it (French decimal comma, stars as ★, Paris time); text with its
    control characters shown as « � » (safe_text.terminal_text)."""
    if value is None:
        return "—"
    if kind == "percent" and isinstance(value, (int, float)):
        return percent_text(float(value))
    if kind == "points" and isinstance(value, (int, float)):
        return number_text(float(value))
    if kind == "change" and isinstance(value, (int, float)):
        return ("+" if value > 0 else "−" if value < 0 else "") + number_text(abs(float(value)))
    if kind == "move" and isinstance(value, int):
        return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "="
    if kind == "stars" and isinstance(value, int):
        return stars_text(value, top=load_grid().stars[0].stars)
    if kind == "percents" and isinstance(value, str):
        return decimal_comma(value)
    if kind == "when" and isinstance(value, str):
        return format_minute(parse_instant(value), PARIS_ZONE)
    return terminal_text(str(value))  # names come from audits: shown, never sent as controls


TEXT_KINDS = ("text", "percents", "note")


def shown_rows(table: Table) -> list[list[str]]:
    """The rows as people read them, without the machine-only columns."""
    return [
        [display(v, c.kind) for v, c in zip(row, table.columns, strict=True) if c.shown]
        for row in table.rows
    ]


def fit_widths(
    widths: Sequence[int], columns: Sequence[Column], total: int, gap: int = 3
) -> list[int]:
    """Column widths within `total`: flexible columns share what the others leave, the
    narrowest first (`gap` per column: 3 for rich's borders and padding, 2 in a DataTable)."""
    out = list(widths)
    flex = sorted((i for i, c in enumerate(columns) if c.flex), key=lambda i: widths[i])
    spare = total - 1 - sum(gap + w for i, w in enumerate(widths) if i not in flex)
    for n, i in enumerate(flex):
        out[i] = max(8, min(widths[i], spare // (len(flex) - n) - gap))
        spare -= out[i] + gap
    return out


def _csv_cell(value: Cell) -> Cell:
    if value is None:
        return ""
    return formula_guard(value) if isinstance(value, str) else value


def write_csv(table: Table, out: IO[str]) -> None:
    """One table for machines: comma-separated, dot decimals, machine column names, lines
    ended by CRLF (RFC 4180: the csv module then quotes a cell holding a CR, which would
    otherwise start a new row in a spreadsheet); a text cell a spreadsheet would take for a
    formula starts with an apostrophe (safe_text.py)."""
    write_csv_rows(table.columns, table.rows, out)


def write_csv_rows(columns: Sequence[Column], rows: Iterable[Sequence[Cell]], out: IO[str]) -> None:
    """`write_csv` of rows as they come (the verbatims: half a million at 100,000 audits)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in columns])
    writer.writerows([_csv_cell(v) for v in row] for row in rows)


def print_tables(report: NetworkReport, chosen: Sequence[str], out: IO[str]) -> None:
    """The report as rich tables in the terminal."""
    console = report_console(report, out)
    for table in tables(report):
        if table.name in chosen:
            print_table(console, table)


def report_console(report: NetworkReport, out: IO[str]) -> Any:
    """A rich console on `out`, the report's head printed (a `rich.console.Console`: rich is
    the terminal's, not imported before it is needed)."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=out, highlight=False)
    filters = escape(terminal_text(report.filters.describe()))  # a --dealer of the user's
    console.print(f"[bold]Rapport réseau[/] — {filters}")
    console.print(
        f"{report.counted} audit(s) compté(s) ; {report.left_out} non compté(s) "
        "(brouillons ou suivis en cours)."
    )
    return console


def print_table(console: Any, table: Table, *, head: bool = True, caption: bool = True) -> None:
    """One table on a `report_console`, as rich draws it (its title unless not `head`, its
    note as caption unless not `caption`: a long table printed a part at a time), or its
    title and what its emptiness means."""
    from rich.table import Table as RichTable
    from rich.text import Text

    if not table.rows:
        console.print(f"\n[bold]{table.title}[/] : {table.empty}")
        return
    rich_table = RichTable(
        title=table.title if head else None, caption=(table.note or None) if caption else None
    )
    rows = shown_rows(table)
    shown = [c for c in table.columns if c.shown]
    widths = [max([len(c.label), *(len(row[i]) for row in rows)]) for i, c in enumerate(shown)]
    for width, column in zip(fit_widths(widths, shown, console.width), shown, strict=True):
        rich_table.add_column(
            column.label,
            justify="left" if column.kind in TEXT_KINDS else "right",
            no_wrap=column.kind != "note",  # a note is read whole: wrapped
            overflow="fold" if column.kind == "note" else "ellipsis",
            width=width,
        )
    for row in rows:
        rich_table.add_row(*map(Text, row))  # text, never markup: a name may hold « [/x] »
    if head:
        console.print()
    console.print(rich_table)
