"""`auditor-tui plan`: draw a wave's plan (domain/plan.py) and store it, or show the stored one;
as a table in French or as JSON (`{"wave", "start", "end", "calls": [...]}`)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from auditor_tui.cli.commands import err
from auditor_tui.cli.exit_codes import EXIT_OK, EXIT_REJECTED
from auditor_tui.text.safe_text import terminal_lines

if TYPE_CHECKING:
    from auditor_tui.domain.plan import Plan
    from auditor_tui.store import Store

AUDITOR_SETTING = "auditor"  # the name the new-audit screen keeps


def cmd_plan(store: Store, args: argparse.Namespace) -> int:
    from auditor_tui.domain.plan import PlanError
    from auditor_tui.store.plans import EmptyDirectory, draw_and_store, stored_plans

    wave = args.wave
    plans = stored_plans(store)
    if args.show:
        plan = plans.get(wave.name)
        if plan is None:
            err(f"Aucun plan pour la vague {wave.name} : « auditor-tui plan --wave {wave.name} ».")
            return EXIT_REJECTED
    else:
        existing = plans.get(wave.name)
        if existing is not None and args.start is None and args.end is None:
            wave = existing.wave  # the days it was drawn over, unless new ones are given
        auditors = args.auditor
        if auditors is None:  # the plan's own, else the store's auditor
            own = store.setting(AUDITOR_SETTING) or ""
            auditors = list(existing.auditors) if existing else ([str(own)] if own else [])
        try:
            plan = draw_and_store(
                store,
                wave,
                seed=args.seed,
                calls_per_dealer=args.calls_per_dealer,
                auditors=auditors,
            )
        except EmptyDirectory:
            from auditor_tui.exchange.dealers_csv import empty_directory_text

            err(empty_directory_text(args.db))
            return EXIT_REJECTED
        except PlanError as exc:
            err(str(exc))
            err("Aucun plan enregistré : le plan d'avant, s'il y en a un, reste tel quel.")
            return EXIT_REJECTED
    if args.format == "json":
        print(json.dumps(plan.to_json(), ensure_ascii=False, indent=2))
    else:
        print(terminal_lines(plan_text(plan, drawn=not args.show)))
    return EXIT_OK


def plan_text(plan: Plan, drawn: bool) -> str:
    """The plan as the terminal shows it, one call a line."""
    from auditor_tui.text.french import day_text

    wave = plan.wave
    made = sum(c.audit is not None for c in plan.calls)
    head = (
        f"Vague {wave.name} ({wave.start:%d/%m/%Y} – {wave.end:%d/%m/%Y}) : "
        f"{len(plan.calls)} appel(s), dont {made} fait(s)"
        + (" ; plan enregistré." if drawn else ".")
    )
    lines = [head]
    for call in plan.calls:
        done = " (fait)" if call.audit is not None else ""
        lines.append(
            f"  {day_text(call.day):<16} {'-'.join(call.window)}  {call.service:<3}  "
            f"{call.dealer:<28} {call.auditor or '—'}{done}"
        )
    return "\n".join(lines)
