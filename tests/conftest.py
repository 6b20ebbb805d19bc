"""Shared fixtures: an empty or migrated database on SQLite and, when it answers, PostgreSQL."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from quita import db
from quita.settings import get_settings

POSTGRES_URL = os.environ.get(
    "QUITA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the test server, or a skip that says why it is missing."""
    engine = create_engine(
        POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        engine.dispose()
        reason = f"no PostgreSQL server answers at {POSTGRES_URL} ({error.orig})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must run the PostgreSQL tier")
        pytest.skip(f"PostgreSQL tier skipped: {reason}")
    yield engine
    engine.dispose()


def _fresh_postgres_url(admin: Engine) -> Iterator[str]:
    name = f"quita_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'quita.db'}"
        return
    yield from _fresh_postgres_url(request.getfixturevalue("postgres_admin"))


@pytest.fixture
def empty_engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty, unmigrated database."""
    engine = db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A migrated, empty ledger."""
    db.upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def quita_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> Iterator[dict[str, str]]:
    """Point the process settings at a fresh database and data folder, as the CLI reads them."""
    env = {
        "QUITA_DATABASE_URL": database_url,
        "QUITA_DATA_DIR": str(tmp_path / "data"),
        "QUITA_MODE": "development",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("QUITA_TODAY", raising=False)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


REDIS_URL = os.environ.get("QUITA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis server's URL, or a skip that says why it is missing (a failure in CI)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"no Redis server answers at {REDIS_URL} ({error})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must run the Redis tier")
        pytest.skip(f"Redis tier skipped: {reason}")
    finally:
        client.close()
    return REDIS_URL
