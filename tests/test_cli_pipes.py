"""A reader that goes away (`auditor-tui report | head -1`) is normal use: every command stops
writing quietly — no traceback, nothing on standard error, the store untouched — and exits
with its own status (README « Exit codes »). Real processes, real pipes.

The pipe is shrunk to one page (F_SETPIPE_SZ) and the outputs are checked to be longer than
that page plus what the reader took: the writer is bound to hit the closed pipe, whatever the
timing.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.exchange.dealers_csv import sample_dealers_path
from auditor_tui.store import Store
from tests.factories import tree_digest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from gen_store import generate_audits

PIPE_BYTES = 4096
AUDITS = 300  # enough for every output to be several pipes long


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("pipes") / "store"
    with Store.open(db) as store:
        store.put_many(generate_audits(AUDITS, seed=18))
    assert main(["--db", str(db), "dealers", "import", str(sample_dealers_path())]) == EXIT_OK
    yield db


def env(tmp: Path) -> dict[str, str]:
    """Never the user's data folder, whatever the command."""
    return {**os.environ, "AUDITOR_TUI_DB": str(tmp / "not-used"), "COLUMNS": "100"}


def run(args: list[str], tmp: Path, reader: str) -> tuple[int, bytes, bytes]:
    """`python -m auditor_tui ARGS` writing into a pipe whose reader takes one line (`line`:
    up to the first newline, at most 1,000 bytes) or nothing (`gone`), then closes it.
    Returns the status, what the reader got, and standard error."""
    r, w = os.pipe()
    fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    if reader == "gone":
        os.close(r)
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor_tui", *args],
        stdin=subprocess.DEVNULL,
        stdout=w,
        stderr=subprocess.PIPE,
        env=env(tmp),
        cwd=tmp,
    )
    os.close(w)
    got = b""
    if reader == "line":
        while not got.endswith(b"\n") and len(got) < 1000:
            byte = os.read(r, 1)
            if not byte:
                break
            got += byte
        os.close(r)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, got, err


def full_output(args: list[str], tmp: Path) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "auditor_tui", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env(tmp),
        cwd=tmp,
        timeout=120,
    )
    assert done.returncode == EXIT_OK and done.stderr == b"", done.stderr
    return done.stdout


OUTPUTS = [
    ["export", "--format", "jsonl", "--out", "-"],
    ["export", "--format", "csv", "--out", "-"],
    ["export", "--format", "xlsx", "--out", "-"],
    ["export", "--format", "jsonl", "--pseudonymise", "--out", "-"],
    ["report"],
    ["report", "--format", "table", "--period", "2025..2026"],
    ["report", "--format", "json"],
    ["report", "--format", "csv"],
]


@pytest.mark.parametrize("reader", ["line", "gone"])
@pytest.mark.parametrize("command", OUTPUTS, ids=" ".join)
def test_output_stops_quietly_when_the_reader_goes(
    db: Path, tmp_path: Path, command: list[str], reader: str
) -> None:
    args = ["--db", str(db), *command]
    whole = full_output(args, tmp_path)  # also fills the report's cache: nothing left to write
    before = tree_digest(db)
    code, got, err = run(args, tmp_path, reader)
    assert err == b"", err.decode()
    assert code == EXIT_OK
    assert whole.startswith(got)
    if reader == "line":
        assert got and (got.endswith(b"\n") or len(got) == 1000)
    assert len(whole) > len(got) + 2 * PIPE_BYTES  # so the writer did meet the closed pipe
    assert tree_digest(db) == before


def test_help_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    for args in (["--help"], ["report", "--help"], ["--version"]):
        code, _, err = run(args, tmp_path, "gone")
        assert (code, err) == (EXIT_OK, b""), args


def test_commands_that_write_finish_their_work_when_nobody_reads(db: Path, tmp_path: Path) -> None:
    """The messages of import, dealers import and export --changed go nowhere; the work is
    done all the same, with the status it deserves."""
    exported = tmp_path / "all.jsonl"
    assert main(["--db", str(db), "export", "--out", str(exported)]) == EXIT_OK
    target = tmp_path / "copy"
    code, _, err = run(["--db", str(target), "import", str(exported)], tmp_path, "gone")
    assert (code, err) == (EXIT_OK, b"")
    code, _, err = run(
        ["--db", str(target), "dealers", "import", str(sample_dealers_path())], tmp_path, "gone"
    )
    assert (code, err) == (EXIT_OK, b"")
    code, _, err = run(
        ["--db", str(target), "export", "--changed", "--to", str(tmp_path / "out")],
        tmp_path,
        "gone",
    )
    assert (code, err) == (EXIT_OK, b"")
    with Store.open(target) as store:
        assert len(store) == AUDITS and len(store.dealers()) == 41
    (batch,) = (tmp_path / "out").iterdir()
    assert (batch / "manifest.json").is_file()
    assert len((batch / "audits.jsonl").read_bytes().splitlines()) == AUDITS


@pytest.mark.parametrize(
    "command",
    [["export", "--out", "-"], ["report"], ["report", "--format", "json"]],
    ids=" ".join,
)
def test_standard_output_that_cannot_be_written_is_an_error(
    db: Path, tmp_path: Path, command: list[str]
) -> None:
    """Not a reader gone but a full disk behind `> file` (/dev/full): said, status 1."""
    full_output(["--db", str(db), *command], tmp_path)  # the report's cache filled
    before = tree_digest(db)
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "auditor_tui", "--db", str(db), *command],
            stdin=subprocess.DEVNULL,
            stdout=full,
            stderr=subprocess.PIPE,
            env=env(tmp_path),
            timeout=120,
        )
    err = done.stderr.decode()
    assert done.returncode == EXIT_ERROR
    assert err.startswith("sortie standard : écriture impossible (") and "Traceback" not in err
    assert tree_digest(db) == before
