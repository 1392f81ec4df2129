"""What the key strips show, grouped as the auditor works (appel · réponses · navigation on
the live call and the follow-up; the screen's keys, then the app's on the new audit and the
reports): binding ids from the keymap, so a remapped key shows as remapped. A strip lays
whole keys out on two lines where one is too short (80 columns): none is cut."""

from __future__ import annotations

from dataclasses import dataclass

from auditor_tui.ui.keymap import ANSWERS, CALL, FOLLOW_UP, GENERAL, NAVIGATION, PICK_IDS


@dataclass(frozen=True)
class StripItem:
    """One item of a key strip: the keys of `ids` (one each; « 1…9 » for a span), then a
    label (the first binding's description unless given). `keep`: never left out for room."""

    ids: tuple[str, ...]
    label: str | None = None
    span: bool = False
    keep: bool = False


def item(key_id: str, *, keep: bool = False) -> StripItem:
    return StripItem((key_id,), keep=keep)


StripLayout = tuple[tuple[str, tuple[StripItem, ...]], ...]

LIVE_STRIP: StripLayout = (
    (
        CALL,
        (
            item("attempt"),
            item("answered"),
            item("transfer_start"),
            item("transfer_pickup"),
            item("discovery"),
            item("end_call", keep=True),
            item("undo", keep=True),
        ),
    ),
    (
        ANSWERS,
        (
            StripItem(PICK_IDS, span=True),
            item("clear"),
            item("agreed_method"),
            item("note"),
        ),
    ),
    (
        NAVIGATION,
        (
            StripItem(("previous", "next", "previous_section", "next_section"), label=""),
            item("jump"),
            item("remaining"),
            item("back"),
        ),
    ),
)

FOLLOW_UP_STRIP: StripLayout = (
    (
        FOLLOW_UP,
        (
            item("email", keep=True),
            item("callback", keep=True),
            item("information"),
            item("complete", keep=True),
            item("reopen", keep=True),
            item("history", keep=True),
        ),
    ),
    (
        ANSWERS,
        (
            StripItem(PICK_IDS, span=True),
            item("clear"),
            item("accept"),
            item("accept_all"),
        ),
    ),
    (NAVIGATION, (StripItem(("previous", "next"), label=""), item("back"))),
)

# The app's own keys, after a screen's.
APP_ITEMS = (item("quit", keep=True), item("help", keep=True), item("command_palette"))

NEW_AUDIT_STRIP: StripLayout = (
    (
        "Nouvel audit",
        (
            item("validate", keep=True),
            item("copy_phone", keep=True),
            item("service", keep=True),
            StripItem(("previous", "next"), label="Concessionnaire"),
            item("back", keep=True),
        ),
    ),
    (GENERAL, APP_ITEMS),
)

REPORT_STRIP: StripLayout = (
    (
        "Rapports",
        (
            item("back", keep=True),
            item("filter", keep=True),
            StripItem(("previous_tab", "next_tab"), label="Onglets"),
            item("reload", keep=True),
        ),
    ),
    (GENERAL, APP_ITEMS),
)
