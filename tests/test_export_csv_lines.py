"""The CSV's quick path (rows joined from per-export caches) writes the very bytes the columns'
own getters give through the csv module; its Paris times, by hand, around the changes of time
and for instants not stored the usual way."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor_tui.domain.grid import Grid, load_grid_file
from auditor_tui.domain.instants import format_instant
from auditor_tui.domain.periods import paris_time
from auditor_tui.domain.record import Audit
from auditor_tui.domain.resources import data_dir
from auditor_tui.domain.scoring import score
from auditor_tui.exchange import export_csv
from auditor_tui.exchange.audit_table import (
    FOLLOW_UP,
    HEAD,
    TAIL,
    AnswerCells,
    View,
    columns,
    instant_cell,
    question_column,
    section_columns,
    views,
)
from auditor_tui.exchange.export_csv import BOM, line_maker, write_csv
from tests.factories import GRID, make_audit
from tests.test_export_csv import eighty_seven, unreachable


def reference(audits: list[Audit]) -> str:
    """The CSV as the columns define it: each cell by its column's getter, written by the
    csv module (what write_csv wrote before its quick path)."""
    ordered = views(audits)
    cols = columns(list({v.grid.id: v.grid for v in ordered}.values()))
    texts = [c.csv_getter() for c in cols]
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.key for c in cols])
    writer.writerows([text(v) for text in texts] for v in ordered)
    return out.getvalue()


def written(audits: list[Audit]) -> str:
    out = io.StringIO()
    assert write_csv(audits, out) == len(audits)
    return out.getvalue()


# Europe/Paris moves to summer time at 01:00 UTC on the last Sunday of March (29 March 2026)
# and back at 01:00 UTC on the last Sunday of October (25 October 2026).
DST = {
    "2026-03-29T00:59:59+00:00": "2026-03-29 01:59:59",
    "2026-03-29T01:00:00+00:00": "2026-03-29 03:00:00",
    "2026-03-28T23:30:00+00:00": "2026-03-29 00:30:00",
    "2026-03-29T22:15:07+00:00": "2026-03-30 00:15:07",
    "2026-10-25T00:59:59+00:00": "2026-10-25 02:59:59",
    "2026-10-25T01:00:00+00:00": "2026-10-25 02:00:00",
    "2026-10-24T22:00:00+00:00": "2026-10-25 00:00:00",
    "2026-10-25T23:00:00+00:00": "2026-10-26 00:00:00",
}


def varied() -> list[Audit]:
    """Audits touching every kind of cell: text the csv module quotes or Excel would run,
    empty fields, both DST changes, quarter and year ends in Paris time, instants not stored
    the usual way (other offsets, `Z`, fractions of a second, before 1911's Paris time)."""
    audits = [eighty_seven(1), unreachable(2), make_audit(3, transferred=False)]
    instants = list(DST)
    for n, (started, ended) in enumerate(
        zip(instants, instants[1:] + instants[:1], strict=True), start=10
    ):
        audit = make_audit(n)
        audit.call.started_at, audit.call.ended_at = started, ended
        audit.created_at = audit.updated_at = started
        audit.follow_up.callback_at = ended
        audit.deadlines = {"email": ended, "callback": started}
        audits.append(audit)
    odd = make_audit(30)
    odd.call.started_at = "2026-03-31T22:30:00+00:00"  # 1 April in Paris: T2
    odd.call.ended_at = "2026-03-31T23:30:00.250000+00:00"
    odd.created_at = "2025-12-31T23:30:00+00:00"  # 2026 in Paris
    odd.updated_at = "2026-01-01T00:30:00+01:00"
    odd.follow_up.email_received_at = "2026-07-14T10:00:00Z"
    odd.follow_up.callback_at = "1900-06-01T12:00:00+00:00"  # Paris then 9 min 21 s ahead
    odd.deadlines = {"email": None, "callback": "2026-07-14T10:00:00-04:00"}
    audits.append(odd)
    attempts_only = make_audit(31)
    attempts_only.call.started_at = None
    attempts_only.call.attempts = ["2026-12-31T23:10:00+00:00"]  # 2027-T1 in Paris
    audits.append(attempts_only)
    quoted = make_audit(32, name="Lexus Nice ; Côte d'Azur")
    quoted.auditor = '=HYPERLINK("x")'
    quoted.dealer.city = 'Nice "centre"'
    quoted.dealer.department = None
    quoted.call.receptionist_name = "+33 réception"
    quoted.call.advisor_name = "-"
    quoted.follow_up.callback_note = "ligne 1\r\nligne 2"
    quoted.follow_up.callback_method = "@email"
    quoted.notes = {"3": "accueil ; chaleureux", "6": 'dit "bonjour"', "9": "", "12": "a\nb"}
    quoted.call.transfer_seconds = 12.5
    audits.append(quoted)
    same_dealer = make_audit(33, name="Lexus Nice ; Côte d'Azur")  # its cells made once
    same_dealer.dealer.name = "Lexus Nice"  # …but not when a field differs
    audits.append(same_dealer)
    for n, department in enumerate((1, True, 1.0), start=34):  # equal keys, not equal cells
        loose = make_audit(n)
        loose.dealer.department = department  # type: ignore[assignment]
        audits.append(loose)
    return audits


def test_quick_path_writes_what_the_columns_define():
    audits = varied()
    assert written(audits) == reference(audits)


def test_instants_around_the_changes_of_time_are_paris_time():
    audits = varied()
    rows = list(csv.DictReader(io.StringIO(written(audits).removeprefix(BOM)), delimiter=";"))
    by_id = {r["id"]: r for r in rows}
    for n, (utc, paris) in enumerate(DST.items(), start=10):
        assert by_id[make_audit(n).id]["call_started_at"] == paris, utc
    odd = by_id[make_audit(30).id]
    assert odd["quarter"] == "2026-T2"
    assert odd["created_at"] == odd["updated_at"] == "2026-01-01 00:30:00"
    assert odd["call_ended_at"] == "2026-04-01 01:30:00"
    assert odd["email_received_at"] == "2026-07-14 12:00:00"
    assert odd["callback_deadline"] == "2026-07-14 16:00:00"
    assert odd["callback_at"] == "1900-06-01 12:09:21"
    assert by_id[make_audit(31).id]["quarter"] == "2027-T1"
    quoted = by_id[make_audit(32).id]
    assert quoted["dealer"] == "Lexus Nice ; Côte d'Azur" and quoted["dealer_department"] == ""
    assert quoted["auditor"] == '\'=HYPERLINK("x")' and quoted["advisor_name"] == "'-"
    assert quoted["callback_note"] == "ligne 1\r\nligne 2"
    assert quoted["notes"] == 'Q3 : accueil ; chaleureux | Q6 : dit "bonjour" | Q12 : a\nb'


def test_paris_time_of_instants_not_stored_the_usual_way():
    assert paris_time("2026-03-29T02:30:00+01:00") == datetime(2026, 3, 29, 3, 30)
    assert paris_time("2026-03-29T01:00:00Z") == datetime(2026, 3, 29, 3, 0)
    assert paris_time("2026-03-29T01:00:00.5+00:00") == datetime(2026, 3, 29, 3, 0, 0, 500000)
    # Paris Mean Time (9 min 21 s ahead) ended at 23:50:39 UTC on 10 March 1911
    assert paris_time("1911-03-10T23:50:38+00:00") == datetime(1911, 3, 10, 23, 59, 59)
    assert paris_time("1911-03-10T23:50:39+00:00") == datetime(1911, 3, 10, 23, 50, 39)
    assert paris_time("0999-06-01T12:00:00+00:00") == datetime(999, 6, 1, 12, 9, 21)
    assert paris_time(None) is None and paris_time("") is None
    for bad in (
        "2026-03-29T01:00:60+00:00",
        "2026-03-29T24:00:00+00:00",
        "2026-02-30T01:00:00+00:00",
    ):
        with pytest.raises(ValueError):
            paris_time(bad)


def test_labels_the_csv_module_quotes_are_quoted_in_the_cached_cells(tmp_path):
    raw = json.loads((data_dir() / f"grid-{GRID.id}.json").read_text(encoding="utf-8"))
    first = raw["sections"][0]["questions"][0]
    first["options"][0]["label"] = 'Oui ; dès le "premier" appel'
    path = tmp_path / "grid.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    grid: Grid = load_grid_file(path)
    audit = make_audit(1)
    audit.answers[first["id"]] = [1]
    cells = AnswerCells()
    answers = cells.answers(grid, True, audit.answers)
    result = score(grid, audit.answers, True)
    sections = {s.id: r for s, r in zip(grid.sections, result.sections, strict=True)}
    view = View(audit, grid, result, answers, sections)
    cols = columns([grid])
    line = line_maker(cols)
    assert line is not None
    expected = io.StringIO()
    csv.writer(expected, delimiter=";", lineterminator="\r\n").writerow(
        [c.csv_getter()(view) for c in cols]
    )
    assert line(view) + "\r\n" == expected.getvalue()
    assert '"Oui ; dès le ""premier"" appel"' in line(view)


def test_columns_laid_out_otherwise_are_written_one_by_one():
    cols = columns([GRID])
    assert line_maker(cols) is not None
    assert line_maker(cols[::-1]) is None
    assert line_maker(cols[:-1]) is None


def test_without_the_quick_path_the_same_bytes_are_written(monkeypatch):
    audits = varied()
    quick = written(audits)
    monkeypatch.setattr(export_csv, "line_maker", lambda cols: None)
    assert written(audits) == quick == reference(audits)


def test_a_question_s_columns_in_another_order_are_still_its_own_cells():
    """A union of grids may part a question's columns; each is then quoted on its own."""
    audit = make_audit(1)
    ordered = views([audit])
    cols = [
        *HEAD,
        *section_columns(GRID),
        *FOLLOW_UP,
        question_column("1", "labels", "text"),
        question_column("1", "points", "int"),
        question_column("2", "options", "text"),
        *TAIL,
    ]
    line = line_maker(cols)
    assert line is not None
    expected = io.StringIO()
    csv.writer(expected, delimiter=";", lineterminator="\r\n").writerow(
        [c.csv_getter()(ordered[0]) for c in cols]
    )
    assert line(ordered[0]) + "\r\n" == expected.getvalue()


@settings(max_examples=500, deadline=None)
@given(
    st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9998, 12, 31)),
    st.sampled_from(["", "1911-03-10T23:", "1940-06-14T2", "1945-09-16T0", "2026-03-29T0"]),
)
def test_an_instant_cell_is_its_paris_time_whatever_the_hour(moment: datetime, near: str) -> None:
    """The CSV's Paris cells, worked out once per UTC hour, are the zone's own conversion for
    any stored instant: the changes of time included, and Paris Mean Time before 1911 (9 min
    21 s ahead), changing in the middle of an hour."""
    text = format_instant(moment.replace(tzinfo=UTC))
    if near:  # an instant in an hour where Paris changed its time
        text = near + text[len(near) :]
        try:
            datetime.fromisoformat(text)
        except ValueError:
            return
    assert export_csv._paris(text) == instant_cell(paris_time(text))
