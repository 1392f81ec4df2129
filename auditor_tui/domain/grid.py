"""The audit grid (questionnaire) as typed data, loaded and validated from a JSON file in data/.

The grid's text, points, caps, conditions, star thresholds and timer rules live in the data
file only; everything else (scoring, UI, exports) reads them from here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from auditor_tui.domain.grid_check import Checker
from auditor_tui.domain.grid_check import GridError as GridError  # re-exported
from auditor_tui.domain.resources import data_dir

GRID_SCHEMA = "auditor-tui/grid/v1"
DEFAULT_GRID_ID = "lexus-5-etoiles-2026-appel"
CONDITION_TRANSFERRED = "transferred"
# What makes a dealer's quarter worth N stars (`stars.quarter_rule` in the grid file): the
# thresholds applied to the quarter's average (the default), or to each audit of the quarter,
# the quarter getting its weakest audit's stars (5 stars only when every audit has 5).
QUARTER_AVERAGE = "average"
QUARTER_EVERY_AUDIT = "every_audit"
QUARTER_RULES = (QUARTER_AVERAGE, QUARTER_EVERY_AUDIT)


@dataclass(frozen=True)
class Option:
    position: int  # 1-based, as in the grid's list
    label: str
    points: int
    exclusive: bool = False
    unreachable: bool = False


@dataclass(frozen=True)
class Question:
    id: str
    number: int
    text: str
    kind: str  # "single" | "multi"
    options: tuple[Option, ...]
    max_points: int | None  # None: recorded, never scored
    applies_if: str | None = None
    section_id: str = ""

    @property
    def scored(self) -> bool:
        return self.max_points is not None

    @property
    def multi(self) -> bool:
        return self.kind == "multi"

    def option(self, position: int) -> Option:
        return self.options[position - 1]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]

    @property
    def max_points(self) -> int:
        return sum(q.max_points or 0 for q in self.questions)


@dataclass(frozen=True)
class StarThreshold:
    stars: int
    min_percent: float


@dataclass(frozen=True)
class Grid:
    id: str
    title: str
    year: int
    sections: tuple[Section, ...]
    stars: tuple[StarThreshold, ...]  # highest first
    rules: Mapping[str, Mapping[str, Any]]
    conditions: Mapping[str, str]
    source: str = ""
    quarter_rule: str = QUARTER_AVERAGE
    _by_id: Mapping[str, Question] = field(default_factory=dict, repr=False, compare=False)

    def questions(self) -> Iterator[Question]:
        for section in self.sections:
            yield from section.questions

    def question(self, qid: str) -> Question:
        return self._by_id[qid]

    def has_question(self, qid: str) -> bool:
        return qid in self._by_id

    def section_of(self, qid: str) -> Section:
        sid = self._by_id[qid].section_id
        return next(s for s in self.sections if s.id == sid)

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    @property
    def max_points(self) -> int:
        return sum(s.max_points for s in self.sections)

    @property
    def scored_question_numbers(self) -> int:
        """Scored question numbers, 7a/7b counting as one, as the grid's footer counts them."""
        return len({q.number for q in self.questions() if q.scored})

    def rule(self, name: str) -> Mapping[str, Any]:
        return self.rules[name]

    def rule_question(self, name: str) -> str:
        return str(self.rules[name]["question"])

    # The grid's numbers (checked by parse_grid: present, positive), read here and nowhere else.
    @property
    def transfer_limit(self) -> float:
        """Q4: the seconds a transfer may take and still be « Oui » (`transfer.limit_seconds`)."""
        return float(self.rules["transfer"]["limit_seconds"])

    @property
    def email_delay(self) -> timedelta:
        """Q16: how long after the end of the call the e-mail is due (`email.hours`)."""
        return timedelta(hours=self.rules["email"]["hours"])

    @property
    def callback_business_days(self) -> int:
        """Q17: the call-back is due by the end of this many business days after the call's
        day (`callback.business_days`)."""
        return int(self.rules["callback"]["business_days"])

    def stars_for(self, percent: float) -> int:
        for threshold in self.stars:
            if percent >= threshold.min_percent:
                return threshold.stars
        return self.stars[-1].stars

    @property
    def top_stars(self) -> int:
        return self.stars[0].stars


