"""Delivery statuses move a message forward only, find it by wamid or idempotency key, and a
131047 failure queues its template once."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from billing.models import OutboxKind, OutboxStatus
from channels.whatsapp.client import PywaClient
from channels.whatsapp.graph_standin import GraphStandIn
from channels.whatsapp.sender import Sender
from channels.whatsapp.statuses import DeliveryStatus, apply_statuses, template_retry_key
from channels.whatsapp.store import claim_due
from quita.db import session_scope
from tests.channels.whatsapp.conftest import FakeClock
from tests.channels.whatsapp.rows import WA_ID, add_thread, outbox_row, outbox_rows, queue

T0 = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def status(
    word: str,
    seconds: int,
    wamid: str = "wamid.A",
    *,
    code: str | None = None,
    key: str | None = None,
) -> DeliveryStatus:
    return DeliveryStatus(
        wamid=wamid,
        status=word,
        timestamp=T0 + timedelta(seconds=seconds),
        recipient_id=WA_ID,
        error_code=code,
        error_title="Re-engagement message" if code else None,
        biz_opaque_callback_data=key,
    )


def apply(engine: Engine, *statuses: DeliveryStatus) -> int:
    with session_scope(engine) as session:
        return apply_statuses(session, list(statuses))


async def sent_row(
    engine: Engine, make_sender: Callable[..., Sender], client: PywaClient, clock: FakeClock
) -> int:
    add_thread(engine, last_inbound_at=clock.now())
    row_id = queue(engine, "reply:1")
    assert row_id is not None
    assert await make_sender().send_due(client) == 1
    return row_id


async def test_sent_delivered_read_move_the_message_forward(
    engine: Engine,
    make_sender: Callable[..., Sender],
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    row_id = await sent_row(engine, make_sender, client, clock)
    wamid = standin.messages[0].wamid

    changed = apply(
        engine, status("sent", 1, wamid), status("delivered", 2, wamid), status("read", 9, wamid)
    )

    row = outbox_row(engine, row_id)
    assert changed == 2  # "sent" was already recorded by the sender
    assert row.status == OutboxStatus.READ
    assert (row.delivered_at, row.read_at) == (T0 + timedelta(seconds=2), T0 + timedelta(seconds=9))
    assert row.sent_at == clock.now()


async def test_late_statuses_never_move_a_message_back(
    engine: Engine,
    make_sender: Callable[..., Sender],
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    row_id = await sent_row(engine, make_sender, client, clock)
    wamid = standin.messages[0].wamid

    assert apply(engine, status("read", 9, wamid)) == 1
    assert apply(engine, status("delivered", 2, wamid), status("sent", 1, wamid)) == 0
    assert apply(engine, status("failed", 10, wamid, code="131026")) == 0

    row = outbox_row(engine, row_id)
    assert row.status == OutboxStatus.READ
    assert row.delivered_at == T0 + timedelta(seconds=9)  # read implies delivered
    assert row.error_code is None


async def test_a_failure_records_its_code_title_and_time(
    engine: Engine,
    make_sender: Callable[..., Sender],
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    row_id = await sent_row(engine, make_sender, client, clock)
    wamid = standin.messages[0].wamid
    failed = DeliveryStatus(
        wamid, "failed", T0, WA_ID, error_code="131026", error_title="Message undeliverable"
    )

    assert apply(engine, failed) == 1
    assert apply(engine, status("delivered", 5, wamid)) == 0  # Meta said failed: it stays

    row = outbox_row(engine, row_id)
    assert (row.status, row.error_code, row.error_detail, row.failed_at) == (
        OutboxStatus.FAILED,
        "131026",
        "Message undeliverable",
        T0,
    )


def test_a_send_the_sender_never_recorded_is_found_by_its_idempotency_key(
    engine: Engine, clock: FakeClock
) -> None:
    row_id = queue(engine, "reply:1")
    # A sender leased it, Meta accepted it, and the sender died before committing the wamid.
    claim_due(engine, now=clock.now(), lease=timedelta(seconds=60), limit=10)

    assert apply(engine, status("sent", 1, "wamid.B", key="reply:1")) == 1

    assert row_id is not None
    row = outbox_row(engine, row_id)
    assert (row.status, row.wamid, row.locked_until) == (OutboxStatus.SENT, "wamid.B", None)
    assert (
        claim_due(engine, now=clock.now() + timedelta(hours=1), lease=timedelta(1), limit=10) == []
    )


def test_a_status_for_an_unknown_message_changes_nothing(engine: Engine) -> None:
    queue(engine, "reply:1")

    assert apply(engine, status("delivered", 1, "wamid.nobody", key="someone-else")) == 0
    assert apply(engine, status("deleted", 1, "wamid.nobody")) == 0


async def test_131047_queues_the_template_once_and_the_sender_sends_it(
    engine: Engine,
    make_sender: Callable[..., Sender],
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    row_id = await sent_row(engine, make_sender, client, clock)
    wamid = standin.messages[0].wamid
    refused = status("failed", 3, wamid, code="131047", key="reply:1")

    assert apply(engine, refused) == 1
    assert apply(engine, refused) == 0  # Meta redelivers webhooks

    original, retry = outbox_rows(engine)
    assert (original.id, original.status, original.error_code) == (row_id, "failed", "131047")
    assert retry.idempotency_key == template_retry_key("reply:1") == "reply:1#template"
    assert (retry.kind, retry.status) == (OutboxKind.TEXT, OutboxStatus.PENDING)
    assert retry.payload == {"force_template": True, "replaces": row_id}

    # The thread still says the window is open; WhatsApp's refusal wins.
    assert await make_sender().send_due(client) == 1
    template = standin.messages[1].request["template"]
    assert template["name"] == "quita_retomar_conversa"
    assert retry.id is not None
    sent = outbox_row(engine, retry.id)
    assert (sent.kind, sent.status) == (OutboxKind.TEMPLATE, OutboxStatus.SENT)
    assert sent.payload["replaces"] == row_id


def test_a_very_long_key_still_gets_a_template_key_that_fits() -> None:
    key = template_retry_key("k" * 255)
    assert len(key) <= 255
    assert key.endswith("#template")
