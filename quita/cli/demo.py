"""`quita demo`: seed a synthetic ISP into the embedded database and serve it."""

from typing import Annotated

import typer
from rich.table import Table

from billing.balance import customers_with_overdue_invoices
from billing.demo import DemoAlreadySeeded, DemoSummary, generate_portfolio, seed_portfolio
from quita import clock
from quita.cli.common import database, out, settings
from quita.cli.server import HostOption, PortOption, run_server
from quita.db import session_scope


def demo(
    customers: Annotated[int, typer.Option(help="How many customers to create.", min=1)] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same ISP.")] = 7,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Seed only, do not serve.")] = False,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Seed a realistic synthetic ISP portfolio (idempotent), then serve the app."""
    today = clock.today(settings().today)
    with out.status(f"generating {customers} customers (seed {seed})"):
        portfolio = generate_portfolio(customers, seed, today)
    with database(migrate=True) as engine:
        try:
            with session_scope(engine) as session, out.status("writing the portfolio"):
                out.print(_summary_table(seed_portfolio(session, portfolio)))
        except DemoAlreadySeeded as already:
            out.print(f"the database already holds {already.count} customers: seeding skipped")
        with session_scope(engine) as session:
            late = customers_with_overdue_invoices(session, today)
    for external_id in late:
        out.print(f"try: quita balance --customer {external_id}")
    if not no_serve:
        run_server(host, port)


def _summary_table(summary: DemoSummary) -> Table:
    table = Table(title="Demo ISP seeded", show_header=False)
    table.add_row("customers", str(summary.customers))
    table.add_row("contracts", str(summary.contracts))
    table.add_row("invoices (open)", f"{summary.invoices} ({summary.open_invoices})")
    table.add_row("payments", str(summary.payments))
    table.add_row("customers with late invoices", str(summary.late_customers))
    table.add_row(
        "suspended / rescinded", f"{summary.suspended_contracts} / {summary.rescinded_contracts}"
    )
    for segment, count in sorted(summary.by_segment.items()):
        table.add_row(f"segment {segment}", str(count))
    return table
