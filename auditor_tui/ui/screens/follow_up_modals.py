"""The windows of the follow-up screen: the dealer's e-mail (typed, or read from pasted headers
whichever field has the focus), the advisor's call-back, the reason of a reopening, and the
yes/no question before something recorded is removed. Each dismisses with what was entered
(None: nothing changes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Checkbox,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Static,
    TextArea,
)

from auditor_tui.domain.email_headers import (
    EmailHeaderError,
    looks_like_headers,
    parse_email_date,
    pasted_lines,
)
from auditor_tui.domain.suggestions import METHOD_LABELS
from auditor_tui.session.followup import FollowUpError
from auditor_tui.text.french import format_input, format_long, parse_local
from auditor_tui.text.safe_text import terminal_lines, terminal_text
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.plain_text import edited, plain, plain_lines

TimeCheck = Callable[[datetime], None]  # raises FollowUpError when the time is not acceptable


@dataclass(frozen=True)
class EmailEntry:
    at: datetime
    has_information: bool


@dataclass(frozen=True)
class CallbackEntry:
    at: datetime
    method: str
    note: str


@dataclass(frozen=True)
class RemoveEntry:
    """The auditor confirmed removing what was recorded (noted on the wrong audit, say)."""


@dataclass(frozen=True)
class Recorded:
    """What a modal's audit already has noted, as the screen shows it, and the answers given
    that rest on it (« Q16 → Oui »; empty when none): both shown before removing it."""

    text: str
    answers: str = ""


class ConfirmModal(ModalScreen[bool]):
    """A yes/no question before something is removed, or a verdict given before its time:
    Entrée / o yes; Échap, n or any other key no (a key meant for something else changes
    nothing)."""

    CSS_PATH = "follow_up.tcss"
    SUB_TITLE = "Confirmation"
    BINDINGS = [
        binding("validate", description="Oui", tooltip="Confirmer la suppression"),
        binding("back", description="Non", tooltip="Ne rien supprimer"),
    ]
    ANSWER_KEYS = frozenset({"enter", "o", "escape"})  # any other key, « n » first: « non »

    def __init__(self, question: str, detail: str, yes: str | None = "supprimer") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes = yes  # what « oui » does, named on the keys' line (None: the question says)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Label(self.question, classes="modal-title")
            yield Static(plain_lines([self.detail]), id="confirm-detail")
            yield Label(
                f"Entrée / o : oui{f', {self.yes}' if self.yes else ''} · "
                "Échap / n (toute autre touche) : non",
                classes="modal-keys",
            )

    def on_key(self, event: events.Key) -> None:
        if event.key not in self.ANSWER_KEYS:
            event.stop()
            event.prevent_default()
            self.dismiss(False)

    def action_validate(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)


class TimeInput(Input):
    """The time field: a pasted block of e-mail headers is not typed into it (it would follow
    the time already there: « heure illisible ») but left to the window, which reads it."""

    def on_paste(self, event: events.Paste) -> None:
        if looks_like_headers(event.text):
            event.prevent_default()  # Input's own handler skipped; it goes on to the window


class HeadersArea(TextArea):
    """The pasted headers' field: a paste is not inserted here as it came but left to the
    window, which puts it here as text (its control characters shown) and reads it."""

    async def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # TextArea's own handler skipped


class _TimeModal(ModalScreen[object]):
    """A modal with a time field in the dealer's zone, checked before it closes."""

    CSS_PATH = "follow_up.tcss"
    BINDINGS = [
        binding("back", description="Annuler", tooltip="Fermer sans rien enregistrer"),
        binding("save", keys="ctrl+s", description="Enregistrer"),
        binding("remove"),  # once something is recorded (check_action)
    ]

    def __init__(
        self,
        zone: str,
        default: datetime,
        now: datetime,
        check: TimeCheck,
        recorded: Recorded | None = None,
    ) -> None:
        super().__init__()
        self.zone = zone
        self.default = default
        self.now = now
        self.check = check
        self.recorded = recorded

    heading = ""
    time_label = ""
    recorded_label = ""  # « E-mail noté », before what is recorded in the confirmation
    remove_question = ""  # asked before removing it

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box"):
            yield Label(self.heading, classes="modal-title")
            if self.recorded is not None:
                yield Static(plain(f"Noté : {self.recorded.text}"), id="modal-recorded")
            yield Label(plain(f"{self.time_label} ({_zone_hint(self.zone)}) :"))
            yield TimeInput(
                format_input(self.default, self.zone), id="modal-time", select_on_focus=False
            )
            yield from self.compose_fields()
            yield Static("", id="modal-error")
            keys = "enregistrer" if self.recorded is None else "remplacer · ctrl+r : supprimer"
            yield Label(f"Entrée / ctrl+s : {keys} · Échap : annuler", classes="modal-keys")

    def compose_fields(self) -> ComposeResult:
        """The modal's own fields, below the time."""
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#modal-error").display = False
        self.query_one("#modal-time", Input).focus()

    def read_time(self) -> datetime | None:
        """The typed time, checked; shows the problem in the modal and returns None."""
        try:
            at = parse_local(self.query_one("#modal-time", Input).value, self.zone, self.now)
            self.check(at)
        except (ValueError, FollowUpError) as exc:
            self.show_error(str(exc))
            return None
        return at

    def show_error(self, message: str) -> None:
        error = self.query_one("#modal-error", Static)
        error.update(plain_lines([message]))
        error.display = True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """« supprimer » only when something is recorded."""
        return self.recorded is not None if action == "remove" else True

    def action_remove(self) -> None:
        """Ask first; on « oui », close with RemoveEntry (the screen removes and says so)."""
        recorded = self.recorded
        if recorded is None:
            return
        detail = f"{self.recorded_label} : {recorded.text}"
        if recorded.answers:
            detail += (
                f"\nLes réponses déjà données restent ({recorded.answers}) : "
                "les suggestions seront recalculées, à vous de décider."
            )

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(RemoveEntry())

        self.app.push_screen(ConfirmModal(self.remove_question, detail), answered)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()


