"""`quita payments import`: settle the payments of a bank return file or a payments CSV."""

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import track

from billing.bank_return import read_return_file
from billing.settlement import settle
from quita import clock
from quita.cli.common import database, out, settings
from quita.db import session_scope
from quita.policy import load_policy

app = typer.Typer(help="Payment notices from banks and spreadsheets.", no_args_is_help=True)


@app.command("import")
def import_payments(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Settle every payment in a CNAB 240 return file or a CSV, each at most once.

    The file is validated first: any bad line is reported as file:line and nothing is settled.
    Payments seen before (the same file imported again) are reported as duplicates.
    """
    returned = read_return_file(path)
    policy = load_policy(settings().policy_file)
    today = clock.today(settings().today)
    outcomes: Counter[str] = Counter()
    with database() as engine, session_scope(engine) as session:
        for notice in track(returned.payments, description="settling", console=out, transient=True):
            outcomes[settle(session, notice, policy, today).status] += 1
    out.print(f"{path.name}: {returned.format}, {len(returned.payments)} payment(s)")
    for status, count in sorted(outcomes.items()):
        out.print(f"  {status}: {count}")
    for code, count in sorted(returned.skipped.items()):
        out.print(f"  skipped occurrence {code}: {count}")
