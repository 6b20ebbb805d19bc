"""Database engine, sessions and schema migrations (Alembic) for SQLite and PostgreSQL."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

logger = logging.getLogger(__name__)


class DatabaseNotMigrated(RuntimeError):
    """The schema is missing or behind the code; the message says which command fixes it."""


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder created, foreign keys and WAL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("quita") / "migrations"))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(
        alembic_config(create_engine("sqlite://"))
    ).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found in quita/migrations")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Migrate the schema to the newest revision and return it."""
    command.upgrade(alembic_config(engine), "head")
    revision = head_revision()
    logger.info("database migrated", extra={"revision": revision})
    return revision


def ensure_migrated(engine: Engine) -> None:
    """Raise `DatabaseNotMigrated` unless the schema is at the revision this code expects."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return
    state = "is empty" if current is None else f"is at revision {current}"
    raise DatabaseNotMigrated(
        f"the database {state} but this version of Quita needs revision {head}: "
        "run `quita db upgrade` first"
    )
