"""The programme's waves and services on an audit (issue 14.3): the wave an audit counts in,
its service, a wave's name and days; and the record's new optional fields kept through the
store and the import."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from auditor_tui.domain.record import Audit
from auditor_tui.domain.record_check import validate_record
from auditor_tui.domain.waves import Wave, audit_service, audit_wave, service_label
from auditor_tui.store import Store
from tests.factories import make_audit


def test_the_wave_is_the_field_else_the_quarter_of_the_call_in_paris():
    # 30 June 2026 at 22:30 UTC is 1 July, 00:30 in Paris: the third quarter.
    late = make_audit(1, when=datetime(2026, 6, 29, 22, 30, tzinfo=UTC))
    late.call.started_at = "2026-06-30T22:30:00+00:00"
    assert audit_wave(late) == "2026-T3"
    late.wave = "2026-T2"  # counted in the wave it was planned for, whatever its day
    assert audit_wave(late) == "2026-T2"


def test_the_service_is_the_recorded_one_or_none():
    audit = make_audit(1)
    assert audit_service(audit) is None and service_label(None) == "non précisé"
    audit.service = "APV"
    assert audit_service(audit) == "APV"
    assert service_label("VO") == "VO · Vente de véhicules d'occasion"


def test_a_record_without_them_writes_none_of_them():
    record = make_audit(1).to_export()
    assert not {"service", "wave", "planned"} & record.keys()
    assert validate_record(record, 1) == []


def test_they_go_through_the_store_and_back(tmp_path):
    audit = make_audit(1)
    audit.service, audit.wave = "VO", "2027-T1"
    audit.planned = {"date": "2027-01-12", "window": ["10:00", "11:00"]}
    with Store.open(tmp_path / "s") as store:
        store.create(audit)
    with Store.open(tmp_path / "s") as store:
        back = store.get(audit.id)
    assert (back.service, back.wave, back.planned) == (
        "VO",
        "2027-T1",
        {"date": "2027-01-12", "window": ["10:00", "11:00"]},
    )
    assert back.extra == {}  # known fields, not kept aside as unknown ones


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"service": "vn"}, "service"),
        ({"service": ""}, "service"),
        ({"wave": "2027"}, "wave"),
        ({"wave": "2027-Q1"}, "wave"),
        ({"wave": "2027-T5"}, "wave"),
        ({"wave": 20271}, "wave"),
        ({"planned": "2027-01-12"}, "planned"),
        ({"planned": {"date": "12/01/2027"}}, "planned.date"),
        ({"planned": {"date": "2027-01-12", "window": ["10:00"]}}, "planned.window"),
    ],
)
def test_malformed_values_are_refused_with_line_and_field(value, field):
    record = {**make_audit(1).to_export(), **value}
    problems = validate_record(record, 7)
    assert [(p.line, p.field) for p in problems] == [(7, field)]


def test_a_wave_is_a_quarter_by_default():
    wave = Wave.parse("2027-t1")
    assert (wave.name, wave.start, wave.end) == ("2027-T1", date(2027, 1, 1), date(2027, 3, 31))
    assert len(wave.days()) == 90
    assert Wave.parse("2027-T4").end == date(2027, 12, 31)
    assert Wave.parse("2027-T1").previous_name() == "2026-T4"
    assert Wave.parse("2027-T3").previous_name() == "2027-T2"


def test_other_dates_can_be_set_and_a_name_must_be_a_period():
    wave = Wave.parse("2027-T2", date(2027, 4, 6), date(2027, 6, 19))
    assert (wave.start, wave.end, len(wave.days())) == (date(2027, 4, 6), date(2027, 6, 19), 75)
    for bad in ("printemps", "2027", "2027-T1..T2", ""):
        with pytest.raises(ValueError, match="période trimestrielle"):
            Wave.parse(bad)
    with pytest.raises(ValueError, match="avant le début"):
        Wave.parse("2027-T2", date(2027, 5, 1), date(2027, 4, 30))


def test_new_audit_takes_the_service():
    audit = make_audit(1)
    fresh = Audit.new(audit.dealer, audit.grid, datetime(2027, 1, 12, 9, tzinfo=UTC), service="VN")
    assert fresh.service == "VN" and fresh.to_dict()["service"] == "VN"
