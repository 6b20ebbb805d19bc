"""Rows written once per idempotency key, handed back whether this call or an earlier one
wrote them."""

from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from billing.claims import insert_once

Row = TypeVar("Row", bound=SQLModel)


def insert_or_get(session: Session, row: Row, key: str = "idempotency_key") -> tuple[Row, bool]:
    """Insert `row` unless one with the same unique `key` exists; the stored row, and whether
    this call inserted it. Runs in the caller's transaction (see billing.claims.insert_once)."""
    new_id = insert_once(session, row, key)
    model = type(row)
    column = getattr(model, key)
    stored = session.exec(select(model).where(column == getattr(row, key))).one()
    return stored, new_id is not None
