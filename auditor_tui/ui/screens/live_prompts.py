"""Small prompts of the live call: jump to a question by id, a question's note (verbatim),
and the list of what is still unanswered. Each dismisses with its result (None: cancelled)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from auditor_tui.text.safe_text import terminal_text
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.plain_text import edited, plain


def normalise_question_id(text: str) -> str:
    """« Q7B », « q 7b », « 7b » → « 7b »."""
    return text.strip().lower().removeprefix("q").strip()


class TypedAhead(events.Key):
    """A key that reached the call after a window it opened: the window's (see
    LiveCallScreen.on_key)."""


class _Prompt(ModalScreen[str | None]):
    """Échap closes the window and changes nothing (the call goes on); Entrée submits."""

    CSS_PATH = "live_prompts.tcss"
    BINDINGS = [binding("back", description="Annuler", tooltip="Fermer sans rien changer")]
    _leaving = False  # dismissed: keys still coming go back to the call

    def action_back(self) -> None:
        self.close(None)

    def close(self, result: str | None) -> None:
        self._leaving = True
        self.dismiss(result)

    def field(self) -> Input | None:
        found = self.query(Input)
        return found.first() if found else None

    def submit(self, text: str) -> None:
        """Entrée in the field: close with the result, or say why not."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    def on_typed_ahead(self, event: TypedAhead) -> None:
        """A key typed in one go with the one that opened the window (« g12⏎ »), passed on by
        the call: letters go into the field, Entrée submits; once the window is closing, the
        key goes back to the call."""
        event.stop()  # it is this window's only: not to bubble up as a new key
        event.prevent_default()
        if self._leaving:
            if self.app.screen is not self:  # off the stack already: the call is on top
                self.app.screen.post_message(events.Key(event.key, event.character))
            return
        field = self.field()
        if field is None:
            return
        if event.key == "enter":
            self.submit(field.value)
        elif event.is_printable:
            field.focus()
            field.insert_text_at_cursor(event.character or "")


class JumpPrompt(_Prompt):
    """Type a question id (« 7b ») and Enter."""

    SUB_TITLE = "Aller à une question"

    def __init__(self, is_known: Callable[[str], bool]) -> None:
        super().__init__()
        self.is_known = is_known

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label("Aller à la question (ex. 7b) :")
            yield Input(placeholder="numéro de question", id="jump-input")
            yield Label("", id="jump-error")

    def submit(self, text: str) -> None:
        qid = normalise_question_id(text)
        if self.is_known(qid):
            self.close(qid)
        else:
            self.query_one("#jump-error", Label).update(plain(f"Pas de question « {text} »"))


class NotePrompt(_Prompt):
    """The note (verbatim) of one question; Enter saves, an empty note removes it."""

    SUB_TITLE = "Note de la question"

    def __init__(self, qid: str, text: str) -> None:
        super().__init__()
        self.qid = qid
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(f"Note de la question {self.qid} (Entrée : enregistrer, Échap : annuler)")
            note = terminal_text(self.text)  # as stored: shown as text
            yield Input(note, placeholder="verbatim, remarque…", id="note-input")

    def submit(self, text: str) -> None:
        self.close(edited(self.text, text))


class RemainingPrompt(_Prompt):
    """What is still unanswered; Enter goes to the highlighted question."""

    SUB_TITLE = "Reste à répondre"

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.items = list(items)

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt -list"):
            yield Label(f"Reste à répondre : {len(self.items)} question(s) — Entrée pour y aller")
            yield OptionList(
                *(Option(plain(f"Q{qid:<3} {text}"), id=qid) for qid, text in self.items),
                id="remaining-list",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.close(event.option.id)
