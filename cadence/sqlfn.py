"""Date arithmetic and inserts that read the same on PostgreSQL and SQLite, for the set-based
statements of the scheduler."""

from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, Table, cast, func, literal, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

BUSINESS_ZONE_NAME = "America/Sao_Paulo"
# SQLite has no time zones; São Paulo has kept UTC-3 all year since 2019.
_SQLITE_OFFSET = "-3 hours"


def day(value: date) -> ColumnElement[date]:
    """A date bind parameter typed as a date (so arithmetic with it is date arithmetic)."""
    return literal(value, Date)


def days_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[int]:
    """Whole days from `earlier` to `later` (both dates)."""
    if dialect == "postgresql":
        return cast(later - earlier, Integer)
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def local_date(instant: Any, dialect: str) -> ColumnElement[date]:
    """The São Paulo date of a stored UTC instant."""
    if dialect == "postgresql":
        return cast(func.timezone(BUSINESS_ZONE_NAME, instant), Date)
    return func.date(instant, _SQLITE_OFFSET)


def insert_for(table: Table, dialect: str) -> Any:
    """INSERT with ON CONFLICT support for the dialect. Raises RuntimeError for others."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"the cadence supports PostgreSQL and SQLite, not {dialect}")


# Rows written at once past which PostgreSQL's statistics of the table are refreshed.
BIG_WRITE = 10_000


def analyze_after(session: Session, table: Table, written: int) -> None:
    """Refresh PostgreSQL's statistics of `table` after a big write, inside the transaction.

    The next plan (an hourly replan, a second scheduler) would otherwise estimate the new rows
    as absent and could pick a nested loop that reads the whole table once per bill.
    """
    if written >= BIG_WRITE and session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {table.name}"))
