"""README.md as a newcomer uses it: « First steps, to paste » run line by line, exactly as
written there, in a scratch folder with the installed `auditor-tui`, each exit status and the
line each `# →` promises checked; the dealer CSV example imported; the backup, restore and
move of « Where data is stored » done as shown."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor_tui.cli.exit_codes import EXIT_OK
from auditor_tui.cli.main import main
from auditor_tui.exchange.dealers_csv import parse_dealers_csv
from auditor_tui.store import Store
from tests.markdown import README, section_blocks

ARROW = "# →"


def first_steps(section: str = "First steps, to paste") -> list[tuple[str, str]]:
    """(line as written, what it promises to print) for each line of the section's block."""
    (block,) = [b for b in section_blocks(README, section) if b.lang == "sh"]
    steps = []
    for line in block.lines:
        if line.strip() and not line.lstrip().startswith("#"):
            steps.append((line, line.partition(ARROW)[2].strip()))
    return steps


def scratch_env(tmp_path: Path) -> dict[str, str]:
    """The installed command first on PATH; HOME, the data folder and AUDITOR_TUI_DB inside
    tmp_path: whatever a line does, the user's data is out of reach."""
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "auditor-tui").is_file(), "install the package first: pip install ."
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUDITOR_TUI", "XDG_"))}
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        HOME=str(home),
        AUDITOR_TUI_DB=str(tmp_path / "never-the-default"),
        COLUMNS="100",
    )
    return env


def run_lines(lines: list[str], cwd: Path, env: dict[str, str]) -> list[tuple[int, str, str]]:
    """The lines in one bash, one after the other (a `cd` carries over), each verbatim
    between braces on lines of its own: (status, stdout, stderr) of each."""
    logs = cwd / ".logs"
    logs.mkdir()
    script = ["set +e"]
    for n, line in enumerate(lines):
        out, err, rc = (shlex.quote(str(logs / f"{n}.{k}")) for k in ("out", "err", "rc"))
        script += ["{", line, f"}} >{out} 2>{err} </dev/null", f"echo $? >{rc}"]
    done = subprocess.run(
        ["bash", "--noprofile", "--norc"],
        input="\n".join(script) + "\n",
        text=True,
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [
        (
            int((logs / f"{n}.rc").read_text()),
            (logs / f"{n}.out").read_text(encoding="utf-8"),
            (logs / f"{n}.err").read_text(encoding="utf-8"),
        )
        for n in range(len(lines))
    ]


def test_first_steps_run_as_pasted(tmp_path: Path) -> None:
    steps = first_steps()
    ours = [(line, promise) for line, promise in steps if "auditor-tui" in line]
    assert len(ours) >= 9 and all(promise for _, promise in ours), (
        "each command says what it prints"
    )
    results = run_lines([line for line, _ in steps], tmp_path, scratch_env(tmp_path))
    for (line, promise), (status, out, err) in zip(steps, results, strict=True):
        assert (status, err) == (EXIT_OK, ""), f"{line}\nstatus {status}\n{err}"
        if promise:
            assert any(promise in printed for printed in out.splitlines()), f"{line}\n{out}"
    # What the lines made, where they said.
    scratch = next(p for p in tmp_path.iterdir() if (p / "store").is_dir())
    for name in ("audits.jsonl", "audits.csv", "audits.xlsx"):
        assert (scratch / name).stat().st_size > 0
    (batch,) = (scratch / "envois").iterdir()
    assert (batch / "manifest.json").is_file()
    assert not (tmp_path / "never-the-default").exists()


def test_a_wave_planned_and_covered_as_pasted(tmp_path: Path) -> None:
    """« Une vague »: the lines as written; the plan they store is the one they print."""
    steps = first_steps("Une vague")
    assert len(steps) >= 4 and all(p for line, p in steps if "auditor-tui" in line)
    results = run_lines([line for line, _ in steps], tmp_path, scratch_env(tmp_path))
    for (line, promise), (status, out, err) in zip(steps, results, strict=True):
        assert (status, err) == (EXIT_OK, ""), f"{line}\nstatus {status}\n{err}"
        if promise:
            assert any(promise in printed for printed in out.splitlines()), f"{line}\n{out}"
    store = next(p for p in tmp_path.iterdir() if (p / "store").is_dir()) / "store"
    with Store.open(store) as opened:
        (plan,) = opened.plans()
    assert (plan["wave"], len(plan["calls"]), plan["auditors"]) == (
        "2027-T1",
        41,
        ["Camille", "Julien"],
    )


def test_the_dealer_csv_example_is_accepted(tmp_path: Path) -> None:
    (block,) = [b for b in section_blocks(README, "The dealer directory") if b.lang == "csv"]
    path = tmp_path / "concessions.csv"
    path.write_text("\n".join(block.lines) + "\n", encoding="utf-8")
    dealers = parse_dealers_csv(path)
    assert [(d.id, d.department, d.country) for d in dealers] == [
        ("lexus-dijon", "21", "FR"),
        ("lexus-ajaccio", "2A", "FR"),
        ("lexus-monaco", None, "MC"),
    ]
    dijon, ajaccio, monaco = dealers
    assert (dijon.hours or ())[5:] == ("fermé", "fermé")  # Saturday given, Sunday the usual
    assert dijon.closed == "2027-08-02..2027-08-15"
    assert ajaccio.hours is None and ajaccio.closed is None  # the usual week
    assert (monaco.hours or ())[5] == "09:00-12:30"
    assert main(["--db", str(tmp_path / "store"), "dealers", "import", str(path)]) == EXIT_OK


def export_of(db: Path, tmp_path: Path, *options: str) -> bytes:
    out = tmp_path / "export.jsonl"
    assert main([*options, "--db", str(db), "export", "--out", str(out)]) == EXIT_OK
    return out.read_bytes()


def test_backup_restore_and_move_as_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = scratch_env(tmp_path)
    home = Path(env["HOME"])
    db = home / ".local" / "share" / "auditor-tui"  # the default folder, under this HOME
    assert main(["--db", str(db), "import", "--sample"]) == EXIT_OK
    assert main(["--db", str(db), "dealers", "import", "--sample"]) == EXIT_OK
    before = export_of(db, tmp_path)
    with Store.open(db) as store:
        dealers = store.dealers()

    # While the app holds the store, the read-only export.
    with Store.open(db):
        assert export_of(db, tmp_path, "--read-only") == before

    # The archive, with the README's own line; opened elsewhere, files dated now.
    (tar,) = [
        line
        for b in section_blocks(README, "Where data is stored")
        for line in b.lines
        if line.startswith("tar ")
    ]
    (status, _, err), *_ = run_lines([tar], home, env)
    assert (status, err) == (0, "")
    (archive,) = home.glob("auditor-*.tar.gz")
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.unpack_archive(archive, restored)
    copy = restored / "auditor-tui"
    now = 2_000_000_000
    for path in copy.rglob("*"):
        os.utime(path, (now, now))
    # Moved as well.
    moved = tmp_path / "moved"
    shutil.move(db, moved)
    capsys.readouterr()
    for place in (copy, moved):
        assert export_of(place, tmp_path) == before
        with Store.open(place) as store:
            assert store.dealers() == dealers and not store.damaged
        assert capsys.readouterr().err == ""
