"""GET|POST /webhooks/whatsapp: handshake, signature, body checks, the inbox and its logs."""

import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from billing.models import OutboxMessage, OutboxStatus
from billing.outbox import queue_message
from channels.whatsapp.statuses import DeliveryStatus
from conversations.inbox import WamidCache
from conversations.models import InboundMedia, InboundMessage, Thread
from quita import db
from quita.app import create_app
from quita.db import session_scope
from quita.settings import Settings, SettingsError, get_settings
from webhooks import whatsapp_store
from webhooks.signature import SIGNATURE_HEADER, sign

DATA = Path(__file__).parents[1] / "data" / "whatsapp"
SECRET = "7c1e5a9b-whatsapp-app-secret"
VERIFY_TOKEN = "a-long-random-verify-token"
PATH = "/webhooks/whatsapp"
MARIA = "5511987654321"
JOAO = "553198765432"
MESSAGE_FIXTURES = sorted(
    path.name
    for path in DATA.glob("*.json")
    if not path.name.startswith("status_") and path.name != "text_username_only.json"
)


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def make_app(engine: Engine, **settings: Any) -> FastAPI:
    values: dict[str, Any] = {
        "mode": "development",
        "whatsapp_app_secret": SecretStr(SECRET),
        "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
        **settings,
    }
    return create_app(Settings(**values), engine)


def post(
    client: TestClient, body: bytes, signature: str | None = None, *, signed: bool = True
) -> Any:
    headers = {"Content-Type": "application/json"}
    if signed:
        headers[SIGNATURE_HEADER] = signature or sign(body, SECRET)
    return client.post(PATH, content=body, headers=headers)


def count(engine: Engine, model: type[SQLModel]) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """For checks that refuse a request before any storage: one backend is enough."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'quita.db'}")
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(make_app(engine)) as client:
        yield client


@pytest.fixture
def refusing_client(sqlite_engine: Engine) -> Iterator[TestClient]:
    with TestClient(make_app(sqlite_engine)) as client:
        yield client


@pytest.fixture
def recorded_statuses(monkeypatch: pytest.MonkeyPatch) -> list[DeliveryStatus]:
    """Statuses handed to the outbox, in place of the outbound channel's `apply_statuses`."""
    seen: list[DeliveryStatus] = []

    def record(_session: Session, statuses: list[DeliveryStatus]) -> int:
        seen.extend(statuses)
        return len(statuses)

    monkeypatch.setattr(whatsapp_store, "apply_statuses", record)
    return seen


# Handshake


def test_the_handshake_echoes_the_challenge_for_the_right_token(
    refusing_client: TestClient,
) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }

    response = refusing_client.get(PATH, params=params)

    assert (response.status_code, response.text) == (200, "1158201444")
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
        {},
    ],
    ids=["wrong-token", "wrong-mode", "no-token", "no-challenge", "nothing"],
)
def test_the_handshake_is_refused_otherwise(
    refusing_client: TestClient, params: dict[str, str]
) -> None:
    response = refusing_client.get(PATH, params=params)

    assert response.status_code == 403
    assert "1" not in response.text


# Signature


def test_a_signed_message_is_stored_and_answered_200(client: TestClient, engine: Engine) -> None:
    response = post(client, fixture("text.json"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "stored": 1, "duplicates": 0, "statuses": 0}
    with Session(engine) as session:
        message = session.execute(select(InboundMessage)).scalar_one()
    assert (message.wa_id, message.kind, message.text) == (
        MARIA,
        "text",
        "qto ta minha conta? manda o pix ai",
    )


HeaderOf = Callable[[bytes], str | bytes | None]


@pytest.mark.parametrize(
    ("header_of", "status", "reason"),
    [
        (lambda body: None, 401, "missing"),
        (lambda body: "", 401, "missing"),
        (lambda body: sign(body + b" ", SECRET), 403, "mismatch"),
        (lambda body: sign(body, "another-secret"), 403, "mismatch"),
        (lambda body: "sha1=" + hashlib.sha1(body).hexdigest(), 403, "malformed"),
        (lambda body: ("sha256=" + "é" * 64).encode("latin-1"), 403, "malformed"),
    ],
    ids=["absent", "empty", "other-body", "other-secret", "sha1", "non-ascii"],
)
def test_a_missing_or_wrong_signature_is_refused_with_one_warning_and_no_body(
    refusing_client: TestClient,
    sqlite_engine: Engine,
    caplog: pytest.LogCaptureFixture,
    header_of: HeaderOf,
    status: int,
    reason: str,
) -> None:
    body = fixture("text.json")
    header = header_of(body)
    headers = {} if header is None else {SIGNATURE_HEADER: header}

    with caplog.at_level(logging.DEBUG, logger="webhooks"):
        response = refusing_client.post(PATH, content=body, headers=headers)

    assert response.status_code == status
    assert count(sqlite_engine, InboundMessage) == 0
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", f"whatsapp webhook refused: signature {reason}")
    ]
    assert MARIA not in caplog.text


