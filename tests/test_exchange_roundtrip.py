"""The exchange boundary as properties (issue 12.1, 18.4): whatever the import or the app
accepts — every text field with any Unicode, control and separator characters, extreme
numbers, instants in any RFC 3339 spelling, unknown fields at any level — the store keeps,
and JSON Lines, CSV and XLSX write and read back identically: JSONL by the importer itself,
CSV with the csv module and XLSX with openpyxl, cell by cell as docs/export-columns.md says
the cell holds it (formula guard and `_xHHHH_` escapes taken off)."""

from __future__ import annotations

import copy
import csv
import io
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from auditor_tui.domain.history import EVENTS, last_reopen_reason
from auditor_tui.domain.periods import paris_time
from auditor_tui.domain.record import Audit, is_canonical_id
from auditor_tui.domain.record_fields import KNOWN, OBJECTS, RESERVED
from auditor_tui.exchange.audit_table import DELIMITER, csv_cell, table
from auditor_tui.exchange.export import write_jsonl
from auditor_tui.exchange.export_csv import BOM, write_csv
from auditor_tui.exchange.export_xlsx import xlsx_bytes
from auditor_tui.exchange.importing import comparable, parse_jsonl
from auditor_tui.exchange.xlsx_writer import unescape
from auditor_tui.store import Store
from auditor_tui.text.safe_text import formula_unguard as unguard
from tests.factories import make_audit

# Characters that broke or could break a format: line and paragraph separators, what XML
# cannot hold, CSV's quote and separator, formula starts, Excel's own escape, BOM, emoji.
NASTY = [
    "",
    " ",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x00",
    "\x7f",
    "\r",
    "\n",
    "\r\n",
    "\t",
    ";",
    '"',
    "=1+1",
    "+33",
    "-2",
    "@SUM(A1)",
    "'",
    "'=x",
    "_x000B_",
    "_x005F_",
    "_X000b_",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "😀",
    "é",
    "[/x]",
]
ANY_CHAR = st.characters(exclude_categories=["Cs"])  # a lone surrogate is not Unicode text
TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=24),
    st.lists(st.sampled_from(NASTY), max_size=6).map("".join),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(ANY_CHAR, max_size=3)), max_size=5).map(
        "".join
    ),
)
SECONDS = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, 5e-324, 0.1, 45.04, 1e16, 1.7976931348623157e308]),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),
)
COUNT = st.one_of(st.sampled_from([0, 1, 2**53 - 1]), st.integers(0, 2**53 - 1))
INSTANT_KEYS = [
    ("call", "started_at"),
    ("call", "ended_at"),
    ("follow_up", "callback_at"),
    (None, "created_at"),
    (None, "updated_at"),
]


def _bases() -> list[Audit]:
    reached = make_audit(1)
    draft = make_audit(2, transferred=False, status="draft", name="Lexus Metz")
    draft.call.ended_at = draft.deadlines = draft.calendar = None
    draft.follow_up.callback_at = draft.follow_up.callback_method = None
    waiting = make_audit(3, status="awaiting_follow_up", name="Lexus Monaco")
    waiting.dealer.country, waiting.dealer.department = "MC", None
    unreachable = make_audit(4)
    unreachable.answers = {"1": [4]}
    unreachable.follow_up.callback_at = unreachable.follow_up.callback_method = None
    return [reached, draft, waiting, unreachable]


BASES = [a.to_export() for a in _bases()]


@st.composite
def spelling(draw: st.DrawFn, stored: str) -> str:
    """Another RFC 3339 spelling of a stored instant: any offset, Z or z, t, a fraction."""
    moment = datetime.fromisoformat(stored)
    minutes = draw(st.integers(-(23 * 60 + 59), 23 * 60 + 59))
    local = moment.astimezone(timezone(timedelta(minutes=minutes)))
    fraction = draw(st.sampled_from(["", ".0", ".999", ".123456789"]))
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + fraction
    if minutes == 0 and draw(st.booleans()):
        text += draw(st.sampled_from(["Z", "z"]))
    else:
        sign = "-" if minutes < 0 else "+"
        text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text.replace("T", draw(st.sampled_from(["T", "t"])), 1)


JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        TEXT,
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
UNKNOWN_NAME = st.text(ANY_CHAR, max_size=8).map(lambda s: "x" + s)
STORED_INSTANT = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.just(UTC)
).map(lambda m: m.replace(microsecond=0).isoformat())
# The lifecycle (issue 17.3): any of its kinds, at any instant, with any text or none as its
# detail; an entry may carry a field a newer version adds.
HISTORY = st.lists(
    st.fixed_dictionaries(
        {"at": STORED_INSTANT, "event": st.sampled_from(EVENTS), "detail": st.none() | TEXT},
        optional={"x_by": TEXT},
    ),
    max_size=6,
)
HH_MM = st.builds("{:02d}:{:02d}".format, st.integers(0, 23), st.integers(0, 59))
PROGRAMME = st.fixed_dictionaries(
    {},
    optional={
        "service": st.sampled_from(["VN", "VO", "APV"]),
        "wave": st.builds("{}-T{}".format, st.integers(1000, 9999), st.integers(1, 4)),
        "planned": st.fixed_dictionaries(
            {"date": st.dates().map(lambda d: d.isoformat())},
            optional={"window": st.lists(HH_MM, min_size=2, max_size=2).map(sorted)},
        ),
    },
)


@st.composite
def accepted(draw: st.DrawFn, unknown: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """A record the import must accept, and the same in the store's spelling (what every
    export must give back)."""
    record = copy.deepcopy(draw(st.sampled_from(BASES)))
    record.pop("deadlines")  # recomputed: given, they would only be compared
    texts = [
        ("auditor",),
        ("dealer", "city"),
        ("dealer", "id"),
        ("identity", "name"),
        ("identity", "phone"),
        ("identity", "email"),
        ("call", "receptionist_name"),
        ("call", "advisor_name"),
        ("follow_up", "callback_note"),
    ]
    for path in texts:
        where = record if len(path) == 1 else record[path[0]]
        where[path[-1]] = draw(TEXT)
    record["dealer"]["name"] = "L" + draw(TEXT)  # a name must have something in it
    record["notes"] = draw(st.dictionaries(st.sampled_from(["1", "7a", "9", "24"]), TEXT))
    record["call"]["transfer_seconds"] = draw(SECONDS)
    record["call"]["discovery_questions"] = draw(COUNT)
    record["revision"] = draw(COUNT.filter(bool))
    record["history"] = draw(HISTORY)
    for name, value in draw(PROGRAMME).items():  # optional: a v1 record may lack each
        record[name] = value
    expected = copy.deepcopy(record)
    for entry in record["history"]:
        entry["at"] = draw(spelling(entry["at"]))
    for section, key in INSTANT_KEYS:
        where = record if section is None else record[section]
        if where.get(key):
            where[key] = draw(spelling(where[key]))
    if unknown:
        added: dict[str, Any] = draw(st.dictionaries(UNKNOWN_NAME, JSON_VALUE, max_size=2))
        for name in sorted(OBJECTS):
            if isinstance(record.get(name), dict) and draw(st.booleans()):
                own = draw(st.dictionaries(UNKNOWN_NAME, JSON_VALUE, min_size=1, max_size=2))
                record[name].update(own)
                expected[name].update(own)
        record.update(added)
        expected.update(added)
    return record, expected


def _store_spelling(record: dict[str, Any]) -> dict[str, Any]:
    """The record as stored: without what every export computes."""
    out = copy.deepcopy(record)
    for key in ("score", "outcome"):
        out.pop(key, None)
    for key in ("email_in_time", "callback_in_time"):
        out["follow_up"].pop(key, None)
    return out


def _import(record: dict[str, Any], ascii_only: bool) -> Audit:
    line = json.dumps(record, ensure_ascii=ascii_only, allow_nan=False).encode("utf-8")
    audits, problems = parse_jsonl(line + b"\n", "test")
    assert [p for p in problems if not p.warning] == [], problems
    [(_, audit)] = audits
    return audit


def _csv_rows(audit: Audit) -> list[dict[str, str]]:
    buffer = io.StringIO()
    write_csv([audit], buffer)
    text = buffer.getvalue()
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=DELIMITER))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _xlsx_sheets(audit: Audit) -> dict[str, list[dict[str, Any]]]:
    book = load_workbook(io.BytesIO(xlsx_bytes([audit])))
    out = {}
    for ws in book.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        out[ws.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return out


def _text_of_xlsx(cell: Any) -> str:
    return "" if cell is None else unescape(cell)


TEXT_COLUMNS = {  # CSV/XLSX column → the record's own text
    "auditor": lambda a: a.auditor,
    "dealer": lambda a: a.dealer.name,
    "dealer_city": lambda a: a.dealer.city,
    "dealer_id": lambda a: a.dealer.id,
    "receptionist_name": lambda a: a.call.receptionist_name,
    "advisor_name": lambda a: a.call.advisor_name,
    "callback_note": lambda a: a.follow_up.callback_note,
    "reopen_reason": last_reopen_reason,
}


def _check_tables(audit: Audit) -> None:
    """CSV and XLSX, read back, hold what the export contract says, cell by cell."""
    cols, [values] = table([audit])
    [row] = _csv_rows(audit)
    assert list(row) == [c.key for c in cols]
    for col, value in zip(cols, values, strict=True):
        assert row[col.key] == csv_cell(value, col.kind), col.key
    for key, get in TEXT_COLUMNS.items():
        assert unguard(row[key]) == (get(audit) or ""), key
    seconds = audit.call.transfer_seconds
    cell = row["transfer_seconds"]
    assert (float(cell.replace(",", ".")) if cell else None) == seconds
    assert int(row["revision"]) == audit.revision
    reopenings = [e for e in audit.history if e["event"] == "reopened"]
    assert int(row["reopened"]) == len(reopenings)
    assert (json.loads(unguard(row["other_fields"])) if row["other_fields"] else {}) == audit.extra
    assert (row["service"] or None, row["planned_date"] or None) == (
        audit.service,
        (audit.planned or {}).get("date"),
    )
    assert row["wave"] == (audit.wave or row["quarter"])
    window = (audit.planned or {}).get("window")
    assert row["planned_window"] == ("-".join(window) if window else "")

    sheets = _xlsx_sheets(audit)
    [cells] = sheets["Audits"]
    for col, value in zip(cols, values, strict=True):
        got = cells[col.key]
        if col.kind == "text":
            assert _text_of_xlsx(got) == ("" if value is None else str(value)), col.key
        else:
            assert got == value, col.key
    assert cells["call_started_at"] == paris_time(audit.call.started_at)
    for answer in sheets["Réponses"]:
        note = audit.notes.get(answer["question"]) or ""
        assert _text_of_xlsx(answer["note"]) == note
        assert _text_of_xlsx(answer["dealer"]) == audit.dealer.name


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(accepted(), st.booleans())
@example(
    (lambda r: (r, r))({**BASES[0], "auditor": "\u2028\x0b'=_x000B_\r"}), False
)  # the note, as one example always run
def test_what_import_accepts_every_format_gives_back(
    case: tuple[dict[str, Any], dict[str, Any]], ascii_only: bool
) -> None:
    given_record, expected = case
    audit = _import(given_record, ascii_only)
    stored = audit.to_dict()
    for key, value in _store_spelling(expected).items():
        if key != "deadlines":
            assert stored[key] == value, key
    with tempfile.TemporaryDirectory() as tmp:
        with Store.open(Path(tmp) / "s") as store:
            store.put_many([audit])
        with Store.open(Path(tmp) / "s") as store:
            kept = store.get(audit.id)
    assert kept.to_dict() == stored
    # JSON Lines: one line for any line splitter, read back by the importer itself.
    buffer = io.StringIO()
    write_jsonl([kept], buffer)
    text = buffer.getvalue()
    assert len(text.splitlines()) == 1 and text.endswith("\n")
    again = _import(json.loads(text), ascii_only=False)
    audits, problems = parse_jsonl(text.encode("utf-8"), "again")
    assert problems == [] and comparable(audits[0][1]) == comparable(kept)
    assert comparable(again) == comparable(kept)
    _check_tables(kept)


@SETTINGS
@given(accepted(unknown=True), st.data())
def test_unknown_fields_at_any_level_export_back_unchanged(
    case: tuple[dict[str, Any], dict[str, Any]], data: st.DataObject
) -> None:
    """Issue 18.4's property: any accepted record with extra unknown fields added at any
    level, imported, saved again by the app, exports back with them unchanged."""
    given_record, expected = case
    audit = _import(given_record, data.draw(st.booleans()))
    with tempfile.TemporaryDirectory() as tmp:
        with Store.open(Path(tmp) / "s") as store:
            store.put_many([audit])
            edited = store.get(audit.id)
            edited.notes["9"] = data.draw(TEXT)
            store.save(edited)
        with Store.open(Path(tmp) / "s") as store:
            kept = store.get(audit.id)
    buffer = io.StringIO()
    write_jsonl([kept], buffer)
    [back] = [json.loads(line) for line in buffer.getvalue().split("\n") if line]
    for name, value in expected.items():
        if name not in KNOWN:
            assert back[name] == value, name
        elif name in OBJECTS and isinstance(value, dict):
            for inner, inner_value in value.items():
                if inner not in OBJECTS[name]:
                    assert back[name][inner] == inner_value, f"{name}.{inner}"
    assert set(back) - KNOWN - RESERVED == set(expected) - KNOWN - RESERVED
    _check_tables(kept)


@SETTINGS
@given(st.sampled_from(range(len(BASES))), st.lists(TEXT, min_size=8, max_size=8), SECONDS)
def test_what_the_app_accepts_every_format_gives_back(
    base: int, texts: list[str], seconds: float | None
) -> None:
    """Text typed in the app (any character a terminal can send) and the timer's seconds:
    saved, exported, imported by another store, identical."""
    audit = _import(BASES[base], ascii_only=False)
    audit.auditor, audit.dealer.name, audit.dealer.city = texts[0], "L" + texts[1], texts[2]
    audit.call.receptionist_name, audit.call.advisor_name = texts[3], texts[4]
    audit.follow_up.callback_note, audit.identity.name = texts[5], texts[6]
    audit.notes = {"9": texts[7]}
    audit.call.transfer_seconds = seconds
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "s") as store:
        store.create(audit)
        kept = store.get(audit.id)
    buffer = io.StringIO()
    write_jsonl([kept], buffer)
    [(_, back)], problems = parse_jsonl(buffer.getvalue().encode("utf-8"), "app")
    assert problems == [] and comparable(back) == comparable(audit)
    _check_tables(kept)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.uuids().map(str).map(lambda s: s.upper())))
