"""The sender against the Graph API stand-in: exactly-once sends across crashes and restarts,
the 24-hour window, retries and failures, opt-outs, ordering and rate limits."""

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from billing.models import OutboxKind, OutboxStatus
from channels.whatsapp.client import PywaClient
from channels.whatsapp.graph_standin import GraphStandIn
from channels.whatsapp.messages import Image, Text
from channels.whatsapp.ratelimit import Limits, LocalRateLimiter
from channels.whatsapp.sender import Sender
from channels.whatsapp.store import claim_due
from channels.whatsapp.templates import DEFAULT_TEMPLATES
from channels.whatsapp.window import Rules
from quita.policy import IspProfile
from tests.channels.whatsapp.conftest import FakeClock, client_for
from tests.channels.whatsapp.rows import (
    WA_ID,
    add_customer,
    add_thread,
    outbox_row,
    outbox_rows,
    queue,
)

SenderMaker = Callable[..., Sender]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def open_window(engine: Engine, clock: FakeClock, wa_id: str = WA_ID) -> None:
    add_thread(engine, wa_id, last_inbound_at=clock.now() - timedelta(minutes=5))


async def test_a_due_message_is_sent_and_recorded_with_its_wamid(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)
    row_id = queue(engine, "reply:1")
    assert row_id is not None

    assert await make_sender().send_due(client) == 1

    [sent] = standin.messages
    assert sent.to == WA_ID
    assert sent.request["text"]["body"] == "Mensagem reply:1"
    assert sent.tracker == "reply:1"
    row = outbox_row(engine, row_id)
    assert (row.status, row.wamid, row.sent_at, row.attempts) == (
        OutboxStatus.SENT,
        sent.wamid,
        clock.now(),
        1,
    )
    assert row.locked_until is None


async def test_a_key_queued_twice_is_sent_once(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)
    assert queue(engine, "reply:1") is not None
    assert queue(engine, "reply:1") is None

    assert await make_sender().send_due(client) == 1
    assert await make_sender().send_due(client) == 0
    assert len(standin.messages) == 1


async def test_a_crash_between_processing_and_sending_sends_once_after_restart(
    engine: Engine, make_sender: SenderMaker, standin: GraphStandIn, clock: FakeClock
) -> None:
    open_window(engine, clock)
    queue(engine, "reply:1")  # the turn committed; the process died before any sender ran

    restarted = make_sender()
    first = client_for(standin)
    assert await restarted.send_due(first) == 1
    assert await restarted.send_due(first) == 0
    await first.aclose()

    again = client_for(standin)
    assert await make_sender().send_due(again) == 0
    await again.aclose()
    assert len(standin.messages) == 1


async def test_a_lease_left_by_a_dead_sender_is_sent_once_after_it_runs_out(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)
    row_id = queue(engine, "reply:1")
    lease = timedelta(seconds=60)
    # A sender leases the row and dies before calling the API or recording anything.
    [leased] = claim_due(engine, now=clock.now(), lease=lease, limit=10)
    assert leased.id == row_id

    assert await make_sender().send_due(client) == 0  # still leased: nobody else sends it
    clock.advance(61)
    assert await make_sender().send_due(client) == 1
    clock.advance(3600)
    assert await make_sender().send_due(client) == 0
    assert len(standin.messages) == 1


async def test_a_message_recorded_sent_is_never_sent_again(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)
    queue(engine, "reply:1")
    assert await make_sender().send_due(client) == 1

    for _ in range(3):
        clock.advance(3600)
        assert await make_sender().send_due(client) == 0
    assert len(standin.messages) == 1


async def test_two_senders_never_send_the_same_message(
    engine: Engine, make_sender: SenderMaker, standin: GraphStandIn, clock: FakeClock
) -> None:
    phones = [f"+55119{n:08d}" for n in range(40)]
    for n, phone in enumerate(phones):
        add_thread(engine, phone[1:], last_inbound_at=clock.now())
        queue(engine, f"k{n}", to=phone)
    one, two = client_for(standin), client_for(standin)
    sender_one, sender_two = make_sender(batch_size=7), make_sender(batch_size=5)

    counts = await asyncio.gather(sender_one.send_due(one), sender_two.send_due(two))

    assert sum(counts) == 40
    trackers = [message.tracker for message in standin.messages]
    assert sorted(trackers) == sorted(f"k{n}" for n in range(40))
    await one.aclose()
    await two.aclose()


