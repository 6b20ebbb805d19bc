"""POST /webhooks/pix: authentication, body checks, per-item results and exactly-once settlement."""

import json
import logging
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlmodel import Session

from billing.instruments import EmbeddedPaymentProvider, PixCharge
from billing.models import Invoice, OutboxMessage, Payment, PaymentNotice
from quita.app import create_app
from quita.db import session_scope
from quita.policy import Policy
from quita.settings import Settings
from tests.billing.ledger_rows import TODAY, count, seed_ledger
from webhooks.pix import MAX_BODY_BYTES

SECRET = "a9f1c0de-pix-webhook-7b2e"
RECORDED = Path(__file__).parent / "data" / "pix_webhook.json"
E2E = "E18236120202611201303s0123456789"
REAL_WHATSAPP = {
    "whatsapp_app_secret": SecretStr("9f0c1d2e3b4a5968"),
    "whatsapp_verify_token": SecretStr("a-long-random-verify-token"),
    "whatsapp_access_token": SecretStr("EAAG-real-looking-token"),
}


@pytest.fixture(autouse=True)
def no_pix_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QUITA_PIX_WEBHOOK_SECRET", "QUITA_PIX_MTLS_HEADER", "QUITA_PIX_MTLS_VALUE"):
        monkeypatch.delenv(name, raising=False)


def _client(engine: Engine, **settings: Any) -> TestClient:
    values: dict[str, Any] = {"mode": "development", "today": TODAY, **settings}
    return TestClient(create_app(Settings(**values), engine))


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with _client(engine, pix_webhook_secret=SecretStr(SECRET)) as client:
        yield client


@pytest.fixture
def charge(engine: Engine) -> PixCharge:
    ledger = seed_ledger(engine)
    with session_scope(engine) as session:
        invoice = session.get(Invoice, ledger.invoice_id)
        assert invoice is not None
        return EmbeddedPaymentProvider(Policy()).create_pix_charge(session, invoice, TODAY)


def _item(charge: PixCharge, end_to_end_id: str = E2E, valor: str | None = None) -> dict[str, Any]:
    return {
        "endToEndId": end_to_end_id,
        "txid": charge.txid,
        "valor": valor or f"{charge.amount:.2f}",
        "horario": "2026-11-20T13:03:33.902Z",
        "infoPagador": "fatura de novembro",
    }


def _post(client: TestClient, body: Any, **kwargs: Any) -> Any:
    headers = {"X-Webhook-Secret": SECRET, **kwargs.pop("headers", {})}
    return client.post("/webhooks/pix", json=body, headers=headers, **kwargs)


def _results(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["result"] for item in response.json()["results"]]


def test_an_exact_payment_is_settled_and_answered_per_item(
    client: TestClient, charge: PixCharge, engine: Engine
) -> None:
    response = _post(client, {"pix": [_item(charge)]})

    assert response.json() == {"results": [{"index": 0, "endToEndId": E2E, "result": "settled"}]}
    with Session(engine) as session:
        invoice = session.execute(select(Invoice)).scalar_one()
    assert invoice.status == "paid"
    assert count(engine, OutboxMessage) == 1


def test_each_item_gets_its_own_result_and_invalid_items_do_not_stop_valid_ones(
    client: TestClient, charge: PixCharge, engine: Engine
) -> None:
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))["pix"][0]
    as_number = {**_item(charge, "E2"), "valor": 10.5}
    no_time = {key: value for key, value in _item(charge, "E3").items() if key != "horario"}
    body = {"pix": [_item(charge), recorded, as_number, no_time, _item(charge), "x"]}

    response = _post(client, body)

    assert _results(response) == [
        "settled",
        "unmatched",
        "invalid",
        "invalid",
        "duplicate",
        "invalid",
    ]
    errors = [item.get("error", "") for item in response.json()["results"]]
    assert errors[2].startswith("valor: ")
    assert errors[3].startswith("horario: ")
    assert errors[5] == "item must be a JSON object"
    assert count(engine, PaymentNotice) == 2
    assert count(engine, Payment) == 1


def test_the_recorded_example_is_kept_unmatched_with_its_refunds(
    client: TestClient, engine: Engine
) -> None:
    body = json.loads(RECORDED.read_text(encoding="utf-8"))

    assert _results(_post(client, body)) == ["unmatched"]

    with Session(engine) as session:
        notice = session.execute(select(PaymentNotice)).scalar_one()
    assert (notice.reference, notice.amount) == (
        "cd1fe328c875481285a6f233ae41b662",
        Decimal("100.00"),
    )
    assert notice.raw["devolucoes"][0]["rtrId"] == "D12345678202009091000abcde123456"


