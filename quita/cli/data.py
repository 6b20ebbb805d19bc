"""`quita import` and `quita balance`: loading the ledger and reading it back."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from billing.balance import CustomerBalance, customer_balance
from billing.importer import ImportSummary, import_files
from billing.money import format_brl
from quita.cli.common import business_day, database, out, settings
from quita.db import session_scope
from quita.policy import load_policy

ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
TodayOption = Annotated[
    str | None, typer.Option("--today", help="Day to compute charges for (YYYY-MM-DD).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def import_csv(customers: ExistingFile, invoices: ExistingFile) -> None:
    """Import CUSTOMERS.csv and INVOICES.csv; all or nothing, idempotent by external id."""
    with database(migrate=True) as engine, _import_progress() as progress:
        task = progress.add_task("validating", total=None)

        def advance(stage: str, count: int) -> None:
            progress.update(task, description=stage, advance=count)

        with session_scope(engine) as session:
            summary = import_files(session, customers, invoices, progress=advance)
    _print_summary(summary)


def _import_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} rows"),
        TimeElapsedColumn(),
        console=out,
        transient=True,
    )


def _print_summary(summary: ImportSummary) -> None:
    out.print(
        f"customers: {summary.customers_created} created, {summary.customers_updated} updated, "
        f"{summary.customers_unchanged} unchanged"
    )
    out.print(
        f"invoices: {summary.invoices_created} created, {summary.invoices_updated} updated, "
        f"{summary.invoices_unchanged} unchanged"
    )
    for warning in summary.warnings:
        out.print(f"warning: {warning}", markup=False)


def balance(
    customer: Annotated[str, typer.Option("--customer", help="The customer's external id.")],
    today: TodayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Updated amounts (late fee and interest) of the customer's open invoices."""
    day = business_day(today)
    policy = load_policy(settings().policy_file)
    with database() as engine, session_scope(engine) as session:
        result = customer_balance(session, customer, day, policy.charges, policy.calendar)
    if as_json:
        typer.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        out.print(_balance_table(result))


def _balance_table(result: CustomerBalance) -> Table:
    table = Table(title=f"{result.customer_name} ({result.customer_external_id}) on {result.today}")
    for header in (
        "invoice",
        "month",
        "due",
        "days late",
        "principal",
        "late fee",
        "interest",
        "total",
    ):
        table.add_column(header, justify="left" if header == "invoice" else "right", no_wrap=True)
    for item in result.invoices:
        charges = item.charges
        table.add_row(
            item.external_id,
            item.reference_month,
            charges.effective_due_date.isoformat(),
            str(charges.days_late),
            format_brl(charges.principal),
            format_brl(charges.late_fee),
            format_brl(charges.interest),
            format_brl(charges.total),
        )
    table.caption = f"total {format_brl(result.total)}" if result.invoices else "no open invoices"
    return table
