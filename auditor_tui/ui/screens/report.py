"""The report screen (F2 on the home screen): the network report of reports/report.py in tabs,
filtered by period (or wave), dealer, auditor and service. Audits are read and figures computed
off the UI thread; the tables are the same as `auditor-tui report` prints. Under the trends the
highlighted dealer's curve, under the verbatims the highlighted note whole."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Header,
    Input,
    Label,
    Sparkline,
    Static,
    TabbedContent,
    TabPane,
)
from textual.worker import get_current_worker

from auditor_tui.domain.periods import Period
from auditor_tui.reports.cache import load_rows
from auditor_tui.reports.figures import DealerTrend
from auditor_tui.reports.report import NetworkReport
from auditor_tui.reports.rows import SERVICES, AuditRow, Filters
from auditor_tui.reports.sources import load_directory, load_plan
from auditor_tui.reports.table_model import Column, Table
from auditor_tui.reports.tables import TEXT_KINDS, fit_widths, shown_rows, tables
from auditor_tui.reports.verbatims import NoteSpill
from auditor_tui.reports.waves import DirectoryDealer, PlanEntry
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from auditor_tui.text.french import percent_text, thousands
from auditor_tui.ui import keymap
from auditor_tui.ui.key_strips import REPORT_STRIP
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.plain_text import cell, plain, plain_lines
from auditor_tui.ui.widgets.key_strip import KeyStrip

TABS = keymap.REPORT_TABS
BLOCKS = "▁▂▃▄▅▆▇█"
CURVE = Column("curve", "Courbe")


def spark_text(percents: Sequence[float]) -> str:
    """A one-line curve of percents on the absolute 0–100 scale (the same for every dealer)."""
    return "".join(BLOCKS[min(len(BLOCKS) - 1, int(p / 100 * len(BLOCKS)))] for p in percents)


# The verbatims the table shows (ten thousand audits hold tens of thousands): the first ones,
# made into rows alone (making them all took half a second a keystroke at 10,000 audits).
SHOWN_NOTES = 500


def first_upper(text: str) -> str:
    """The first letter up, the rest as written (str.capitalize would make « 2026-T1 »
    « 2026-t1 » and « APV » « apv »)."""
    return text[:1].upper() + text[1:]


def parse_filters(period: str, dealer: str, auditor: str, service: str = "") -> Filters:
    """The filter fields as Filters; ValueError, saying which field, for a period or a service
    that cannot be read."""
    wanted = service.strip().upper()
    if wanted and wanted not in SERVICES:
        raise ValueError(f"Service illisible : {service.strip()!r}, {', '.join(SERVICES)} attendu")
    try:
        chosen = Period.parse(period) if period.strip() else None
    except ValueError as exc:
        raise ValueError(f"Période illisible : {exc}") from exc
    return Filters(chosen, dealer.strip() or None, auditor.strip() or None, wanted or None)


class ReportScreen(Screen[None]):
    CSS_PATH = "report.tcss"
    SUB_TITLE = "Rapports"
    BINDINGS = [
        binding("back", tooltip="Revenir à l'accueil (ou aux tableaux depuis un filtre)"),
        binding("filter", action="focus_filters"),
        *keymap.bindings("next_tab", "previous_tab", "reload"),
        *keymap.bindings(*(f"tab_{name}" for name, _key, _title in TABS)),
    ]

    class RowsLoaded(Message):
        def __init__(
            self,
            rows: list[AuditRow],
            unread: int = 0,
            directory: Sequence[DirectoryDealer] = (),
            plan: Mapping[str, Sequence[PlanEntry]] | None = None,
            problem: str = "",
            spill: NoteSpill | None = None,
        ) -> None:
            super().__init__()
            self.rows = rows
            self.spill = spill  # the rows' notes, set aside on disk
            self.unread = unread  # audits that could not be read: left out, and said so
            self.directory = directory
            self.plan = plan
            self.problem = problem  # a stored plan that cannot be read: said, not used

    class ReportReady(Message):
        def __init__(self, report: NetworkReport, shown: list[tuple[Table, int]]) -> None:
            super().__init__()
            self.report = report
            self.shown = shown  # each table as shown (the first notes only), and its length

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.rows: list[AuditRow] | None = None
        self.unread = 0
        self.directory: Sequence[DirectoryDealer] = ()
        self.plan: Mapping[str, Sequence[PlanEntry]] | None = None
        self.problem = ""
        self.report: NetworkReport | None = None
        # The verbatims' notes, on disk (half a million at 100,000 audits): the first ones read
        # when shown. Each load sets aside its own; the one shown is removed with the screen.
        self.spill: NoteSpill | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="report-filters"):
            yield Input(placeholder="Période, vague", id="filter-period", compact=True)
            yield Input(placeholder="Concession", id="filter-dealer", compact=True)
            yield Input(placeholder="Auditeur", id="filter-auditor", compact=True)
            yield Input(placeholder="Service", id="filter-service", compact=True)
        yield Static("Chargement des audits…", id="report-summary")
        with TabbedContent(id="report-tabs"):
            for name, key, title in TABS:
                with TabPane(keymap.tab_label(key, title), id=f"tab-{name}"):
                    yield Label("", id=f"title-{name}", classes="table-title")
                    yield DataTable(id=f"table-{name}", cursor_type="row", zebra_stripes=True)
                    if name == "trends":
                        with Vertical(id="trend-detail"):
                            yield Label("", id="trend-label")
                            yield Sparkline([], id="trend-spark")
                    if name == "verbatims":
                        yield Static("", id="verbatim-detail")
                    yield Static("", id=f"note-{name}", classes="note")
        yield KeyStrip(REPORT_STRIP, id="keys")  # every key whole at 80 columns

    def on_mount(self) -> None:
        self.query_one("#table-dealers", DataTable).focus()
        self._load()

    # ---- loading and computing, off the UI thread ---------------------------------------------

    @work(thread=True, exclusive=True, group="report-load")
    def _load(self) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(self._summary, f"Chargement des audits… {done}/{total}")

        unread: list[str] = []
        spill = NoteSpill()
        try:
            rows = load_rows(self.store, progress, unread=unread, spill=spill)
        except BaseException:
            spill.close()
            raise
        directory, plan, problem = load_directory(self.store), None, ""
        try:
            plan = load_plan(self.store)
        except StoreError as exc:
            problem = str(exc)
        if get_current_worker().is_cancelled:
            spill.close()
        else:
            self.post_message(self.RowsLoaded(rows, len(unread), directory, plan, problem, spill))

    def on_report_screen_rows_loaded(self, message: ReportScreen.RowsLoaded) -> None:
        self.rows = message.rows
        self.unread = message.unread
        self.directory = message.directory
        self.plan = message.plan
        self.problem = message.problem
        old, self.spill = self.spill, message.spill
        if old is not None:
            old.close()  # once a computation reading it is done
        self._recompute()

    def on_unmount(self) -> None:
        if self.spill is not None:
            self.spill.close()

    @on(Input.Changed)
    def _filters_changed(self) -> None:
        if self.rows is not None:
            self._recompute()

    @on(Input.Submitted)
    def _filters_submitted(self) -> None:
        self._focus_table()

    def _recompute(self) -> None:
        try:
            filters = parse_filters(
                self.query_one("#filter-period", Input).value,
                self.query_one("#filter-dealer", Input).value,
                self.query_one("#filter-auditor", Input).value,
                self.query_one("#filter-service", Input).value,
            )
        except ValueError as exc:
            self._summary(str(exc), error=True)
            return
        self._compute(list(self.rows or []), filters, self.spill)

    # A description of its own: else Textual's @work describes the worker by the repr of its
    # arguments, every row (100,000 rows: seconds and 160 MB at each recompute, on the UI
    # thread).
    @work(thread=True, exclusive=True, group="report-compute", description="figures du rapport")
    def _compute(self, rows: list[AuditRow], filters: Filters, spill: NoteSpill | None) -> None:
        from auditor_tui.reports.report import build_report

        report = build_report(rows, filters, self.directory, self.plan, with_verbatims=False)
        kept = [r for r in rows if filters.keeps(r)]  # the verbatims' audits, as the report's
        first = spill.first(kept, SHOWN_NOTES) if spill is not None else []
        report = dataclasses.replace(report, verbatims=tuple(first))
        total = {"verbatims": spill.count(kept) if spill is not None else 0}
        shown = [(t, total.get(t.name, len(t.rows))) for t in tables(report)]
        if not get_current_worker().is_cancelled:
            self.post_message(self.ReportReady(report, shown))

    def on_report_screen_report_ready(self, message: ReportScreen.ReportReady) -> None:
        report = self.report = message.report
        unread = f" · {self.unread} illisible(s), laissé(s) de côté" if self.unread else ""
        problem = f" · {self.problem} ; couverture sans ce plan" if self.problem else ""
        self._summary(
            f"{first_upper(report.filters.describe())} · {report.counted} audit(s) compté(s)"
            f" · {report.left_out} en cours, non compté(s){unread}{problem}",
            error=bool(self.unread or self.problem),
        )
        for table, total in message.shown:
            self._fill(table, report, total)
        self._show_trend()
        self._show_verbatim()

    # ---- showing --------------------------------------------------------------------------

    def _summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#report-summary", Static)
        summary.update(plain(text))  # it quotes the filters typed: not markup
        summary.set_class(error, "-error")

    def _fill(self, table: Table, report: NetworkReport, total: int) -> None:
        widget = self.query_one(f"#table-{table.name}", DataTable)
        cursor = widget.cursor_row
        widget.clear(columns=True)
        columns = [c for c in table.columns if c.shown]
        rows = shown_rows(table)
        if table.name == "trends":  # the curve, right after the dealer's name
            columns.insert(1, CURVE)
            rows = [
                [row[0], spark_text(t.percents), *row[1:]]
                for row, t in zip(rows, report.trends, strict=True)
            ]
        widths = [max([len(c.label), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
        for column, width in zip(
            columns, fit_widths(widths, columns, self.app.size.width - 2, gap=2), strict=True
        ):
            widget.add_column(column.label, width=width)
        for row in rows:
            widget.add_row(
                *(
                    cell(value, "left" if c.kind in TEXT_KINDS else "right", "ellipsis")
                    for value, c in zip(row, columns, strict=True)
                )
            )
        if rows:
            widget.move_cursor(row=min(cursor, len(rows) - 1))
        self.query_one(f"#title-{table.name}", Label).update(table.title)
        note = table.note if rows else f"{table.empty} {table.note}"
        if total > len(rows):
            note = (
                f"Les {len(rows)} premières sur {thousands(total)} : filtrez (période, "
                "concession, service) ; toutes : auditor-tui report --format csv --table "
                f"{table.name}. {note}"
            )
        self.query_one(f"#note-{table.name}", Static).update(note)

    def _show_trend(self) -> None:
        trend = self._highlighted_trend()
        label = self.query_one("#trend-label", Label)
        spark = self.query_one("#trend-spark", Sparkline)
        if trend is None:
            label.update("")
            spark.data = []
            return
        values = " → ".join(percent_text(p) for p in trend.percents)
        quarters = f"{trend.quarters[0]} à {trend.quarters[-1]}"
        label.update(plain(f"{trend.dealer} ({quarters}) : {values}"))
        spark.data = list(trend.percents)

    def _highlighted_trend(self) -> DealerTrend | None:
        if self.report is None or not self.report.trends:
            return None
        row = self.query_one("#table-trends", DataTable).cursor_row
        return self.report.trends[max(0, min(row, len(self.report.trends) - 1))]

    @on(DataTable.RowHighlighted, "#table-trends")
    def _trend_highlighted(self) -> None:
        self._show_trend()

    def _show_verbatim(self) -> None:
        """The highlighted note whole, wrapped, under its question: the table cuts it."""
        detail = self.query_one("#verbatim-detail", Static)
        found = self.report.verbatims if self.report else ()
        if not found:
            detail.update("")
            return
        row = self.query_one("#table-verbatims", DataTable).cursor_row
        v = found[max(0, min(row, len(found) - 1))]
        where = " · ".join(x for x in (v.dealer, v.wave, v.service, v.auditor) if x)
        detail.update(plain_lines([plain((f"Q{v.question} ", "bold"), v.text), where, v.note]))

    @on(DataTable.RowHighlighted, "#table-verbatims")
    def _verbatim_highlighted(self) -> None:
        self._show_verbatim()

    def _focus_table(self) -> None:
        active = self.query_one(TabbedContent).active or "tab-dealers"
        self.query_one(f"#table-{active.removeprefix('tab-')}", DataTable).focus()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        if not isinstance(self.focused, Input):
            self._focus_table()

    # ---- actions --------------------------------------------------------------------------

    def action_show_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{name}"
        self._focus_table()

    def _step_tab(self, step: int) -> None:
        names = [name for name, _key, _title in TABS]
        active = (self.query_one(TabbedContent).active or "tab-dealers").removeprefix("tab-")
        self.action_show_tab(names[(names.index(active) + step) % len(names)])

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def action_focus_filters(self) -> None:
        self.query_one("#filter-period", Input).focus()

    def action_reload(self) -> None:
        self._summary("Relecture des audits…")
        self._load()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self._focus_table()
        else:
            self.dismiss()
