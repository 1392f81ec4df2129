"""The dealer's number is never cut in the call's header: the name and the city shorten first,
the status and « fin HH:MM » stay readable (the real app at 80×24, and a property test of the
fitting over any name, city and width)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from auditor_tui.domain.clock import FakeClock
from auditor_tui.domain.grid import load_grid
from auditor_tui.domain.record import STATUS_LABELS, Audit, DealerRef
from auditor_tui.ui.app import make_app
from auditor_tui.ui.widgets.dealer_line import DealerInfo, DealerLine, fit_dealer_line
from tests.ui.conftest import NOW, fixed_id, sample_dealers, seed_store
from tests.ui.live_helpers import on_the_call

GRID = load_grid()
AUDIT = fixed_id(44)
LONG_NAME = "Lexus Boulogne-Billancourt — Concession Prestige Île-de-France Ouest"
CITY = "Boulogne-Billancourt"
PHONE = "01 99 00 10 02"  # a fiction-range number


def long_named_audit() -> Audit:
    ref = DealerRef(LONG_NAME, "FR", "92", "+33199001002", "boulogne", CITY)
    audit = Audit.new(ref, GRID, NOW - timedelta(hours=1), auditor="Camille Auditrice")
    audit.id = AUDIT
    return audit


async def test_the_number_is_whole_at_80_columns_before_and_after_the_call(
    tmp_path: Path, clock: FakeClock
) -> None:
    db = seed_store(tmp_path / "store", [long_named_audit()])
    app = make_app(db, clock)
    async with on_the_call(app, AUDIT) as pilot:
        line = app.screen.query_one(DealerLine)
        shown = str(line.render())
        assert PHONE in shown and "brouillon" in shown
        assert shown.startswith("Lexus Boulogne") and "…" in shown  # the name gave way
        assert cell_len(shown) <= line.content_region.width
        await pilot.press("t", "d", "enter")
        clock.advance(300)
        await pilot.press("f", "enter")
        shown = str(line.render())
        assert PHONE in shown and "suivi en attente" in shown and "fin 14:10" in shown
        assert cell_len(shown) <= line.content_region.width


def test_every_sample_dealer_fits_the_80_column_header() -> None:
    """The sample directory's names and numbers, with the longest status, at the width the
    header leaves beside « ✓ enregistré HH:MM:SS »."""
    width = 80 - 2 - cell_len(" ✓ enregistré 14:05:00")
    for dealer in sample_dealers():
        info = DealerInfo(dealer.name, dealer.city, dealer.phone_display, "suivi en attente")
        shown = fit_dealer_line(info, width).plain
        assert dealer.phone_display in shown and "suivi en attente" in shown, shown
        assert cell_len(shown) <= width


def test_the_city_goes_before_the_name_shortens() -> None:
    info = DealerInfo("Lexus Lyon Nord", "Champagne-au-Mont-d'Or", PHONE, "brouillon")
    assert fit_dealer_line(info, 80).plain == (
        f"Lexus Lyon Nord (Champagne-au-Mont-d'Or) · {PHONE} · brouillon"
    )
    assert fit_dealer_line(info, 55).plain == f"Lexus Lyon Nord (Champag…) · {PHONE} · brouillon"
    assert fit_dealer_line(info, 44).plain == f"Lexus Lyon Nord · {PHONE} · brouillon"
    assert fit_dealer_line(info, 40).plain == f"Lexus Lyon… · {PHONE} · brouillon"
    assert fit_dealer_line(info, 26).plain == f"{PHONE} · brouillon"  # no room: no name
    assert fit_dealer_line(info, 16).plain == PHONE  # the status goes before the number
    # a city already in the name is not repeated
    dijon = DealerInfo("Lexus Dijon", "Dijon", PHONE, "brouillon")
    assert fit_dealer_line(dijon, 80).plain == f"Lexus Dijon · {PHONE} · brouillon"


texts = st.text(st.characters(codec="utf-8", exclude_categories=("C",)), max_size=80)


@given(
    name=texts,
    city=texts,
    phone=st.sampled_from(["01 99 00 10 02", "03 53 01 20 06", "+377 99 00 00 00"]),
    status=st.sampled_from(sorted(STATUS_LABELS.values())),
    end=st.sampled_from(["", "fin 14:13"]),
    extra=st.integers(min_value=0, max_value=120),
)
def test_any_name_and_city_give_way_to_the_number(
    name: str, city: str, phone: str, status: str, end: str, extra: int
) -> None:
    fixed = " · ".join(p for p in (phone, status, end) if p)
    width = cell_len(fixed) + extra
    shown = fit_dealer_line(DealerInfo(name, city, phone, status, end), width).plain
    assert cell_len(shown) <= width
    assert shown.endswith(fixed)  # number, status, end: whole, in this order
