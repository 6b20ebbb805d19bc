"""Rows for conversation tests: threads and inbound messages written straight to the inbox."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from conversations.models import InboundMessage, Thread

EPOCH = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def add_messages(engine: Engine, wa_id: str, seconds: list[int], *, prefix: str = "m") -> None:
    """One pending text message per entry, sent `seconds` after EPOCH, text = its second."""
    with Session(engine) as session:
        if session.execute(select(Thread).where(col(Thread.wa_id) == wa_id)).first() is None:
            session.add(Thread(wa_id=wa_id, last_inbound_at=EPOCH))
        for second in seconds:
            session.add(
                InboundMessage(
                    wamid=f"wamid.{prefix}.{wa_id}.{second}",
                    wa_id=wa_id,
                    phone_number_id="100",
                    kind="text",
                    text=str(second),
                    sent_at=EPOCH + timedelta(seconds=second),
                )
            )
        session.commit()


def statuses(engine: Engine, wa_id: str) -> dict[str, str]:
    with Session(engine) as session:
        rows = session.execute(
            select(InboundMessage).where(col(InboundMessage.wa_id) == wa_id)
        ).scalars()
        return {row.text or "": row.status for row in rows}
