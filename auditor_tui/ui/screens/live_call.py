"""The live call screen: one key per action while the auditor talks to the dealer. The rules
live in `auditor_tui.session.live.LiveCall`; this screen maps keys to it and shows the result, saved
before it is shown as saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Header, Static

from auditor_tui.domain.clock import Clock
from auditor_tui.domain.grid import Grid
from auditor_tui.domain.scoring import shown_stars
from auditor_tui.domain.suggestions import Suggestion
from auditor_tui.session.call_state import LiveCallError
from auditor_tui.session.live import LiveCall, auto_advance_setting
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from auditor_tui.text.safe_text import terminal_text
from auditor_tui.ui.collector import QuietCollector
from auditor_tui.ui.key_strips import LIVE_STRIP
from auditor_tui.ui.messages import unreadable_audit_text
from auditor_tui.ui.plain_text import plain
from auditor_tui.ui.screens import live_confirm
from auditor_tui.ui.screens.live_commands import LIVE_BINDINGS, LiveCallCommands
from auditor_tui.ui.screens.live_confirm import Question, Step
from auditor_tui.ui.screens.live_prompts import (
    JumpPrompt,
    NotePrompt,
    RemainingPrompt,
    TypedAhead,
)
from auditor_tui.ui.screens.live_view import (
    all_answered,
    call_facts,
    grid_view,
    phone_display,
    pickup_label,
    question_after,
    save_state,
    section_after,
    stopwatch_state,
    suggestion_line,
    transfer_seconds,
)
from auditor_tui.ui.textual_patches import release_styles_caches
from auditor_tui.ui.widgets.dealer_line import DealerLine
from auditor_tui.ui.widgets.key_strip import KeyStrip
from auditor_tui.ui.widgets.question_list import QuestionList, SectionStrip
from auditor_tui.ui.widgets.question_view import QuestionView
from auditor_tui.ui.widgets.score_panel import ScorePanel, ScoreView
from auditor_tui.ui.widgets.static_text import set_text
from auditor_tui.ui.widgets.stopwatch import Stopwatch

W = TypeVar("W", bound=Widget)
TICK_SECONDS = 0.1


class LiveCallScreen(Screen[str]):
    CSS_PATH = "live_call.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide"), (150, "-full")]
    COMMANDS = {LiveCallCommands}
    ONE_LINE_NOTIFICATIONS = True  # over the title bar: the question and the score stay in sight
    BINDINGS = LIVE_BINDINGS

    def __init__(self, store: Store, audit_id: str, clock: Clock) -> None:
        super().__init__()
        self.store = store
        self.audit_id = audit_id
        self.clock = clock
        self.live: LiveCall | None = None
        self.grid: Grid | None = None  # the audit's: its numbers named in the keys' help
        self.current = ""
        self.auto_advance = True  # the store's setting, read on mount (the app toggles it)
        self._over_limit = False
        self._timer: Timer | None = None
        self._phone: str | None = None
        self._collector = QuietCollector(release=release_styles_caches)  # removed widgets go
        self._found: dict[tuple[type[Widget], str | None], Widget] = {}
        self.question = Question()  # asked in place before a phase change

    # ---- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="info-bar"):
            yield DealerLine(id="dealer")
            yield Static(id="save-state", markup=False)
        yield Static(id="facts", markup=False)
        yield Static(id="ask")  # in the facts' place while a phase change is asked
        with Horizontal(id="body"):
            yield QuestionList(id="question-list")
            with Vertical(id="main"):
                yield SectionStrip(id="strip")
                yield QuestionView(id="question")
            with Vertical(id="side"):
                yield Stopwatch(id="stopwatch")
                yield ScorePanel(id="score")
        yield Static(id="suggestion", markup=False)
        yield KeyStrip(LIVE_STRIP, id="keys")

    def on_mount(self) -> None:
        try:
            self.live = LiveCall(self.store, self.audit_id, self.clock)
        except (KeyError, StoreError) as exc:
            text = unreadable_audit_text(self.audit_id, exc)
            self.notify(text, title="Audit illisible", severity="error", timeout=15)
            self._one(Static, "#facts").update(plain(text))
            return
        live = self.live
        self.grid = live.grid
        self.sub_title = f"Appel — {live.audit.dealer.name}"
        self.auto_advance = auto_advance_setting(self.store)
        missing = live.remaining()
        self.current = missing[0] if missing else live.grid.question_ids[0]
        self._one(Static, "#ask").display = False
        self.refresh_view()
        self._collector.start()
        self._timer = self.set_interval(TICK_SECONDS, self._on_tick)

    def _on_tick(self) -> None:
        self.tick()
        self._collector.idle()  # a full collection of the garbage collector, when no key comes

    # ---- showing the state ------------------------------------------------------------------

    def _one(self, kind: type[W], selector: str | None = None) -> W:
        """`query_one`, looked up once: the screen's widgets stay for its whole life, and a key
        press updates a dozen of them."""
        key = (kind, selector)
        found = self._found.get(key)
        if found is None:
            found = self.query_one(selector, kind) if selector else self.query_one(kind)
            self._found[key] = found
        return cast(W, found)

    def tick(self) -> None:
        """Timer refresh: only the stopwatch, plus the suggestion line when the transfer
        crosses the limit (a time-driven suggestion appears)."""
        live = self.live
        if live is None:
            return
        elapsed, provisional = self._transfer_seconds(live)
        state = stopwatch_state(live, elapsed, provisional)
        self._one(Stopwatch).state = state
        over = state.over and live.transfer_running
        if over != self._over_limit:
            self._over_limit = over
            self._show_suggestion()

    def _transfer_seconds(self, live: LiveCall) -> tuple[float | None, bool]:
        asked = self.question.step(live_confirm.TRANSFER_START)
        return transfer_seconds(live, asked.at if asked else None, self.clock.monotonic())

    def refresh_view(self) -> None:
        live = self.live
        if live is None:
            return
        self._collector.activity()
        progress, question = grid_view(live, self.current)
        self._one(SectionStrip).progress = progress
        self._one(QuestionList).progress = progress
        self._one(QuestionView).state = question
        score = live.score
        self._one(ScorePanel).view = ScoreView(
            score, shown_stars(live.grid, score, live.audit.status)
        )
        if self._phone is None:  # parsed once: the dealer does not change during the call
            self._phone = phone_display(live)
        dealer, facts = call_facts(live, self._phone)
        self._one(DealerLine).info = dealer
        set_text(self._one(Static, "#facts"), facts, layout=False)
        self._show_saved()
        self._show_suggestion()
        self.tick()

    def _show_saved(self) -> None:
        live = self.live
        assert live is not None
        widget = self._one(Static, "#save-state")
        text = terminal_text(save_state(live))  # the error may quote a path
        # Auto width, one line: a layout pass only when the length changes (not every second).
        set_text(widget, text, layout=cell_len(text) != cell_len(str(widget.content)))
        widget.set_class(live.save_error is not None, "-error")

    def _suggestion(self) -> Suggestion | None:
        pending = self.live.suggestions() if self.live is not None else []
        return pending[0] if pending else None

    def _show_suggestion(self) -> None:
        widget = self._one(Static, "#suggestion")
        pending = self.live.suggestions() if self.live is not None else []
        set_text(widget, suggestion_line(self.live.grid if self.live else None, pending))
        widget.set_class(bool(pending), "-pending")

    # ---- doing ------------------------------------------------------------------------------

    def _do(self, change: Callable[[LiveCall], object]) -> None:
        """Run one change (saved by LiveCall before it returns), then show the new state."""
        live = self.live
        if live is None:
            return
        try:
            result = change(live)
        except LiveCallError as exc:
            self.notify(str(exc), title="Refusé", severity="warning")
        except StoreError as exc:
            self.notify(str(exc), title="NON ENREGISTRÉ", severity="error", timeout=10)
        else:
            if isinstance(result, str):
                self.notify(result)
        self.refresh_view()

    def action_attempt(self) -> None:
        self._do(LiveCall.dial_attempt)

    # ---- phase changes: asked in place, done at the instant of their key ---------------------

    def ask(self, kind: str, label: str, run: Callable[[LiveCall, float], object]) -> None:
        """Ask « label ? » in place; on « oui » (validate) `run` gets this key's instant."""
        if self.live is None or live_confirm.refuse_done(self.live, kind, self.notify):
            return
        if self.question.add(Step(kind, label, self.clock.monotonic(), run)):
            self._show_question()

    def _show_question(self) -> None:
        widget = self._one(Static, "#ask")
        if self.question:
            set_text(widget, self.question.content())
        widget.display = bool(self.question)
        self._one(Static, "#facts").display = not self.question
        self.refresh_bindings()  # Entrée/o answer only while a question is asked
        self.tick()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "validate":  # listed in the help, acts only while a question is asked
            return True if self.question else None
        return True

    def action_validate(self) -> None:
        """« oui »: every step asked, in the order of their keys, each at its key's instant."""
        for step in self.question.take():
            self._do(step.apply)
        self._show_question()

    def action_back(self) -> None:
        """Échap: drops the question asked (nothing changes), else goes home."""
        if self.question:
            self.question.take()
            self._show_question()
            return
        if self._timer is not None:
            self._timer.stop()
        self.dismiss(self.audit_id)

    def action_answered(self) -> None:
        self.ask(live_confirm.ANSWERED, "Décroché", LiveCall.answered)

    def action_transfer_start(self) -> None:
        self.ask(live_confirm.TRANSFER_START, "Début de transfert", LiveCall.transfer_start)

    def action_transfer_pickup(self) -> None:
        if self.live is not None:
            label = pickup_label(self._transfer_seconds(self.live)[0])
            self.ask(live_confirm.TRANSFER_PICKUP, label, LiveCall.transfer_pickup)

    def action_discovery(self) -> None:
        self._do(LiveCall.discovery_question)

    def action_end_call(self) -> None:
        self.ask(live_confirm.END_CALL, "Fin d'appel", LiveCall.end_call)

    def action_undo(self) -> None:  # asked, but for the discovery count (no instant to lose)
        label = live_confirm.UNDO_LABELS.get(self.live.next_undo() or "") if self.live else None
        if label is None:
            return self._do(LiveCall.undo)
        self.ask(live_confirm.UNDO, label, live_confirm.undo)

    def action_agreed_method(self) -> None:
        self._do(LiveCall.cycle_agreed_method)

    def action_retry_save(self) -> None:
        self._do(LiveCall.retry_save)

    def action_accept(self) -> None:
        s = self._suggestion()
        if s is None:
            self.notify("Aucune suggestion à accepter")
            return
        if s.ends_call:  # unreachable: the audit ends
            label = f"Injoignable ({s.reason})"
            self.ask(live_confirm.UNREACHABLE, label, lambda live, at: live.accept(s, at=at))
            return
        self._do(lambda live: live.accept(s))

    def action_dismiss_suggestion(self) -> None:
        s = self._suggestion()
        if s is not None:
            self._do(lambda live: live.dismiss(s))

    def action_pick(self, position: int) -> None:
        qid = self.current
        if self.live is not None and live_confirm.makes_unreachable(self.live, qid, position):
            label = "Injoignable : aucune autre question ne se répondra"
            self.ask(live_confirm.UNREACHABLE, label, lambda live, _at: live.answer(qid, position))
            return
        live = self.live
        first = live is not None and not live.audit.answers.get(qid)
        self._do(lambda live: live.answer(qid, position))
        self._one(QuestionView).show_option(position)
        if live is None or not (first and self.auto_advance and live.audit.answers.get(qid)):
            return
        if not live.grid.question(qid).multi:  # a multi-select takes several keys
            following = live.next_question(qid)
            if following is not None:
                self.go_to(following)

    def action_scroll(self, direction: int) -> None:
        """Long questions (Q21 at 80×24) overflow: page through the question's options."""
        view = self._one(QuestionView)
        if direction < 0:
            view.scroll_page_up()
        else:
            view.scroll_page_down()

    def action_clear(self) -> None:
        qid = self.current
        self._do(lambda live: live.clear(qid))

    def action_move(self, step: int) -> None:
        if self.live is not None:
            self.go_to(question_after(self.live, self.current, step))

    def action_section(self, step: int) -> None:
        if self.live is not None:
            self.go_to(section_after(self.live, self.current, step))

    def go_to(self, qid: str | None) -> None:
        if qid is not None and self.live is not None and self.live.grid.has_question(qid):
            self.current = qid
            self.refresh_view()

    def action_jump(self) -> None:
        if self.live is not None:
            self.app.push_screen(JumpPrompt(self.live.grid.has_question), self.go_to)

    def action_note(self) -> None:
        live = self.live
        if live is None:
            return
        qid = self.current
        self.app.push_screen(
            NotePrompt(qid, live.audit.notes.get(qid, "")),
            lambda text: self._noted(qid, text),
        )

    def _noted(self, qid: str, text: str | None) -> None:
        if text is not None:
            self._do(lambda live: live.set_note(qid, text))

    def action_remaining(self) -> None:
        live = self.live
        if live is None:
            return
        missing = live.remaining()
        if not missing:
            self.notify(all_answered(live))
            return
        items = [(qid, live.grid.question(qid).text) for qid in missing]
        self.app.push_screen(RemainingPrompt(items), self.go_to)

    async def on_key(self, event: events.Key) -> None:
        """The call's keys act in the order typed, even when several come in one go (a fast
        typist, a terminal sending « g12⏎ » together): each runs here, as it reaches the
        screen, rather than later where Textual would look it up against the screen on top
        by then (a window opened by an earlier key of the burst would swallow it). A key
        that reaches the call once such a window is open is the window's."""
        above = self.app.screen
        if above is not self:
            event.stop()
            event.prevent_default()
            above.post_message(TypedAhead(event.key, event.character))
            return
        active = self.active_bindings.get(event.key)
        textuals = active is not None and active.binding.action.startswith("screen.")  # ctrl+c
        if active is not None and active.node is self and active.enabled and not textuals:
            event.stop()
            event.prevent_default()
            await self.run_action(active.binding.action)

    def on_unmount(self) -> None:
        self._collector.stop()
