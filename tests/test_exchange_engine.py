"""The exports as the input of an analytical engine (issue 15, « Beyond one desk »): every JSON
Lines file an export writes holds to the shipped JSON Schema of the v1 record
(`data/schema/audit-v1.json`), and DuckDB, reading an outbox of several auditors' batches with
the query of docs/export-columns.md, gives the report's dealer × quarter figures.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb
import jsonschema
import pytest

from auditor_tui.cli.main import main
from auditor_tui.domain.record import Audit
from auditor_tui.domain.resources import data_path
from auditor_tui.store import Store

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from gen_store import generate_audits  # noqa: E402

SCHEMA = json.loads(data_path("schema/audit-v1.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def problems(line: str) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in VALIDATOR.iter_errors(json.loads(line))
    ]


def store_with(path: Path, audits: list[Audit]) -> Path:
    with Store.open(path) as store:
        store.put_many(audits)
    return path


def test_the_schema_is_a_valid_draft_2020_12_schema_shipped_with_the_data():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["properties"]["schema"] == {"const": "auditor-tui/audit/v1"}


def test_the_schema_refuses_what_the_contract_refuses():
    good = data_path("audits-sample.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert problems(good) == []
    record = json.loads(good)
    bad = [
        {k: v for k, v in record.items() if k != "id"},  # a required field missing
        {**record, "status": "fini"},
        {**record, "id": record["id"].upper()},
        {**record, "revision": 0},
        {**record, "dealer": {**record["dealer"], "country": "BE"}},
        {**record, "dealer": {**record["dealer"], "department": None}},  # France needs one
        {**record, "call": {**record["call"], "started_at": "20/01/2026 09:12"}},
        {**record, "answers": {"3": ["1"]}},
        {**record, "score": {**record["score"], "stars": 6}},
        {**record, "service": "VX"},
    ]
    for case in bad:
        assert problems(json.dumps(case)), case
    # Fields the contract does not name are kept by every reader: the schema lets them be.
    assert (
        problems(json.dumps({**record, "x_region": "Est", "call": {**record["call"], "x": 1}}))
        == []
    )


def test_every_export_writes_records_of_the_schema(tmp_path, capsys):
    """JSONL, standard output, pseudonymised, and the audits.jsonl of a batch whatever its
    other format: drafts, audits awaiting follow-up, unreachable and complete ones, the sample
    audits (fields of the programme's waves among them)."""
    db = tmp_path / "store"
    assert main(["--db", str(db), "import", "--sample"]) == 0
    with Store.open(db) as store:
        store.put_many(generate_audits(150, seed=15))
    written: list[Path] = []
    for n, args in enumerate(
        (
            ["export", "--format", "jsonl"],
            ["export", "--format", "jsonl", "--pseudonymise"],
        )
    ):
        out = tmp_path / f"export-{n}.jsonl"
        assert main(["--db", str(db), *args, "--out", str(out)]) == 0
        written.append(out)
    capsys.readouterr()
    assert main(["--db", str(db), "export", "--out", "-"]) == 0
    stdout = tmp_path / "stdout.jsonl"
    stdout.write_text(capsys.readouterr().out, encoding="utf-8")
    written.append(stdout)
    for fmt in ("csv", "xlsx", "jsonl"):
        with Store.open(db) as store:  # something changed since the last batch
            audit = store.get(store.ids()[0])
            audit.auditor = f"Camille ({fmt})"
            store.save(audit)
        outbox = tmp_path / f"outbox-{fmt}"
        assert main(["--db", str(db), "export", "--changed", "--to", str(outbox)]) == 0
        written.extend(outbox.glob("*/audits.jsonl"))
    assert len(written) == 6
    lines = 0
    for path in written:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert problems(line) == [], f"{path.name}, ligne {number}"
            lines += 1
    assert lines == 3 * 162 + 1 + 162 + 1  # whole exports; the first batch, then one audit each
    statuses = {json.loads(line)["status"] for line in written[0].read_text().splitlines()}
    assert statuses == {"draft", "awaiting_follow_up", "complete"}


# ---- DuckDB over an outbox -----------------------------------------------------------------


def doc_query() -> str:
    """The query docs/export-columns.md shows a central team, as it is written there."""
    text = (ROOT / "docs" / "export-columns.md").read_text(encoding="utf-8")
    match = re.search(r"```sql\n(.*?)```", text, re.S)
    assert match is not None, "docs/export-columns.md shows no SQL query"
    return match.group(1)


def test_duckdb_reproduces_the_report_dealer_quarters_from_an_outbox(tmp_path, monkeypatch):
    """Three auditors send their batches to one outbox; one audit is edited and sent again in
    a later batch. DuckDB reads every `*/audits.jsonl` with the documented query: its dealer ×
    quarter averages and stars are those of the report of a store that imported the outbox."""
    outbox = tmp_path / "outbox"
    auditors = []
    for seed in (1, 2, 3):
        db = store_with(tmp_path / f"auditor-{seed}", generate_audits(120, seed=seed))
        assert main(["--db", str(db), "export", "--changed", "--to", str(outbox)]) == 0
        auditors.append(db)
    with Store.open(auditors[0]) as store:  # a completed audit corrected after it was sent
        summary = next(s for s in store.summaries() if s.status == "complete" and s.max == 30)
        audit = store.get(summary.id)
        ranked = sorted(audit.grid.question("9").options, key=lambda o: o.points)
        worst, best = ranked[0].position, ranked[-1].position
        audit.answers["9"] = [best if audit.answers["9"] == [worst] else worst]
        store.save(audit)
        corrected = audit.score().percent
    assert main(["--db", str(auditors[0]), "export", "--changed", "--to", str(outbox)]) == 0
    assert len(list(outbox.glob("*/audits.jsonl"))) == 4

    supervisor = tmp_path / "supervisor"
    assert main(["--db", str(supervisor), "import", str(outbox)]) == 0
    report = tmp_path / "report.json"
    with report.open("w", encoding="utf-8") as out:
        monkeypatch.setattr("sys.stdout", out)
        assert main(["--db", str(supervisor), "report", "--format", "json"]) == 0
        monkeypatch.undo()
    expected = {
        (d["dealer_key"], d["quarter"]): (
            d["dealer"],
            d["audits"],
            d["unreachable"],
            d["average_percent"],
            d["stars"],
        )
        for d in json.loads(report.read_text(encoding="utf-8"))["dealer_quarters"]
    }

    monkeypatch.chdir(tmp_path)  # the query reads 'outbox/*/audits.jsonl'
    con = duckdb.connect()
    result = con.execute(doc_query())
    assert [column[0] for column in result.description] == [
        "dealer_key",
        "dealer",
        "quarter",
        "audits",
        "unreachable",
        "average_percent",
        "stars",
    ]
    got = {
        (key, quarter): (name, n, u, avg, stars)
        for key, name, quarter, n, u, avg, stars in result.fetchall()
    }
    assert len(got) > 100  # 41 dealers over two years: most dealer-quarters hold an audit
    assert got == expected
    # The corrected audit counts once, with its last revision (the SQL dedups by id).
    percents = con.execute(
        "SELECT count(*), count(DISTINCT id), max_by(score.percent, revision) FILTER (id = $id) "
        "FROM read_json('outbox/*/audits.jsonl', format = 'newline_delimited')",
        {"id": summary.id},
    ).fetchone()
    assert percents == (361, 360, corrected)
    with Store.open(supervisor, read_only=True) as store:
        assert len(store) == 360


@pytest.mark.parametrize(
    ("percents", "average", "stars"),
    [
        ([90.0, 86.7], 88.4, 4),  # 88.35 half-up, not the binary 88.349…
        ([90.0, 90.0, 89.9], 90.0, 5),  # 89.966… → 90.0: five stars by the average
        ([83.3, 0.0], 41.7, 1),  # an unreachable audit counts 0 %
        ([-4.0, 0.0], -2.0, 1),
    ],
)
def test_the_query_rounds_and_rates_as_the_report(tmp_path, monkeypatch, percents, average, stars):
    """The averages and stars of the doc's query on records written by hand."""
    batch = tmp_path / "outbox" / "20261201T090000Z-aaaaaa"
    batch.mkdir(parents=True)
    lines = []
    for n, value in enumerate(percents):
        lines.append(
            json.dumps(
                {
                    "id": f"00000000-0000-4000-8000-{n:012d}",
                    "revision": 1,
                    "status": "complete",
                    "outcome": "unreachable" if value == 0.0 else "reached",
                    "dealer": {"name": "Lexus Dijon", "id": "lexus-dijon"},
                    "call": {"started_at": "2026-03-31T22:30:00+00:00", "attempts": []},
                    "created_at": "2026-03-31T21:00:00+00:00",
                    "score": {"percent": value},
                }
            )
        )
    (batch / "audits.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    rows = duckdb.connect().execute(doc_query()).fetchall()
    unreachable = percents.count(0.0)
    # 31 March 22:30 UTC is 1 April 00:30 in Paris: the second quarter.
    assert rows == [
        ("lexus-dijon", "Lexus Dijon", "2026-T2", len(percents), unreachable, average, stars)
    ]
