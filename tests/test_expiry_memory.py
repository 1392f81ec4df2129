"""What the app remembers of the deadlines that passed (issue 17.4): the bell once per
deadline, what passed while the app was closed until each audit is opened; kept in a real
store's settings, read back identically, and a damaged setting never stops the app."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor_tui.domain.expiry_memory import SETTING, ExpiryMemory, Missed, deadline_key
from auditor_tui.domain.queue import Due, Expiry
from auditor_tui.session.queue import expiry_memory, save_expiry_memory
from auditor_tui.store import Store
from tests.conftest import FullDisk

EMAIL_DUE = datetime(2026, 5, 13, 17, 30, tzinfo=UTC)
A, B = "00000000-0000-4000-8000-00000000000a", "00000000-0000-4000-8000-00000000000b"


def expiry(audit_id: str, dealer: str, kind: str = "email", at: datetime = EMAIL_DUE) -> Expiry:
    return Expiry(audit_id, dealer, Due(kind, at))


def test_the_bell_rings_once_per_deadline() -> None:
    memory = ExpiryMemory()
    both = [expiry(A, "Lexus Metz"), expiry(B, "Lexus Monaco")]
    assert memory.unrung(both) == both
    memory = memory.rang(both[:1])
    assert memory.unrung(both) == both[1:]
    assert memory.rung == {f"{A} email 2026-05-13T17:30:00+00:00"}
    later = expiry(A, "Lexus Metz", "callback", datetime(2026, 5, 18, 21, 59, 59, tzinfo=UTC))
    assert memory.unrung([later]) == [later]  # another deadline of the same audit


def test_missed_until_each_audit_is_opened() -> None:
    memory = ExpiryMemory().passed_while_closed(
        [expiry(B, "Lexus Monaco"), expiry(A, "Lexus Metz")]
    )
    assert [m.dealer for m in memory.missed] == ["Lexus Metz", "Lexus Monaco"]  # by time, name
    assert memory.missed_line() == "2 échéances passées depuis votre dernière visite"
    again = memory.passed_while_closed([expiry(A, "Lexus Metz")])  # told twice: kept once
    assert again == memory
    memory = memory.seen(A)
    assert memory.missed_line() == "1 échéance passée depuis votre dernière visite"
    assert memory.seen(B).missed_line() == ""
    assert memory.missed[0].text("Europe/Monaco") == (
        "Lexus Monaco : e-mail non reçu dans le délai (mer. 13 mai 19:30)"
    )


def test_only_the_audits_still_awaiting_are_kept() -> None:
    memory = ExpiryMemory().rang([expiry(A, "x"), expiry(B, "y")])
    memory = memory.passed_while_closed([expiry(A, "x"), expiry(B, "y")])
    kept = memory.keep([B])
    assert kept.rung == {deadline_key(B, "email", EMAIL_DUE)}
    assert [m.audit_id for m in kept.missed] == [B]


def test_a_damaged_setting_costs_a_line_never_the_app() -> None:
    raw = {
        "rung": ["k1", 3, None, "k2"],
        "missed": [
            {"audit_id": A, "dealer": "Lexus Metz", "kind": "email", "at": "2026-05-13T17:30:00Z"},
            {"audit_id": A, "dealer": "Lexus Metz", "kind": "email", "at": "hier"},
            {"audit_id": B},
            "texte",
        ],
    }
    memory = ExpiryMemory.from_setting(raw)
    assert memory.rung == {"k1", "k2"}
    assert memory.missed == (Missed(A, "Lexus Metz", "email", EMAIL_DUE),)
    for broken in (None, [], "x", {"rung": "x", "missed": {}}):
        assert ExpiryMemory.from_setting(broken) == ExpiryMemory()


MISSED = st.builds(
    Missed,
    st.uuids().map(str),
    st.text(max_size=20),
    st.sampled_from(["email", "callback"]),
    st.datetimes(
        min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30), timezones=st.just(UTC)
    ).map(lambda m: m.replace(microsecond=0)),
)


@settings(max_examples=40, deadline=None)
@given(st.frozensets(st.text(max_size=60), max_size=5), st.lists(MISSED, max_size=5))
def test_what_is_kept_is_read_back_identically(rung: frozenset[str], missed: list[Missed]) -> None:
    unique = list({m.key: m for m in missed}.values())
    memory = ExpiryMemory(rung, tuple(unique))
    with tempfile.TemporaryDirectory() as tmp:
        with Store.open(Path(tmp) / "s") as store:
            assert save_expiry_memory(store, memory)
        with Store.open(Path(tmp) / "s") as store:
            assert store.setting(SETTING) == memory.to_setting()
            assert expiry_memory(store) == memory


def test_a_full_disk_loses_the_memory_not_the_app(store: Store, full_disk: FullDisk) -> None:
    memory = ExpiryMemory().rang([expiry(A, "Lexus Metz")])
    full_disk.full = True
    assert save_expiry_memory(store, memory) is False
    full_disk.full = False
    assert expiry_memory(store) == ExpiryMemory()
    assert save_expiry_memory(store, memory) and expiry_memory(store) == memory
