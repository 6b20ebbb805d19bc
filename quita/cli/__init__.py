"""The `quita` command line."""

import os
import sys

import typer

from billing.errors import LedgerError
from quita.cli import (
    cadence,
    conversation,
    data,
    database,
    demo,
    evals,
    instruments,
    knowledge,
    payments,
    server,
)
from quita.cli.common import CliError, err
from quita.db import DatabaseNotMigrated
from quita.logs import configure_logging
from quita.settings import SettingsError

app = typer.Typer(
    name="quita",
    help="Debt collection on WhatsApp for Brazilian internet service providers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(database.app, name="db")
app.command("demo")(demo.demo)
app.command("serve")(server.serve)
app.command("worker")(conversation.worker)
app.command("chat")(conversation.chat)
app.command("import")(data.import_csv)
app.command("balance")(data.balance)
app.add_typer(instruments.pix_app, name="pix")
app.add_typer(instruments.boleto_app, name="boleto")
app.add_typer(payments.app, name="payments")
app.add_typer(knowledge.app, name="knowledge")
app.add_typer(cadence.app, name="cadence")
app.add_typer(evals.app, name="eval")

USER_ERRORS = (CliError, LedgerError, DatabaseNotMigrated, SettingsError)


def main() -> None:
    """Entry point: user errors go to stderr with exit status 1, never as a traceback."""
    configure_logging(os.environ.get("QUITA_LOG_LEVEL", "WARNING"))
    try:
        app()
    except USER_ERRORS as error:
        err.print(f"error: {error}", markup=False)
        sys.exit(1)