def test_a_redelivered_body_is_answered_duplicate(client: TestClient, charge: PixCharge) -> None:
    body = {"pix": [_item(charge)]}
    _post(client, body)

    assert _results(_post(client, body)) == ["duplicate"]


@pytest.mark.parametrize(
    "credentials",
    [{}, {"headers": {"X-Webhook-Secret": "wrong"}}, {"params": {"hmac": "wrong"}}],
    ids=["none", "wrong-header", "wrong-query"],
)
def test_a_request_without_the_right_secret_is_refused_with_one_warning(
    engine: Engine, caplog: pytest.LogCaptureFixture, credentials: dict[str, Any]
) -> None:
    body = {"pix": [{"endToEndId": "E1", "infoPagador": "segredo do pagador"}]}

    with _client(engine, pix_webhook_secret=SecretStr(SECRET)) as client:
        response = client.post("/webhooks/pix", json=body, **credentials)

    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized"}
    warnings = [r for r in caplog.records if r.name == "webhooks.pix"]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "segredo" not in caplog.text
    assert count(engine, PaymentNotice) == 0


def test_the_secret_is_accepted_as_the_hmac_query_parameter(
    engine: Engine, charge: PixCharge
) -> None:
    with _client(engine, pix_webhook_secret=SecretStr(SECRET)) as client:
        response = client.post(
            "/webhooks/pix", params={"hmac": SECRET}, json={"pix": [_item(charge)]}
        )

    assert _results(response) == ["settled"]


@pytest.mark.parametrize(("verify", "status"), [("SUCCESS", 200), ("FAILED:unknown ca", 401)])
def test_the_proxy_client_certificate_header_authenticates(
    engine: Engine, charge: PixCharge, verify: str, status: int
) -> None:
    mtls = {"pix_mtls_header": "X-SSL-Client-Verify", "mode": "production", **REAL_WHATSAPP}

    with _client(engine, **mtls) as client:
        response = client.post(
            "/webhooks/pix", json={"pix": [_item(charge)]}, headers={"X-SSL-Client-Verify": verify}
        )

    assert response.status_code == status


@pytest.mark.parametrize(("mode", "status"), [("development", 200), ("production", 401)])
def test_without_secret_or_mtls_only_development_is_open(
    engine: Engine, mode: str, status: int
) -> None:
    with _client(engine, mode=mode, **REAL_WHATSAPP) as client:
        response = client.post("/webhooks/pix", json={"pix": []})

    assert response.status_code == status


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"pix": [', "body is not valid JSON"),
        (b"\xff\xfe", "body is not valid JSON"),
        (b'{"cob": []}', 'body must be a JSON object with a "pix" array'),
        (b"[]", 'body must be a JSON object with a "pix" array'),
        (b'{"pix": {"endToEndId": "E1"}}', '"pix" must be an array'),
    ],
)
def test_an_unreadable_body_is_a_400_with_a_json_error_and_a_log_line(
    client: TestClient, caplog: pytest.LogCaptureFixture, content: bytes, message: str
) -> None:
    response = client.post(
        "/webhooks/pix",
        content=content,
        headers={"X-Webhook-Secret": SECRET, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    assert any(r.name == "webhooks.pix" and r.levelno == logging.WARNING for r in caplog.records)


def test_a_body_over_the_limit_is_a_413(client: TestClient, engine: Engine) -> None:
    padding = "x" * MAX_BODY_BYTES
    body = {"pix": [{"endToEndId": "E1", "infoPagador": padding}]}

    response = _post(client, body)

    assert response.status_code == 413
    assert "larger than" in response.json()["error"]
    assert count(engine, PaymentNotice) == 0


def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"pix": [{"infoPagador": "'
        for _ in range(MAX_BODY_BYTES // 1024 + 1):
            yield b"x" * 1024

    response = client.post("/webhooks/pix", content=chunks(), headers={"X-Webhook-Secret": SECRET})

    assert response.status_code == 413


def test_twenty_concurrent_deliveries_settle_once(
    client: TestClient, charge: PixCharge, engine: Engine
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent settlement needs PostgreSQL: SQLite serialises all writers")
    body = {"pix": [_item(charge)]}

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: _post(client, body), range(20)))

    results = Counter(result for response in responses for result in _results(response))
    assert results == {"settled": 1, "duplicate": 19}
    assert count(engine, Payment) == 1
    assert count(engine, PaymentNotice) == 1
    assert count(engine, OutboxMessage) == 1
