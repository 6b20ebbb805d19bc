"""`quita cadence run` and `quita cadence simulate`: the dunning cadence on demand, and a
simulated stretch of it over the demo ISP."""

import json
import tempfile
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from billing.demo import generate_portfolio, seed_portfolio
from billing.money import format_brl
from cadence.runner import CadenceRun, StepView, run_cadence
from cadence.simulate import Timeline, restores, simulate
from channels.whatsapp.window import purposes_from
from quita import clock, db
from quita.cli.common import business_day, database, out, settings
from quita.policy import Policy, load_policy

app = typer.Typer(help="The dunning cadence (régua de cobrança).", no_args_is_help=True)

_WEEKDAYS = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
_KINDS = {"step": "régua", "payment": "pagamento", "restore": "religação", "promise": "promessa"}


@app.command("run")
def run(
    date_: Annotated[
        str | None, typer.Option("--date", help="Day to run (YYYY-MM-DD); default today.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the day's steps without writing anything.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Write the day's due steps once and carry out those whose time has come.

    Steps go out inside each debtor's contact hours; a step due outside them waits for the
    next allowed moment. Running again the same day writes nothing twice.
    """
    day = business_day(date_)
    now = clock.now(day)
    policy = load_policy(settings().policy_file)
    mandatory = purposes_from(settings().whatsapp_mandatory_purposes)
    with database() as engine:
        result = run_cadence(engine, policy, now=now, mandatory_purposes=mandatory, dry_run=dry_run)
    if as_json:
        payload = {"date": day.isoformat(), "steps": [s.to_json() for s in result.steps]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    _show_run(result, dry_run)


@app.command("simulate")
def simulate_command(
    days: Annotated[int, typer.Option(help="How many days to simulate.", min=1, max=730)] = 90,
    customers: Annotated[
        int, typer.Option(help="Demo customers, when seeding a new database.", min=1)
    ] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the demo and of debtors' choices.")] = 7,
    start: Annotated[
        str | None, typer.Option(help="First day (YYYY-MM-DD); default today.")
    ] = None,
    use_database: Annotated[
        bool,
        typer.Option(
            "--use-database",
            help="Simulate on the configured database instead of a new demo one (it changes it).",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="List every message, not only the legal acts.")
    ] = False,
) -> None:
    """Simulate the cadence day by day over the demo ISP and print a readable timeline.

    By default a temporary database is seeded with the demo portfolio and thrown away after.
    """
    first = business_day(start)
    policy = load_policy(settings().policy_file)
    if use_database:
        with database() as engine:
            timeline = simulate(engine, policy, start=first, days=days, seed=seed)
            restored = restores(engine)
    else:
        timeline, restored = _simulate_demo(policy, first, days, customers, seed)
    _show_timeline(timeline, verbose)
    _show_summary(timeline, restored)


def _simulate_demo(
    policy: Policy, first: date, days: int, customers: int, seed: int
) -> tuple[Timeline, int]:
    with tempfile.TemporaryDirectory(prefix="quita-simulate-") as folder:
        engine = db.make_engine(f"sqlite:///{Path(folder) / 'simulation.db'}")
        try:
            db.upgrade(engine)
            with db.session_scope(engine) as session:
                seed_portfolio(session, generate_portfolio(customers, seed, first))
            out.print(f"Demo ISP: {customers} customers, from {first:%d/%m/%Y} for {days} days")
            timeline = simulate(engine, policy, start=first, days=days, seed=seed)
            return timeline, restores(engine)
        finally:
            engine.dispose()


def _show_run(result: CadenceRun, dry_run: bool) -> None:
    title = f"Cadence {result.day:%d/%m/%Y}" + (" (dry run: nothing written)" if dry_run else "")
    table = Table(title=title, title_justify="left")
    for name in ("customer", "bill", "step", "channel", "send at", "action", "status"):
        table.add_column(name)
    for step in result.steps:
        table.add_row(*_row(step))
    out.print(table)
    written = result.plan.written if result.plan else 0
    line = f"{len(result.steps)} step(s) for the day, {written} new"
    if result.dispatch is not None:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(result.dispatch.outcomes.items()) if n)
        line += f"; carried out now: {counts or 'nothing due yet'}"
    out.print(line)


def _row(step: StepView) -> list[str]:
    status = step.status if step.reason is None else f"{step.status} ({step.reason})"
    return [
        step.customer,
        step.invoice or f"acordo {step.installment}",
        step.step,
        step.channel,
        step.send_at.strftime("%d/%m %H:%M %z"),
        step.action or "-",
        status,
    ]


def _show_timeline(timeline: Timeline, verbose: bool) -> None:
    for report in timeline.days:
        if not (report.steps or report.events):
            continue
        out.print(f"[bold]{_WEEKDAYS[report.day.weekday()]} {report.day:%d/%m/%Y}[/bold]")
        if report.steps:
            out.print("  régua: " + _step_counts(report.steps), highlight=False)
        for event in sorted(report.events, key=lambda e: e.at):
            if verbose or event.kind in ("step", "restore", "promise", "billing"):
                out.print(f"  {_event_line(event.at, event.kind, event.customer, event.detail)}")
        if report.payments:
            out.print(f"  pagamentos: {report.payments} ({format_brl(report.received)})")


def _step_counts(counts: Counter[str]) -> str:
    parts = []
    for key, count in sorted(counts.items()):
        name, _, status = key.partition(":")
        parts.append(f"{name} {count}" + ("" if status == "sent" else f" ({status})"))
    return ", ".join(parts)


def _event_line(at: datetime, kind: str, customer: str, detail: str) -> str:
    local = at.astimezone(clock.BUSINESS_TZ)
    return f"{local:%H:%M} {_KINDS.get(kind, kind):<10} {customer:<12} {detail}"


def _show_summary(timeline: Timeline, restored: int) -> None:
    steps: Counter[str] = Counter()
    for report in timeline.days:
        steps.update(report.steps)
    paid = sum(r.payments for r in timeline.days)
    received = sum((r.received for r in timeline.days), start=Decimal("0.00"))
    out.print("[bold]Resumo[/bold]")
    out.print("  " + _step_counts(steps))
    out.print(f"  {paid} pagamentos, {format_brl(received)}; {restored} religações")
