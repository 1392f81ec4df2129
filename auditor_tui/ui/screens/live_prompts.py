"""Small prompts of the live call: jump to a question by id, a question's note (verbatim),
and the list of what is still unanswered. Each dismisses with its result (None: cancelled)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from auditor_tui.ui.keymap import binding


def normalise_question_id(text: str) -> str:
    """« Q7B », « q 7b », « 7b » → « 7b »."""
    return text.strip().lower().removeprefix("q").strip()


class _Prompt(ModalScreen[str | None]):
    """Échap closes the window and changes nothing (the call goes on)."""

    CSS_PATH = "live_prompts.tcss"
    BINDINGS = [binding("back", description="Annuler", tooltip="Fermer sans rien changer")]

    def action_back(self) -> None:
        self.dismiss(None)


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

    def on_input_submitted(self, event: Input.Submitted) -> None:
        qid = normalise_question_id(event.value)
        if self.is_known(qid):
            self.dismiss(qid)
        else:
            self.query_one("#jump-error", Label).update(f"Pas de question « {event.value} »")


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
            yield Input(self.text, placeholder="verbatim, remarque…", id="note-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


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
                *(Option(f"Q{qid:<3} {text}", id=qid) for qid, text in self.items),
                id="remaining-list",
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
