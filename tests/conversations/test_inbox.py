"""The inbox: messages stored once per wamid, threads opened and touched, the Redis fast path."""

import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from conversations.inbox import (
    IncomingMedia,
    IncomingMessage,
    WamidCache,
    mask_wa_id,
    store_messages,
)
from conversations.models import InboundMedia, InboundMessage, Thread
from quita.db import session_scope

SENT = datetime(2026, 12, 3, 13, 2, 11, tzinfo=UTC)
MARIA = "5511987654321"
JOAO = "553198765432"


def incoming(
    wamid: str,
    wa_id: str = MARIA,
    seconds: int = 0,
    kind: str = "text",
    text: str | None = None,
    reply_id: str | None = None,
    media: IncomingMedia | None = None,
) -> IncomingMessage:
    return IncomingMessage(
        wamid=wamid,
        wa_id=wa_id,
        phone_number_id="112233445566778",
        kind=kind,
        sent_at=SENT + timedelta(seconds=seconds),
        text=text if text is not None else f"texto {wamid}",
        reply_id=reply_id,
        payload={"id": wamid, "type": kind},
        media=media,
    )


def store(engine: Engine, *messages: IncomingMessage) -> tuple[list[str], list[str], list[str]]:
    with session_scope(engine) as session:
        result = store_messages(session, list(messages))
    return result.stored, result.duplicates, result.wa_ids


def thread(engine: Engine, wa_id: str) -> Thread:
    with Session(engine) as session:
        return session.execute(select(Thread).where(col(Thread.wa_id) == wa_id)).scalar_one()


def count(engine: Engine, model: type[InboundMessage] | type[InboundMedia] | type[Thread]) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_message_is_stored_once_whatever_the_redeliveries(engine: Engine) -> None:
    first = store(engine, incoming("wamid.A"))
    again = store(engine, incoming("wamid.A"), incoming("wamid.A"))

    assert first == (["wamid.A"], [], [MARIA])
    assert again == ([], ["wamid.A", "wamid.A"], [])
    assert count(engine, InboundMessage) == 1


def test_the_stored_row_holds_what_the_agent_reads(engine: Engine) -> None:
    store(engine, incoming("wamid.B", kind="interactive", text="Pagar com Pix", reply_id="pay"))

    with Session(engine) as session:
        row = session.execute(select(InboundMessage)).scalar_one()
    assert (row.wamid, row.wa_id, row.kind, row.text, row.reply_id) == (
        "wamid.B",
        MARIA,
        "interactive",
        "Pagar com Pix",
        "pay",
    )
    assert (row.sent_at, row.status, row.attempts) == (SENT, "pending", 0)
    assert row.payload == {"id": "wamid.B", "type": "interactive"}


def test_a_new_sender_gets_a_thread_with_the_newest_message_time(engine: Engine) -> None:
    store(engine, incoming("wamid.1", seconds=5), incoming("wamid.2", seconds=2))

    assert thread(engine, MARIA).last_inbound_at == SENT + timedelta(seconds=5)
    assert thread(engine, MARIA).customer_id is None


def test_last_inbound_at_only_moves_forward(engine: Engine) -> None:
    store(engine, incoming("wamid.1", seconds=60))
    store(engine, incoming("wamid.late", seconds=10))
    after_older = thread(engine, MARIA).last_inbound_at
    store(engine, incoming("wamid.2", seconds=120))

    assert after_older == SENT + timedelta(seconds=60)
    assert thread(engine, MARIA).last_inbound_at == SENT + timedelta(seconds=120)
    assert count(engine, Thread) == 1


def test_a_system_notification_opens_no_reply_window(engine: Engine) -> None:
    stored, _, wa_ids = store(engine, incoming("wamid.sys", wa_id=JOAO, kind="system"))

    assert (stored, wa_ids) == (["wamid.sys"], [JOAO])
    assert thread(engine, JOAO).last_inbound_at is None


