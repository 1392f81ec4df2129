"""A new audit: pick the dealer (type-ahead), copy its number to dial, confirm the mystery
identity, and start; Enter creates the audit and opens the live call."""

from __future__ import annotations

import re

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from auditor_tui.domain.clock import Clock
from auditor_tui.domain.dealers import Dealer, matches, normalise_phone
from auditor_tui.domain.plan import DueCall
from auditor_tui.domain.record import Audit, DealerRef, Identity
from auditor_tui.domain.waves import SERVICES, service_label
from auditor_tui.exchange.dealers_csv import empty_directory_text
from auditor_tui.store import Store
from auditor_tui.store.errors import StoreError
from auditor_tui.store.plans import link_audit
from auditor_tui.text.safe_text import terminal_text
from auditor_tui.ui.key_strips import NEW_AUDIT_STRIP
from auditor_tui.ui.keymap import binding
from auditor_tui.ui.messages import AuditCreateFailed, DirectoryLoaded, OpenAudit
from auditor_tui.ui.plain_text import plain, plain_lines
from auditor_tui.ui.widgets.key_strip import KeyStrip

IDENTITY_SETTING = "identity"
AUDITOR_SETTING = "auditor"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def identity_problems(identity: Identity) -> list[tuple[str, str]]:
    """(field, message) for each problem of a mystery identity; the dealer must be able to call
    back and to write (Q16, Q17), so the three fields are required."""
    problems: list[tuple[str, str]] = []
    if not identity.name.strip():
        problems.append(("name", "nom d'emprunt manquant"))
    if not identity.phone.strip():
        problems.append(("phone", "téléphone d'emprunt manquant"))
    else:
        try:
            normalise_phone(identity.phone, "FR")
        except ValueError as exc:
            problems.append(("phone", str(exc)))
    if not _EMAIL.fullmatch(identity.email.strip()):
        problems.append(("email", "adresse e-mail d'emprunt manquante ou invalide"))
    return problems


def dealer_ref(dealer: Dealer) -> DealerRef:
    return DealerRef(
        dealer.name, dealer.country, dealer.department, dealer.phone, dealer.id, dealer.city
    )


def dealer_line(dealer: Dealer) -> Content:
    """The dealer's line in the list, its name and city shown as written (plain_text)."""
    place = f"{dealer.city} ({dealer.department})" if dealer.department else dealer.city
    return plain(f"{dealer.name:<27} {place:<28} {dealer.phone_display}")


class DealerSearch(Input):
    """The type-ahead field; up and down move through the dealers it filters."""

    BINDINGS = [
        binding("next", keys="down", description="Concessionnaire suivant"),
        binding("previous", keys="up", description="Concessionnaire précédent"),
    ]

    class Move(Message):
        def __init__(self, delta: int) -> None:
            super().__init__()
            self.delta = delta

    def action_move(self, delta: int) -> None:
        self.post_message(self.Move(delta))


