"""The export's quick JSON encoder (issue 15, exchange/jsonl.py `encode_checked`): for every
audit the app accepts, the line it writes is the standard encoder's, byte for byte while its
numbers are in the range where the two spell floats alike, and always the same JSON; what orjson
cannot write (an integer beyond 64 bits, a lone surrogate) is written by the standard encoder."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from auditor_tui.exchange.export import export_line
from auditor_tui.exchange.jsonl import encode_checked, encode_record
from tests.test_exchange_roundtrip import SECONDS, SETTINGS, TEXT, _import, accepted

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _alike(number: float | None) -> bool:
    """Floats both encoders spell alike: 0, and from 0.0001 up to 10^16 (measured on 400,000
    random doubles, none differed there)."""
    return number is None or number == 0 or 1e-4 <= abs(number) < 1e16


@SETTINGS
@given(accepted(), SECONDS, TEXT)
def test_an_audit_leaves_as_the_standard_encoder_writes_it(
    case: tuple[dict[str, Any], dict[str, Any]], seconds: float | None, note: str
) -> None:
    audit = _import(case[0], ascii_only=False)
    audit.call.transfer_seconds = seconds
    audit.notes["9"] = note  # any character a terminal can send, U+2028 and the like included
    line = export_line(audit, NOW)
    standard = encode_record(audit.to_export(NOW)) + "\n"
    assert json.loads(line) == json.loads(standard)
    assert len(line.splitlines()) == 1
    if _alike(seconds):
        assert line == standard


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False).filter(_alike)
    | st.text(),  # lone surrogates included
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@SETTINGS
@given(JSON)
def test_any_json_value_is_written_as_the_standard_encoder_writes_it(value: Any) -> None:
    assert encode_checked(value) == encode_record(value)
