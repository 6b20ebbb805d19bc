"""`quita db`: schema migrations."""

import typer

from quita import db
from quita.cli.common import out, settings

app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the database schema to the newest revision."""
    engine = db.make_engine(settings().resolved_database_url)
    try:
        before = db.current_revision(engine)
        revision = db.upgrade(engine)
    finally:
        engine.dispose()
    state = "already at" if before == revision else "migrated to"
    out.print(f"database {state} revision {revision}")


@app.command("current")
def current() -> None:
    """Show the schema revision of the database and the one this code expects."""
    engine = db.make_engine(settings().resolved_database_url)
    try:
        revision = db.current_revision(engine)
    finally:
        engine.dispose()
    out.print(f"database: {revision or 'empty'}; code: {db.head_revision()}")
