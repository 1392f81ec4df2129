"""Fuzzing the import: hypothesis-generated JSONL files (valid records mutated: wrong types,
missing fields, bad instants, phones and answers, huge numbers, deep nesting, garbage lines,
invalid UTF-8). Each ends in a clear refusal (exit 2, every problem with its line and field)
that leaves the store byte-for-byte unchanged, or in a valid import; never a traceback.
`import_files` and `fuzz_import` are reused at scale by scripts/reliability.py.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor_tui.cli.exit_codes import EXIT_CONFLICTS, EXIT_OK, EXIT_REJECTED
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.record_check import validate_record
from auditor_tui.store import Store
from tests.factories import make_audit
from tests.test_cli_exchange import tree_digest
from tests.test_reliability_damage import json_paths, run_cli

DEEP = "\u0000deep\u0000"  # placeholder replaced by a deeply nested JSON text
HUGE = "\u0000huge\u0000"  # placeholder replaced by a 5,000-digit number


def _valid_records() -> list[dict[str, Any]]:
    records = []
    for n in range(6):
        status = ("complete", "awaiting_follow_up", "draft")[n % 3]
        audit = make_audit(100 + n, transferred=n % 2 == 0, status=status, name=f"Lexus {n}")
        if status == "draft":
            audit.call.ended_at = None
            audit.deadlines = None
            audit.answers.pop("24", None)
        records.append(audit.to_export())
    stored = make_audit(1)  # also in the store: same id, higher revision -> replaced
    stored.revision = 3
    records.append(stored.to_export())
    records.append(make_audit(2).to_export())  # the same as stored: unchanged
    return records


VALID = _valid_records()
QUESTION_IDS = list(load_grid().question_ids)
INSTANT_FIELDS = [
    ("call", "started_at"),
    ("call", "ended_at"),
    ("call", "attempts", 0),
    ("follow_up", "callback_at"),
    ("follow_up", "email_received_at"),
    ("created_at",),
    ("updated_at",),
]
BAD_INSTANTS: list[Any] = [
    "2026-13-01T00:00:00+00:00",
    "2026-11-17T09:30:00",
    "",
    "demain matin",
    "2026-11-17T25:00:00Z",
    "2026-02-30T10:00:00+01:00",
    "2026-11-17T09:30:00+24:00",
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+01:00",
    "2026-11-17T09:30:00.123456+00:00",
    "2026-11-17T09:30:00-12:00",
    20261117,
    None,
    ["2026-11-17T09:30:00+00:00"],
]
BAD_PHONES: list[Any] = [
    "0199001234",
    "+33 1 99 00 12 34",
    "+331",
    "+999999999999999999",
    "+33199001234567890",
    "+33٣٥٣٠١٢٠٠١",
    "",
    None,
    33199001234,
    "+377 93 15 00 00",
]
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from([HUGE, DEEP, 10**400, -1, 0, 1e308, "", "\u202e", "\ud800"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
positions = st.lists(
    st.integers(min_value=-2, max_value=12) | st.sampled_from([10**20, "1", 1.0, None, True, [1]]),
    max_size=4,
)


def _set(record: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = record
    for step in path[:-1]:
        found = (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and step < len(node)
        )
        if not found:
            return
        node = node[step]
    last = path[-1]
    if isinstance(node, dict) or (
        isinstance(node, list) and isinstance(last, int) and last < len(node)
    ):
        node[last] = value


@st.composite
def mutated_record(draw: st.DrawFn) -> dict[str, Any]:
    record = copy.deepcopy(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        kind = draw(st.sampled_from(["set", "delete", "instant", "phone", "answers", "number"]))
        if kind in ("set", "delete"):
            path = draw(st.sampled_from(list(json_paths(record))))
            if kind == "set":
                _set(record, path, draw(json_values))
                continue
            node: Any = record
            for step in path[:-1]:
                node = node[step]
            del node[path[-1]]
        elif kind == "instant":
            _set(record, draw(st.sampled_from(INSTANT_FIELDS)), draw(st.sampled_from(BAD_INSTANTS)))
        elif kind == "phone":
            where = draw(st.sampled_from([("dealer", "phone"), ("identity", "phone")]))
            _set(record, where, draw(st.sampled_from(BAD_PHONES)))
        elif kind == "answers":
            qid = draw(st.sampled_from([*QUESTION_IDS, "0", "25", "7c", "", "1 "]))
            _set(record, ("answers", qid), draw(positions))
        else:
            field = draw(
                st.sampled_from(
                    [("revision",), ("call", "transfer_seconds"), ("call", "discovery_questions")]
                )
            )
            _set(
                record,
                field,
                draw(
                    st.sampled_from([10**400, HUGE, -1, 0, 1.5, float("nan"), float("inf"), True])
                ),
            )
    return record


def _line(record: dict[str, Any], depth: int) -> bytes:
    text = json.dumps(record, ensure_ascii=False, allow_nan=True)
    text = text.replace(json.dumps(DEEP), "[" * depth + "]" * depth)
    text = text.replace(json.dumps(HUGE), "9" * 5000)
    return text.encode("utf-8", "surrogatepass")


@st.composite
def import_files(draw: st.DrawFn) -> bytes:
    """A JSON Lines file: mutated valid records, and damage to its lines and bytes."""
    depth = draw(st.sampled_from([2, 40, 900, 5000]))
    lines = [_line(r, depth) for r in draw(st.lists(mutated_record(), min_size=0, max_size=4))]
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        op = draw(st.sampled_from(["garbage", "cut", "utf8", "duplicate", "blank", "deep"]))
        at = draw(st.integers(min_value=0, max_value=len(lines)))
        if op == "garbage":
            lines.insert(at, draw(st.binary(max_size=40)).replace(b"\n", b""))
        elif op == "deep":
            lines.insert(at, b"[" * depth + b"]" * depth)
        elif lines:
            i = at % len(lines)
            if op == "cut":
                lines[i] = lines[i][: draw(st.integers(min_value=0, max_value=len(lines[i])))]
            elif op == "utf8":
                j = draw(st.integers(min_value=0, max_value=len(lines[i])))
                lines[i] = lines[i][:j] + b"\xc3\x28" + lines[i][j:]
            elif op == "duplicate":
                lines.insert(at, lines[i])
            else:
                lines.insert(at, b"   ")
    newline = draw(st.sampled_from([b"\n", b"\r\n"]))
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return bom + newline.join(lines) + draw(st.sampled_from([b"", newline]))


def build_template(root: Path) -> None:
    with Store.open(root) as store:
        for n in range(3):
            store.create(make_audit(n))


def _strict(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise ValueError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def fuzz_import(template: Path, work: Path, data: bytes) -> str:
    """Import `data` into a copy of `template` with the CLI; returns "rejected" or "imported"
    after checking the contract (any exception escaping is a failure)."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(template, work)
    before = tree_digest(work)
    source = work.parent / "fuzz.jsonl"
    source.write_bytes(data)
    code, out, err = run_cli("--db", str(work), "import", str(source))
    assert "Traceback" not in err
    if code == EXIT_REJECTED:
        assert tree_digest(work) == before, "a refused file changed the store"
        listed = [line for line in err.splitlines() if line.startswith(f"  {source}, ")]
        assert listed, err
        for line in listed:
            assert re.match(rf"  {re.escape(str(source))}, (ligne \d+, )?champ \S", line), line
        return "rejected"
    assert code in (EXIT_OK, EXIT_CONFLICTS), (code, err)
    with Store.open(work) as store:
        assert store.damaged == []
        for audit_id in store.ids():
            audit = store.get(audit_id)
            assert [p for p in validate_record(audit.to_export()) if not p.warning] == []
    code, out, err = run_cli("--db", str(work), "export", "--out", "-")
    assert code == EXIT_OK, err
    exported = [_strict(line) for line in out.splitlines()]
    assert {r["id"] for r in exported} >= {make_audit(n).id for n in range(3)}
    return "imported"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "template"
    build_template(root)
    return root


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=import_files())
def test_fuzzed_import_is_refused_cleanly_or_valid(
    template: Path, tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    fuzz_import(template, tmp_path_factory.mktemp("work") / "s", data)


@pytest.mark.parametrize(
    "line",
    [
        b'{"revision": NaN}',
        b"[" * 100_000,
        b"9" * 5000,
        b'{"a": ' + b"9" * 5000 + b"}",
    ],
    ids=["nan", "deep", "huge-int", "huge-int-field"],
)
def test_pathological_lines(template: Path, tmp_path: Path, line: bytes) -> None:
    assert fuzz_import(template, tmp_path / "s", line + b"\n") == "rejected"


def test_a_record_without_its_own_instants_imports_and_exports_again(
    template: Path, tmp_path: Path
) -> None:
    """Found by the long run: created_at and updated_at are optional on import; the record is
    then stored and exported with "" for them, which must import again."""
    record = copy.deepcopy(VALID[0])
    del record["created_at"], record["updated_at"]
    line = json.dumps(record).encode() + b"\n"
    assert fuzz_import(template, tmp_path / "s", line) == "imported"
    code, out, _ = run_cli("--db", str(tmp_path / "s"), "export", "--out", "-")
    assert code == EXIT_OK and '"created_at":""' in out
    again = tmp_path / "again.jsonl"
    again.write_text(out, encoding="utf-8")
    assert fuzz_import(template, tmp_path / "t", again.read_bytes()) == "imported"
