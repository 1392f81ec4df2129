"""One keymap for the whole app: every key of every screen, window and widget in one table, so a
key never does two different things on two screens. Screens build their BINDINGS from it (the
binding id is the key's meaning: `App.set_keymap` remaps it everywhere at once); the key
strips' layouts and the French key names are here too (the call's tooltips name the grid's
numbers by fields: key_tooltips.py). docs/keys.md is generated from the screens' bindings."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from auditor_tui.domain.labels import fold
from auditor_tui.ui.key_names import key_name as key_name  # re-exported
from auditor_tui.ui.key_names import keys_name as keys_name  # re-exported

# The groups of the key strips and of docs/keys.md.
CALL = "Appel"
ANSWERS = "Réponses"
FOLLOW_UP = "Suivi"
NAVIGATION = "Navigation"
GENERAL = "Général"

MAX_OPTIONS = 9  # keys 1…9 pick an option
# In a yes/no window (removing something recorded, creating a store), « n » answers « non »
# besides Échap: the window takes every key, so it shadows no key of a screen.
NO_KEY = "n"


@dataclass(frozen=True)
class Key:
    """A meaning and its keys. `contextual`: the description may name what it does where it
    is used (Échap is « Retour » here and « Non » in a question; Entrée « Ouvrir », « Oui »)."""

    keys: str
    action: str
    description: str
    tooltip: str
    group: str
    show: bool = True
    key_display: str | None = None
    priority: bool = False
    contextual: bool = False


def _pick(n: int) -> Key:
    return Key(
        str(n),
        f"pick({n})",
        "Choix" if n == 1 else f"Choix {n}",
        f"Choisir / cocher l'option {n} de la question",
        ANSWERS,
        show=n == 1,
        key_display=f"1…{MAX_OPTIONS}" if n == 1 else None,
    )


KEYS: dict[str, Key] = {
    # ---- everywhere -----------------------------------------------------------------------
    "quit": Key(
        "ctrl+q",
        "quit",
        "Quitter",
        "Fermer auditor-tui (tout est déjà enregistré)",
        GENERAL,
        priority=True,
    ),
    "help": Key(
        "f1",
        "help",
        "Aide",
        "Les touches de cet écran (aussi dans un champ de saisie)",
        GENERAL,
        priority=True,
    ),
    "help_question_mark": Key(
        "question_mark",
        "help",
        "Aide",
        "Les touches de cet écran (hors champ de saisie)",
        GENERAL,
        show=False,
    ),
    "command_palette": Key(
        "ctrl+p",
        "command_palette",
        "Commandes",
        "Rechercher une commande",
        GENERAL,
        show=False,
        priority=True,
    ),
    "back": Key(
        "escape",
        "back",
        "Retour",
        "Revenir en arrière sans rien changer",
        NAVIGATION,
        contextual=True,
    ),
    "validate": Key(
        "enter,o",
        "validate",
        "Valider",
        "Valider le choix affiché (o : oui)",
        NAVIGATION,
        contextual=True,
    ),
    # ---- moving -----------------------------------------------------------------------------
    "previous": Key(
        "up,k",
        "move(-1)",
        "Précédent",
        "Élément précédent",
        NAVIGATION,
        show=False,
        contextual=True,
    ),
    "next": Key(
        "down,j",
        "move(1)",
        "Suivant",
        "Élément suivant",
        NAVIGATION,
        show=False,
        contextual=True,
    ),
    "previous_section": Key(
        "left,left_square_bracket",
        "section(-1)",
        "Section préc.",
        "Section précédente",
        NAVIGATION,
        show=False,
    ),
    "next_section": Key(
        "right,right_square_bracket",
        "section(1)",
        "Section suiv.",
        "Section suivante",
        NAVIGATION,
        show=False,
    ),
    "scroll_up": Key(
        "pageup",
        "scroll(-1)",
        "Défiler ↑",
        "Remonter dans la question (page précédente)",
        NAVIGATION,
        show=False,
    ),
    "scroll_down": Key(
        "pagedown",
        "scroll(1)",
        "Défiler ↓",
        "Suite de la question (page suivante)",
        NAVIGATION,
        show=False,
    ),
    "first": Key(
        "home", "scroll_top", "Premier", "Aller au premier", NAVIGATION, show=False, contextual=True
    ),
    "last": Key(
        "end",
        "scroll_bottom",
        "Dernier",
        "Aller au dernier affiché",
        NAVIGATION,
        show=False,
        contextual=True,
    ),
    "jump": Key(
        "g,colon",
        "jump",
        "Aller à",
        "Aller à une question par son numéro (ex. 7b)",
        NAVIGATION,
    ),
    "remaining": Key(
        "v", "remaining", "Reste", "Les questions applicables encore sans réponse", NAVIGATION
    ),
    # ---- home, new audit, reports -------------------------------------------------------------
    "new_audit": Key(
        "n",
        "app.new_audit",
        "Nouvel audit",
        "Choisir un concessionnaire et préparer l'appel",
        GENERAL,
    ),
    "filter": Key("slash", "focus_filter", "Filtrer", "Filtrer la liste", GENERAL),
    "reports": Key("f2", "app.reports", "Rapports", "Scores et suivis des audits", GENERAL),
    "copy_phone": Key(
        "ctrl+t",
        "copy_phone",
        "Copier le n°",
        "Copier le numéro du concessionnaire pour le composer",
        GENERAL,
    ),
    "service": Key(
        "f3", "cycle_service", "Service", "Service appelé : VN → VO → APV → non précisé", GENERAL
    ),
    "due": Key(
        "f4", "focus_due", "À appeler", "Les appels planifiés du jour et en retard", GENERAL
    ),
    "reload": Key("f5", "reload", "Actualiser", "Relire les audits", GENERAL),
    "next_tab": Key("greater_than_sign", "next_tab", "Onglet suiv.", "Onglet suivant", NAVIGATION),
    "previous_tab": Key(
        "less_than_sign",
        "previous_tab",
        "Onglet préc.",
        "Onglet précédent",
        NAVIGATION,
        show=False,
    ),
    # ---- the call -----------------------------------------------------------------------------
    "attempt": Key("t", "attempt", "Tentative", "Tentative d'appel horodatée ({attempts})", CALL),
    "answered": Key(
        "d", "answered", "Décroché", "Le concessionnaire décroche (confirmé par Entrée)", CALL
    ),
    "transfer_start": Key(
        "x",
        "transfer_start",
        "Transfert",
        "Mise en attente pour transfert : chrono de {limit} dès la touche (confirmé par Entrée)",
        CALL,
    ),
    "transfer_pickup": Key(
        "p",
        "transfer_pickup",
        "Pris",
        "La personne du transfert parle : le chrono s'arrête à la touche (confirmé par Entrée)",
        CALL,
    ),
    "discovery": Key("q", "discovery", "Découverte", "+1 question posée ({discovery})", CALL),
    "end_call": Key(
        "f",
        "end_call",
        "Fin d'appel",
        "Fin d'appel, à la touche : les délais de suivi démarrent (confirmé par Entrée)",
        CALL,
    ),
    "undo": Key("u", "undo", "Annuler", "Annuler le dernier événement chronométré", CALL),
    # ---- answers ------------------------------------------------------------------------------
    **{f"pick_{n}": _pick(n) for n in range(1, MAX_OPTIONS + 1)},
    "clear": Key(
        "delete,backspace", "clear", "Effacer", "Effacer la réponse de la question", ANSWERS
    ),
    "accept": Key("a", "accept", "Accepter", "Accepter la suggestion affichée", ANSWERS),
    "accept_all": Key("A", "accept_all", "Tout accepter", "Accepter chaque suggestion", ANSWERS),
    "dismiss": Key("z", "dismiss_suggestion", "Ignorer", "Ignorer la suggestion affichée", ANSWERS),
    "agreed_method": Key(
        "c",
        "agreed_method",
        "Contact",
        "Contact convenu pendant l'appel : téléphone → e-mail → aucun ({method_match})",
        ANSWERS,
    ),
    "note": Key("m", "note", "Note", "Note libre (verbatim) de la question", ANSWERS),
    # ---- the follow-up --------------------------------------------------------------------------
    "email": Key("e", "email", "E-mail reçu", "Noter l'e-mail du concessionnaire", FOLLOW_UP),
    "callback": Key("r", "callback", "Rappel reçu", "Noter le rappel du conseiller", FOLLOW_UP),
    "information": Key(
        "i",
        "toggle_information",
        "Contenu e-mail",
        "E-mail avec les informations demandées ↔ simple accusé de réception",
        FOLLOW_UP,
    ),
    "complete": Key(
        "T", "complete", "Terminer", "Terminer l'audit (refusé avec ce qui manque)", FOLLOW_UP
    ),
    "reopen": Key("R", "reopen", "Rouvrir", "Rouvrir un audit terminé, avec un motif", FOLLOW_UP),
    "history": Key("h", "toggle_history", "Historique", "L'historique de l'audit", FOLLOW_UP),
    # ---- windows --------------------------------------------------------------------------------
    "save": Key(
        "ctrl+s,s", "submit", "Enregistrer", "Enregistrer la saisie", GENERAL, contextual=True
    ),
    "remove": Key(
        "ctrl+r",
        "remove",
        "Supprimer",
        "Supprimer ce qui est noté (noté sur le mauvais audit), après confirmation",
        GENERAL,
    ),
}


# The report's tabs (table name, key, title): alt and a letter of the title, the first where it
# is free (É: e), as underlined in the tab (the letter alone is a key of the call or the
# follow-up).
REPORT_TABS = (
    ("dealers", "alt+c", "Concessions"),
    ("questions", "alt+q", "Questions"),
    ("sections", "alt+s", "Sections"),
    ("trophy", "alt+t", "Trophée"),
    ("unreachable", "alt+i", "Injoignables"),
    ("trends", "alt+e", "Évolution"),
    ("coverage", "alt+o", "Couverture"),
    ("network", "alt+r", "Réseau"),
    ("ranking", "alt+l", "Classement"),
    ("progressions", "alt+p", "Progressions"),
    ("trophy_history", "alt+a", "Palmarès"),
    ("verbatims", "alt+v", "Verbatims"),
)


def tab_label(key: str, title: str) -> str:
    """The tab's title as markup, its key's letter underlined (« C[u]o[/u]uverture »)."""
    letter = key.rpartition("+")[2]
    at = next(i for i, c in enumerate(title) if fold(c) == letter)
    return f"{title[:at]}[u]{title[at]}[/u]{title[at + 1 :]}"


def _tab(name: str) -> Key:
    key, title = next((k, t) for n, k, t in REPORT_TABS if n == name)
    return Key(
        key,
        f"show_tab('{name}')",
        f"Onglet {title}",
        f"Afficher l'onglet {title}",
        NAVIGATION,
        show=False,
    )


KEYS.update(
    tab_dealers=_tab("dealers"),
    tab_questions=_tab("questions"),
    tab_sections=_tab("sections"),
    tab_trophy=_tab("trophy"),
    tab_unreachable=_tab("unreachable"),
    tab_trends=_tab("trends"),
    tab_coverage=_tab("coverage"),
    tab_network=_tab("network"),
    tab_ranking=_tab("ranking"),
    tab_progressions=_tab("progressions"),
    tab_trophy_history=_tab("trophy_history"),
    tab_verbatims=_tab("verbatims"),
)


def binding(
    key_id: str,
    *,
    keys: str | None = None,
    action: str | None = None,
    description: str | None = None,
    tooltip: str | None = None,
    show: bool | None = None,
    priority: bool | None = None,
) -> Binding:
    """The Binding of `key_id`. A screen may bind only some of its keys (Entrée without « o »
    where « o » types a letter), name its own action, show or hide it; a contextual key may
    also say what it does there."""
    spec = KEYS[key_id]
    if keys is not None and not set(keys.split(",")) <= set(spec.keys.split(",")):
        raise ValueError(f"{key_id}: {keys!r} is not among its keys {spec.keys!r}")
    if (description or tooltip) and not spec.contextual:
        raise ValueError(f"{key_id}: its description is the same on every screen")
    return Binding(
        keys or spec.keys,
        action or spec.action,
        description or spec.description,
        show=spec.show if show is None else show,
        key_display=spec.key_display,
        priority=spec.priority if priority is None else priority,
        tooltip=tooltip or spec.tooltip,
        id=key_id,
    )


def bindings(*key_ids: str) -> list[BindingType]:
    return [binding(key_id) for key_id in key_ids]


PICK_IDS = tuple(f"pick_{n}" for n in range(1, MAX_OPTIONS + 1))
