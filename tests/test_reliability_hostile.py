"""Hostile inputs, generated (issue 12; docs/reliability.md, « Threat model »): batch folders
from another auditor (manifests leading out, deep or broken manifests, links), special files
given to import or export (FIFOs, devices, folders, links, files over the limit), store folders
prepared by someone else (links, FIFOs, crafted journals, an edited report cache) and text made
to act in a terminal or a spreadsheet. `hostile_case` makes and checks one random case of a
kind; the test suite runs a few of each, scripts/reliability.py a thousand and more.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auditor_tui.cli.exit_codes import EXIT_ERROR, EXIT_OK, EXIT_REJECTED
from auditor_tui.exchange.export import write_jsonl
from auditor_tui.exchange.manifest import BATCH_SCHEMA, sha256
from auditor_tui.reports.cache import CACHE_NAME
from auditor_tui.store import Store
from auditor_tui.text.safe_text import FORMULA_STARTS
from tests.factories import make_audit, tree_digest
from tests.test_reliability_damage import run_cli
from tests.test_reports import audit, day, dealer

REPO = Path(__file__).resolve().parent.parent
BASE = 4  # audits in the template store
NEW = make_audit(77)  # an audit only the hostile files carry: never to be found imported
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
PIECES = [
    *FORMULA_STARTS,
    "[/x]",
    "[link=http://evil.example]",
    "[/link]",
    "[bold red]",
    "\x1b[31m",
    "\x1b]8;;http://evil.example\x07",
    "\x1b]0;titre\x07",
    "\x9b2J",
    "\x07",
    "\u202e",
    "\u2066",
    "Lexus",
    " ",
    "é",
    "\n",
]


def build_template(root: Path) -> None:
    with Store.open(root) as store:
        for n in range(BASE):
            store.create(make_audit(n, name=f"Lexus {n}"))
        store.replace_dealers([{"name": "Lexus 0"}])
        store.set_setting("auditor", "Camille")
    assert run_cli("--db", str(root), "report", "--format", "json")[0] == EXIT_OK  # its cache


def jsonl_of(*audits: object) -> bytes:
    buffer = io.StringIO()
    write_jsonl(audits, buffer)  # type: ignore[arg-type]
    return buffer.getvalue().encode("utf-8")


def cli_process(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command in a process of its own, for what could hang if it regressed (a FIFO)."""
    run = [sys.executable, "-m", "auditor_tui", *argv]
    return subprocess.run(run, capture_output=True, text=True, timeout=60, cwd=REPO)


def refused(code: int, err: str, *named: Path | str) -> None:
    assert code in (EXIT_ERROR, EXIT_REJECTED), err
    assert "Traceback" not in err
    for name in named:
        assert str(name) in err, (name, err)


class Case:
    """One hostile case in its own folder: a copy of the template store, an outside file that
    nothing may touch, and what the store held before."""

    def __init__(self, template: Path, work: Path, rng: random.Random) -> None:
        shutil.rmtree(work, ignore_errors=True)
        self.rng = rng
        self.db = work / "store"
        shutil.copytree(template, self.db, symlinks=True)
        self.outside = work / "outside"
        self.outside.mkdir()
        self.secret = self.outside / "secret.json"
        self.secret.write_bytes(jsonl_of(NEW))
        self.work = work
        self.before = tree_digest(self.db)

    def untouched(self) -> None:
        """The store byte-for-byte as before (caches aside), the outside as it was."""
        now = tree_digest(self.db)
        for cache in ("index.json", CACHE_NAME):
            now.pop(cache, None)
        expected = {k: v for k, v in self.before.items() if k not in ("index.json", CACHE_NAME)}
        assert now == expected
        assert self.secret.read_bytes() == jsonl_of(NEW)
        with Store.open(self.db, read_only=True) as store:
            assert NEW.id not in store


def manifest_leading_out(case: Case) -> str:
    data = case.secret.read_bytes()
    name = case.rng.choice(
        [str(case.secret), "../../outside/secret.json", "sub/x.jsonl", "..", ".", "a\\b.jsonl"]
    )
    batch = case.work / "outbox" / "b1"
    batch.mkdir(parents=True)
    if name.startswith("sub/"):
        (batch / "sub").mkdir()
        (batch / "sub" / "x.jsonl").write_bytes(data)
    files = {name: {"sha256": sha256(data), "bytes": len(data)}}
    (batch / "manifest.json").write_text(json.dumps({"schema": BATCH_SCHEMA, "files": files}))
    target = case.rng.choice([batch, batch.parent])
    code, _, err = run_cli("--db", str(case.db), "import", str(target))
    refused(code, err, batch / "manifest.json")
    case.untouched()
    return "refused"