class EmailModal(_TimeModal):
    """When the dealer's e-mail arrived (typed, or read from pasted headers) and what it held."""

    SUB_TITLE = "E-mail reçu"

    heading = "E-mail du concessionnaire reçu"
    time_label = "Heure de réception"
    recorded_label = "E-mail noté"
    remove_question = "Supprimer l'e-mail reçu noté sur cet audit ?"

    def __init__(
        self,
        zone: str,
        default: datetime,
        now: datetime,
        check: TimeCheck,
        has_information: bool = True,
        recorded: Recorded | None = None,
    ) -> None:
        super().__init__(zone, default, now, check, recorded)
        self.has_information = has_information

    def compose_fields(self) -> ComposeResult:
        yield Checkbox(
            "Contenait les informations demandées (brochure, liste de prix)",
            self.has_information,
            id="email-info",
        )
        yield Label(
            "Ou collez les en-têtes bruts de l'e-mail (la ligne Date: suffit)\n"
            "ou le bloc « De : … Envoyé : … » affiché par la messagerie :"
        )
        yield HeadersArea(id="email-headers", soft_wrap=False, show_line_numbers=False)
        yield Static("", id="email-parsed")

    def on_paste(self, event: events.Paste) -> None:
        """A paste that reached the window (the focus on the time field or the checkbox): the
        headers' field takes it and reads the time from it."""
        if not event.text.strip():
            return
        event.stop()
        headers = self.query_one("#email-headers", TextArea)
        headers.text = terminal_lines(pasted_lines(event.text))  # shown as text, not sent
        headers.focus()

    @on(TextArea.Changed, "#email-headers")
    def _headers_changed(self, event: TextArea.Changed) -> None:
        parsed = self.query_one("#email-parsed", Static)
        if not event.text_area.text.strip():
            parsed.update("")
            return
        try:
            moment = parse_email_date(event.text_area.text)
        except EmailHeaderError as exc:
            parsed.update(plain_lines([str(exc)]))  # it may quote the pasted text
            parsed.set_class(True, "-error")
            return
        parsed.set_class(False, "-error")
        offset = moment.strftime("%z")
        sent = f"UTC{offset[:3]}:{offset[3:]}"
        parsed.update(plain(f"Date: lue : {format_long(moment, self.zone)} — envoyé en {sent}"))
        self.query_one("#modal-time", Input).value = format_input(moment, self.zone)

    def action_submit(self) -> None:
        at = self.read_time()
        if at is not None:
            self.dismiss(EmailEntry(at, self.query_one("#email-info", Checkbox).value))


class CallbackModal(_TimeModal):
    """When and how the sales advisor recontacted the auditor, with a note."""

    SUB_TITLE = "Rappel reçu"

    heading = "Rappel du conseiller"
    time_label = "Heure du rappel"
    recorded_label = "Rappel noté"
    remove_question = "Supprimer le rappel noté sur cet audit ?"

    def __init__(
        self,
        zone: str,
        default: datetime,
        now: datetime,
        check: TimeCheck,
        method: str,
        recorded: Recorded | None = None,
        note: str = "",
    ) -> None:
        super().__init__(zone, default, now, check, recorded)
        self.method = method
        self.note = note  # the recorded note: replacing the time keeps it unless edited

    def compose_fields(self) -> ComposeResult:
        yield Label("Méthode :")
        with RadioSet(id="callback-method"):
            for method, label in METHOD_LABELS.items():
                yield RadioButton(label.capitalize(), value=method == self.method, name=method)
        yield Label("Note :")
        yield Input(
            terminal_text(self.note), placeholder="ce qui a été dit, proposé…", id="callback-note"
        )

    def action_submit(self) -> None:
        at = self.read_time()
        if at is None:
            return
        pressed = self.query_one(RadioSet).pressed_button
        method = pressed.name if pressed is not None and pressed.name else self.method
        note = edited(self.note, self.query_one("#callback-note", Input).value)
        self.dismiss(CallbackEntry(at, method, note))


class ReasonModal(ModalScreen[str | None]):
    """Why a completed audit is reopened (kept in its event log)."""

    CSS_PATH = "follow_up.tcss"
    SUB_TITLE = "Rouvrir l'audit"
    BINDINGS = [binding("back", description="Annuler", tooltip="Ne pas rouvrir l'audit")]

    def compose(self) -> ComposeResult:
        with Vertical(id="modal-box"):
            yield Label("Rouvrir l'audit", classes="modal-title")
            yield Label("Motif de la réouverture (gardé dans l'historique) :")
            yield Input(id="reason-input")
            yield Static("", id="modal-error")
            yield Label("Entrée : rouvrir · Échap : annuler", classes="modal-keys")

    def on_mount(self) -> None:
        self.query_one("#modal-error").display = False
        self.query_one("#reason-input", Input).focus()

    @on(Input.Submitted, "#reason-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            error = self.query_one("#modal-error", Static)
            error.update("Un motif est requis.")
            error.display = True
            return
        self.dismiss(event.value.strip())

    def action_back(self) -> None:
        self.dismiss(None)


def _zone_hint(zone: str) -> str:
    from auditor_tui.text.french import zone_label

    return f"JJ/MM/AAAA HH:MM:SS, {zone_label(zone)}"