def _parse_question(
    raw: Any, section_id: str, where: str, c: Checker, conditions: Mapping[str, str]
) -> Question | None:
    if not isinstance(raw, dict):
        c.problems.append(f"{where} : attendu un objet question")
        return None
    qid = c.get(raw, "id", str, where)
    where = f"question {qid}" if qid else where
    number = c.get(raw, "number", int, where)
    text = c.get(raw, "text", str, where)
    kind = c.get(raw, "kind", str, where)
    if kind is not None and kind not in ("single", "multi"):
        c.problems.append(
            f"{where}, champ 'kind' : « single » ou « multi » attendu, trouvé {kind!r}"
        )
    max_points = c.get(raw, "max_points", int, where, optional=True)
    applies_if = c.get(raw, "applies_if", str, where, optional=True)
    if applies_if is not None and applies_if not in conditions:
        c.problems.append(f"{where}, champ 'applies_if' : condition inconnue {applies_if!r}")
    raw_options = c.get(raw, "options", list, where)
    options: list[Option] = []
    for i, ro in enumerate(raw_options or [], start=1):
        ow = f"{where}, option {i}"
        if not isinstance(ro, dict):
            c.problems.append(f"{ow} : attendu un objet option")
            continue
        label = c.get(ro, "label", str, ow)
        points = c.get(ro, "points", int, ow)
        exclusive = bool(c.get(ro, "exclusive", bool, ow, optional=True))
        unreachable = bool(c.get(ro, "unreachable", bool, ow, optional=True))
        if label is not None and points is not None:
            options.append(Option(i, label, points, exclusive, unreachable))
    if raw_options is not None and len(raw_options) < 2:
        c.problems.append(f"{where}, champ 'options' : au moins deux options attendues")
    if max_points is not None and options:
        best = (
            sum(max(o.points, 0) for o in options)
            if kind == "multi"
            else max(o.points for o in options)
        )
        if best < max_points:
            c.problems.append(
                f"{where}, champ 'max_points' : {max_points} points inatteignables avec ces options"
            )
    if max_points is None and any(o.points for o in options):
        c.problems.append(f"{where}, champ 'max_points' : question non notée mais options à points")
    if kind == "single" and any(o.exclusive for o in options):
        c.problems.append(f"{where}, champ 'exclusive' : réservé aux questions à choix multiples")
    if None in (qid, number, text, kind) or raw_options is None:
        return None
    return Question(qid, number, text, kind, tuple(options), max_points, applies_if, section_id)


# The numbers the code reads from the rules (Grid.transfer_limit, …): (rule, field, whole only).
NUMBERS = (
    ("transfer", "limit_seconds", False),
    ("email", "hours", False),
    ("callback", "business_days", True),
)


def _check_numbers(rules: Mapping[str, Any], c: Checker) -> None:
    """Each number the code reads is there, a number (a whole one where it counts days) and
    above zero."""
    for name, key, whole in NUMBERS:
        rule = rules.get(name)
        if not isinstance(rule, dict):
            c.problems.append(f"règle {name!r} : manquante")
            continue
        value = c.get(rule, key, int if whole else (int, float), f"règle {name!r}")
        if value is not None and not 0 < value < 10_000:
            c.problems.append(
                f"règle {name!r}, champ {key!r} : nombre entre 0 et 10000 exclus attendu, "
                f"trouvé {value!r}"
            )


