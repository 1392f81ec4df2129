"""One table of exit codes (README « Exit codes »), the same for every command: each command
is driven into each situation the table names and must exit with the table's code, saying
why on standard error."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auditor_tui.cli import exit_codes
from auditor_tui.cli.exit_codes import EXIT_CONFLICTS, EXIT_ERROR, EXIT_OK, EXIT_REJECTED
from auditor_tui.cli.main import main
from auditor_tui.exchange.dealers_csv import sample_dealers_path
from auditor_tui.store import Store
from tests.markdown import README, section

DATA = Path(__file__).parent / "data"


def run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exc:  # argparse: usage errors (2), --help (0)
        assert isinstance(exc.code, int)
        return exc.code


def test_the_readme_table_is_the_code() -> None:
    rows = re.findall(r"^\| (\d) \| ([^|]+) \|", section(README, "Exit codes"), re.M)
    table = {int(code): meaning.strip() for code, meaning in rows}
    assert table.keys() == {EXIT_OK, EXIT_ERROR, EXIT_REJECTED, EXIT_CONFLICTS} == {0, 1, 2, 3}
    assert table[EXIT_OK] == "done"
    assert table[EXIT_ERROR].startswith("error")
    assert table[EXIT_REJECTED].startswith("input refused")
    assert table[EXIT_CONFLICTS].startswith("imported, with conflicts")
    # `auditor-tui --help` and each command's help end with the same codes.
    assert re.findall(r"^  (\d)  ", exit_codes.HELP, re.M) == ["0", "1", "2", "3"]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the example audits and the sample directory, and files to feed it."""
    root = tmp_path_factory.mktemp("codes")
    db = root / "store"
    assert run("--db", str(db), "import", "--sample") == EXIT_OK
    assert run("--db", str(db), "dealers", "import", str(sample_dealers_path())) == EXIT_OK
    assert run("--db", str(db), "export", "--out", str(root / "all.jsonl")) == EXIT_OK
    records = [json.loads(line) for line in (root / "all.jsonl").read_text().splitlines()]
    conflict = dict(records[0], auditor="Quelqu'un d'autre")  # same revision, other content
    (root / "conflict.jsonl").write_text(json.dumps(conflict) + "\n", encoding="utf-8")
    (root / "bad.jsonl").write_text(json.dumps(dict(records[0], revision=0)) + "\n")
    (root / "a-file").write_text("not a folder\n")
    return root