async def test_a_recipients_messages_leave_in_the_order_they_were_queued(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)
    add_thread(engine, "5521987650000", last_inbound_at=clock.now())
    for n in range(4):
        queue(engine, f"a{n}")
    queue(engine, "b0", to="+5521987650000")

    assert await make_sender(batch_size=50).send_due(client) == 5

    assert [m.tracker for m in standin.messages_to(WA_ID)] == ["a0", "a1", "a2", "a3"]


async def test_a_closed_window_sends_the_purposes_template_instead(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    add_thread(engine, last_inbound_at=clock.now() - timedelta(hours=25))
    customer_id = add_customer(engine)
    row_id = queue(
        engine,
        "paid:1",
        Text(body="Recebemos R$ 99,90."),
        purpose="payment_confirmation",
        customer_id=customer_id,
    )
    assert row_id is not None

    assert await make_sender().send_due(client) == 1

    [sent] = standin.messages
    template = sent.request["template"]
    assert template["name"] == "quita_pagamento_recebido"
    assert template["language"] == {"code": "pt_BR"}
    parameters = [p["text"] for p in template["components"][0]["parameters"]]
    assert parameters == ["Maria", "Conecta Vale Internet Ltda", "12.345.678/0001-95"]
    row = outbox_row(engine, row_id)
    assert row.kind == OutboxKind.TEMPLATE
    assert row.body.startswith("Olá, Maria! A Conecta Vale Internet Ltda")
    assert row.payload["original"] == {"kind": "text", "body": "Recebemos R$ 99,90.", "payload": {}}


async def test_a_debtor_who_never_wrote_gets_a_template(
    engine: Engine, make_sender: SenderMaker, client: PywaClient, standin: GraphStandIn
) -> None:
    queue(engine, "reply:1", fallback_parameters=["Ana", "Conecta", "12.345.678/0001-95"])

    assert await make_sender().send_due(client) == 1

    template = standin.messages[0].request["template"]
    assert template["name"] == "quita_retomar_conversa"
    assert template["components"][0]["parameters"][0]["text"] == "Ana"


async def test_a_closed_window_without_a_template_fails_the_message(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    add_thread(engine, last_inbound_at=clock.now() - timedelta(hours=24, seconds=1))
    row_id = queue(engine, "promo:1", purpose="unmapped_purpose")
    assert row_id is not None

    assert await make_sender().send_due(client) == 0

    assert standin.messages == []
    row = outbox_row(engine, row_id)
    assert (row.status, row.error_code) == (OutboxStatus.FAILED, "window_closed")
    assert "unmapped_purpose" in (row.error_detail or "")
    assert row.failed_at == clock.now()


async def test_131047_from_the_api_switches_the_message_to_its_template(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)  # our thread thinks the window is open; WhatsApp disagrees
    row_id = queue(engine, "reply:1")
    assert row_id is not None
    standin.fail_next(1, 131047, message="Re-engagement message")

    assert await make_sender().send_due(client) == 1

    [sent] = standin.messages
    assert sent.type == "template"
    assert sent.request["template"]["name"] == "quita_retomar_conversa"
    row = outbox_row(engine, row_id)
    assert (row.status, row.kind, row.wamid) == (OutboxStatus.SENT, "template", sent.wamid)
    assert row.payload["original"]["body"] == "Mensagem reply:1"


@pytest.mark.parametrize(
    ("code", "http_status"),
    [(131056, 400), (2, 503)],
)
async def test_a_transient_error_is_retried_later_with_backoff(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
    code: int,
    http_status: int,
) -> None:
    open_window(engine, clock)
    row_id = queue(engine, "reply:1")
    assert row_id is not None
    standin.fail_next(1, code, http_status=http_status)
    sender = make_sender(backoff_base=2.0)

    assert await sender.send_due(client) == 0

    row = outbox_row(engine, row_id)
    assert (row.status, row.attempts, row.error_code) == (OutboxStatus.PENDING, 1, str(code))
    assert row.next_attempt_at is not None
    assert clock.now() + timedelta(seconds=1) <= row.next_attempt_at
    assert row.next_attempt_at <= clock.now() + timedelta(seconds=2)
    assert await sender.send_due(client) == 0  # not due yet
    clock.advance(2)
    assert await sender.send_due(client) == 1
    row = outbox_row(engine, row_id)
    assert (row.status, row.attempts, row.error_code) == (OutboxStatus.SENT, 2, None)


async def test_backoff_grows_with_each_attempt_and_then_gives_up(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)
    row_id = queue(engine, "reply:1")
    assert row_id is not None
    standin.fail_next(3, 131056)
    sender = make_sender(max_attempts=3, backoff_base=2.0)
    waits = []

    for _ in range(3):
        assert await sender.send_due(client) == 0
        row = outbox_row(engine, row_id)
        if row.next_attempt_at is not None:
            waits.append((row.next_attempt_at - clock.now()).total_seconds())
            clock.advance(waits[-1])

    assert 1 <= waits[0] <= 2
    assert 2 <= waits[1] <= 4
    row = outbox_row(engine, row_id)
    assert (row.status, row.error_code, row.attempts) == (OutboxStatus.FAILED, "131056", 3)
    assert "gave up after 3 attempts" in (row.error_detail or "")


@pytest.mark.parametrize("code", [131026, 100])
async def test_a_permanent_error_fails_the_message_with_its_code(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
    code: int,
) -> None:
    open_window(engine, clock)
    row_id = queue(engine, "reply:1")
    assert row_id is not None
    standin.fail_next(1, code, message="Message undeliverable")

    assert await make_sender().send_due(client) == 0
    clock.advance(3600)
    assert await make_sender().send_due(client) == 0

    row = outbox_row(engine, row_id)
    assert (row.status, row.error_code, row.attempts) == (OutboxStatus.FAILED, str(code), 1)
    assert "Message undeliverable" in (row.error_detail or "")
    assert standin.messages == []


async def test_an_opted_out_debtor_gets_no_proactive_message(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    add_thread(engine, last_inbound_at=clock.now(), opted_out_at=clock.now())
    row_id = queue(engine, "paid:1", purpose="payment_confirmation")
    assert row_id is not None

    assert await make_sender().send_due(client) == 0

    assert standin.messages == []
    assert outbox_row(engine, row_id).error_code == "opted_out"


async def test_after_an_opt_out_only_mandatory_purposes_and_live_replies_go_out(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    add_thread(engine, last_inbound_at=clock.now(), opted_out_at=clock.now())
    queue(engine, "notice:1", purpose="suspension_notice")
    queue(engine, "reply:1", purpose="agent_reply")
    queue(engine, "promo:1", purpose="cadence_reminder")
    rules = Rules(mandatory_purposes=frozenset({"suspension_notice"}))

    assert await make_sender(rules=rules).send_due(client) == 2

    assert [m.tracker for m in standin.messages] == ["notice:1", "reply:1"]
    assert outbox_rows(engine)[2].error_code == "opted_out"


async def test_a_recipient_over_the_pair_limit_is_deferred_without_an_attempt(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)
    queue(engine, "reply:1")
    second = queue(engine, "reply:2")
    assert second is not None
    sender = make_sender(limits=Limits(per_second=0, recipient_gap=6, recipient_burst=1))

    assert await sender.send_due(client) == 1

    row = outbox_row(engine, second)
    assert (row.status, row.attempts, row.error_code) == (OutboxStatus.PENDING, 0, None)
    assert row.next_attempt_at == clock.now() + timedelta(seconds=6)
    clock.advance(6)
    assert await sender.send_due(client) == 1
    assert [m.tracker for m in standin.messages] == ["reply:1", "reply:2"]


async def test_a_short_rate_limit_wait_is_slept_through(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    for n in range(3):
        add_thread(engine, f"55119000000{n:02d}", last_inbound_at=clock.now())
        queue(engine, f"k{n}", to=f"+55119000000{n:02d}")
    start = clock.monotonic()

    assert await make_sender(limits=Limits(per_second=2, recipient_gap=0)).send_due(client) == 3

    assert clock.monotonic() - start == pytest.approx(1.0)  # three at 2/s: 0, 0.5, 1.0


async def test_media_is_uploaded_once_and_sent_by_its_id(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)
    row_id = queue(engine, "pix:1", Image(filename="pix.png", mime_type="image/png", data=PNG))
    assert row_id is not None
    standin.fail_next(1, 131000, endpoint="messages")
    sender = make_sender()

    assert await sender.send_due(client) == 0
    media_id = outbox_row(engine, row_id).payload["media_id"]
    clock.advance(600)
    assert await sender.send_due(client) == 1

    [sent] = standin.messages
    assert sent.request["image"]["id"] == media_id
    stored = standin.media(media_id)
    assert stored is not None
    assert stored.content == PNG
    assert standin.media(str(int(media_id) + 1)) is None  # the retry did not upload again


async def test_an_unreadable_row_fails_instead_of_blocking_the_recipient(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
) -> None:
    open_window(engine, clock)
    from billing.outbox import queue_message
    from quita.db import session_scope

    with session_scope(engine) as session:
        queue_message(
            session,
            customer_id=None,
            to="+5511987654321",
            purpose="agent_reply",
            body="Escolha",
            idempotency_key="bad:1",
            kind=OutboxKind.BUTTONS,
            payload={"buttons": []},
        )
    queue(engine, "reply:2")

    assert await make_sender().send_due(client) == 1

    assert [row.error_code for row in outbox_rows(engine)] == ["invalid", None]


def test_run_once_and_run_forever_drive_their_own_event_loop(
    engine: Engine, make_sender: SenderMaker, standin: GraphStandIn, clock: FakeClock
) -> None:
    open_window(engine, clock)
    queue(engine, "reply:1")
    assert make_sender().run_once() == 1

    queue(engine, "reply:2")
    stop = threading.Event()

    class StopAfterOneRound:
        def wait(self, timeout: float) -> bool:
            stop.set()
            return True

    make_sender().run_forever(stop, StopAfterOneRound())  # type: ignore[arg-type]
    assert [m.tracker for m in standin.messages] == ["reply:1", "reply:2"]


async def test_info_logs_name_no_phone_number_and_no_message_text(
    engine: Engine,
    make_sender: SenderMaker,
    client: PywaClient,
    standin: GraphStandIn,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    add_thread(engine, last_inbound_at=clock.now() - timedelta(days=2))
    customer_id = add_customer(engine)
    queue(engine, "paid:1", purpose="payment_confirmation", customer_id=customer_id)
    queue(engine, "promo:1", to="+5521987650000", purpose="unmapped_purpose")
    standin.fail_next(1, 131026, message="Message undeliverable")
    caplog.set_level(logging.INFO)

    await make_sender().send_due(client)

    logged = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    assert "failed" in logged
    for secret in ("5511987654321", "5521987650000", "Mensagem paid:1", "MARIA"):
        assert secret not in logged


def test_an_unexpected_error_retries_the_message_instead_of_stranding_it(
    engine: Engine, standin: GraphStandIn, clock: FakeClock
) -> None:
    open_window(engine, clock)
    row_id = queue(engine, "reply:1")
    assert row_id is not None

    class BrokenClient:
        async def send(self, message: object, to: str, *, tracker: str | None = None) -> None:
            raise RuntimeError("a bug")

        async def aclose(self) -> None:
            return None

    sender = Sender(
        engine,
        BrokenClient,  # type: ignore[arg-type]
        LocalRateLimiter(Limits(per_second=0, recipient_gap=0), clock.monotonic),
        templates=DEFAULT_TEMPLATES,
        isp=IspProfile(),
        now=clock.now,
    )

    assert sender.run_once() == 0

    row = outbox_row(engine, row_id)
    assert (row.status, row.error_code, row.attempts) == (OutboxStatus.PENDING, "internal", 1)
    assert row.locked_until is None