class NewAuditScreen(Screen[None]):
    CSS_PATH = "new_audit.tcss"
    SUB_TITLE = "Nouvel audit"
    BINDINGS = [
        # priority: Enter starts the audit from any field (the fields' own Enter would only
        # submit that field)
        binding(
            "validate",
            keys="enter",
            action="create",
            description="Commencer",
            tooltip="Créer l'audit et ouvrir l'appel",
            priority=True,
        ),
        binding("copy_phone"),
        binding("service"),
        binding("back", tooltip="Revenir à l'accueil sans créer d'audit"),
    ]

    def __init__(self, store: Store, clock: Clock, due: DueCall | None = None) -> None:
        """`due`: a planned call (« À appeler aujourd'hui »): its dealer and service filled in,
        the audit made for it linked to it."""
        super().__init__()
        self.store = store
        self.clock = clock
        self.due = due
        self._dealers: list[Dealer] = []
        self._shown: list[Dealer] = []
        self._creating = False
        # What the call is about: VN, VO, APV or not said.
        self.service: str | None = due.call.service if due is not None else None

    def compose(self) -> ComposeResult:
        yield Header()
        search = DealerSearch(
            placeholder="Tapez un nom, une ville ou un département…", id="dealer-search"
        )
        search.border_title = "Concessionnaire"
        yield search
        yield OptionList(id="dealers")
        yield Static("", id="dealer-detail")
        with Horizontal(id="identity"):
            for field, title, hint in (
                ("name", "Nom d'emprunt", "Prénom Nom"),
                ("phone", "Téléphone d'emprunt", "06 …"),
                ("email", "E-mail d'emprunt", "prenom.nom@…"),
            ):
                box = Input(placeholder=hint, id=f"identity-{field}")
                box.border_title = title
                yield box
        with Horizontal(id="auditor-row"):
            auditor = Input(placeholder="Votre nom", id="auditor")
            auditor.border_title = "Auditeur"
            yield auditor
            service = Static(plain(service_label(self.service)), id="service")
            service.border_title = "Service (F3)"
            yield service
        yield KeyStrip(NEW_AUDIT_STRIP, id="keys")  # every key whole at 80 columns

    def on_mount(self) -> None:
        if self.due is not None:  # the window the dealer is to be called in, in the title bar
            call = self.due.call
            self.sub_title = f"Nouvel audit planifié : {call.dealer}, {'-'.join(call.window)}"
        self.query_one("#dealers", OptionList).add_option(Option("Chargement de l'annuaire…"))
        self.query_one("#dealer-search", Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="new-audit-load")
    def _load(self) -> None:
        dealers = []
        for row in self.store.dealers():
            try:
                dealers.append(Dealer.from_dict(row))
            except ValueError:
                continue
        dealers.sort(key=lambda d: d.search_text())
        identity = self.store.setting(IDENTITY_SETTING) or {}
        auditor = self.store.setting(AUDITOR_SETTING) or ""
        self.post_message(
            DirectoryLoaded(
                dealers,
                {k: str(v) for k, v in identity.items()} if isinstance(identity, dict) else {},
                str(auditor),
            )
        )

    def on_directory_loaded(self, message: DirectoryLoaded) -> None:
        self._dealers = list(message.dealers)
        for field in ("name", "phone", "email"):
            box = self.query_one(f"#identity-{field}", Input)
            if not box.value:
                box.value = terminal_text(message.identity.get(field, ""))
        auditor = self.query_one("#auditor", Input)
        if not auditor.value:  # this store's auditor; else the one the plan names for the call
            planned = self.due.call.auditor if self.due is not None else None
            auditor.value = terminal_text(message.auditor or planned or "")
        self._filter()
        if self.due is not None and self._planned_index() is None:
            name = self.due.call.dealer
            self.notify(
                f"{name} (planifié) n'est plus dans l'annuaire : choisissez un concessionnaire.",
                severity="warning",
            )

    # ---- the dealer list --------------------------------------------------------------------

    @on(Input.Changed, "#dealer-search")
    def _filter(self) -> None:
        query = self.query_one("#dealer-search", Input).value
        self._shown = [d for d in self._dealers if matches(d, query)]
        options = self.query_one("#dealers", OptionList)
        options.clear_options()
        if self._shown:
            options.add_options(Option(dealer_line(d), id=d.id) for d in self._shown)
            # Typed letters pick the first match; nothing typed picks no one (↓ to choose):
            # Entrée must not start a call on the first dealer of the directory.
            options.highlighted = 0 if query.strip() else self._planned_index()
            self.call_after_refresh(options.scroll_to_highlight)
        elif self._dealers:
            options.add_option(
                Option(plain(f"Aucun concessionnaire ne correspond à « {query} »."), disabled=True)
            )
        else:
            db = getattr(self.app, "db", None)  # the app's --db (None: the default folder)
            options.add_option(Option(plain_lines([empty_directory_text(db)]), disabled=True))
        self._show_detail()

    @on(DealerSearch.Move)
    def _move(self, message: DealerSearch.Move) -> None:
        options = self.query_one("#dealers", OptionList)
        if message.delta > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    @on(OptionList.OptionHighlighted, "#dealers")
    def _highlighted(self) -> None:
        self._show_detail()

    def _planned_index(self) -> int | None:
        """Where the planned call's dealer is in the list shown (None without one)."""
        if self.due is None:
            return None
        wanted = self.due.call.dealer_id
        return next((i for i, d in enumerate(self._shown) if d.id == wanted), None)

    def _planned_for(self, dealer: Dealer) -> DueCall | None:
        """The planned call, if `dealer` is its dealer (the auditor may pick another)."""
        due = self.due
        return due if due is not None and due.call.dealer_id == dealer.id else None

    @property
    def dealer(self) -> Dealer | None:
        """The highlighted dealer: the one the audit will be about."""
        index = self.query_one("#dealers", OptionList).highlighted
        if index is None or not 0 <= index < len(self._shown):
            return None
        return self._shown[index]

    def _show_detail(self) -> None:
        dealer = self.dealer
        detail = self.query_one("#dealer-detail", Static)
        if dealer is None:
            detail.update("Aucun concessionnaire choisi.")
        else:
            detail.update(
                plain(
                    f"{dealer.name} · {dealer.phone_display} · "
                    "ctrl+t : copier le numéro pour appeler"
                )
            )

    # ---- actions ----------------------------------------------------------------------------

    def action_copy_phone(self) -> None:
        dealer = self.dealer
        if dealer is None:
            self.notify("Choisissez d'abord un concessionnaire.", severity="warning")
            return
        self.app.copy_to_clipboard(dealer.phone)
        self.notify(
            f"Numéro de {dealer.name} copié : {dealer.phone_display}", title="Presse-papiers"
        )

    def action_cycle_service(self) -> None:
        """VN → VO → APV → not said → VN: one key, the choice shown whole in its box."""
        order: list[str | None] = [*SERVICES, None]
        self.service = order[(order.index(self.service) + 1) % len(order)]
        self._show_service()

    def _show_service(self) -> None:
        self.query_one("#service", Static).update(plain(service_label(self.service)))

    def action_back(self) -> None:
        self.dismiss()

    def identity(self) -> Identity:
        return Identity(
            *(
                self.query_one(f"#identity-{f}", Input).value.strip()
                for f in ("name", "phone", "email")
            )
        )

    def action_create(self) -> None:
        if self._creating:
            return
        dealer = self.dealer
        if dealer is None:
            self.notify("Choisissez un concessionnaire dans la liste.", severity="warning")
            self.query_one("#dealer-search", Input).focus()
            return
        identity = self.identity()
        problems = identity_problems(identity)
        if problems:
            self.notify(
                "Identité d'emprunt : " + " ; ".join(m for _, m in problems),
                severity="warning",
            )
            self.query_one(f"#identity-{problems[0][0]}", Input).focus()
            return
        auditor = self.query_one("#auditor", Input).value.strip()
        self._creating = True
        self._create(dealer, identity, auditor, self.service)

    @work(thread=True, exclusive=True, group="new-audit-create")
    def _create(
        self, dealer: Dealer, identity: Identity, auditor: str, service: str | None
    ) -> None:
        moment = self.clock.now()
        grid = self.store.grid()
        audit = Audit.new(dealer_ref(dealer), grid, moment, auditor, identity, service)
        due = self._planned_for(dealer)
        if due is not None:  # the wave it counts in and the slot it was given
            audit.wave, audit.planned = due.wave, due.call.planned()
        try:
            self.store.create(audit, moment=moment)
        except StoreError as exc:
            self.post_message(AuditCreateFailed(str(exc)))
            return
        if due is not None:
            try:
                link_audit(self.store, due.wave, due.call.key, audit.id)
            except StoreError as exc:  # the audit is saved; its plan entry still shows as due
                self.app.call_from_thread(
                    self.notify, f"Plan non mis à jour : {exc}", severity="warning"
                )
        try:
            self.store.set_setting(IDENTITY_SETTING, identity.to_dict())
            self.store.set_setting(AUDITOR_SETTING, auditor)
        except StoreError:
            pass  # only the prefill of the next audit is lost; the audit itself is saved
        self.post_message(OpenAudit(audit.id, audit.status, replace=True))

    def on_audit_create_failed(self, message: AuditCreateFailed) -> None:
        self._creating = False
        self.notify(f"Audit non créé : {message.message}", severity="error", timeout=15)
