"""Durable checkpoints of every thread's graph state: SQLite beside the embedded database,
PostgreSQL (the same server) in production. A restarted process continues each thread."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from sqlalchemy.engine import make_url

POOL_SIZE = 8


@contextmanager
def open_checkpointer(database_url: str) -> Iterator[BaseCheckpointSaver[Any]]:
    """A saver for the database at `database_url` (a SQLAlchemy URL), set up and ready."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with _sqlite_saver(checkpoint_path(database_url)) as saver:
            yield saver
        return
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    kwargs = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    with ConnectionPool(conninfo, max_size=POOL_SIZE, kwargs=kwargs, open=True) as pool:
        postgres = PostgresSaver(pool)  # type: ignore[arg-type]
        postgres.setup()
        yield postgres


def checkpoint_path(database_url: str) -> Path:
    """The checkpoint file beside an embedded database: quita.db → quita.checkpoints.db.

    A separate file, because SQLite has one writer per file and a turn's ledger transaction
    is open while the graph saves its checkpoint.
    """
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise ValueError("embedded checkpoints need a database file, not an in-memory database")
    path = Path(database)
    return path.with_name(f"{path.stem}.checkpoints{path.suffix or '.db'}")


@contextmanager
def _sqlite_saver(path: Path) -> Iterator[SqliteSaver]:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, check_same_thread=False, timeout=30)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        saver = SqliteSaver(connection)
        saver.setup()
        yield saver
    finally:
        connection.close()
