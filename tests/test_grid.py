"""The shipped 2026 grid, checked against the seed document it comes from."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from auditor_tui.domain.grid import GridError, grid_path, load_grid, load_grid_file, parse_grid


@pytest.fixture(scope="module")
def grid():
    return load_grid()


@pytest.fixture(scope="module")
def raw():
    return json.loads(grid_path("lexus-5-etoiles-2026-appel").read_text(encoding="utf-8"))


def test_footer_figures(grid):
    assert grid.scored_question_numbers == 21
    assert grid.max_points == 30
    scored = sorted({q.number for q in grid.questions() if q.scored})
    assert scored == [1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24]


def test_sections_titles_and_members(grid):
    assert [s.title for s in grid.sections] == [
        "Établir le contact",
        "Conversation téléphonique",
        "Suivi",
        "Maintenir le contact",
    ]
    ids = [[q.id for q in s.questions] for s in grid.sections]
    assert ids == [
        ["1", "2", "3", "4", "5", "6", "7a", "7b", "8"],
        ["9", "10", "11", "12", "13", "14", "15"],
        ["16", "17", "18", "19", "20"],
        ["21", "22", "23", "24"],
    ]
    assert [s.max_points for s in grid.sections] == [9, 10, 6, 5]


# ---- the grid against its source text ------------------------------------------------------
# tests/data/grid-2026-appel-source.txt is the seed document the grid was typed from, byte for
# byte (tests/data/README.md): a line per question « id TAB text TAB options TAB cap », each
# option written « label (points) », a heading line per section, two footer lines.

SOURCE = Path(__file__).parent / "data" / "grid-2026-appel-source.txt"
SOURCE_SHA256 = "e1f29c032bd13d28335f4ce1906b7f96a722de48c27d97baa9d16f6883f5599f"
HEADING = re.compile(r"(\d)\. ([^\t]+)\t*")
ROW = re.compile(r"(\d+[ab]?)\t([^\t]+)\t([^\t]+)\t([^\t]*)")
OPTION = re.compile(r" ?(\S.*?) \((-?\d+)\)(?= |$)")
CAP = re.compile(r"(\d+) pts? max")
FOOTER = {
    "scored": re.compile(r"Nombre max\. de questions notées\t+(\d+)\t*"),
    "points": re.compile(r"Score maximum atteignable\t+(\d+)\t*"),
}


@dataclass(frozen=True)
class SourceQuestion:
    id: str
    text: str
    options: tuple[tuple[str, int], ...]  # (label, points) in the source's order
    cap: int | None  # « N pts max », None where the cell is empty (not scored)


@dataclass
class Source:
    title: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[SourceQuestion]]] = field(default_factory=list)
    footer: dict[str, int] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)

    @property
    def questions(self) -> list[SourceQuestion]:
        return [q for _, questions in self.sections for q in questions]


def split_options(cell: str) -> tuple[tuple[str, int], ...]:
    options = tuple((m.group(1), int(m.group(2))) for m in OPTION.finditer(cell))
    # Read back, the options are the whole cell: nothing skipped or merged by the pattern.
    assert " ".join(f"{label} ({points})" for label, points in options) == cell.strip(), cell
    return options


def read_source() -> Source:
    source = Source()
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    for line in lines:
        if not line.strip() or line.startswith("Numéro\tQuestions détaillées"):
            continue
        if (heading := HEADING.fullmatch(line)) is not None:
            source.sections.append((heading.group(2), []))
        elif (row := ROW.fullmatch(line)) is not None:
            qid, text, options, cap = row.groups()
            found = CAP.fullmatch(cap.strip())
            assert found is not None or cap.strip() == "", (qid, cap)
            source.sections[-1][1].append(
                SourceQuestion(
                    qid,
                    text.strip(),
                    split_options(options),
                    int(found.group(1)) if found else None,
                )
            )
        elif footer := [(k, m) for k, p in FOOTER.items() if (m := p.fullmatch(line))]:
            (key, figure), *_ = footer
            source.footer[key] = int(figure.group(1))
        elif not source.sections:
            source.title.append(line.strip())
        else:
            source.unread.append(line)
    return source


def folded(text: str) -> str:
    """Upper case without accents: the source's headings are « CONVERSATION TELEPHONIQUE »."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


