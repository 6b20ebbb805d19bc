"""Insert-once rows: a unique key decides, inside the caller's transaction, who wrote first."""

from typing import Any

from sqlalchemy import Table, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_once(session: Session, row: SQLModel, key: str) -> int | None:
    """Insert `row` unless a row with the same unique `key` column exists; the new id or None.

    Uses INSERT ... ON CONFLICT DO NOTHING (PostgreSQL, SQLite 3.35+). A concurrent transaction
    inserting the same key makes this one wait until it ends and then insert nothing, so
    duplicates are answered without a failed statement: the caller's transaction stays usable
    and no SAVEPOINT is needed (pysqlite would commit early on releasing one). `row` is not
    added to the session; load it back if needed. Raises RuntimeError on other databases.
    """
    session.flush()  # a Core statement does not autoflush pending ORM changes
    table: Table = inspect(type(row)).local_table
    values = row.model_dump(exclude={"id"})
    statement = (
        _dialect_insert(session, table)
        .values(values)
        .on_conflict_do_nothing(index_elements=[key])
        .returning(table.c.id)
    )
    new_id: int | None = session.execute(statement).scalar_one_or_none()
    return new_id


def _dialect_insert(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise RuntimeError(f"insert_once supports PostgreSQL and SQLite, not {dialect}")