def test_the_development_flag_accepts_an_unsigned_body_but_never_a_wrong_signature(
    sqlite_engine: Engine,
) -> None:
    body = fixture("text.json")
    with TestClient(make_app(sqlite_engine, whatsapp_allow_unsigned=True)) as client:
        unsigned = post(client, body, signed=False)
        forged = post(client, body, sign(body, "another-secret"))

    assert (unsigned.status_code, forged.status_code) == (200, 403)
    assert count(sqlite_engine, InboundMessage) == 1


def test_production_settings_refuse_the_unsigned_flag() -> None:
    real = {
        "whatsapp_app_secret": SecretStr("9f0c1d2e3b4a5968"),
        "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
        "whatsapp_access_token": SecretStr("EAAG-real-looking-token"),
    }

    Settings(mode="production", **real)
    with pytest.raises(ValidationError, match="QUITA_WHATSAPP_ALLOW_UNSIGNED"):
        Settings(mode="production", whatsapp_allow_unsigned=True, **real)


def test_the_unsigned_flag_is_read_from_the_environment_and_refused_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUITA_MODE", "production")
    monkeypatch.setenv("QUITA_WHATSAPP_ALLOW_UNSIGNED", "true")
    for name, value in {
        "WHATSAPP_APP_SECRET": "9f0c1d2e3b4a5968",
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_ACCESS_TOKEN": "EAAG-real-looking-token",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()

    try:
        with pytest.raises(SettingsError, match="QUITA_WHATSAPP_ALLOW_UNSIGNED"):
            get_settings()
        monkeypatch.setenv("QUITA_MODE", "development")
        get_settings.cache_clear()
        assert get_settings().whatsapp_allow_unsigned is True
    finally:
        get_settings.cache_clear()


# Body checks


@pytest.mark.parametrize(
    "body",
    [b"{", b"", b"\xff\xfe\x00garbage", b"[" * 100_000],
    ids=["truncated", "empty", "not-utf8", "deeply-nested"],
)
def test_a_body_that_is_not_json_is_answered_400_with_a_log_line(
    refusing_client: TestClient, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    with caplog.at_level(logging.WARNING, logger="webhooks"):
        response = post(refusing_client, body)

    assert response.status_code == 400
    assert response.json() == {"error": "body is not valid JSON"}
    assert "whatsapp webhook body is not JSON" in caplog.text


def test_valid_json_that_is_not_a_whatsapp_notification_is_acknowledged_and_dropped(
    refusing_client: TestClient, sqlite_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    body = json.dumps({"object": "page", "entry": [{"id": "1", "messaging": []}]}).encode()

    with caplog.at_level(logging.WARNING, logger="webhooks"):
        response = post(refusing_client, body)

    assert (response.status_code, response.json()) == (200, {"status": "ignored"})
    assert "whatsapp webhook body ignored" in caplog.text
    assert count(sqlite_engine, InboundMessage) == 0


def test_a_body_over_the_limit_is_refused_413_by_its_declared_length(
    sqlite_engine: Engine,
) -> None:
    body = fixture("text.json")
    with TestClient(make_app(sqlite_engine, whatsapp_max_body_bytes=len(body) - 1)) as client:
        response = post(client, body)

    assert response.status_code == 413
    assert count(sqlite_engine, InboundMessage) == 0


def test_a_streamed_body_over_the_limit_is_refused_413_while_reading(
    sqlite_engine: Engine,
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"object": "whatsapp_business_account", "entry": ['
        for _ in range(100):
            yield b'{"id": "1", "changes": []},' * 10

    with TestClient(make_app(sqlite_engine, whatsapp_max_body_bytes=4096)) as client:
        response = client.post(PATH, content=chunks(), headers={SIGNATURE_HEADER: "sha256=0"})

    assert "content-length" not in {name.lower() for name in response.request.headers}
    assert response.status_code == 413


def test_a_database_outage_is_answered_503_so_that_meta_redelivers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("connection refused"))

    monkeypatch.setattr(whatsapp_store, "store_messages", unreachable)

    assert post(client, fixture("text.json")).status_code == 503


# The inbox


def test_a_duplicate_delivery_is_answered_once(client: TestClient, engine: Engine) -> None:
    body = fixture("text.json")

    first, again = post(client, body), post(client, body)

    assert (first.json()["stored"], again.json()["stored"]) == (1, 0)
    assert again.json()["duplicates"] == 1
    assert count(engine, InboundMessage) == 1


@pytest.mark.parametrize("name", MESSAGE_FIXTURES)
def test_every_recorded_message_fixture_lands_in_the_inbox(
    client: TestClient, engine: Engine, recorded_statuses: list[DeliveryStatus], name: str
) -> None:
    body = json.loads(fixture(name))
    expected = sum(
        len(change["value"].get("messages", []))
        for entry in body["entry"]
        for change in entry["changes"]
    )

    response = post(client, fixture(name))

    assert response.status_code == 200
    assert response.json()["stored"] == expected
    assert count(engine, InboundMessage) == expected


def test_a_multi_entry_notification_stores_every_message_and_applies_its_statuses(
    client: TestClient, engine: Engine, recorded_statuses: list[DeliveryStatus]
) -> None:
    response = post(client, fixture("multi_entry.json"))

    assert response.json() == {"status": "ok", "stored": 3, "duplicates": 0, "statuses": 1}
    assert [status.status for status in recorded_statuses] == ["delivered"]
    with Session(engine) as session:
        threads = session.execute(select(Thread.wa_id).order_by(Thread.wa_id)).scalars().all()
    assert threads == [MARIA, JOAO]


def test_a_receipt_photo_waits_in_the_inbox_for_its_file(
    client: TestClient, engine: Engine
) -> None:
    post(client, fixture("image.json"))

    with Session(engine) as session:
        media = session.execute(select(InboundMedia)).scalar_one()
    assert (media.media_id, media.mime_type, media.content) == (
        "1184736629051247",
        "image/jpeg",
        None,
    )


@pytest.mark.parametrize(
    "name", ["status_sent.json", "status_delivered.json", "status_read.json", "status_failed.json"]
)
def test_statuses_are_handed_to_the_outbox(
    client: TestClient, recorded_statuses: list[DeliveryStatus], name: str
) -> None:
    raw = json.loads(fixture(name))["entry"][0]["changes"][0]["value"]["statuses"][0]

    response = post(client, fixture(name))

    assert response.json()["statuses"] == 1
    assert [(s.wamid, s.status) for s in recorded_statuses] == [(raw["id"], raw["status"])]


def test_statuses_and_messages_share_one_transaction(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_session: Session, _statuses: list[DeliveryStatus]) -> int:
        raise RuntimeError("outbox bug")

    monkeypatch.setattr(whatsapp_store, "apply_statuses", broken)
    with TestClient(make_app(engine), raise_server_exceptions=False) as client:
        response = post(client, fixture("multi_entry.json"))

    assert response.status_code == 500
    assert count(engine, InboundMessage) == 0


def test_the_worker_is_woken_with_the_threads_that_got_new_messages(
    client: TestClient, recorded_statuses: list[DeliveryStatus]
) -> None:
    woken: list[list[str]] = []
    client.app.state.wake_worker = woken.append  # type: ignore[attr-defined]

    post(client, fixture("multi_entry.json"))
    post(client, fixture("multi_entry.json"))

    assert woken == [[MARIA, JOAO]]


def test_an_async_wake_is_awaited_and_a_failing_one_does_not_fail_the_webhook(
    client: TestClient, engine: Engine
) -> None:
    woken: list[list[str]] = []

    async def wake(wa_ids: list[str]) -> None:
        woken.append(wa_ids)
        raise RuntimeError("worker unreachable")

    client.app.state.wake_worker = wake  # type: ignore[attr-defined]

    response = post(client, fixture("text.json"))

    assert (response.status_code, woken) == (200, [[MARIA]])
    assert count(engine, InboundMessage) == 1


# Logs


def test_info_logs_hold_no_phone_number_text_or_name(
    client: TestClient, caplog: pytest.LogCaptureFixture, recorded_statuses: list[DeliveryStatus]
) -> None:
    names = ["text.json", "multi_entry.json", "document.json", "location.json"]
    bodies = [fixture(name) for name in names]
    secrets = [
        MARIA,
        JOAO,
        "Maria Aparecida",
        "manda o pix",
        "parcelar",
        "comprovante",
        "Rua das Flores",
        "1796302931",
    ]

    with caplog.at_level(logging.INFO):
        for body in bodies:
            post(client, body)
        post(client, bodies[0], signed=False)

    assert len(caplog.records) >= 8
    assert not [secret for secret in secrets if secret in caplog.text]
    assert "wamid.HBgN" in " ".join(str(r.__dict__.get("wamid")) for r in caplog.records)


# Redis fast path and concurrent redeliveries


@pytest.fixture
def redis_app(engine: Engine, redis_url: str) -> Iterator[FastAPI]:
    """The app with Redis configured and a key prefix of its own."""
    app = make_app(engine, redis_url=redis_url)
    prefix = f"quita-test:{uuid.uuid4().hex}:wamid:"
    app.state.wamid_cache = WamidCache(app.state.redis, prefix=prefix)
    yield app
    keys = list(app.state.redis.scan_iter(match=prefix + "*"))
    if keys:
        app.state.redis.delete(*keys)
    app.state.redis.close()


@pytest.mark.redis
def test_twenty_concurrent_duplicate_deliveries_are_stored_once(
    redis_app: FastAPI, engine: Engine
) -> None:
    body = fixture("text.json")
    wamid = json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    start = threading.Barrier(20)

    def deliver(_: int) -> Any:
        client = TestClient(redis_app)
        start.wait()
        return post(client, body)

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(deliver, range(20)))

    assert {response.status_code for response in responses} == {200}
    assert sorted(response.json()["stored"] for response in responses) == [0] * 19 + [1]
    assert sum(response.json()["duplicates"] for response in responses) == 19
    assert (count(engine, InboundMessage), count(engine, Thread)) == (1, 1)
    assert redis_app.state.wamid_cache.known([wamid]) == {wamid}


@pytest.mark.redis
def test_a_wamid_redis_knows_is_answered_without_touching_the_database(
    redis_app: FastAPI, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(redis_app)
    body = fixture("text.json")
    post(client, body)

    def no_database(_engine: Engine) -> None:
        raise AssertionError("the database was asked")

    monkeypatch.setattr(whatsapp_store, "session_scope", no_database)
    again = post(client, body)

    assert (again.status_code, again.json()["duplicates"]) == (200, 1)
    assert count(engine, InboundMessage) == 1


def test_a_redis_outage_does_not_fail_the_webhook(engine: Engine) -> None:
    app = make_app(engine, redis_url="redis://127.0.0.1:1/0")
    with TestClient(app) as client:
        first, again = post(client, fixture("text.json")), post(client, fixture("text.json"))

    assert (first.status_code, first.json()["stored"]) == (200, 1)
    assert (again.status_code, again.json()["duplicates"]) == (200, 1)
    assert count(engine, InboundMessage) == 1


# Statuses reach the outbox (the outbound channel's apply_statuses, for real)


def _sent_message(engine: Engine, wamid: str) -> int:
    with session_scope(engine) as session:
        message_id = queue_message(
            session,
            customer_id=None,
            to="+" + MARIA,
            purpose="reply",
            body="Olá, Maria! Seu boleto está em dia.",
            idempotency_key="reply:test",
        )
        assert message_id is not None
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        row.status, row.wamid = OutboxStatus.SENDING, wamid
    return message_id


def _raw_status(name: str) -> dict[str, Any]:
    status: dict[str, Any] = json.loads(fixture(name))["entry"][0]["changes"][0]["value"][
        "statuses"
    ][0]
    return status


def _outbox(engine: Engine, message_id: int) -> OutboxMessage:
    with Session(engine) as session:
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        return row


def test_sent_delivered_and_read_statuses_move_the_outbox_message_forward(
    client: TestClient, engine: Engine
) -> None:
    names = ["status_sent.json", "status_delivered.json", "status_read.json"]
    message_id = _sent_message(engine, _raw_status(names[0])["id"])

    answers = [post(client, fixture(name)).json()["statuses"] for name in names]

    row = _outbox(engine, message_id)
    assert (answers, row.status) == ([1, 1, 1], OutboxStatus.READ)
    assert (row.sent_at, row.delivered_at, row.read_at) == tuple(
        datetime.fromtimestamp(int(_raw_status(name)["timestamp"]), UTC) for name in names
    )


def test_a_failed_status_records_meta_error_on_the_outbox_message(
    client: TestClient, engine: Engine
) -> None:
    message_id = _sent_message(engine, _raw_status("status_failed.json")["id"])

    response = post(client, fixture("status_failed.json"))

    row = _outbox(engine, message_id)
    assert (response.status_code, response.json()["statuses"]) == (200, 1)
    assert (row.status, row.error_code, row.error_detail) == (
        OutboxStatus.FAILED,
        "131047",
        "Re-engagement message",
    )


def test_a_status_of_an_unknown_message_is_acknowledged(client: TestClient) -> None:
    response = post(client, fixture("status_delivered.json"))

    assert (response.status_code, response.json()["statuses"]) == (200, 0)
