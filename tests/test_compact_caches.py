"""The store's large caches in bounded memory (issue 15): the line file they are written in, the
index's compact summaries and the report's compact question points, each read back as it was
written and behaving as the plain dicts they replace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor_tui.reports.compact import Points
from auditor_tui.store.index import Deadlines, IndexEntry, Summary
from auditor_tui.store.index_file import index_intact, read_entries, write_index
from auditor_tui.store.line_file import Damaged, batches, members, write_lines

texts = st.text(max_size=30)
instants = st.none() | st.from_regex(
    r"20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\+00:00", fullmatch=True
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=st.dictionaries(texts, json_values, max_size=2500))
def test_a_line_file_reads_back_what_was_written(tmp_path_factory, entries):
    """Any keys and JSON values, however many batches: the same entries, in order."""
    path = tmp_path_factory.mktemp("lines") / "cache.json"
    head = b'{"version":1,"entries":{\n'
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    write_lines(path, head, (f"{encode(k)}:{encode(v)}" for k, v in entries.items()))
    assert json.loads(path.read_bytes())["entries"] == entries  # the file is one JSON object
    back: dict[str, object] = {}
    for batch in batches(path, head):
        back.update(members(batch))
    assert list(back.items()) == list(entries.items())


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.replace(b'"b":2', b'"b":3'),  # a value changed
        lambda data: data[:-5],  # cut short
        lambda data: data + b"\n",  # something after the trailer
        lambda data: data.replace(b'"version":1', b'"version":2'),  # another head
    ],
)
def test_a_line_file_not_as_written_is_refused_whole(tmp_path: Path, damage) -> None:
    path = tmp_path / "cache.json"
    head = b'{"version":1,"entries":{\n'
    write_lines(path, head, [f'"k{n}":{n}' for n in range(3000)] + ['"b":2'])
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(Damaged):
        for _batch in batches(path, head):
            pass


summaries = st.builds(
    Summary,
    id=st.uuids().map(str),
    dealer=texts,
    city=texts,
    created_at=instants.map(lambda i: i or ""),
    started_at=instants,
    ended_at=instants,
    status=st.sampled_from(["draft", "awaiting_follow_up", "complete"]),
    outcome=st.sampled_from(["reached", "unreachable"]),
    points=st.integers(-5, 30),
    max=st.integers(0, 30),
    percent=st.floats(-20, 100, allow_nan=False).map(lambda p: round(p, 1)),
    stars=st.integers(1, 5),
    revision=st.integers(1, 2**40),
    updated_at=instants.map(lambda i: i or ""),
    auditor=texts,
    deadlines=st.none()
    | st.fixed_dictionaries({}, optional={"email": instants, "callback": instants}),
    email_received=st.booleans(),
    callback_received=st.booleans(),
    exported_revision=st.integers(0, 100),
    questionnaire=texts,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    items=st.lists(
        st.tuples(summaries, st.integers(0, 2**62), st.integers(0, 2**31), st.none() | texts),
        max_size=40,
        unique_by=lambda item: item[0].id,
    )
)
def test_the_index_file_reads_back_every_summary(tmp_path_factory, items):
    """Summaries of any text and instants: read back equal, their deadlines compact but equal
    to the dict written, newest first; the first ones alone on request."""
    path = tmp_path_factory.mktemp("index") / "index.json"
    entries = {s.id: IndexEntry(mtime, size, s, line) for s, mtime, size, line in items}
    write_index(path, entries)
    assert index_intact(path)
    back = read_entries(path)
    assert back == entries
    for entry in back.values():
        written = entries[entry.summary.id].summary.deadlines
        assert entry.summary.deadlines == written
        if written is not None:
            assert dict(entry.summary.deadlines) == written and isinstance(
                entry.summary.deadlines, Deadlines
            )
    newest = sorted(entries.values(), key=lambda e: (e.summary.moment, e.summary.id), reverse=True)
    assert list(back.values()) == newest
    assert list(read_entries(path, 3).values()) == newest[:3]


def test_deadlines_behave_as_the_dict_they_replace() -> None:
    given = {"email": "2026-11-17T11:38:00+00:00", "callback": None}
    compact = Deadlines.of(given)
    assert compact == given and dict(compact) == given and len(compact) == 2
    assert compact.get("email") == given["email"] and compact["callback"] is None
    assert "other" not in compact and compact.get("other") is None
    with pytest.raises(KeyError):
        compact["other"]
    assert Deadlines.of({"email": "x", "other": "y"}) == {"email": "x", "other": "y"}
    assert Deadlines.of(None) is None and Deadlines.of({}) == {}


@given(
    st.dictionaries(
        st.sampled_from([str(n) for n in range(1, 25)] + ["7a", "7b"]),
        st.tuples(st.integers(-1, 5), st.integers(0, 5)),
        max_size=26,
    )
)
def test_points_behave_as_the_dict_they_replace(given: dict[str, tuple[int, int]]) -> None:
    points = Points.of(given.items())
    assert points == given and dict(points) == given
    assert list(points.items()) == list(given.items()) and len(points) == len(given)
    for qid, pair in given.items():
        assert points[qid] == pair and qid in points
    assert "99" not in points
    same = Points.given(
        {k: p for k, (p, _m) in given.items()}, {k: m for k, (_p, m) in given.items()}
    )
    assert same == given
