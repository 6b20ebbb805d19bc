"""Outbox rows, threads and customers for the channel tests, written straight to the database."""

from datetime import datetime

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from billing.models import Customer, OutboxMessage
from channels.whatsapp.messages import OutboundMessage, Text, queue_outbound
from conversations.models import Thread
from quita.db import session_scope

TOKEN = "standin-token"
PHONE_NUMBER_ID = "106540352242922"
GRAPH_URL = "http://graph.test/v23.0"
TO = "+5511987654321"
WA_ID = "5511987654321"


def queue(
    engine: Engine,
    key: str,
    message: OutboundMessage | None = None,
    *,
    to: str = TO,
    purpose: str = "agent_reply",
    customer_id: int | None = None,
    fallback_parameters: list[str] | None = None,
) -> int | None:
    """Queue `message` (a short text by default) in its own committed transaction."""
    with session_scope(engine) as session:
        return queue_outbound(
            session,
            message or Text(body=f"Mensagem {key}"),
            customer_id=customer_id,
            to=to,
            purpose=purpose,
            idempotency_key=key,
            fallback_parameters=fallback_parameters,
        )


def add_thread(
    engine: Engine,
    wa_id: str = WA_ID,
    *,
    last_inbound_at: datetime | None = None,
    opted_out_at: datetime | None = None,
) -> None:
    with session_scope(engine) as session:
        session.add(Thread(wa_id=wa_id, last_inbound_at=last_inbound_at, opted_out_at=opted_out_at))


def add_customer(engine: Engine, name: str = "MARIA DAS DORES SOUZA", phone: str = TO) -> int:
    with session_scope(engine) as session:
        customer = Customer(
            external_id="C1",
            name=name,
            document="52998224725",
            document_kind="cpf",
            phone=phone,
            state="SP",
        )
        session.add(customer)
        session.flush()
        assert customer.id is not None
        return customer.id


def outbox_row(engine: Engine, row_id: int) -> OutboxMessage:
    with Session(engine, expire_on_commit=False) as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        return row


def outbox_rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.id))
        return list(session.execute(query).scalars())
