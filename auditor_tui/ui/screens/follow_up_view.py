"""What the follow-up screen shows of its `FollowUpSession`, worked out apart from the widgets:
the deadlines and their countdowns, the evidence recorded, the suggestions, the current
question, the score and what is missing, the save state.
"""

from __future__ import annotations

from datetime import datetime

from textual.content import Content

from auditor_tui.domain import history
from auditor_tui.domain.evidence import evidence, format_late
from auditor_tui.domain.grid import Grid
from auditor_tui.domain.labels import final_stars
from auditor_tui.domain.queue import KIND_CALLBACK, KIND_EMAIL
from auditor_tui.domain.record import Audit, parse_instant
from auditor_tui.domain.suggestions import METHOD_LABELS, Suggestion
from auditor_tui.session.followup import FollowUpSession
from auditor_tui.text.french import (
    format_clock,
    format_duration,
    format_long,
    format_short,
    percent_text,
    stars_text,
)
from auditor_tui.ui.plain_text import plain, plain_lines
from auditor_tui.ui.screens.follow_up_modals import Recorded
from auditor_tui.ui.widgets.question_line import option_labels
from auditor_tui.ui.widgets.question_list import GridProgress
from auditor_tui.ui.widgets.question_view import QuestionState


def save_state(s: FollowUpSession) -> str:
    """« ✓ enregistré 14:05:09 », or « ⚠ NON ENREGISTRÉ » with the key that saves again (the
    error itself was notified), as on the live call; empty while nothing changed."""
    if s.save_error:
        return "⚠ NON ENREGISTRÉ (s : réessayer)"
    if s.saved_at is not None:
        return f"✓ enregistré {format_clock(s.saved_at, s.zone)}"
    return ""


def deadline_lines(s: FollowUpSession, now: datetime) -> str:
    """The end of the call and each deadline, in the dealer's zone (named once, on the first
    line: each line stays whole at 80 columns): when, and what is left, how late it is, or
    whether what came came in time (« reçu en retard (45 min) »)."""
    zone = s.zone
    ended = s.audit.call.ended_at
    lines = [
        "Fin d'appel : "
        + (format_long(parse_instant(ended), zone) if ended else "— (appel non terminé)"),
    ]
    for kind, label in ((KIND_EMAIL, "E-mail"), (KIND_CALLBACK, "Rappel")):
        found = evidence(s.audit, kind)  # an acknowledgement does not stop the e-mail's clock
        due = found.deadline
        if due is None:
            lines.append(f"{label} : —")
            continue
        text = f"{label} : {format_dated_seconds(due, zone)}"
        late = found.late_by()
        if found.received is not None and late is None:
            text += " — reçu"
        elif late is not None:
            text += f" — [b]reçu en retard ({format_late(late)})[/b]"
        elif now <= due:
            text += f" — reste [b]{format_duration(due - now)}[/b]"
        else:
            text += f" — [b]dépassé de {format_duration(now - due)}[/b]"
        lines.append(text)
    return "\n".join(lines)


def format_dated_seconds(moment: datetime, zone: str) -> str:
    """« lun. 18 mai 2026 23:59:59 »: `format_long` without the zone's name."""
    return format_long(moment, zone).rsplit(" (", 1)[0]


def timing(s: FollowUpSession, kind: str) -> str:
    """« à temps », « en retard (45 min) » for the evidence recorded; empty without a deadline
    or for a mere acknowledgement (not the e-mail)."""
    found = evidence(s.audit, kind)
    if found.deadline is None or found.received is None:
        return ""
    late = found.late_by()
    return "à temps" if late is None else f"en retard ({format_late(late)})"


def recorded(s: FollowUpSession, kind: str, timed: bool = True) -> Recorded | None:
    """The e-mail (KIND_EMAIL) or the call-back as recorded, with the answers given that
    rest on it; None when nothing is recorded."""
    fu = s.audit.follow_up
    zone = s.zone
    if kind == KIND_EMAIL and fu.email_received_at:
        content = (
            "simple accusé de réception"
            if fu.email_has_information is False
            else "contenait les informations demandées"
        )
        text = f"{format_short(parse_instant(fu.email_received_at), zone)} ({content})"
    elif kind == KIND_CALLBACK and fu.callback_at:
        method = METHOD_LABELS.get(fu.callback_method or "", "?")
        text = f"{format_short(parse_instant(fu.callback_at), zone)} par {method}"
        if fu.callback_note:
            text += f" — « {fu.callback_note} »"
    else:
        return None
    when = timing(s, kind) if timed else ""
    return Recorded(f"{text} — {when}" if when else text, answers_text(s, kind))


