"""What the agent reads from the ledger and the outbox at the start of a turn."""

from typing import Any

from sqlmodel import Session, col, select

from agent.state import ChatLine
from billing.models import Customer, OutboxMessage
from billing.phones import e164_from_wa_id

AGENT_PURPOSE = "agent_reply"


def pushed_lines(session: Session, wa_id: str, after_id: int) -> tuple[list[ChatLine], int]:
    """Messages other senders (the cadence, payment confirmations) put in this thread after
    outbox row `after_id`, so a reply to a reminder is read with the reminder in mind; and
    the last outbox id seen."""
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.to) == e164_from_wa_id(wa_id))
        .where(col(OutboxMessage.id) > after_id)
        .order_by(col(OutboxMessage.id))
    )
    rows = session.exec(query).all()
    lines: list[ChatLine] = [
        {"role": row.purpose, "text": row.body, "at": row.created_at.isoformat()}
        for row in rows
        if row.purpose != AGENT_PURPOSE
    ]
    return lines, max((row.id or 0 for row in rows), default=after_id)


def customer_profile(session: Session, customer_id: int | None) -> dict[str, Any] | None:
    """The debtor as brains address them: name, first name, segment."""
    if customer_id is None:
        return None
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    return {
        "id": customer.id,
        "external_id": customer.external_id,
        "name": customer.name,
        "first_name": customer.name.split()[0].title() if customer.name else "",
        "segment": customer.segment or "new_customer",
        "document_kind": customer.document_kind,
    }
