"""`report --table verbatims` written as the notes come (`NoteSpill.verbatims`, a question at
a time): half a million notes at 100,000 audits, never all in memory (docs/performance.md).
Each format is what the report's table gives for them (reports/tables.py), the same bytes for
CSV and JSON; in the terminal, the table is drawn a part at a time (its title on the first,
its note under the last).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO

from auditor_tui.reports.report import NetworkReport, json_value
from auditor_tui.reports.table_model import Table
from auditor_tui.reports.tables import print_table, report_console, write_csv_rows
from auditor_tui.reports.verbatims import Verbatim
from auditor_tui.reports.wave_tables import VERBATIM_TABLE_COLUMNS, verbatims_table

PART = 1000  # notes drawn at once in the terminal


def write_verbatims(
    report: NetworkReport, found: Iterable[Verbatim], form: str, out: IO[str]
) -> None:
    """The verbatims `found` (in order) as `report --format <form> --table verbatims`."""
    if form == "csv":
        columns = VERBATIM_TABLE_COLUMNS
        write_csv_rows(columns, (tuple(c.cell(v) for c in columns) for v in found), out)
    elif form == "json":
        _write_json(report, found, out)
    else:
        _print(report, found, out)


def _write_json(report: NetworkReport, found: Iterable[Verbatim], out: IO[str]) -> None:
    """`json.dumps(report.to_dict("verbatims"), ensure_ascii=False, indent=2)`, the notes
    written one at a time (they are the last member). Each note's members are encoded alone
    (json's encoder with an indent makes a cycle of closures a call: garbage for the
    collector, paused during a command)."""
    head = json.dumps(report.to_dict("verbatims"), ensure_ascii=False, indent=2)
    start, end = head.rsplit('"verbatims": []', 1)
    encode = json.JSONEncoder(ensure_ascii=False).encode
    out.write(f'{start}"verbatims": [')
    first = True
    for verbatim in found:
        members = ",\n".join(
            [f"      {encode(k)}: {encode(v)}" for k, v in json_value(verbatim).items()]
        )
        out.write(("\n    {\n" if first else ",\n    {\n") + members + "\n    }")
        first = False
    out.write(("]" if first else "\n  ]") + end + "\n")


def _parts(found: Iterable[Verbatim]) -> Iterator[list[Verbatim]]:
    it = iter(found)
    while part := list(islice(it, PART)):
        yield part


def _print(report: NetworkReport, found: Iterable[Verbatim], out: IO[str]) -> None:
    console = report_console(report, out)
    parts = _parts(found)
    part = next(parts, [])
    if not part:
        print_table(console, verbatims_table(report, ()))
        return
    head = True
    while part:
        following = next(parts, [])
        table: Table = verbatims_table(report, part)
        print_table(console, table, head=head, caption=not following)
        head, part = False, following
