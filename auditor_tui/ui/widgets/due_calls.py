"""« À appeler aujourd'hui » on the home screen: the planned calls due today and overdue, with
the dealer, the day, the time window and the service. The widget shows what the screen hands
it (`Computed`: the screen reads the plans off the UI thread, widgets never touch storage);
Entrée on a call posts `Start`. Hidden when there is nothing to call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from auditor_tui.text.french import day_text
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.plain_text import plain

if TYPE_CHECKING:
    from auditor_tui.domain.plan import DueCall

TITLE = "À appeler aujourd'hui"
DEALER_WIDTH = 28


def due_line(due: DueCall) -> Content:
    """« en retard  lun. 4 janv.   10:00-11:00  Lexus Dijon  VN »: one line at 80 columns."""
    call = due.call
    when = "en retard" if due.overdue else "aujourd'hui"
    dealer = (
        call.dealer if len(call.dealer) <= DEALER_WIDTH else call.dealer[: DEALER_WIDTH - 1] + "…"
    )
    style = "$text-warning" if due.overdue else "$text-primary"
    window = "-".join(call.window)
    rest = f" {day_text(call.day):<14} {window}  {dealer:<{DEALER_WIDTH}}  {call.service}"
    return plain((f"{when:<11}", style), rest)


class DueList(OptionList):
    """The calls; Entrée starts the one highlighted."""

    BINDINGS = [
        binding(
            "validate",
            keys="enter",
            action="select",
            description="Commencer",
            tooltip="Commencer l'audit planifié : concessionnaire et service remplis",
        ),
    ]


class DueCalls(Vertical):
    class Computed(Message):
        """What to show: the calls due (oldest first) on `today`, or why the plans could not
        be read."""

        def __init__(self, calls: Sequence[DueCall], today: date, problem: str | None) -> None:
            super().__init__()
            self.calls = list(calls)
            self.today = today
            self.problem = problem

    class Start(Message):
        """Start the audit of this planned call."""

        def __init__(self, due: DueCall) -> None:
            super().__init__()
            self.due = due

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.calls: list[DueCall] = []
        self.display = False

    def compose(self) -> ComposeResult:
        yield Label(TITLE, id="due-title")
        yield DueList(id="due-list")

    @on(Computed)
    def _computed(self, message: Computed) -> None:
        message.stop()
        self.calls = message.calls
        options = self.query_one(DueList)
        highlighted = options.highlighted
        options.clear_options()
        title = self.query_one("#due-title", Label)
        if message.problem is not None:
            title.update(plain((f"{TITLE} : plan illisible", "$text-error")))
            options.add_option(Option(plain(message.problem), disabled=True))
        else:
            late = sum(d.overdue for d in self.calls)
            count = f"{len(self.calls)}" + (f" ({late} en retard)" if late else "")
            title.update(plain((TITLE, "bold"), f" : {count} · F4 puis Entrée : commencer"))
            options.add_options(Option(due_line(d)) for d in self.calls)
            if self.calls:
                options.highlighted = min(highlighted or 0, len(self.calls) - 1)
        self.display = bool(self.calls) or message.problem is not None

    @on(OptionList.OptionSelected, "#due-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.calls):
            self.post_message(self.Start(self.calls[event.option_index]))

    def focus_list(self) -> bool:
        """Give the list the focus; False when there is nothing to call."""
        if not self.calls:
            return False
        self.query_one(DueList).focus()
        return True
