"""The append-only audit log of money-affecting changes."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from billing.models import AuditEntry, utc_now


def audit_row(
    actor: str,
    action: str,
    entity: str,
    entity_id: int,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """One audit entry as a plain row; `details` must be JSON-ready (money as strings)."""
    return {
        "at": at or utc_now(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "details": dict(details or {}),
    }


def record(session: Session, rows: Iterable[dict[str, Any]]) -> int:
    """Append audit rows in one statement inside the caller's transaction; returns the count."""
    batch = list(rows)
    if batch:
        session.execute(insert(AuditEntry), batch)
    return len(batch)
