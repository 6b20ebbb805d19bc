"""Migrations from an empty database, the refusal to run unmigrated, and schema drift."""

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect

from quita import db
from quita.app import create_app
from quita.settings import Settings

LEDGER_TABLES = {"customer", "contract", "invoice", "payment", "audit_entry", "alembic_version"}


def test_upgrade_from_empty_creates_the_ledger(empty_engine: Engine) -> None:
    engine = empty_engine

    revision = db.upgrade(engine)

    assert revision == db.head_revision()
    assert db.current_revision(engine) == revision
    assert set(inspect(engine).get_table_names()) >= LEDGER_TABLES


def test_upgrade_twice_is_harmless(empty_engine: Engine) -> None:
    engine = empty_engine
    db.upgrade(engine)

    db.upgrade(engine)

    db.ensure_migrated(engine)


def test_migrations_match_the_models(empty_engine: Engine) -> None:
    engine = empty_engine
    db.upgrade(engine)

    command.check(db.alembic_config(engine))  # raises when a model changed without a migration


def test_downgrade_to_base_removes_the_ledger(empty_engine: Engine) -> None:
    engine = empty_engine
    db.upgrade(engine)

    command.downgrade(db.alembic_config(engine), "base")

    assert not (LEDGER_TABLES - {"alembic_version"}) & set(inspect(engine).get_table_names())


def test_an_empty_database_is_refused_with_the_command_to_run(empty_engine: Engine) -> None:
    engine = empty_engine

    with pytest.raises(db.DatabaseNotMigrated, match="run `quita db upgrade`"):
        db.ensure_migrated(engine)


def test_the_app_refuses_to_start_on_an_unmigrated_database(empty_engine: Engine) -> None:
    app = create_app(Settings(), empty_engine)

    with pytest.raises(db.DatabaseNotMigrated), TestClient(app):
        pass


def test_healthz_reports_the_schema_revision(empty_engine: Engine) -> None:
    engine = empty_engine
    db.upgrade(engine)

    with TestClient(create_app(Settings(), engine)) as client:
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "revision": db.head_revision()}