def manifest_malformed(case: Case) -> str:
    depth = case.rng.randint(1_000, 200_000)
    good = json.dumps({"schema": BATCH_SCHEMA, "files": {"audits.jsonl": {"bytes": 1}}})
    text = case.rng.choice(
        [
            "[" * depth + "]" * depth,
            f'{{"schema":"{BATCH_SCHEMA}","files":' + '{"a":' * depth,
            good[: case.rng.randint(0, len(good) - 1)],
            good.replace("{", "[", 1),
            f'{{"schema":"{BATCH_SCHEMA}","files":{{"audits.jsonl":3}}}}',
            f'{{"schema":"{BATCH_SCHEMA}","files":["audits.jsonl"]}}',
        ]
    )
    raw = text.encode()
    if case.rng.random() < 0.2:
        raw = raw[:5] + bytes([0xFF, 0xFE]) + raw[5:]  # invalid UTF-8
    batch = case.work / "outbox" / "b1"
    batch.mkdir(parents=True)
    (batch / "audits.jsonl").write_bytes(case.secret.read_bytes())
    manifest = batch / "manifest.json"
    how = case.rng.choice(["bytes", "bytes", "bytes", "link", "folder", "fifo"])
    if how == "link":
        (case.outside / "m.json").write_bytes(raw)
        manifest.symlink_to(case.outside / "m.json")
    elif how == "folder":
        manifest.mkdir()
    elif how == "fifo":
        os.mkfifo(manifest)
    else:
        manifest.write_bytes(raw)
    code, _, err = run_cli(
        "--db", str(case.db), "import", str(case.rng.choice([batch, batch.parent]))
    )
    refused(code, err, manifest)
    case.untouched()
    return "refused"


def batch_link(case: Case) -> str:
    data = case.secret.read_bytes()
    real = case.outside / "b1"
    real.mkdir()
    (real / "audits.jsonl").write_bytes(data)
    files = {"audits.jsonl": {"sha256": sha256(data), "bytes": len(data)}}
    (real / "manifest.json").write_text(json.dumps({"schema": BATCH_SCHEMA, "files": files}))
    outbox = case.work / "outbox"
    outbox.mkdir()
    if case.rng.random() < 0.5:  # the batch folder itself a link, in a folder of batches
        (outbox / "b1").symlink_to(real, target_is_directory=True)
        code, _, err = run_cli("--db", str(case.db), "import", str(outbox))
        refused(code, err, outbox / "b1")
    else:  # a real batch folder whose file is a link leading out
        batch = outbox / "b1"
        batch.mkdir()
        shutil.copy(real / "manifest.json", batch)
        (batch / "audits.jsonl").symlink_to(real / "audits.jsonl")
        code, _, err = run_cli(
            "--db", str(case.db), "import", str(case.rng.choice([batch, outbox]))
        )
        refused(code, err, batch / "audits.jsonl")
    case.untouched()
    return "refused"


def device(folder: Path, minor: int) -> Path:
    """A character device node of our own (1, minor: 3 null, 5 zero) where the system lets us
    make one; else the system's (only ever read, or written by a version that cannot replace
    it: making nodes needs the rights that replacing /dev/null would)."""
    node = folder / f"dev-{minor}"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    except PermissionError:
        return Path("/dev/null" if minor == 3 else "/dev/zero")
    return node


def special_import(case: Case) -> str:
    kind = case.rng.choice(["fifo", "zero", "folder", "too big", "socket"])
    path = case.work / "in.jsonl"
    argv = ["--db", str(case.db), "import"]
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path = device(case.work, 5)
    elif kind == "folder":
        path.mkdir()
        (path / "a.jsonl").write_bytes(case.secret.read_bytes())
    elif kind == "socket":
        import socket

        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        server.close()
    else:
        path.write_bytes(case.secret.read_bytes())
        argv += ["--max-size", str(case.rng.randint(1, len(path.read_bytes()) - 1))]
    run = cli_process(*argv, str(path))  # a FIFO or a device must not hang it
    refused(run.returncode, run.stderr, path)
    case.untouched()
    return "refused"


