"""How an audit file's record is read without its event log (store/layout.py `record_row`,
what an export of 100,000 audits decodes for each one): what is read is what the file holds,
whatever JSON the record carries. (orjson was tried here and left: it reads an integer beyond
64 bits as a float, and looking for one first costs what it saves.)"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor_tui.store.layout import record_row

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=15,
)


def _file(record: dict[str, Any], events: bool) -> bytes:
    """An audit file as TinyDB writes it (json.dumps), with or without its event log."""
    row = {"record": record, "exported_revision": 0, "seal": "0" * 64}
    whole: dict[str, Any] = {"audit": {"1": row}}
    if events:
        whole["events"] = {"1": {"seq": 1, "kind": "created"}}
    return json.dumps(whole).encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.text(), JSON, max_size=6),
    st.booleans(),
)
def test_the_record_read_is_the_record_written(record: dict[str, Any], events: bool) -> None:
    data = _file(record, events)
    row = record_row(data)
    if b"\xed" in data:  # a lone surrogate: not UTF-8, so not an audit file the store reads
        assert row is None
        return
    if b'"events"' in json.dumps(record).encode("utf-8"):  # a field of that name: not cut
        assert row is None  # there, the caller reads the whole file (audit_files.py)
        return
    assert row is not None
    assert json.dumps(row["record"], sort_keys=True) == json.dumps(record, sort_keys=True)
    assert list(row["record"]) == list(record)  # the order of the fields kept


def test_a_record_cut_short_or_of_another_shape_is_not_read() -> None:
    good = _file({"id": "x"}, True)
    assert record_row(good) == {"record": {"id": "x"}, "exported_revision": 0, "seal": "0" * 64}
    assert record_row(good[:40]) is None
    assert record_row(b'{"audit": [], "events": {}}') is None
    assert record_row(b'{"audit": {"1": {"record": 1}}, "events": {}}') is None
    assert record_row(b'{"other": {}}') is None