@pytest.fixture(scope="module")
def source() -> Source:
    return read_source()


def test_the_source_text_is_the_seed_unchanged() -> None:
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() == SOURCE_SHA256


def test_the_source_text_is_read_whole(source: Source) -> None:
    """Every line of the source is understood, so the checks below cover all of it."""
    assert source.unread == []
    assert source.title == ["PROGRAMME 5 ETOILES 2026", "CONTACT MANAGEMENT APPEL"]
    assert [q.id for q in source.questions] == [
        *("1", "2", "3", "4", "5", "6", "7a", "7b", "8"),
        *("9", "10", "11", "12", "13", "14", "15"),
        *("16", "17", "18", "19", "20"),
        *("21", "22", "23", "24"),
    ]
    assert source.footer == {"scored": 21, "points": 30}
    # The source agrees with its own footer: 21 numbers carry a cap (7a and 7b are one
    # number), and the caps add up to 30.
    assert len({re.sub("[ab]", "", q.id) for q in source.questions if q.cap}) == 21
    assert sum(q.cap or 0 for q in source.questions) == 30


def test_the_title_and_sections_are_the_source_s(grid, source: Source) -> None:
    assert folded(grid.title) == " — ".join(source.title)
    assert grid.year == 2026
    assert [folded(s.title) for s in grid.sections] == [folded(t) for t, _ in source.sections]
    assert [[q.id for q in s.questions] for s in grid.sections] == [
        [q.id for q in questions] for _, questions in source.sections
    ]


def test_every_question_is_the_source_s_text_options_points_and_cap(grid, source: Source) -> None:
    assert list(grid.question_ids) == [q.id for q in source.questions]
    for expected in source.questions:
        q = grid.question(expected.id)
        assert q.text == expected.text, q.id
        assert q.number == int(re.sub("[ab]", "", expected.id)), q.id
        assert [(o.position, o.label, o.points) for o in q.options] == [
            (position, label, points)
            for position, (label, points) in enumerate(expected.options, start=1)
        ], q.id
        assert q.max_points == expected.cap, q.id
        assert q.scored == (expected.cap is not None), q.id


def test_exclusive_and_unreachable_options_are_the_source_s(grid, source: Source) -> None:
    """DOMAIN.md §2: in a multi-select question the « Non… / Rien de tout cela / Aucun… »
    option, its only 0-point option in the source, excludes the others; Q1's « Je n'ai pas
    réussi à joindre » makes the dealer unreachable. No other option is either."""
    multi = {"3", "12", "14", "20", "21", "22", "23", "24"}  # DOMAIN.md §2
    for expected in source.questions:
        q = grid.question(expected.id)
        assert q.multi == (q.id in multi), q.id
        zero = [n for n, (_, points) in enumerate(expected.options, start=1) if points == 0]
        exclusive = [o.position for o in q.options if o.exclusive]
        assert exclusive == (zero if q.multi else []), q.id
        unreachable = [o.position for o in q.options if o.unreachable]
        assert unreachable == ([4] if q.id == "1" else []), q.id
    q1 = source.questions[0]
    assert (q1.id, q1.options[3]) == ("1", ("Je n'ai pas réussi à joindre le concessionnaire", 0))


def test_conditions_are_the_source_s(grid, source: Source) -> None:
    """The source opens Q5–Q8 with « Si l'appel a été transféré » / « Si vous avez été
    transféré »; DOMAIN.md §2 puts Q4 (the 45-second transfer) under the same condition."""
    worded = {
        q.id
        for q in source.questions
        if q.text.startswith(("Si l'appel a été transféré", "Si vous avez été transféré"))
    }
    assert worded == {"5", "6", "7a", "7b", "8"}
    conditional = {q.id: q.applies_if for q in grid.questions() if q.applies_if is not None}
    assert conditional == dict.fromkeys(worded | {"4"}, "transferred")
    assert grid.conditions == {"transferred": "Si l'appel a été transféré"}
    assert source.questions[4].text.startswith(grid.conditions["transferred"])


