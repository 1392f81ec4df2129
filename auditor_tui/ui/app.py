"""The Textual application: opens the store off the UI thread, shows the home screen, and owns
the navigation between screens."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import App, ScreenStackError, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import ThemeProvider

from auditor_tui.domain.clock import Clock, SystemClock
from auditor_tui.text.safe_text import terminal_lines, terminal_text
from auditor_tui.ui import keymap
from auditor_tui.ui.collector import freeze_loaded, paused
from auditor_tui.ui.messages import (
    InProgressFound,
    NewestAudits,
    OpenAudit,
    StoreFailed,
    StoreOpened,
    unreadable_audit_text,
)
from auditor_tui.ui.screens.home import HomeScreen
from auditor_tui.ui.widgets.notice import one_line

if TYPE_CHECKING:  # the store (TinyDB, the grid, the record) is imported by its worker
    from auditor_tui.domain.grid import GridLookup
    from auditor_tui.store import Store
    from auditor_tui.store.index import Summary

# How long the opening worker waits for the newest audits to be painted before it checks the
# others (it would slow that frame down: both need the interpreter).
FIRST_PAINT_WAIT = 0.5  # seconds

EXIT_STORE_UNAVAILABLE = 1
EXIT_NOT_CREATED = 0  # the auditor chose not to create the folder: nothing went wrong


class AuditorApp(App[int]):
    TITLE = "auditor-tui"
    SUB_TITLE = "Programme 5 Étoiles — Contact Management Appel"
    CSS_PATH = ["app.tcss", "screens/home.tcss"]  # the home screen is the default screen
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = keymap.bindings("quit", "help", "help_question_mark", "command_palette")

    def __init__(
        self, db: Path | None = None, clock: Clock | None = None, grids: GridLookup | None = None
    ) -> None:
        # The modules loaded so far live as long as the process: out of the collector's scans.
        freeze_loaded()
        super().__init__()
        self.db, self.grids, self.clock = db, grids, clock or SystemClock()  # grids: Store.open
        self.store: Store | None = None
        self.fatal_message: str | None = None  # why the app quit without opening the store
        self.dealer_count: int | None = None  # the store's directory, once open
        self._store_mutex = threading.Lock()
        self._store_closed = False

    def get_default_screen(self) -> Screen[Any]:
        """The home screen, painted first: it lists the audits once the store is open."""

        return HomeScreen(None, self.clock)

    def on_ready(self) -> None:
        """The first frame is out: open the store (its worker would have slowed that frame),
        once the auditor agreed to create its folder if it does not exist yet."""
        from auditor_tui.store.paths import asks_before_creating

        folder = asks_before_creating(self.db)
        if folder is None:
            self._open_store()
            return

        from auditor_tui.ui.screens.create_store import CreateStoreScreen

        def answered(create: bool | None) -> None:
            if create:
                self._open_store()
            else:
                self.exit(
                    return_code=EXIT_NOT_CREATED,
                    message=Text(terminal_text(f"Aucun dossier créé ({folder}).")),
                )

        self.push_screen(CreateStoreScreen(folder), answered)

    # ---- the store ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="store")
    def _open_store(self) -> None:
        with paused(freeze=True):
            store = self._open_folder()
            if store is None:
                return
            store.summaries()  # built once here: the home screen, its queue, the resume check
        from auditor_tui.session.resume import audits_in_progress, complete_unreachable
        from auditor_tui.store.errors import StoreError  # after the first rows: see _open_folder

        with self._store_mutex:
            if self._store_closed:  # the app quit while the folder was opening
                store.close()
                return
        try:
            dealers = len(store.dealers())
        except StoreError as exc:  # damaged: set aside, said, and the app goes on
            self.call_from_thread(
                self.notify, f"Annuaire illisible : {exc}", severity="error", timeout=15
            )
            dealers = 0
        completed = complete_unreachable(store, self.clock.now())  # left by an older version
        if completed:
            self.call_from_thread(
                self.notify,
                f"{len(completed)} audit(s) de concessionnaire injoignable terminé(s) : "
                "rien à suivre.",
                title="Injoignables",
                timeout=10,
            )
        in_progress = audits_in_progress(store)  # before the home screen's worker starts
        self.post_message(StoreOpened(store, dealers))
        self.post_message(InProgressFound(in_progress, ask=True))

    def _open_folder(self) -> Store | None:
        from auditor_tui.store import Store
        from auditor_tui.store.errors import StoreError, StoreWriteError

        try:
            return Store.open(self.db, first=self._show_newest, grids=self.grids)
        except StoreError as exc:
            message = str(exc)
            if isinstance(exc, StoreWriteError) and exc.not_writable:
                message += (
                    " L'application doit pouvoir écrire chaque réponse ; pour consulter ce "
                    "dossier : « auditor-tui --db DOSSIER --read-only report » ou « … export »."
                )
            self.post_message(StoreFailed(message))
        except OSError as exc:
            where = self.db if self.db is not None else "(dossier par défaut)"
            text = f"Impossible d'ouvrir le dossier de données {where} : {exc.strerror}."
            self.post_message(StoreFailed(text))
        return None

    def _show_newest(self, summaries: list[Summary]) -> None:
        """Called by Store.open in the opening worker with the newest audits: they are shown
        while the others are checked, and the worker waits for them to be painted first."""
        painted = threading.Event()
        self.post_message(NewestAudits(summaries, painted))
        painted.wait(FIRST_PAINT_WAIT)

    def _home_screen(self) -> HomeScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, HomeScreen)), None)

    def on_newest_audits(self, message: NewestAudits) -> None:
        home = self._home_screen()
        if home is None:
            message.painted.set()
        else:
            home.show_newest(message.summaries, message.painted)

    def on_store_opened(self, message: StoreOpened) -> None:
        store = self.store = message.store
        home = self._home_screen()
        if home is not None:  # first: its worker runs while the notices are made
            home.set_store(store)
        if store.recovery_message:
            self.notify(store.recovery_message, severity="warning", timeout=15)
        for damaged in store.damaged:
            self.notify(
                f"Fichier endommagé mis de côté : {damaged.message}", severity="error", timeout=30
            )
        self.dealer_count = message.dealers
        if not message.dealers:
            from auditor_tui.exchange.dealers_csv import empty_directory_text

            self.notify(empty_directory_text(self.db), title="Annuaire vide", timeout=30)

    def on_store_failed(self, message: StoreFailed) -> None:
        self.fatal_message = message.message
        self.exit(return_code=EXIT_STORE_UNAVAILABLE, message=Text(terminal_lines(message.message)))

    def on_unmount(self) -> None:
        with self._store_mutex:
            self._store_closed = True
            if self.store is not None:
                self.store.close()  # flushes the index

    # ---- navigation ---------------------------------------------------------------------------

    # Every screen but the home screen is imported where it is first opened: at the top of
    # this module, the screens that read audits (the call, the follow-up, the new audit, the
    # report) bring the store, the record model and the report before the first frame (home
    # painted 298 ms instead of 215 ms at 1,000 audits: 1.73× the bare Textual app, over the
    # 1.5× target), and the help, resume and store-creation windows cost it another 6-7 ms.

    def on_open_audit(self, message: OpenAudit) -> None:
        from auditor_tui.store.errors import StoreError
        from auditor_tui.ui.screens.follow_up import FollowUpScreen
        from auditor_tui.ui.screens.live_call import LiveCallScreen

        if self.store is None:
            return
        try:  # one small file: read here, so that an unreadable one opens no empty screen
            status = self.store.get(message.audit_id).status
        except (KeyError, StoreError) as exc:
            self._unreadable(message, exc)
            return
        cls = LiveCallScreen if status == "draft" else FollowUpScreen
        try:  # changed on disk since it was read just above
            screen = cls(self.store, message.audit_id, self.clock)
        except (KeyError, StoreError) as exc:
            self._unreadable(message, exc)
            return
        home = self._home_screen()
        if home is not None:
            home.opened(message.audit_id)
        if message.replace:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def _unreadable(self, message: OpenAudit, error: Exception) -> None:
        """The audit cannot be read (its file changed outside the app, damaged, gone): say so
        and stay where the auditor was (the screen that asked to be replaced closes)."""
        self.notify(
            unreadable_audit_text(message.audit_id, error),
            title="Audit illisible",
            severity="error",
            timeout=15,
        )
        if message.replace:
            self.pop_screen()

    def on_in_progress_found(self, message: InProgressFound) -> None:
        if not message.in_progress:
            if not message.ask:
                self.notify("Aucun audit en cours d'appel.")
            return
        newest = message.in_progress[0]
        if not message.ask:
            self.post_message(OpenAudit(newest.id, newest.status))
            return

        from auditor_tui.ui.screens.resume import ResumeScreen

        def answered(resume: bool | None) -> None:
            if resume:
                self.post_message(OpenAudit(newest.id, newest.status))

        self.push_screen(ResumeScreen(newest), answered)

    # ---- actions (bindings and the command palette) ------------------------------------------

    def _store_ready(self) -> Store | None:
        if self.store is None:
            self.notify("Le dossier de données est en cours d'ouverture…")
        return self.store

    def action_new_audit(self) -> None:
        from auditor_tui.ui.screens.new_audit import NewAuditScreen

        store = self._store_ready()
        if store is None or isinstance(self.screen, NewAuditScreen):
            return
        self.push_screen(NewAuditScreen(store, self.clock))

    def action_reports(self) -> None:
        from auditor_tui.ui.screens.report import ReportScreen

        if (store := self._store_ready()) is not None:
            self.push_screen(ReportScreen(store))

    def action_resume(self) -> None:
        if self._store_ready() is not None:
            self._find_in_progress()

    @work(thread=True, exclusive=True, group="resume")
    def _find_in_progress(self) -> None:
        from auditor_tui.session.resume import audits_in_progress

        assert self.store is not None
        self.post_message(InProgressFound(audits_in_progress(self.store), ask=False))

    def action_toggle_auto_advance(self) -> None:
        """The store's setting: after a single-choice answer, go to the next question left."""
        from auditor_tui.session.live import AUTO_ADVANCE_SETTING, auto_advance_setting
        from auditor_tui.store.errors import StoreError
        from auditor_tui.ui.screens.live_call import LiveCallScreen

        store = self._store_ready()
        if store is None:
            return
        on = not auto_advance_setting(store)
        try:
            store.set_setting(AUTO_ADVANCE_SETTING, on)
        except StoreError as exc:
            self.notify(f"Réglage non enregistré : {exc}", severity="error", timeout=10)
            return
        for screen in self.screen_stack:
            if isinstance(screen, LiveCallScreen):
                screen.auto_advance = on
        state = "activée" if on else "désactivée"
        self.notify(f"Avance automatique {state} après une réponse.", title="Réglage")

    def action_help(self) -> None:
        from auditor_tui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        open_already = any(isinstance(s, CommandPalette) for s in self.screen_stack)
        if self.use_command_palette and not open_already:
            self.push_screen(
                CommandPalette(placeholder="Rechercher une commande…", id="--command-palette")
            )

    def action_change_theme(self) -> None:
        self.push_screen(
            CommandPalette(providers=[ThemeProvider], placeholder="Rechercher un thème…")
        )

    def action_help_quit(self) -> None:
        """ctrl+c no longer quits Textual apps; say how to quit, in French."""
        self.notify("Pour quitter, appuyez sur ctrl+q.", title="Quitter")

    def get_key_display(self, binding: Binding) -> str:
        """Key names as on a French keyboard (Échap, Entrée, Suppr, Pg suiv.), F1 in capitals,
        « ^q » for a control key in a footer (the help spells it out: « ctrl+q »)."""
        return binding.key_display or keymap.key_name(binding.key, short=True)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of the app, as plain text whatever `markup` says (Textual's
        screens and widgets pass it on as True): a message quotes names, notes, paths and
        errors, never markup; its control characters are shown as « � » (safe_text).
        On a screen that asks for it (the live call, the follow-up), one line over the title
        bar, the latest only: it never covers the question, the score or the keys; one too
        long for that line is also shown whole in the screen's Notice, if it has one."""
        message, title = terminal_lines(message), terminal_text(title)
        try:
            screen: Screen[Any] | None = self.screen
        except ScreenStackError:
            screen = None
        if screen is not None and getattr(screen, "ONE_LINE_NOTIFICATIONS", False):
            self.clear_notifications()
            timeout = timeout or self.NOTIFICATION_TIMEOUT
            message, title = one_line(screen, message, title, severity, timeout), ""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def format_title(self, title: str, sub_title: str) -> Content:
        """The title bar: a screen's sub-title names the dealer (« Appel — Lexus Dijon »),
        shown as plain text."""
        return super().format_title(terminal_text(title), terminal_text(sub_title))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from auditor_tui.ui.commands import main_commands

        return main_commands(self)


def make_app(
    db: Path | None = None, clock: Clock | None = None, grids: GridLookup | None = None
) -> AuditorApp:
    """The one factory for the CLI and the tests (`grids`: see `Store.open`)."""
    return AuditorApp(db, clock, grids)
