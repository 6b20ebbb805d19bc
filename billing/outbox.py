"""The durable outbox: messages for debtors, written in the ledger's transaction and drained
by the WhatsApp sender."""

import logging
from typing import Any

from sqlmodel import Session

from billing.claims import insert_once
from billing.models import OutboxKind, OutboxMessage, OutboxStatus
from billing.phones import mask_phone

logger = logging.getLogger(__name__)


def queue_message(
    session: Session,
    *,
    customer_id: int | None,
    to: str,
    purpose: str,
    body: str,
    idempotency_key: str,
    kind: OutboxKind = OutboxKind.TEXT,
    payload: dict[str, Any] | None = None,
) -> int | None:
    """Queue `body` for the E.164 phone `to`, at most once per `idempotency_key`.

    `kind` and `payload` describe anything beyond plain text (buttons, list, template, media);
    `customer_id` is None for a number that matches no customer. Returns the new message's
    id, or None when that key was queued before.
    """
    row = OutboxMessage(
        customer_id=customer_id,
        to=to,
        purpose=purpose,
        kind=kind,
        payload=payload or {},
        body=body,
        idempotency_key=idempotency_key,
        status=OutboxStatus.PENDING,
    )
    message_id = insert_once(session, row, "idempotency_key")
    logger.info(
        "message %s to %s",
        "queued" if message_id is not None else "already queued",
        mask_phone(to),
        extra={"customer_id": customer_id, "purpose": purpose, "outbox_message_id": message_id},
    )
    return message_id