def test_the_footer_is_the_source_s(grid, source: Source) -> None:
    assert grid.scored_question_numbers == source.footer["scored"]
    assert grid.max_points == source.footer["points"]


def test_question_kinds_caps_and_conditions(grid):
    multi = {q.id for q in grid.questions() if q.multi}
    assert multi == {"3", "12", "14", "20", "21", "22", "23", "24"}
    assert {q.id for q in grid.questions() if not q.scored} == {"2", "4", "19"}
    assert {q.id for q in grid.questions() if q.applies_if == "transferred"} == {
        "4",
        "5",
        "6",
        "7a",
        "7b",
        "8",
    }
    for qid in multi:
        q = grid.question(qid)
        exclusive = [o for o in q.options if o.exclusive]
        assert len(exclusive) == 1 and exclusive[0].points == 0 and exclusive[0] == q.options[-1]
    q1 = grid.question("1")
    assert [o.points for o in q1.options] == [1, 0, -1, 0]
    assert [o.unreachable for o in q1.options] == [False, False, False, True]
    assert grid.question("21").max_points == 2
    assert grid.question("20").max_points == 1


def test_star_thresholds_and_rules(grid):
    assert [(t.stars, t.min_percent) for t in grid.stars] == [
        (5, 90.0),
        (4, 80.0),
        (3, 70.0),
        (2, 60.0),
        (1, 0.0),
    ]
    assert grid.stars_for(90.0) == 5
    assert grid.stars_for(89.9) == 4
    assert grid.stars_for(60.0) == 2
    assert grid.stars_for(-3.3) == 1
    assert grid.rule("transfer")["limit_seconds"] == 45
    assert grid.rule_question("transfer") == "4"
    assert grid.rule_question("discovery") == "11"


def test_broken_grid_names_question_and_field(raw):
    broken = copy.deepcopy(raw)
    q3 = broken["sections"][0]["questions"][2]
    q3["options"][1]["points"] = "un"
    del broken["sections"][1]["questions"][0]["text"]
    broken["sections"][2]["questions"][0]["kind"] = "several"
    with pytest.raises(GridError) as err:
        parse_grid(broken, "grille.json")
    problems = err.value.problems
    assert any("question 3, option 2" in p and "'points'" in p for p in problems)
    assert any("question 9" in p and "'text'" in p for p in problems)
    assert any("question 16" in p and "'kind'" in p for p in problems)
    assert "grille.json" in str(err.value)


def test_footer_mismatch_is_reported(raw):
    broken = copy.deepcopy(raw)
    broken["sections"][0]["questions"][0]["options"][0]["points"] = 2
    broken["sections"][0]["questions"][0]["max_points"] = 2
    with pytest.raises(GridError, match="max_points"):
        parse_grid(broken, "grille.json")


def test_unknown_rule_question_and_duplicate_id(raw):
    broken = copy.deepcopy(raw)
    broken["rules"]["transfer"]["question"] = "99"
    broken["sections"][3]["questions"][0]["id"] = "22"
    with pytest.raises(GridError) as err:
        parse_grid(broken)
    text = str(err.value)
    assert "règle 'transfer'" in text and "'99'" in text
    assert "question 22, champ 'id'" in text


def test_invalid_json_file_names_line(tmp_path):
    path = tmp_path / "grid.json"
    path.write_text('{\n  "schema": "auditor-tui/grid/v1",\n  oops\n}', encoding="utf-8")
    with pytest.raises(GridError) as err:
        load_grid_file(path)
    assert str(path) in str(err.value)
    assert "ligne 3" in str(err.value)