def test_threads_with_new_messages_are_returned_sorted(engine: Engine) -> None:
    store(engine, incoming("wamid.old"))

    _, _, wa_ids = store(
        engine, incoming("wamid.j", wa_id=JOAO), incoming("wamid.old"), incoming("wamid.m")
    )

    assert wa_ids == sorted([JOAO, MARIA])


def test_a_file_gets_a_media_row_waiting_to_be_fetched(engine: Engine) -> None:
    media = IncomingMedia("1029384756473829", "application/pdf", "comprovante.pdf")
    store(engine, incoming("wamid.doc", kind="document", media=media))
    store(engine, incoming("wamid.doc", kind="document", media=media))

    with Session(engine) as session:
        row = session.execute(select(InboundMedia)).scalar_one()
        message = session.execute(select(InboundMessage)).scalar_one()
    assert (row.message_id, row.media_id, row.mime_type, row.filename) == (
        message.id,
        "1029384756473829",
        "application/pdf",
        "comprovante.pdf",
    )
    assert (row.content, row.fetch_error, row.fetched_at) == (None, None, None)


def _store_then_crash(engine: Engine) -> None:
    with session_scope(engine) as session:
        store_messages(session, [incoming("wamid.lost")])
        raise RuntimeError("crash before commit")


def test_nothing_is_stored_when_the_transaction_rolls_back(engine: Engine) -> None:
    with pytest.raises(RuntimeError, match="crash before commit"):
        _store_then_crash(engine)

    assert count(engine, InboundMessage) == 0
    assert count(engine, Thread) == 0


def test_logs_name_the_wamid_and_a_masked_number_but_no_text(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="conversations.inbox"):
        store(engine, incoming("wamid.log", text="meu cpf é 123.456.789-09"))

    assert [record.__dict__.get("wamid") for record in caplog.records] == ["wamid.log"]
    assert MARIA not in caplog.text
    assert "cpf" not in caplog.text
    assert "-4321" in caplog.text


@pytest.mark.parametrize(
    ("wa_id", "shown"),
    [("5511987654321", "+55 11 *****-4321"), ("0123", "+***"), ("BR.1340583213487765124", "+***")],
)
def test_mask_wa_id_never_shows_the_whole_number(wa_id: str, shown: str) -> None:
    assert mask_wa_id(wa_id) == shown


def test_without_redis_the_cache_knows_nothing_and_remembers_nothing() -> None:
    cache = WamidCache(None)

    cache.remember(["wamid.A"])

    assert cache.known(["wamid.A"]) == set()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: redis.Redis) -> Iterator[str]:
    prefix = f"quita-test:{uuid.uuid4().hex}:wamid:"
    yield prefix
    keys = list(redis_client.scan_iter(match=prefix + "*"))
    if keys:
        redis_client.delete(*keys)


@pytest.mark.redis
def test_remembered_wamids_are_known_with_a_time_to_live(
    redis_client: redis.Redis, prefix: str
) -> None:
    cache = WamidCache(redis_client, prefix=prefix, ttl=timedelta(days=3))

    before = cache.known(["wamid.A", "wamid.B"])
    cache.remember(["wamid.A"])

    assert before == set()
    assert cache.known(["wamid.A", "wamid.B"]) == {"wamid.A"}
    assert 0 < redis_client.ttl(prefix + "wamid.A") <= 3 * 24 * 3600


@pytest.mark.redis
def test_remember_never_overwrites_a_key(redis_client: redis.Redis, prefix: str) -> None:
    redis_client.set(prefix + "wamid.A", b"first", ex=60)

    WamidCache(redis_client, prefix=prefix).remember(["wamid.A"])

    assert redis_client.get(prefix + "wamid.A") == b"first"


def test_a_redis_outage_falls_back_to_the_database_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Port 1 on loopback refuses connections at once: an outage without waiting for timeouts.
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    cache = WamidCache(client)

    with caplog.at_level(logging.DEBUG, logger="conversations.inbox"):
        answers = [cache.known(["wamid.A"]), cache.known(["wamid.A"])]
        cache.remember(["wamid.A"])
    client.close()

    assert answers == [set(), set()]
    assert [record.levelname for record in caplog.records] == ["WARNING", "DEBUG", "DEBUG"]
