"""Every key of the call in sight without F1: the key strip of the live call and of the
follow-up fits 80 columns in two lines (grouped: appel · réponses · navigation) and 160 in one,
with « Fin d'appel » and « Annuler » always there and no stray glyph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Static

from auditor_tui.domain.clock import FakeClock
from auditor_tui.ui.app import make_app
from auditor_tui.ui.messages import OpenAudit
from auditor_tui.ui.screens.follow_up import FollowUpScreen
from auditor_tui.ui.widgets.key_strip import Entry, KeyStrip, strip_lines
from tests.ui.conftest import build_audit, fixed_id, home_ready, seed_store, wait_for
from tests.ui.live_helpers import on_the_call

LIVE = fixed_id(42)
FOLLOW_UP = fixed_id(43)
# Every key of the call, as the strip names them (« a »/« z » are on the suggestion line).
CALL_KEYS = [
    "t Tentative",
    "d Décroché",
    "x Transfert",
    "p Pris",
    "q Découverte",
    "f Fin d'appel",
    "u Annuler",
    "1…9 Choix",
    "Suppr Effacer",
    "c Contact",
    "m Note",
    "↑↓←→",
    "g Aller à",
    "v Reste",
    "Échap Accueil",
]
FOLLOW_UP_KEYS = [
    "e E-mail reçu",
    "r Rappel reçu",
    "i Contenu e-mail",
    "T Terminer",
    "R Rouvrir",
    "1…9 Choix",
    "Suppr Effacer",
    "a Accepter",
    "A Tout accepter",
    "↑↓",
    "Échap Retour",
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return seed_store(
        tmp_path / "store",
        [
            build_audit(42, "Lexus Dijon"),
            build_audit(43, "Lexus Lille", status="awaiting_follow_up"),
        ],
    )


def strip_text(app: object) -> list[str]:
    strip = app.screen.query_one(KeyStrip)  # type: ignore[attr-defined]
    return str(strip.render()).splitlines()


def check_fits(lines: list[str], width: int, count: int, keys: list[str]) -> None:
    assert len(lines) == count, lines
    assert all(cell_len(line) <= width for line in lines), lines
    text = "\n".join(lines)
    for key in keys:
        assert key in text, (key, lines)
    assert "^p" not in text and "Commandesi" not in text


@pytest.mark.parametrize(("size", "count"), [((80, 24), 2), ((160, 50), 1), ((120, 30), 2)])
async def test_every_call_key_is_in_sight(
    db: Path, clock: FakeClock, size: tuple[int, int], count: int
) -> None:
    app = make_app(db, clock)
    async with on_the_call(app, LIVE, size) as pilot:
        lines = strip_text(app)
        check_fits(lines, size[0], count, CALL_KEYS)
        # grouped: the call's keys first, the answers, then moving around
        text = " ".join(lines)
        assert text.index("u Annuler") < text.index("1…9") < text.index("↑↓←→")
        suggestion = str(app.screen.query_one("#suggestion", Static).render())
        assert "a : accepter" in suggestion and "z : ignorer" in suggestion
        await pilot.press("t")  # a suggestion now: its keys stay on its line
        suggestion = str(app.screen.query_one("#suggestion", Static).render())
        assert suggestion.startswith("Suggestion Q1") and "a : accepter, z : ignorer" in suggestion


@pytest.mark.parametrize(("size", "count"), [((80, 24), 2), ((160, 50), 1)])
async def test_every_follow_up_key_is_in_sight(
    db: Path, clock: FakeClock, size: tuple[int, int], count: int
) -> None:
    app = make_app(db, clock)
    async with app.run_test(size=size) as pilot:
        await home_ready(pilot)
        app.post_message(OpenAudit(FOLLOW_UP, "awaiting_follow_up"))
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpScreen), "the follow-up")
        await pilot.pause()
        check_fits(strip_text(app), size[0], count, FOLLOW_UP_KEYS)


def entries(*texts: str, keep: tuple[str, ...] = ()) -> list[Entry]:
    found = []
    for text in texts:
        keys, _, label = text.partition(" ")
        found.append(Entry(keys, label, keep=keys in keep))
    return found


def test_narrower_than_80_the_kept_keys_stay() -> None:
    call = entries(
        "t Tentative", "d Décroché", "x Transfert", "f Fin d'appel", "u Annuler", keep=("f", "u")
    )
    answers = entries("1…9 Choix", "Suppr Effacer", "c Contact", "m Note")
    for width in (60, 40, 30):
        lines = [line.plain for line in strip_lines([call, answers], width)]
        assert len(lines) <= 2 and all(cell_len(line) <= width for line in lines), lines
        assert "f Fin d'appel" in "\n".join(lines) and "u Annuler" in "\n".join(lines)


def test_groups_share_a_line_when_they_fit_and_never_split_when_they_fit_alone() -> None:
    call = entries("t Tentative", "f Fin d'appel")
    answers = entries("1…9 Choix", "m Note")
    assert [line.plain for line in strip_lines([call, answers], 80)] == [
        "t Tentative f Fin d'appel │ 1…9 Choix m Note"
    ]
    assert [line.plain for line in strip_lines([call, answers], 30)] == [
        "t Tentative f Fin d'appel",
        "1…9 Choix m Note",
    ]
