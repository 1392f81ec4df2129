"""The shipped 2026 grid, checked against the seed document it comes from."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from auditor_tui.grid import GridError, grid_path, load_grid, load_grid_file, parse_grid

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "003_9b12ecef3f1e7405.txt"


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


def _seed_rows():
    rows = {}
    for line in SEED.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d+[ab]?)\t(.+?)\t(.+?)\t(.*)$", line)
        if m:
            rows[m.group(1)] = m.groups()[1:]
    return rows


@pytest.mark.skipif(not SEED.exists(), reason="the shared seeds are beside the repository in CI")
def test_every_question_matches_the_seed(grid):
    rows = _seed_rows()
    assert set(rows) == set(grid.question_ids)
    for qid, (text, options, cap) in rows.items():
        q = grid.question(qid)
        assert q.text == text.strip()
        seed_options = re.findall(r"(.+?) \((-?\d+)\)", options)
        assert [(o.label, o.points) for o in q.options] == [
            (label.strip(), int(points)) for label, points in seed_options
        ]
        m = re.match(r"(\d+) pts? max", cap.strip())
        assert q.max_points == (int(m.group(1)) if m else None), qid


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