def parse_grid(raw: Any, source: str = "<grille>") -> Grid:
    """Validate raw JSON into a Grid; raises GridError listing every problem."""
    c = Checker()
    if not isinstance(raw, dict):
        raise GridError(source, ["le fichier doit contenir un objet JSON"])
    schema = c.get(raw, "schema", str, "grille")
    if schema is not None and schema != GRID_SCHEMA:
        c.problems.append(f"grille, champ 'schema' : {GRID_SCHEMA!r} attendu, trouvé {schema!r}")
    gid = c.get(raw, "id", str, "grille")
    title = c.get(raw, "title", str, "grille")
    year = c.get(raw, "year", int, "grille")
    conditions = c.get(raw, "conditions", dict, "grille") or {}
    sections: list[Section] = []
    seen: dict[str, Question] = {}
    for si, rs in enumerate(c.get(raw, "sections", list, "grille") or [], start=1):
        sw = f"section {si}"
        if not isinstance(rs, dict):
            c.problems.append(f"{sw} : attendu un objet section")
            continue
        sid = c.get(rs, "id", str, sw) or f"s{si}"
        stitle = c.get(rs, "title", str, sw) or ""
        questions: list[Question] = []
        for qi, rq in enumerate(c.get(rs, "questions", list, sw) or [], start=1):
            q = _parse_question(rq, sid, f"{sw}, question n°{qi}", c, conditions)
            if q is None:
                continue
            if q.id in seen:
                c.problems.append(f"question {q.id}, champ 'id' : identifiant en double")
                continue
            seen[q.id] = q
            questions.append(q)
        sections.append(Section(sid, stitle, tuple(questions)))

    stars_raw = c.get(raw, "stars", dict, "grille") or {}
    thresholds: list[StarThreshold] = []
    for i, t in enumerate(c.get(stars_raw, "thresholds", list, "grille, étoiles") or [], start=1):
        tw = f"étoiles, seuil {i}"
        if not isinstance(t, dict):
            c.problems.append(f"{tw} : attendu un objet")
            continue
        s = c.get(t, "stars", int, tw)
        m = c.get(t, "min_percent", (int, float), tw)
        if s is not None and m is not None:
            thresholds.append(StarThreshold(s, float(m)))
    thresholds.sort(key=lambda t: t.min_percent, reverse=True)
    if thresholds and thresholds[-1].min_percent > 0:
        c.problems.append("étoiles, champ 'thresholds' : le dernier seuil doit être 0 %")
    quarter_rule = c.get(stars_raw, "quarter_rule", str, "étoiles", optional=True)
    if quarter_rule is not None and quarter_rule not in QUARTER_RULES:
        c.problems.append(
            f"étoiles, champ 'quarter_rule' : {' ou '.join(map(repr, QUARTER_RULES))} attendu, "
            f"trouvé {quarter_rule!r}"
        )
        quarter_rule = None

    rules = c.get(raw, "rules", dict, "grille") or {}
    for name, rule in rules.items():
        qid = rule.get("question") if isinstance(rule, dict) else None
        if qid not in seen:
            c.problems.append(f"règle {name!r}, champ 'question' : question inconnue {qid!r}")
    _check_numbers(rules, c)

    footer = c.get(raw, "footer", dict, "grille") or {}
    grid = Grid(
        id=gid or "",
        title=title or "",
        year=year or 0,
        sections=tuple(sections),
        stars=tuple(thresholds),
        rules=rules,
        conditions=conditions,
        source=source,
        quarter_rule=quarter_rule or QUARTER_AVERAGE,
        _by_id=seen,
    )
    if not c.problems:
        expected_n = footer.get("scored_question_numbers")
        expected_max = footer.get("max_points")
        if expected_n is not None and grid.scored_question_numbers != expected_n:
            c.problems.append(
                f"pied de grille, champ 'scored_question_numbers' : {expected_n} annoncées, "
                f"{grid.scored_question_numbers} trouvées"
            )
        if expected_max is not None and grid.max_points != expected_max:
            c.problems.append(
                f"pied de grille, champ 'max_points' : {expected_max} annoncés, "
                f"{grid.max_points} trouvés"
            )
    if c.problems:
        raise GridError(source, c.problems)
    return grid


def load_grid_file(path: Path) -> Grid:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise GridError(
            path, [f"JSON invalide ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}"]
        ) from exc
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise GridError(path, [f"ligne {line} : texte UTF-8 attendu ({exc.reason})"]) from exc
    except RecursionError as exc:
        raise GridError(path, ["JSON trop imbriqué"]) from exc
    except OSError as exc:
        raise GridError(path, [f"lecture impossible : {exc.strerror or exc}"]) from exc
    return parse_grid(raw, str(path))


def grid_path(grid_id: str) -> Path:
    return data_dir() / f"grid-{grid_id}.json"


@cache
def load_grid(grid_id: str = DEFAULT_GRID_ID) -> Grid:
    """The shipped grid by id (cached: grids are immutable)."""
    path = grid_path(grid_id)
    if not path.is_file():
        raise GridError(path, [f"aucune grille {grid_id!r} dans {data_dir()}"])
    return load_grid_file(path)


GridLookup = Callable[[str], Grid]
"""Where audits find their grid by id: `load_grid` (the shipped grids), or `grids_in(folder)`.
The store hands its lookup to every audit it reads (`Store.open(grids=…)`, `make_app`)."""


def grids_in(folder: Path) -> GridLookup:
    """Grids read from `folder` (`grid-<id>.json`, each once), the shipped ones for an id it has
    no file for: a grid of one's own, a test's copy of the shipped grid with other numbers."""
    folder = Path(folder)

    @cache
    def lookup(grid_id: str) -> Grid:
        path = folder / f"grid-{grid_id}.json"
        return load_grid_file(path) if path.is_file() else load_grid(grid_id)

    return lookup
