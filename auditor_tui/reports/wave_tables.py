"""The programme's tables (reports/waves.py, trophies.py, verbatims.py): coverage, the network
per wave, the ranking and the best progressions, the Trophée's history, the verbatims. Like
every table of the report, one source for the terminal, the TUI and CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from auditor_tui.domain.grid import QUARTER_EVERY_AUDIT
from auditor_tui.reports.report import PROGRAMME_FIGURES, NetworkReport
from auditor_tui.reports.table_model import DEALER, DEALER_ID, Column, Table
from auditor_tui.reports.trophies import TrophyYear
from auditor_tui.reports.verbatims import Verbatim
from auditor_tui.reports.waves import MISSING, Coverage, NetworkWave
from auditor_tui.text.french import STAR

WAVE_TABLE_NAMES = PROGRAMME_FIGURES
WAVE = Column("wave", "Vague")


def quarter_rule_text(rule: str, top: int) -> str:
    """How a quarter is rated, as the notes say it."""
    if rule == QUARTER_EVERY_AUDIT:
        return f"un trimestre est à {top}{STAR} quand chacun de ses audits l'est"
    return f"un trimestre est à {top}{STAR} quand sa moyenne atteint le seuil de {top}{STAR}"


def _missing_by_wave(items: Iterable[Coverage]) -> str:
    waves: dict[str, list[int]] = {}
    for c in items:
        counts = waves.setdefault(c.wave, [0, 0])
        counts[0] += c.status == MISSING
        counts[1] += c.planned > 0
    return " · ".join(f"{w} {missing}/{planned}" for w, (missing, planned) in waves.items())


@dataclass(frozen=True)
class _HistoryLine:
    year: int
    dealer_key: str | None
    dealer: str | None
    wins: int | None
    streak: int | None


def _history_lines(years: Iterable[TrophyYear]) -> Iterator[_HistoryLine]:
    """One line per year and winner; a year without one gets a line without a dealer."""
    for y in years:
        if not y.winners:
            yield _HistoryLine(y.year, None, None, None, None)
        for w in y.winners:
            yield _HistoryLine(y.year, w.dealer_key, w.dealer, w.wins, w.streak)


def _repeat_winners(years: Iterable[TrophyYear]) -> str:
    best: dict[str, tuple[str, int, int]] = {}
    for y in years:
        for w in y.winners:
            _name, wins, streak = best.get(w.dealer_key, (w.dealer, 0, 0))
            best[w.dealer_key] = (w.dealer, max(wins, w.wins), max(streak, w.streak))
    repeat = sorted((v for v in best.values() if v[1] > 1), key=lambda v: (-v[1], v[0]))
    return ", ".join(f"{name} ({wins}, dont {streak} d'affilée)" for name, wins, streak in repeat)


def wave_tables(report: NetworkReport) -> list[Table]:
    """The programme's tables, in WAVE_TABLE_NAMES order."""
    r = report
    top = r.trophy.top_stars
    repeat = _repeat_winners(r.trophy_history)
    return [
        Table.of(
            "coverage",
            "Couverture par vague",
            r.coverage,
            (
                WAVE,
                DEALER_ID,
                Column("dealer", "Concession", flex=True),
                Column("status", "Statut"),
                Column("planned", "Prévus", "int"),
                Column("audited", "Audités", "int"),
                Column("pending", "En cours", "int"),
                Column("missing", "Manquants", "int"),
            ),
            (f"Manquantes : {_missing_by_wave(r.coverage)}. " if r.coverage else "")
            + "Prévus : le plan de la vague (sans plan, l'annuaire, une fois chacune).",
            "Aucune vague : ni audit, ni plan, ni période choisie.",
        ),
        Table.of(
            "network",
            "Réseau par vague : part des concessions à chaque niveau d'étoiles",
            r.network,
            (
                WAVE,
                Column("dealers", "Concessions", "int"),
                Column("audited", "Auditées", "int"),
                *(
                    Column(f"stars_{n}", f"{n}{STAR}", "percent", _share(n))
                    for n in range(top, 0, -1)
                ),
            ),
            "Part des concessions auditées dans la vague (une concession non auditée n'a pas "
            "d'étoiles : voir Couverture) ; " + quarter_rule_text(r.quarter_rule, top) + ".",
        ),
        Table.of(
            "ranking",
            "Classement par vague",
            r.ranking,
            (
                WAVE,
                Column("rank", "Rang", "int"),
                DEALER_ID,
                DEALER,
                Column("average_percent", "Moyenne", "percent"),
                Column("stars", "Étoiles", "stars"),
                Column("previous_rank", "Préc.", "int"),
                Column("move", "Places", "move"),
            ),
            "Ex aequo : même rang, le suivant saute (1, 1, 3). Préc. : rang à la vague "
            "précédente ; places gagnées (+) ou perdues (−).",
        ),
        Table.of(
            "progressions",
            "Meilleures progressions",
            r.progressions,
            (
                WAVE,
                DEALER_ID,
                DEALER,
                Column("move", "Places", "move"),
                Column("previous_rank", "Préc.", "int"),
                Column("rank", "Rang", "int"),
                Column("average_percent", "Moyenne", "percent"),
            ),
            "Les cinq plus fortes montées de chaque vague (et les ex aequo de la cinquième).",
            "Aucune concession n'a gagné de place d'une vague à l'autre.",
        ),
        Table.of(
            "trophy_history",
            "Palmarès du Trophée de la Qualité",
            _history_lines(r.trophy_history),
            (
                Column("year", "Année"),
                DEALER_ID,
                DEALER,
                Column("wins", "Trophées", "int"),
                Column("streak", "D'affilée", "int"),
            ),
            (f"Lauréats plusieurs fois : {repeat}. " if repeat else "")
            + f"Lauréats : {top}{STAR} aux quatre trimestres de l'année ; "
            + quarter_rule_text(r.quarter_rule, top)
            + ". Trophées : années gagnées jusque-là ; d'affilée : années de suite.",
            "Aucune année auditée.",
        ),
        verbatims_table(r, r.verbatims),
    ]


VERBATIM_TABLE_COLUMNS = (
    Column("question", "Q"),
    Column("text", "Question", shown=False),
    WAVE,
    DEALER_ID,
    DEALER,
    Column("service", "Service"),
    Column("auditor", "Auditeur", shown=False),
    Column("audit_id", "Audit", shown=False),
    Column("call_at", "Appel", "when", shown=False),
    Column("note", "Verbatim", "note", flex=True),
)


def verbatims_table(r: NetworkReport, found: Iterable[Verbatim]) -> Table:
    """The verbatims' table, of the notes `found` (the report's, or a part of them)."""
    return Table.of(
        "verbatims",
        "Verbatims par question",
        found,
        VERBATIM_TABLE_COLUMNS,
        "Les notes des auditeurs, question par question.",
        "Retirés (pseudonymisation)." if r.pseudonymised else "Aucune note.",
    )


def _share(stars: int) -> Callable[[NetworkWave], float | None]:
    return lambda wave: wave.stars_share.get(str(stars))
