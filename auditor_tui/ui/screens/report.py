"""The report screen (key r on the home screen): the network report of reports/figures.py in
tabs, filtered by period, dealer and auditor. Audits are read and figures computed off the UI
thread; the tables are the same as `auditor-tui report` prints."""

from __future__ import annotations

from collections.abc import Sequence

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
from auditor_tui.reports.figures import DealerTrend, NetworkReport
from auditor_tui.reports.rows import AuditRow, Filters
from auditor_tui.reports.tables import TEXT_KINDS, Column, Table, fit_widths, shown_rows, tables
from auditor_tui.store import Store
from auditor_tui.text.french import percent_text
from auditor_tui.ui import keymap
from auditor_tui.ui.key_strips import REPORT_STRIP
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.plain_text import cell, plain
from auditor_tui.ui.widgets.key_strip import KeyStrip

TABS = keymap.REPORT_TABS
BLOCKS = "▁▂▃▄▅▆▇█"
CURVE = Column("curve", "Courbe")


def spark_text(percents: Sequence[float]) -> str:
    """A one-line curve of percents on the absolute 0–100 scale (the same for every dealer)."""
    return "".join(BLOCKS[min(len(BLOCKS) - 1, int(p / 100 * len(BLOCKS)))] for p in percents)


def parse_filters(period: str, dealer: str, auditor: str) -> Filters:
    """The filter fields as Filters; ValueError for a period that cannot be read."""
    return Filters(
        Period.parse(period) if period.strip() else None,
        dealer.strip() or None,
        auditor.strip() or None,
    )


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
        def __init__(self, rows: list[AuditRow], unread: int = 0) -> None:
            super().__init__()
            self.rows = rows
            self.unread = unread  # audits that could not be read: left out, and said so

    class ReportReady(Message):
        def __init__(self, report: NetworkReport) -> None:
            super().__init__()
            self.report = report

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.rows: list[AuditRow] | None = None
        self.unread = 0
        self.report: NetworkReport | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="report-filters"):
            yield Input(placeholder="Période : 2026, 2026-T2…", id="filter-period", compact=True)
            yield Input(placeholder="Concession", id="filter-dealer", compact=True)
            yield Input(placeholder="Auditeur", id="filter-auditor", compact=True)
        yield Static("Chargement des audits…", id="report-summary")
        with TabbedContent(id="report-tabs"):
            for name, _key, title in TABS:
                with TabPane(f"[u]{title[0]}[/u]{title[1:]}", id=f"tab-{name}"):
                    yield Label("", id=f"title-{name}", classes="table-title")
                    yield DataTable(id=f"table-{name}", cursor_type="row", zebra_stripes=True)
                    if name == "trends":
                        with Vertical(id="trend-detail"):
                            yield Label("", id="trend-label")
                            yield Sparkline([], id="trend-spark")
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
        rows = load_rows(self.store, progress, unread=unread)
        if not get_current_worker().is_cancelled:
            self.post_message(self.RowsLoaded(rows, len(unread)))

    def on_report_screen_rows_loaded(self, message: ReportScreen.RowsLoaded) -> None:
        self.rows = message.rows
        self.unread = message.unread
        self._recompute()

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
            )
        except ValueError as exc:
            self._summary(f"Période illisible : {exc}", error=True)
            return
        self._compute(list(self.rows or []), filters)

    @work(thread=True, exclusive=True, group="report-compute")
    def _compute(self, rows: list[AuditRow], filters: Filters) -> None:
        from auditor_tui.reports.figures import build_report

        report = build_report(rows, filters)
        if not get_current_worker().is_cancelled:
            self.post_message(self.ReportReady(report))

    def on_report_screen_report_ready(self, message: ReportScreen.ReportReady) -> None:
        report = self.report = message.report
        unread = f" · {self.unread} illisible(s), laissé(s) de côté" if self.unread else ""
        self._summary(
            f"{report.filters.describe().capitalize()} · {report.counted} audit(s) compté(s)"
            f" · {report.left_out} en cours, non compté(s){unread}",
            error=bool(self.unread),
        )
        for table in tables(report):
            self._fill(table, report)
        self._show_trend()

    # ---- showing --------------------------------------------------------------------------

    def _summary(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#report-summary", Static)
        summary.update(plain(text))  # it quotes the filters typed: not markup
        summary.set_class(error, "-error")

    def _fill(self, table: Table, report: NetworkReport) -> None:
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
