"""The home screen: every audit (newest first, filtered as you type) and the follow-ups pending."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

from auditor_tui.domain.clock import Clock
from auditor_tui.ui.collector import collect_and_freeze
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.messages import OpenAudit
from auditor_tui.ui.plain_text import plain
from auditor_tui.ui.screens.home_due import feed_due, focus_due, start_planned
from auditor_tui.ui.screens.home_queue import feed_queue, save_memory, save_seen, show_missed
from auditor_tui.ui.screens.home_rows import (
    COLUMNS_NARROW,
    COLUMNS_WIDE,
    WIDE,
    AuditRow,
    Cells,
    audit_rows,
    cell_texts,
    count_text,
    filter_rows,
    narrows,
)
from auditor_tui.ui.textual_patches import FixedRowsTable, KeysFooter
from auditor_tui.ui.widgets.due_calls import DueCalls
from auditor_tui.ui.widgets.followup_queue import FollowUpQueue
from auditor_tui.ui.widgets.static_text import set_text

if TYPE_CHECKING:
    from auditor_tui.store import Store
    from auditor_tui.store.index import Summary

# DataTable measures every cell it is given (about 0.1 ms each): the table shows the newest
# MAX_ROWS matches (the filter searches them all), and MAX_ROWS more each time the cursor comes
# within MORE_BEFORE_END rows of the last one shown.
MAX_ROWS = 250
MORE_BEFORE_END = 20


class AuditTable(FixedRowsTable[Text]):
    """The audits: Enter opens the highlighted one."""

    BINDINGS = [
        binding(
            "validate",
            keys="enter",
            action="select_cursor",
            description="Ouvrir",
            tooltip="Ouvrir l'audit sélectionné",
        ),
        # DataTable's own home/end move sideways; in a list of rows they go to its ends.
        binding("first", description="Premier audit", tooltip="Aller au premier audit"),
        binding("last", description="Dernier audit affiché", tooltip="Aller au dernier affiché"),
    ]


class HomeScreen(Screen[None]):
    """The app's default screen (its CSS, home.tcss, is the app's: a default screen's own
    CSS_PATH is not read)."""

    AUTO_FOCUS = "#audits"
    SUB_TITLE = "Audits"
    BINDINGS = [
        binding("new_audit"),
        binding(
            "validate",
            keys="o",
            action="open",
            description="Ouvrir",
            tooltip="Ouvrir l'audit sélectionné",
            show=False,
        ),
        binding("filter"),
        binding("due", show=False),  # named in the panel's title, shown when calls are due
        binding("reports"),
        binding(
            "back",
            action="clear_filter",
            description="Effacer le filtre",
            tooltip="Effacer le filtre et revenir à la liste",
            show=False,
        ),
    ]

    class RowsLoaded(Message):
        """Every audit's row, built off the UI thread, newest first, with the cells of the
        newest MAX_ROWS (by audit id and width)."""

        def __init__(self, rows: list[AuditRow], cells: dict[tuple[str, bool], Cells]) -> None:
            super().__init__()
            self.rows = rows
            self.cells = cells

    def __init__(self, store: Store | None, clock: Clock) -> None:
        """`store` None: the app is still opening it; it hands it over with `set_store`."""
        super().__init__()
        self.store = store
        self.clock = clock
        self._rows: list[AuditRow] = []
        self._matches: list[AuditRow] = []
        self._shown: list[AuditRow] = []
        self._wide: bool | None = None
        self._loaded = False
        self._frozen = False
        self._query = ""  # the filter that gave `_matches`
        self._fills = 0  # table fills so far (a fill left half done is finished if still last)
        self._cells: dict[tuple[str, bool], Cells] = {}  # by (audit id, wide)
        self._opened: str | None = None  # the audit opened last: the cursor goes back to it

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Filtrer : concessionnaire, ville, statut…  ( / )", id="filter")
        with Vertical(id="home-body"):
            yield DueCalls(id="due")
            with Vertical(id="audits-panel", classes="-empty"):
                yield AuditTable(id="audits", cursor_type="row", zebra_stripes=True)
                yield Static(self._waiting_text(), id="audits-empty")
                yield Static("", id="audits-count")
            with Vertical(id="queue-panel"):
                yield Label("Suivis en attente", id="queue-title")
                yield FollowUpQueue(self.clock, id="queue")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self._set_layout(self.app.size.width)

    def _waiting_text(self) -> str:
        if self.store is None:
            return "Ouverture du dossier de données…"
        return "Chargement des audits…"

    def show_newest(self, summaries: Sequence[Summary], painted: threading.Event) -> None:
        """The newest audits, while the store checks the others: shown at once (no filter on
        the others yet); `painted` is set once they are on screen."""
        if not self._loaded:
            self._rows = audit_rows(summaries)
            self._show(refilter=True, first=self.app.size.height)
        self.call_after_refresh(painted.set)

    def set_store(self, store: Store) -> None:
        """The store is open (the screen was shown before it was): list its audits."""
        self.store = store
        self.query_one("#audits-empty", Static).update(self._waiting_text())
        self._load()

    def on_screen_resume(self) -> None:
        """Shown, or back from another screen: the list may have changed."""
        self._load()
        if self._loaded:
            feed_queue(self, self.store)
            feed_due(self, self.store, self.clock)

    def _load(self) -> None:
        if self.store is not None:
            self._load_rows(self.store)

    @work(thread=True, exclusive=True, group="home-load")
    def _load_rows(self, store: Store) -> None:
        rows = audit_rows(store.summaries())
        # The cells (dates, texts) of the rows shown first are made here too: at start, a
        # screenful (see on_home_screen_rows_loaded); later, all the rows the table shows.
        first = self.app.size.height if not self._loaded else MAX_ROWS
        wide = bool(self._wide)
        cells = {(row.id, wide): cell_texts(row, wide) for row in rows[:first]}
        self.post_message(self.RowsLoaded(rows, cells))

    def on_home_screen_rows_loaded(self, message: RowsLoaded) -> None:
        first = not self._loaded
        self._rows = message.rows
        self._cells = message.cells
        self._loaded = True
        # At start, a screenful of rows first: shown sooner, the others right after.
        self._show(refilter=True, first=self.app.size.height if first else None)
        if first:  # once the rows are painted: the queue, then the collector (see below)
            self.call_after_refresh(self._after_first_rows)

    def _after_first_rows(self) -> None:
        feed_queue(self, self.store)
        feed_due(self, self.store, self.clock)

    def on_follow_up_queue_seen(self, message: FollowUpQueue.Seen) -> None:
        save_seen(self, self.store, message.at)

    def on_follow_up_queue_remember(self, message: FollowUpQueue.Remember) -> None:
        save_memory(self, self.store, message.memory)

    def on_follow_up_queue_missed_asked(self, message: FollowUpQueue.MissedAsked) -> None:
        show_missed(self, message)

    def on_follow_up_queue_computed(self) -> None:
        if not self._frozen:
            self._frozen = True
            self.call_after_refresh(collect_and_freeze)

    @property
    def loaded(self) -> bool:
        """True once the audits have been read (the table shows them) and the follow-up queue
        computed."""
        return self._loaded and self.query_one("#queue", FollowUpQueue).loaded

    def on_resize(self, event: Resize) -> None:
        self._set_layout(event.size.width)

    def _set_layout(self, width: int) -> None:
        """Columns for the width: the narrow layout leaves out the city and the percent."""
        wide = width >= WIDE
        if wide != self._wide:
            self._wide = wide
            # At 80 columns the Footer has no room left for ctrl+p (the help lists it).
            self.query_one(KeysFooter).show_command_palette = wide
            table = self.query_one("#audits", AuditTable)
            table.clear(columns=True)
            for label, column_width in COLUMNS_WIDE if wide else COLUMNS_NARROW:
                table.add_column(label, width=column_width)
            self._fill(table, self._shown)

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._show()

    def _show(self, *, refilter: bool = False, first: int | None = None) -> None:
        """Filter the rows and show the newest MAX_ROWS matches; `refilter`: the rows changed
        (else a filter that narrows the previous one only searches its matches); `first`: see
        `_fill`."""
        query = self.query_one("#filter", Input).value
        if refilter or not narrows(query, self._query):
            self._matches = filter_rows(self._rows, query)
        else:
            self._matches = filter_rows(self._matches, query)
        self._query = query
        self._shown = self._matches[:MAX_ROWS]
        self._fill(self.query_one("#audits", AuditTable), self._shown, first=first)
        empty = self.query_one("#audits-empty", Static)
        if not self._loaded:
            set_text(empty, self._waiting_text())
        elif not self._rows:
            set_text(empty, "Aucun audit pour l'instant. « n » : nouvel audit.")
        elif not self._shown:
            set_text(empty, plain(f"Aucun audit ne correspond à « {query} »."))
        empty.display = not self._shown
        self.query_one("#audits-panel").set_class(not self._shown, "-empty")
        set_text(self.query_one("#audits-count", Static), self._count_line(query))

    def _count_line(self, query: str) -> str:
        if not self._rows:
            return ""
        if not self._loaded:
            return "Chargement des autres audits…"
        total = count_text(len(self._rows))
        if query.strip():
            found = len(self._matches)
            line = f"{found} sur {total}" if found else ""
        else:
            line = total
        if len(self._matches) > len(self._shown):
            line += f" · {len(self._shown)} plus récents affichés, la suite en descendant"
        return line

    @on(AuditTable.RowHighlighted, "#audits")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_more(event.cursor_row)

    def _show_more(self, cursor_row: int) -> None:
        """The cursor near the last row shown: the next MAX_ROWS matches are added below."""
        table = self.query_one("#audits", AuditTable)
        shown = len(self._shown)
        if (
            cursor_row < shown - MORE_BEFORE_END
            or len(self._matches) <= shown
            or table.row_count < shown  # the rest of a fill is still to come
        ):
            return
        more = self._matches[shown : shown + MAX_ROWS]
        self._shown = [*self._shown, *more]
        self._add_rows(table, more)
        set_text(self.query_one("#audits-count", Static), self._count_line(self._query))

    def _fill(
        self, table: DataTable[Text], rows: Sequence[AuditRow], *, first: int | None = None
    ) -> None:
        """Replace the rows, keeping the cursor on the same audit if still shown. `first`: only
        that many rows now (a screenful), the others once they are painted."""
        self._fills += 1
        current = self._opened or self.selected_id
        table.clear()
        index = next((i for i, row in enumerate(rows) if row.id == current), None)
        if index is not None and current == self._opened:
            self._opened = None  # the cursor is on it: from now on it follows the auditor
        now = len(rows) if first is None else max(first, (index or 0) + 1)
        self._add_rows(table, rows[:now])
        if index is not None:
            table.move_cursor(row=index, scroll=True)
        if now < len(rows):
            self.call_after_refresh(self._fill_rest, table, rows[now:], self._fills)

    def _fill_rest(self, table: DataTable[Text], rows: Sequence[AuditRow], fill: int) -> None:
        if fill == self._fills:  # not replaced since
            self._add_rows(table, rows)

    def _add_rows(self, table: DataTable[Text], rows: Iterable[AuditRow]) -> None:
        wide = bool(self._wide)
        for row in rows:
            table.add_row(*self._texts(row, wide), key=row.id)

    def _texts(self, row: AuditRow, wide: bool) -> Cells:
        """The row's cells, made once per load: a key typed in the filter shows many of the
        same rows again."""
        key = (row.id, wide)
        texts = self._cells.get(key)
        if texts is None:
            if len(self._cells) >= 8 * MAX_ROWS:  # a bound, whatever the filters typed
                self._cells.clear()
            texts = self._cells[key] = cell_texts(row, wide)
        return texts

    def opened(self, audit_id: str) -> None:
        """An audit was opened (a new one, say): back on this screen, the cursor is on it."""
        self._opened = audit_id

    @property
    def shown_ids(self) -> list[str]:
        """The audits in the table, top to bottom."""
        return [row.id for row in self._shown]

    @property
    def selected_id(self) -> str | None:
        table = self.query_one("#audits", AuditTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return key.value

    def _row(self, audit_id: str) -> AuditRow | None:
        return next((r for r in self._shown if r.id == audit_id), None)

    # ---- actions --------------------------------------------------------------------------

    def action_open(self) -> None:
        audit_id = self.selected_id
        row = self._row(audit_id) if audit_id else None
        if row is None:
            self.notify("Aucun audit sélectionné.")
            return
        self.query_one(FollowUpQueue).seen_audit(row.id)
        self.post_message(OpenAudit(row.id, row.status))

    @on(AuditTable.RowSelected, "#audits")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    @on(FollowUpQueue.Selected)
    def _queue_selected(self, message: FollowUpQueue.Selected) -> None:
        message.stop()
        self.query_one(FollowUpQueue).seen_audit(message.audit_id)
        self.post_message(OpenAudit(message.audit_id, "awaiting_follow_up"))

    @on(DueCalls.Start)
    def _start_planned(self, message: DueCalls.Start) -> None:
        start_planned(self, self.store, self.clock, message.due)

    def action_focus_due(self) -> None:
        focus_due(self)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one("#audits", AuditTable).focus()

    def action_clear_filter(self) -> None:
        filt = self.query_one("#filter", Input)
        filt.value = ""
        self.query_one("#audits", AuditTable).focus()