def answers_text(s: FollowUpSession, kind: str) -> str:
    """« Q16 → Oui »: the answers given that rest on the e-mail or the call-back."""
    return ", ".join(
        f"Q{qid} → {option_labels(s.grid.question(qid), s.audit.answers[qid])}"
        for qid in s.answers_resting_on(kind)
    )


def evidence_text(s: FollowUpSession) -> Content:
    """What the follow-up rests on: the calendar, the method agreed, the e-mail, the call-back
    (its note as the auditor typed it: shown as text, plain_text)."""
    recorded_email = recorded(s, KIND_EMAIL, timed=False)
    recorded_callback = recorded(s, KIND_CALLBACK, timed=False)
    email = recorded_email.text if recorded_email else "rien pour l'instant (e)"
    callback = recorded_callback.text if recorded_callback else "rien pour l'instant (r)"
    agreed = METHOD_LABELS.get(s.audit.call.agreed_method or "", "—")

    def received(label: str, kind: str) -> str:
        when = timing(s, kind)
        return f"{label} reçu {when}" if when.startswith("en retard") else f"{label} reçu"

    return plain_lines(
        plain((f"{label} :", "bold"), f" {text}")
        for label, text in (
            ("Calendrier", s.calendar_label),
            ("Méthode convenue", agreed),
            (received("E-mail", KIND_EMAIL), email),
            (received("Rappel", KIND_CALLBACK), callback),
        )
    )


def suggestion_texts(grid: Grid, pending: list[Suggestion]) -> tuple[Content, Content]:
    """The suggestions pending, in full (one a line) and short (« Q16 Non · Q17 Oui »: wrapped
    at a space when longer than the line, never cut)."""
    heading = ("◆ Suggestions", "bold")
    lines = [plain(heading, " (a : accepter la question choisie ou la première · A : toutes)")]
    lines += [plain(f"  {x.label(grid)}") for x in pending]
    answers = " · ".join(f"Q{x.question} {x.answer_text(grid)}" for x in pending)
    return plain_lines(lines), plain(heading, f" {answers} (a / A)")


def history_text(s: FollowUpSession) -> Content:
    """The « Historique » panel: each entry of the audit's history, oldest first, its time in
    the dealer's zone and what happened in words (a reason as the auditor typed it: shown as
    text, plain_text)."""
    zone = s.zone
    lines = [plain(("Historique", "bold"), " (h : revenir aux questions)")]
    for entry in history.view(s.audit):
        try:
            when = format_short(parse_instant(entry.at), zone)
        except ValueError:
            when = entry.at
        lines.append(plain((when, "bold"), f"  {history.describe(entry, s.audit, zone)}"))
    if len(lines) == 1:
        lines.append(plain("rien de noté"))
    return plain_lines(lines)


def question_view(s: FollowUpSession, current: str) -> tuple[GridProgress, QuestionState]:
    """Where the question `current` is in the grid, and as it stands."""
    audit, grid = s.audit, s.grid
    answers = {k: tuple(v) for k, v in audit.answers.items()}
    progress = GridProgress(
        grid,
        current,
        answers,
        audit.call.transferred,
        s.unreachable,
    )
    blocked = None
    if not s.editable:
        blocked = "audit terminé : R pour le rouvrir"
    elif s.unreachable:
        blocked = "concessionnaire injoignable : aucune question ne se répond"
    state = QuestionState(
        grid.question(current), answers.get(current, ()), audit.notes.get(current, ""), blocked
    )
    return progress, state


def status_text(audit: Audit, refusal: str | None) -> Content:
    """The score (stars only once complete), then what to do next: what is missing, the
    refusal of the last « T », or that everything is answered."""
    score = audit.score()
    percent = percent_text(score.percent)
    stars = final_stars(audit.status, score.stars)  # the stars come with the end
    shown = "provisoire" if stars is None else stars_text(stars)
    score_line = plain(("Score :", "bold"), f" {score.points}/{score.max} ({percent}) {shown}")
    missing = audit.missing()
    if audit.status == "complete":
        text = "Audit terminé (R pour rouvrir, h : historique)"
    elif refusal is not None:
        text = refusal
    elif missing:
        text = "Manquent : " + ", ".join(f"Q{q}" for q in missing)
    else:
        text = "Tout est répondu : T pour terminer"
    return plain_lines([score_line, text])
