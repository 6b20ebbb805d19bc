"""What every CLI command shares: settings, the engine, dates and error reporting."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import typer
from rich.console import Console
from sqlalchemy import Engine

from quita import clock, db
from quita.settings import Settings, get_settings

# Piped output has no terminal width to honour: wide enough that tables keep amounts whole.
PIPE_WIDTH = 120
out = Console(highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class CliError(Exception):
    """A failure the user can fix; printed to stderr without a traceback."""


def settings() -> Settings:
    return get_settings()


def open_engine(*, migrate: bool = False) -> Engine:
    """The configured database; `migrate` upgrades it first, otherwise it must be current."""
    engine = db.make_engine(settings().resolved_database_url)
    try:
        if migrate:
            db.upgrade(engine)
        else:
            db.ensure_migrated(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


@contextmanager
def database(*, migrate: bool = False) -> Iterator[Engine]:
    """`open_engine` for one command: its connections are closed when the block ends."""
    engine = open_engine(migrate=migrate)
    try:
        yield engine
    finally:
        engine.dispose()


def business_day(value: str | None) -> date:
    """`--today` if given, else QUITA_TODAY, else today in São Paulo."""
    if value is None:
        return clock.today(settings().today)
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"not an ISO date (YYYY-MM-DD): {value!r}") from error
