"""Staff pausing a debtor's cadence (while they negotiate by phone, say), until a date or until
released; the planner and the dispatcher treat an active hold like any other pause."""

import logging
from datetime import date, datetime

from sqlmodel import Session

from billing.errors import LedgerError
from billing.models import utc_now
from cadence.models import CadenceHold

logger = logging.getLogger(__name__)


def hold_customer(
    session: Session,
    customer_id: int,
    *,
    staff: str,
    reason: str,
    until: date | None = None,
    now: datetime | None = None,
) -> int:
    """Pause the debtor's cadence through `until` (São Paulo date, inclusive; None: until
    released); the hold's id."""
    hold = CadenceHold(
        customer_id=customer_id,
        reason=reason,
        held_by=staff,
        until=until,
        created_at=now or utc_now(),
    )
    session.add(hold)
    session.flush()
    logger.info("cadence held", extra={"customer_id": customer_id, "cadence_hold_id": hold.id})
    if hold.id is None:
        raise RuntimeError("a stored hold has no id")
    return hold.id


def release_customer(
    session: Session, hold_id: int, *, staff: str, now: datetime | None = None
) -> None:
    """End a hold. Raises LedgerError if it does not exist or was released already."""
    hold = session.get(CadenceHold, hold_id)
    if hold is None or hold.released_at is not None:
        raise LedgerError(f"cadence hold {hold_id} is not active")
    hold.released_at, hold.released_by = now or utc_now(), staff
    session.add(hold)
    session.flush()
    logger.info(
        "cadence released", extra={"customer_id": hold.customer_id, "cadence_hold_id": hold_id}
    )