def out_target(case: Case) -> str:
    kind = case.rng.choice(["fifo", "device", "link", "dangling link", "folder"])
    out = case.work / "out.jsonl"
    argv = ["--db", str(case.db), "export", "--format", case.rng.choice(["jsonl", "csv"])]
    if kind == "fifo":
        os.mkfifo(out)
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(out.read_bytes()), daemon=True)
        reader.start()
        code, _, err = run_cli(*argv, "--out", str(out))
        reader.join(60)
        assert code == EXIT_OK and out.is_fifo() and got and got[0], err
        return "written through"
    if kind == "device":
        node = device(case.work, 3)
        before = os.stat(node)
        code, _, err = run_cli(*argv, "--out", str(node))
        after = os.stat(node)
        assert code == EXIT_OK and (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
        return "written through"
    if kind == "folder":
        out.mkdir()
        code, _, err = run_cli(*argv, "--out", str(out))
        refused(code, err, out)
        assert out.is_dir() and not os.listdir(out)
        return "refused"
    target = case.secret if kind == "link" else case.outside / "missing"
    out.symlink_to(target)
    code, _, err = run_cli(*argv, "--out", str(out))
    refused(code, err, out)
    assert out.is_symlink() and os.readlink(out) == str(target)
    case.untouched()
    return "refused"


def store_link(case: Case) -> str:
    name = case.rng.choice(
        [
            "audits",
            "audit",
            "index.json",
            "settings.json",
            "dealers.json",
            CACHE_NAME,
            "store.lock",
            "commit.lock",
        ]
    )
    path = case.db / "audits" / f"{make_audit(1).id}.json" if name == "audit" else case.db / name
    if name == "audits":
        shared = case.outside / "shared"
        shutil.copytree(path, shared)
        shared.chmod(0o1777)
        shutil.rmtree(path)
        path.symlink_to(shared, target_is_directory=True)
        shared_before = tree_digest(shared)
    else:
        path.unlink(missing_ok=True)
        path.symlink_to(case.secret)
    for argv in (["report", "--format", "json"], ["export", "--out", "-"]):
        code, out, err = run_cli("--db", str(case.db), *argv)
        assert "Traceback" not in err and "secret" not in out
        if name == "audits":
            refused(code, err, case.db / "audits")
        else:
            assert code in (EXIT_OK, EXIT_ERROR), err
    if name == "audits":
        assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
        assert tree_digest(shared) == shared_before
    # Never followed: the link is left, or replaced by the store's own file (a rename
    # replaces the link itself, never its target).
    assert path.is_symlink() or path.is_file()
    assert case.secret.read_bytes() == jsonl_of(NEW)
    copies = [p for p in case.db.rglob("*corrupt*")]
    assert all(NEW.id.encode() not in p.read_bytes() for p in copies)
    return "not followed"


def store_fifo(case: Case) -> str:
    name = case.rng.choice(["index.json", "settings.json", "dealers.json", CACHE_NAME, "audit"])
    path = case.db / "audits" / f"{make_audit(1).id}.json" if name == "audit" else case.db / name
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    flag = case.rng.choice([[], ["--read-only"]])
    run = cli_process("--db", str(case.db), *flag, "report", "--format", "json")  # never hangs
    assert "Traceback" not in run.stderr
    counted = json.loads(run.stdout)["counted"]
    assert counted == BASE - (name == "audit"), run.stderr
    assert run.returncode == (EXIT_ERROR if name == "audit" else EXIT_OK), run.stderr
    return "not read"


def crafted_journal(case: Case) -> str:
    victim = case.outside / f"{NEW.id}.json"
    victim.write_text("{}")
    stage = case.db / "staging-1-1"
    kind = case.rng.choice(["stage link", "staged link", "outside source", "outside target"])
    source, target = f"staging-1-1/{victim.name}", f"audits/{victim.name}"
    if kind == "stage link":
        stage.symlink_to(case.outside, target_is_directory=True)
    else:
        stage.mkdir(mode=0o700)
        if kind == "staged link":
            (stage / victim.name).symlink_to(victim)
        elif kind == "outside source":
            source = str(victim)
        else:
            (stage / victim.name).write_text("{}")
            target = f"../outside/{victim.name}"
    (case.db / "journal.json").write_text(
        json.dumps({"moves": [[source, target]], "stage": stage.name})
    )
    with Store.open(case.db) as store:
        assert any(d.path == case.db / "journal.json" for d in store.damaged)
        assert NEW.id not in store and len(store) == BASE
    assert victim.read_text() == "{}" and not os.path.lexists(case.db / "audits" / victim.name)
    return "refused"


def edited_cache(case: Case) -> str:
    truth = run_cli("--db", str(case.db), "report", "--format", "json")[1]
    cache = case.db / CACHE_NAME
    data = bytearray(cache.read_bytes())
    if case.rng.random() < 0.7:  # a figure changed, the checksum kept
        text = data.decode()
        # a row's percent: its one decimal number, before its sections' points
        spots = [m.start() for m in re.finditer(r',\d+\.\d+,"', text)]
        at = case.rng.choice(spots) + 1
        data = bytearray((text[:at] + str(case.rng.randint(0, 9)) + text[at:]).encode())
    else:
        at = case.rng.randrange(len(data))
        data[at] = case.rng.randrange(256)
    cache.write_bytes(bytes(data))
    code, out, err = run_cli("--db", str(case.db), "report", "--format", "json")
    assert code == EXIT_OK and out == truth, err
    return "rebuilt"


def hostile_text(case: Case) -> str:
    def text() -> str:
        return "".join(case.rng.choice(PIECES) for _ in range(case.rng.randint(1, 6)))

    names = [text() for _ in range(3)]
    with Store.open(case.db) as store:
        store.put_many(
            [
                audit(100 + n, dealer(name, "21", "+33353012001"), day(2 + 3 * n, 3), text())
                for n, name in enumerate(names)
            ]
        )
    code, out, err = run_cli("--db", str(case.db), "report")
    assert code == EXIT_OK and not CONTROLS.search(out), (err, out)
    code, out, _ = run_cli("--db", str(case.db), "report", "--format", "csv", "--table", "trends")
    for row in csv.reader(io.StringIO(out)):
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row[:2]), row
    code, out, _ = run_cli("--db", str(case.db), "export", "--format", "csv", "--out", "-")
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff")), delimiter=";"))
    column = rows[0].index("dealer")
    assert not any(row[column].startswith(FORMULA_STARTS) for row in rows[1:])
    if case.rng.random() < 0.2:  # the XLSX: formula-like text marked as text
        xlsx = case.work / "out.xlsx"
        run_cli("--db", str(case.db), "export", "--format", "xlsx", "--out", str(xlsx))
        for cell in load_workbook(xlsx)["Audits"]["C"]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                assert cell.quotePrefix, cell.value
    odd = case.work / "outbox" / text().replace("/", "").replace("\x00", "")
    odd.mkdir(parents=True)
    (odd / "audits.jsonl").write_text("{}\n")
    code, _, err = run_cli("--db", str(case.db), "import", str(odd.parent))
    assert not CONTROLS.search(err), err
    return "shown as text"


KINDS: dict[str, Callable[[Case], str]] = {
    "manifest leading out": manifest_leading_out,
    "malformed manifest": manifest_malformed,
    "link in a batch": batch_link,
    "special file imported": special_import,
    "special --out": out_target,
    "link in the store": store_link,
    "FIFO in the store": store_fifo,
    "crafted journal": crafted_journal,
    "edited report cache": edited_cache,
    "hostile text": hostile_text,
}


def hostile_case(template: Path, work: Path, kind: str, rng: random.Random) -> str:
    """Make one random case of `kind` in `work` (a copy of `template`) and check it; returns
    what happened (refused, written through, not followed…); AssertionError if it went wrong."""
    return KINDS[kind](Case(template, work, rng))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "template"
    build_template(root)
    return root


@pytest.mark.parametrize("kind", list(KINDS))
def test_hostile_inputs(template: Path, tmp_path: Path, kind: str) -> None:
    rng = random.Random(kind)
    for n in range(3):
        hostile_case(template, tmp_path / f"case-{n}", kind, rng)
