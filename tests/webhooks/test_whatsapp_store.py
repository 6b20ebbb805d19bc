"""Storing parsed notifications: a batch per transaction, each request answered for its own."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from channels.whatsapp.statuses import DeliveryStatus
from conversations.inbox import IncomingMessage, WamidCache
from conversations.models import InboundMessage
from webhooks import whatsapp_store
from webhooks.whatsapp_payload import ParsedNotification
from webhooks.whatsapp_store import Accepted, InboxWriter, store_notifications

SENT = datetime(2026, 12, 3, 13, 2, 11, tzinfo=UTC)


def notification(
    *wamids: str, wa_id: str = "5511987654321", poison: bool = False
) -> ParsedNotification:
    messages = [
        IncomingMessage(
            wamid=wamid,
            wa_id=wa_id,
            phone_number_id="112233445566778",
            kind="text",
            sent_at=SENT,
            text="oi",
        )
        for wamid in wamids
    ]
    statuses = [DeliveryStatus("wamid.poison", "read", SENT, wa_id)] if poison else []
    return ParsedNotification(messages, statuses)


def inbox_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(InboundMessage)).scalar_one())


def test_a_batch_credits_a_wamid_to_the_first_notification_that_carried_it(engine: Engine) -> None:
    batch = [
        notification("wamid.A", "wamid.B"),
        notification("wamid.A"),
        notification("wamid.C", wa_id="553198765432"),
    ]

    results = store_notifications(engine, batch, WamidCache(None))

    assert results == [
        Accepted(stored=2, duplicates=0, statuses=0, wa_ids=["5511987654321"]),
        Accepted(stored=0, duplicates=1, statuses=0, wa_ids=[]),
        Accepted(stored=1, duplicates=0, statuses=0, wa_ids=["553198765432"]),
    ]
    assert inbox_count(engine) == 3


def test_a_notification_the_outbox_cannot_take_fails_only_its_own_request(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def apply(_session: Session, statuses: list[DeliveryStatus]) -> int:
        raise RuntimeError("outbox bug")

    monkeypatch.setattr(whatsapp_store, "apply_statuses", apply)
    writer = InboxWriter(engine, WamidCache(None))
    batch = [notification("wamid.1"), notification("wamid.2", poison=True), notification("wamid.3")]

    async def submit_all() -> list[Accepted | BaseException]:
        return await asyncio.gather(*(writer.store(n) for n in batch), return_exceptions=True)

    outcomes = asyncio.run(submit_all())

    assert [type(outcome).__name__ for outcome in outcomes] == [
        "Accepted",
        "RuntimeError",
        "Accepted",
    ]
    with Session(engine) as session:
        stored = session.execute(select(InboundMessage.wamid).order_by(InboundMessage.id))
        assert list(stored.scalars()) == ["wamid.1", "wamid.3"]


def test_concurrent_requests_from_one_loop_are_all_answered(engine: Engine) -> None:
    writer = InboxWriter(engine, WamidCache(None), max_batch=7)

    async def submit_all() -> list[Accepted]:
        return await asyncio.gather(*(writer.store(notification(f"wamid.{n}")) for n in range(50)))

    results = asyncio.run(submit_all())

    assert [result.stored for result in results] == [1] * 50
    assert inbox_count(engine) == 50