def test_an_id_is_accepted_exactly_when_canonical(candidate: str) -> None:
    record = {**BASES[0], "id": candidate}
    _, problems = parse_jsonl(json.dumps(record).encode() + b"\n", "ids")
    refused = {p.field for p in problems if not p.warning}
    assert ("id" in refused) == (not is_canonical_id(candidate))


RFC_3339_FORMATS = [
    "%Y-%m-%dT%H:%M:%S+00:00",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dt%H:%M:%S.%fz",
    "%Y-%m-%dT%H:%M:%S.%f-00:00",
]
OTHER_FORMATS = [
    "%Y-%m-%d %H:%M:%S+00:00",  # a space
    "%Y%m%dT%H%M%SZ",  # basic format
    "%Y-%m-%dT%H:%M:%S,%f+00:00",  # a comma fraction
    "%Y-%m-%dT%H:%M+00:00",  # no seconds
    "%Y-W%W-%wT%H:%M:%S+00:00",  # a week date
    "%Y-%jT%H:%M:%S+00:00",  # an ordinal date
    "%Y-%m-%dT%H:%M:%S+0000",  # an offset without its colon
    "%Y-%m-%dT%H:%M:%S+00:00:00",  # seconds in the offset
    "%Y-%m-%dT%H:%M:%S",  # no offset
]


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.just(UTC)
    ),
    st.sampled_from(RFC_3339_FORMATS + OTHER_FORMATS),
)
def test_an_instant_is_accepted_exactly_in_rfc_3339_and_stored_in_utc(
    moment: datetime, fmt: str
) -> None:
    text = moment.strftime(fmt)
    record = copy.deepcopy(BASES[0])
    record["created_at"] = text
    audits, problems = parse_jsonl(json.dumps(record).encode() + b"\n", "instants")
    assert bool(audits) == (fmt in RFC_3339_FORMATS), (text, problems)
    if audits:
        stored = audits[0][1].created_at
        assert stored == moment.replace(microsecond=0).isoformat()
    else:
        assert {p.field for p in problems} == {"created_at"}
