"""Alembic environment: runs migrations on the engine that `quita.db` hands over."""

from alembic import context
from sqlmodel import SQLModel

import billing.models  # noqa: F401  (registers the ledger tables on the metadata)
import cadence.models  # noqa: F401
import conversations.models  # noqa: F401

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
