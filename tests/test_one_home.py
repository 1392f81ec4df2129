"""One home each (issue 13 point 2): French display in text/french.py, Paris time in
domain/periods.py. The sources are read (their syntax tree: docstrings and comments may name
things) and anything written outside its home is named with its file and line: a decimal
comma put in by `.replace(".", ",")`, the stars' glyphs, a list of French month or weekday
names, the « Europe/Paris » zone."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import auditor_tui

PACKAGE = Path(auditor_tui.__file__).parent

FRENCH, PERIODS = "text/french.py", "domain/periods.py"
HOMES = {
    "decimal comma": FRENCH,
    "star glyph": FRENCH,
    "month names": FRENCH,
    "weekday names": FRENCH,
    "Paris zone": PERIODS,
}

# Written out by hand: each month's and weekday's French names, with and without accents or
# dot. The English ones (« oct », « nov », « mar »…) are not counted: a parser may list those.
MONTH_NAMES = [
    {"janvier", "janv"},
    {"février", "fevrier", "févr", "fevr", "fév", "fev"},
    {"mars"},
    {"avril", "avr"},
    {"mai"},
    {"juin"},
    {"juillet", "juil"},
    {"août", "aout"},
    {"septembre"},
    {"octobre"},
    {"novembre"},
    {"décembre", "decembre", "déc"},
]
WEEKDAY_NAMES = [
    {"lundi", "lun"},
    {"mardi"},
    {"mercredi", "mer"},
    {"jeudi", "jeu"},
    {"vendredi", "ven"},
    {"samedi", "sam"},
    {"dimanche", "dim"},
]
NAMES_IN_A_LIST = 3  # distinct months (or weekdays) in one literal make a list of names
STARS = ("★", "☆")


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes (a module's, a class's, a function's)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _texts(node: ast.AST, skip: set[int]) -> list[str]:
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in skip
    ]


def _named(texts: list[str], names: list[set[str]]) -> int:
    words = {w for text in texts for w in re.findall(r"[^\W\d_]+", text.lower())}
    return sum(1 for spellings in names if words & spellings)


def _is_comma_replace(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "replace"
        and len(node.args) >= 2
        and all(isinstance(a, ast.Constant) for a in node.args[:2])
        and [a.value for a in node.args[:2]] == [".", ","]  # type: ignore[attr-defined]
    )


def concepts_in(source: str) -> list[tuple[int, str]]:
    """Every (line, concept) written in this source that has a home."""
    tree = ast.parse(source)
    skip = docstrings(tree)
    found: set[tuple[int, str]] = set()
    collections = (ast.Tuple, ast.List, ast.Set, ast.Dict)
    inner = {
        id(c) for n in ast.walk(tree) if isinstance(n, collections) for c in ast.iter_child_nodes(n)
    }
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if _is_comma_replace(node):
            found.add((line, "decimal comma"))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if any(star in node.value for star in STARS):
                found.add((line, "star glyph"))
            if "Europe/Paris" in node.value:
                found.add((line, "Paris zone"))
        # A list of names: one outermost literal (or one string) naming several months or days.
        if (isinstance(node, collections) and id(node) not in inner) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            texts = _texts(node, skip)
            if _named(texts, MONTH_NAMES) >= NAMES_IN_A_LIST:
                found.add((line, "month names"))
            if _named(texts, WEEKDAY_NAMES) >= NAMES_IN_A_LIST:
                found.add((line, "weekday names"))
    return sorted(found)


def strays(package: Path) -> list[str]:
    """Each concept written outside its home, as « file:line: concept (its home: …) »."""
    wrong = []
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package).as_posix()
        for line, concept in concepts_in(path.read_text(encoding="utf-8")):
            if HOMES[concept] != where:
                wrong.append(
                    f"{package.name}/{where}:{line}: {concept} (its home: {HOMES[concept]})"
                )
    return wrong


def test_french_display_and_paris_time_have_one_home_each() -> None:
    assert strays(PACKAGE) == []


def test_the_homes_hold_what_they_are_home_to() -> None:
    """The scanner sees the real thing: each concept is found in its home."""
    french = {c for _, c in concepts_in((PACKAGE / FRENCH).read_text(encoding="utf-8"))}
    periods = {c for _, c in concepts_in((PACKAGE / PERIODS).read_text(encoding="utf-8"))}
    assert french == {"decimal comma", "star glyph", "month names", "weekday names"}
    assert periods == {"Paris zone"}


PLANTED = '''"""A module that writes « ★ » and Europe/Paris in its docstring: not counted."""
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Paris")
MOIS = ("janvier", "février", "mars", "avril")
JOURS = [("lun", "monday"), ("mar", "tuesday"), ("mer", "wednesday"), ("jeu", "thursday")]
PATTERN = r"(?:lundi|mardi|jeudi)"
ENGLISH = ("jan", "feb", "mar", "apr", "oct", "nov", "dec")


def percent(value: float) -> str:
    return f"{value:.1f} %".replace(".", ",")


def stars(n: int) -> str:
    """« ★★★★☆ »."""
    return "★" * n + "\\u2606" * (5 - n)
'''


def test_a_planted_copy_is_named(tmp_path: Path) -> None:
    ui = tmp_path / "auditor_tui" / "ui"
    ui.mkdir(parents=True)
    (ui / "planted.py").write_text(PLANTED, encoding="utf-8")
    assert strays(tmp_path / "auditor_tui") == [
        "auditor_tui/ui/planted.py:4: Paris zone (its home: domain/periods.py)",
        "auditor_tui/ui/planted.py:5: month names (its home: text/french.py)",
        "auditor_tui/ui/planted.py:6: weekday names (its home: text/french.py)",
        "auditor_tui/ui/planted.py:7: weekday names (its home: text/french.py)",
        "auditor_tui/ui/planted.py:12: decimal comma (its home: text/french.py)",
        "auditor_tui/ui/planted.py:17: star glyph (its home: text/french.py)",
    ]


def test_a_copy_in_the_wrong_home_is_named(tmp_path: Path) -> None:
    """The Paris zone in french.py, the stars in periods.py: each has one home, not two."""
    (tmp_path / "text").mkdir()
    (tmp_path / "domain").mkdir()
    (tmp_path / "text" / "french.py").write_text('PARIS = "Europe/Paris"\n', encoding="utf-8")
    (tmp_path / "domain" / "periods.py").write_text('STAR = "★"\n', encoding="utf-8")
    assert strays(tmp_path) == [
        f"{tmp_path.name}/domain/periods.py:1: star glyph (its home: text/french.py)",
        f"{tmp_path.name}/text/french.py:1: Paris zone (its home: domain/periods.py)",
    ]