@pytest.fixture
def place(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template: each case may write."""
    shutil.copytree(template, tmp_path / "t")
    return tmp_path / "t"


@pytest.fixture
def busy(place: Path) -> Iterator[None]:
    """The store held by another user of it (the app, say)."""
    with Store.open(place / "store"):
        yield


Case = tuple[str, Callable[[Path], list[str]], int, bool]  # command, argv, code, store held

CASES: dict[str, Case] = {
    # import
    "import a file": ("import", lambda p: ["import", str(p / "all.jsonl")], EXIT_OK, False),
    "import a conflict": (
        "import",
        lambda p: ["import", str(p / "conflict.jsonl")],
        EXIT_CONFLICTS,
        False,
    ),
    "import a bad record": ("import", lambda p: ["import", str(p / "bad.jsonl")], 2, False),
    "import --sample, store not empty": ("import", lambda p: ["import", "--sample"], 2, False),
    "import a missing file": ("import", lambda p: ["import", str(p / "none.jsonl")], 1, False),
    "import, store busy": ("import", lambda p: ["import", str(p / "all.jsonl")], 1, True),
    "import, nothing named": ("import", lambda p: ["import"], EXIT_REJECTED, False),
    "import, bad and missing": (
        "import",
        lambda p: ["import", str(p / "bad.jsonl"), str(p / "none.jsonl")],
        EXIT_ERROR,
        False,
    ),
    # export
    "export": ("export", lambda p: ["export", "--out", str(p / "x.csv")], EXIT_OK, False),
    "export into a missing folder": (
        "export",
        lambda p: ["export", "--out", str(p / "no" / "x.jsonl")],
        EXIT_ERROR,
        False,
    ),
    "export, --db a file": (
        "export",
        lambda p: ["--db", str(p / "a-file"), "export", "--out", "-"],
        EXIT_ERROR,
        False,
    ),
    "export, no --out": ("export", lambda p: ["export"], EXIT_REJECTED, False),
    "export, bad format": (
        "export",
        lambda p: ["export", "--format", "ods", "--out", "-"],
        EXIT_REJECTED,
        False,
    ),
    # export --changed
    "export --changed": (
        "export --changed",
        lambda p: ["export", "--changed", "--to", str(p / "out")],
        EXIT_OK,
        False,
    ),
    "export --changed, store busy": (
        "export --changed",
        lambda p: ["export", "--changed", "--to", str(p / "out")],
        EXIT_ERROR,
        True,
    ),
    "export --to without --changed": (
        "export --changed",
        lambda p: ["export", "--to", str(p / "out")],
        EXIT_REJECTED,
        False,
    ),
    "--read-only export --changed": (
        "export --changed",
        lambda p: ["--read-only", "export", "--changed", "--to", str(p / "out")],
        EXIT_REJECTED,
        False,
    ),
    # report
    "report": ("report", lambda p: ["report", "--period", "2026-T1..T3"], EXIT_OK, False),
    "report, --db a file": (
        "report",
        lambda p: ["--db", str(p / "a-file"), "report"],
        EXIT_ERROR,
        False,
    ),
    "report, bad period": ("report", lambda p: ["report", "--period", "2026-T5"], 2, False),
    "report, unknown table": ("report", lambda p: ["report", "--table", "nope"], 2, False),
    # dealers import
    "dealers import": (
        "dealers import",
        lambda p: ["dealers", "import", str(sample_dealers_path())],
        EXIT_OK,
        False,
    ),
    "dealers import a bad file": (
        "dealers import",
        lambda p: ["dealers", "import", str(DATA / "dealers-bad.csv")],
        EXIT_REJECTED,
        False,
    ),
    "dealers import a missing file": (
        "dealers import",
        lambda p: ["dealers", "import", str(p / "none.csv")],
        EXIT_ERROR,
        False,
    ),
    "dealers import, store busy": (
        "dealers import",
        lambda p: ["dealers", "import", str(sample_dealers_path())],
        EXIT_ERROR,
        True,
    ),
    "dealers, no action": ("dealers import", lambda p: ["dealers"], EXIT_REJECTED, False),
    # the app
    "--read-only without a command": ("app", lambda p: ["--read-only"], EXIT_REJECTED, False),
    "unknown option": ("app", lambda p: ["--bogus"], EXIT_REJECTED, False),
}


@pytest.mark.parametrize("name", CASES)
def test_each_situation_gets_the_tables_code(
    name: str, place: Path, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]
) -> None:
    _, argv, expected, held = CASES[name]
    args = argv(place)
    if "--db" not in args:
        args = ["--db", str(place / "store"), *args]
    if held:
        request.getfixturevalue("busy")
    assert run(*args) == expected
    err = capsys.readouterr().err
    # Every code but 0 says why on standard error; 0 says nothing there.
    assert (err == "") == (expected == EXIT_OK), err


def test_every_command_meets_the_codes_of_the_table() -> None:
    """The cases above cover, for each command, every code it can give."""
    covered: dict[str, set[int]] = {}
    for command, _, code, _ in CASES.values():
        covered.setdefault(command, set()).add(code)
    every = {EXIT_OK, EXIT_ERROR, EXIT_REJECTED}
    assert covered["import"] == every | {EXIT_CONFLICTS}
    for command in ("export", "export --changed", "report", "dealers import"):
        assert covered[command] == every, command
