"""The follow-up screen of one audit: the deadlines with live countdowns, the e-mail and the
call-back as they arrive, Q16–Q24 with the suggestions the record supports, completing and
reopening the audit. Every change goes through `FollowUpSession` (saved before it shows)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from auditor_tui.domain.clock import Clock
from auditor_tui.domain.lifecycle import LifecycleError
from auditor_tui.domain.record import STATUS_LABELS
from auditor_tui.session.followup import FollowUpError, FollowUpSession
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from auditor_tui.text.french import STAR
from auditor_tui.ui import keymap
from auditor_tui.ui.key_strips import FOLLOW_UP_STRIP
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.plain_text import plain
from auditor_tui.ui.screens.follow_up_evidence import (
    ask_callback,
    ask_email,
    confirm_early,
    early_for_answer,
)
from auditor_tui.ui.screens.follow_up_modals import ReasonModal
from auditor_tui.ui.screens.follow_up_view import (
    deadline_lines,
    evidence_text,
    history_text,
    question_view,
    save_state,
    status_text,
    suggestion_texts,
)
from auditor_tui.ui.widgets.key_strip import KeyStrip
from auditor_tui.ui.widgets.notice import Notice
from auditor_tui.ui.widgets.question_line import QuestionLine
from auditor_tui.ui.widgets.question_list import SectionStrip
from auditor_tui.ui.widgets.question_view import QuestionView
from auditor_tui.ui.widgets.static_text import set_text


class FollowUpScreen(Screen[None]):
    CSS_PATH = "follow_up.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    ONE_LINE_NOTIFICATIONS = True  # over the title bar; a longer one whole in its Notice
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    BINDINGS = [
        *keymap.bindings(
            "email",
            "callback",
            "information",
            "complete",
            "reopen",
            "history",
            *keymap.PICK_IDS,
            "clear",
            "accept",
            "accept_all",
        ),
        binding("previous", description="Question préc.", tooltip="Question précédente"),
        binding("next", description="Question suiv.", tooltip="Question suivante"),
        binding("back", tooltip="Revenir à l'accueil"),
        binding(
            "save",
            action="retry_save",
            description="Réenregistrer",
            tooltip="Réessayer l'enregistrement qui a échoué",
            show=False,
        ),
    ]

    def __init__(self, store: Store, audit_id: str, clock: Clock) -> None:
        super().__init__()
        self.store = store
        self.audit_id = audit_id
        self.clock = clock
        self.session = FollowUpSession(store, audit_id, clock)
        self._ids = self.session.questions()
        self._selected = 0
        self._refusal: str | None = None  # why « terminer » was refused, until the next change
        self._history_shown = False  # « h »: the history in place of the current question

    # ---- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="fu-body"):
            yield Static(id="fu-dealer")
            yield Static(id="fu-times")
            yield Static(id="fu-suggestions")
            yield Static(id="fu-suggestions-short")
            with Horizontal(id="fu-answers"):
                with Vertical(id="fu-questions"):
                    for qid in self._ids:
                        yield QuestionLine(id=f"q-{qid}", classes="question", markup=False)
                with Vertical(id="fu-current"):
                    yield SectionStrip(id="fu-strip")
                    yield QuestionView(id="fu-question")
                    yield Static(id="fu-history")
                with Vertical(id="fu-side"):
                    # what may be long goes last: the score and what is missing stay in sight
                    yield Notice(id="fu-notice")
                    yield Static(id="fu-save-state", markup=False)
                    yield Static(id="fu-status")
                    yield Static(id="fu-evidence")
        yield KeyStrip(FOLLOW_UP_STRIP, id="keys")

    def on_mount(self) -> None:
        self.render_all()
        self.set_interval(1.0, self.tick)

    # ---- rendering ------------------------------------------------------------------------

    def render_all(self) -> None:
        audit = self.session.audit
        now = self.clock.now()
        dealer = audit.dealer
        place = f" — {dealer.city}" if dealer.city else ""
        status = STATUS_LABELS.get(audit.status, audit.status)
        self.sub_title = f"{dealer.name} · {status} · rév. {audit.revision}"
        set_text(
            self.query_one("#fu-dealer", Static),
            plain((dealer.name, "bold"), f"{place} · {status} · révision {audit.revision}"),
        )
        self.set_class(audit.status == "complete", "-complete")
        self._render_times(now)
        self._render_evidence()
        self._render_suggestions(now)
        self._render_questions(now)
        self._render_status()
        self._render_saved()
        self._render_history()

    def _render_history(self) -> None:
        shown = self._history_shown
        self.set_class(shown, "-history")
        if shown:
            set_text(self.query_one("#fu-history", Static), history_text(self.session))

    def _render_saved(self) -> None:
        """« ✓ enregistré 14:05:09 », or « ⚠ NON ENREGISTRÉ » with the key that saves again
        (the error itself was notified), as on the live call."""
        s = self.session
        widget = self.query_one("#fu-save-state", Static)
        text = save_state(s)
        set_text(widget, text)
        widget.display = bool(text)
        widget.set_class(s.save_error is not None, "-error")

    def tick(self) -> None:
        """Every second: the countdowns, and the suggestions a passing deadline brings."""
        now = self.clock.now()
        self._render_times(now)
        self._render_suggestions(now)
        self._render_questions(now)

    def _render_times(self, now: datetime) -> None:
        set_text(self.query_one("#fu-times", Static), deadline_lines(self.session, now))

    def _render_evidence(self) -> None:
        set_text(self.query_one("#fu-evidence", Static), evidence_text(self.session))

    def _render_suggestions(self, now: datetime) -> None:
        pending = self.session.suggestions(now)
        full = self.query_one("#fu-suggestions", Static)
        short = self.query_one("#fu-suggestions-short", Static)
        full.set_class(not pending, "-empty")
        short.set_class(not pending, "-empty")
        if not pending:
            return
        full_text, short_text = suggestion_texts(self.session.grid, pending)
        set_text(full, full_text)
        set_text(short, short_text)

    def _render_questions(self, now: datetime) -> None:
        s = self.session
        audit = s.audit
        grid = s.grid
        suggestions = {x.question: x for x in s.suggestions(now)}
        for i, qid in enumerate(self._ids):
            line = self.query_one(f"#q-{qid}", QuestionLine)
            line.set_class(i == self._selected, "-selected")
            line.show(grid.question(qid), audit.answers.get(qid, []), suggestions.get(qid))
        current = self._current_qid()
        if current is None:
            return
        progress, state = question_view(s, current)
        self.query_one(SectionStrip).progress = progress
        self.query_one(QuestionView).state = state

    def _render_status(self) -> None:
        status = self.query_one("#fu-status", Static)
        status.set_class(self._refusal is not None, "-refused")
        set_text(status, status_text(self.session.audit, self._refusal))

    # ---- actions --------------------------------------------------------------------------

    def _not_saved(self, error: StoreError) -> None:
        """A change the store refused: kept on screen, marked not saved (as on the live call)."""
        self.notify(str(error), title="NON ENREGISTRÉ", severity="error", timeout=10)
        self.render_all()

    def action_retry_save(self) -> None:
        if self.session.save_error is None:
            self.notify("Tout est déjà enregistré.")
            return
        self.run_change(lambda: self.session.retry_save(self.clock.now()), "Enregistré.")

    def run_change(self, change: Callable[[], object], done: str | None = None) -> bool:
        """Apply one change through the session; say why when it is refused or not saved."""
        try:
            change()
        except StoreError as exc:
            self._not_saved(exc)
            return False
        except (FollowUpError, LifecycleError) as exc:
            self.notify(str(exc), severity="warning")
            return False
        self._refusal = None
        self.render_all()
        if done:
            self.notify(done)
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_move(self, step: int) -> None:
        count = len(self._ids)
        if not count:
            return
        self._selected = max(0, min(self._selected + step, count - 1))
        self._render_questions(self.clock.now())

    def _current_qid(self) -> str | None:
        ids = self._ids
        return ids[self._selected] if ids else None

    def action_pick(self, position: int) -> None:
        """Press an option; a « Non » before its deadline is asked first."""
        qid = self._current_qid()
        if qid is None:
            return

        def change() -> None:
            self.run_change(lambda: self.session.answer(qid, position, self.clock.now()))

        early = early_for_answer(self.session, qid, position, self.clock.now())
        if early and self.session.editable:
            title = f"Q{qid} « Non » avant l'échéance ?"
            confirm_early(self, early, title, "répondre « Non »", change)
        else:
            change()

    def action_clear(self) -> None:
        qid = self._current_qid()
        if qid is not None:
            self.run_change(lambda: self.session.clear(qid, self.clock.now()))

    def action_accept(self) -> None:
        now = self.clock.now()
        pending = self.session.suggestions(now)
        if not pending:
            self.notify("Aucune suggestion à accepter.")
            return
        qid = self._current_qid()
        chosen = next((x for x in pending if x.question == qid), pending[0])
        self.run_change(
            lambda: self.session.accept(chosen, now),
            f"Q{chosen.question} : {chosen.answer_text(self.session.grid)}",
        )

    def action_accept_all(self) -> None:
        now = self.clock.now()
        if not self.session.suggestions(now):
            self.notify("Aucune suggestion à accepter.")
            return
        self.run_change(lambda: self.session.accept_all(now), "Suggestions acceptées.")

    def _editable(self) -> bool:
        if not self.session.editable:
            self.notify("Audit terminé : rouvrez-le (R) pour le modifier.", severity="warning")
        return self.session.editable

    def action_email(self) -> None:
        if self._editable():
            ask_email(self)

    def action_toggle_information(self) -> None:
        self.run_change(lambda: self.session.toggle_email_information(self.clock.now()))

    def action_callback(self) -> None:
        if self._editable():
            ask_callback(self)

    def action_toggle_history(self) -> None:
        """Show the audit's history in place of the current question, or back."""
        self._history_shown = not self._history_shown
        self._render_history()

    def action_complete(self) -> None:
        """Complete the audit; asked first while a deadline is still open with its evidence
        missing (the completion then notes it in the history)."""
        if self.session.audit.status == "complete":
            self.notify("Audit déjà terminé.")
            return
        audit = self.session.audit
        early = self.session.waiting(self.clock.now())
        if early and audit.call.ended_at and not audit.missing():
            confirm_early(self, early, "Terminer avant l'échéance ?", "terminer", self._complete)
            return
        self._complete()

    def _complete(self) -> None:
        try:
            self.session.complete(self.clock.now())
        except LifecycleError as exc:
            missing = ", ".join(m if not m[0].isdigit() else f"Q{m}" for m in exc.missing)
            self._refusal = f"Impossible de terminer, il manque : {missing}"
            self.notify(
                f"Impossible de terminer : il manque {missing}.", severity="error", timeout=10
            )
            self._render_status()
            self._select_first_missing(exc.missing)
            return
        except StoreError as exc:
            self._not_saved(exc)
            return
        score = self.session.audit.score()
        self.render_all()
        self.notify(f"Audit terminé : {score.points}/{score.max} ({score.stars} {STAR}).")

    def _select_first_missing(self, missing: list[str]) -> None:
        ids = self._ids
        for qid in missing:
            if qid in ids:
                self._selected = ids.index(qid)
                self.action_move(0)
                return

    def action_reopen(self) -> None:
        if self.session.audit.status != "complete":
            self.notify("Seul un audit terminé peut être rouvert.", severity="warning")
            return

        def done(reason: str | None) -> None:
            if reason:
                self.run_change(
                    lambda: self.session.reopen(reason, self.clock.now()), "Audit rouvert."
                )

        self.app.push_screen(ReasonModal(), done)
