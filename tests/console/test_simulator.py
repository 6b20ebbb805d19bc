"""The WhatsApp simulator's HTTP side: debtors to play, messages through the real signed
webhook into the inbox, the thread read back from the Graph API stand-in, and its absence in
production."""

import json
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from billing.balance import customer_balance
from billing.demo import generate_portfolio, seed_portfolio
from billing.money import format_json
from channels.whatsapp.client import PywaClient
from channels.whatsapp.graph_standin import GraphStandIn
from channels.whatsapp.messages import (
    Button,
    Buttons,
    Document,
    Image,
    ListMessage,
    Row,
    Section,
    Template,
    Text,
)
from console import simulator
from console.simulator import ReplyChoice, SimulatorRefused, inbound_payload, mount_simulator, sign
from conversations.models import InboundMessage
from policies.calendar import national_calendar
from policies.charges import DEFAULT_RULES
from quita.app import create_app
from quita.db import session_scope
from quita.settings import Settings
from webhooks.signature import SignatureCheck, check_signature
from webhooks.whatsapp_payload import parse_notification

TODAY = date(2026, 12, 3)
SECRET = "5e2c9a71-simulator-app-secret"
TOKEN = "EAAG-simulator-access-token"
PHONE_NUMBER_ID = "106540352242922"
MARIA = "5511987654321"
STATIC = Path(simulator.__file__).parent / "static"
# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def settings(**values: Any) -> Settings:
    base: dict[str, Any] = {
        "mode": "development",
        "today": TODAY,
        "whatsapp_app_secret": SecretStr(SECRET),
        "whatsapp_access_token": SecretStr(TOKEN),
        "whatsapp_phone_number_id": PHONE_NUMBER_ID,
    }
    return Settings(**{**base, **values})


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    """The development app, which serves the simulator."""
    return create_app(settings(), engine)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://quita.test") as client:
        yield client


@pytest.fixture
async def graph(app: FastAPI) -> AsyncIterator[PywaClient]:
    """The real outbound client, pointed at the stand-in the simulator mounted."""
    client = PywaClient(
        graph_url=simulator.graph_url("http://quita.test"),
        phone_number_id=PHONE_NUMBER_ID,
        access_token=TOKEN,
        transport=httpx.ASGITransport(app=app),
    )
    yield client
    await client.aclose()


def inbox(engine: Engine) -> list[InboundMessage]:
    with Session(engine) as session:
        query = select(InboundMessage).order_by(col(InboundMessage.id))
        return list(session.exec(query).all())


def seed_demo(engine: Engine, customers: int) -> None:
    with session_scope(engine) as session:
        seed_portfolio(session, generate_portfolio(customers, seed=7, today=TODAY))


async def test_debtors_are_listed_overdue_first_with_their_updated_open_total(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    seed_demo(engine, 60)

    response = await client.get("/simulator/api/debtors")

    assert response.status_code == 200
    body = response.json()
    debtors = body["debtors"]
    assert body["business"]["name"]
    assert len(debtors) == simulator.DEBTORS_LIMIT
    flags = [debtor["overdue"] for debtor in debtors]
    assert flags[0] is True
    assert flags == sorted(flags, reverse=True), "every overdue debtor comes before the others"
    with Session(engine) as session:
        for debtor in debtors:
            assert debtor["phone"] == "+" + debtor["wa_id"]
            balance = customer_balance(
                session, debtor["external_id"], TODAY, DEFAULT_RULES, national_calendar()
            )
            assert debtor["open_total"] == format_json(balance.total)
            assert debtor["open_total_brl"].startswith("R$ ")


async def test_an_empty_ledger_lists_no_debtors(client: httpx.AsyncClient) -> None:
    response = await client.get("/simulator/api/debtors")

    assert response.json()["debtors"] == []


async def test_a_typed_message_reaches_the_inbox_through_the_signed_webhook(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    response = await client.post(
        "/simulator/api/send", json={"wa_id": MARIA, "name": "Maria", "text": "oi, qto ta?"}
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == 200
    assert answer["webhook"]["stored"] == 1
    [row] = inbox(engine)
    assert (row.wamid, row.wa_id, row.kind, row.text) == (
        answer["wamid"],
        MARIA,
        "text",
        "oi, qto ta?",
    )
    assert row.phone_number_id == PHONE_NUMBER_ID


@pytest.mark.parametrize("reply_type", ["button_reply", "list_reply"])
async def test_a_tapped_choice_is_stored_with_its_reply_id(
    client: httpx.AsyncClient, engine: Engine, reply_type: str
) -> None:
    reply = {"id": "pay_pix", "title": "Pagar com Pix", "type": reply_type}

    response = await client.post(
        "/simulator/api/send", json={"wa_id": MARIA, "reply": reply, "context": "wamid.ABC"}
    )

    assert response.json()["status"] == 200
    [row] = inbox(engine)
    assert (row.kind, row.text, row.reply_id) == ("interactive", "Pagar com Pix", "pay_pix")
    assert row.payload["context"]["id"] == "wamid.ABC"


@pytest.mark.parametrize(
    "body",
    [
        {"wa_id": MARIA},
        {"wa_id": MARIA, "text": "oi", "reply": {"id": "a", "title": "A"}},
        {"wa_id": MARIA, "text": "   "},
        {"wa_id": "+5511987654321", "text": "oi"},
    ],
)
async def test_a_send_that_is_neither_one_text_nor_one_reply_is_refused(
    client: httpx.AsyncClient, engine: Engine, body: dict[str, Any]
) -> None:
    response = await client.post("/simulator/api/send", json=body)

    assert response.status_code == 422
    assert inbox(engine) == []


async def test_the_thread_holds_the_debtors_messages_and_every_kind_the_app_sent(
    client: httpx.AsyncClient, graph: PywaClient
) -> None:
    await client.post("/simulator/api/send", json={"wa_id": MARIA, "text": "oi"})
    for message in app_messages():
        await graph.send(message, MARIA)

    response = await client.get("/simulator/api/messages", params={"wa_id": MARIA})

    body = response.json()
    items = body["messages"]
    assert [item["type"] for item in items] == [
        "text",
        "text",
        "buttons",
        "list",
        "template",
        "image",
        "document",
    ]
    mine, text, buttons, listed, template, image, document = items
    assert (mine["direction"], mine["text"], mine["status"]) == ("inbound", "oi", "pending")
    assert {item["direction"] for item in items[1:]} == {"outbound"}
    assert text["text"] == "Olá, *Maria*!\nTudo bem?"
    assert buttons["buttons"] == [
        {"id": "pay_pix", "title": "Pagar com Pix"},
        {"id": "boleto", "title": "Segunda via"},
    ]
    assert (buttons["header"], buttons["footer"]) == ("Sua fatura", "Conecta Vale")
    assert listed["button"] == "Ver opções"
    assert listed["sections"][0]["rows"][1] == {
        "id": "plan_3x",
        "title": "3x de R$ 43,30",
        "description": "Entrada hoje",
    }
    assert template["name"] == "quita_retomar_conversa"
    assert template["parameters"] == ["Maria", "Conecta Vale", "12.345.678/0001-95"]
    assert template["text"].startswith(
        "Olá, Maria! Aqui é a Conecta Vale (CNPJ 12.345.678/0001-95)"
    )
    assert (image["caption"], document["filename"]) == ("QR Code do Pix", "boleto.pdf")
    assert body["ticks"] == {mine["wamid"]: "pending"}

    png = await client.get(image["url"])
    pdf = await client.get(document["url"])
    assert (png.status_code, png.headers["content-type"], png.content) == (200, "image/png", PNG)
    assert (pdf.headers["content-type"], pdf.content) == ("application/pdf", b"%PDF-1.4 boleto")


async def test_the_cursor_returns_only_what_is_new(
    client: httpx.AsyncClient, graph: PywaClient
) -> None:
    await client.post("/simulator/api/send", json={"wa_id": MARIA, "text": "oi"})
    first = (await client.get("/simulator/api/messages", params={"wa_id": MARIA})).json()

    unchanged = await client.get(
        "/simulator/api/messages", params={"wa_id": MARIA, "after": first["cursor"]}
    )
    await graph.send(Text(body="Olá! Como posso ajudar?"), MARIA)
    await client.post("/simulator/api/send", json={"wa_id": MARIA, "text": "quero pagar"})
    later = await client.get(
        "/simulator/api/messages", params={"wa_id": MARIA, "after": first["cursor"]}
    )

    assert [item["text"] for item in first["messages"]] == ["oi"]
    assert unchanged.json()["messages"] == []
    assert [item["text"] for item in later.json()["messages"]] == [
        "Olá! Como posso ajudar?",
        "quero pagar",
    ]


async def test_another_debtors_thread_is_not_shown(
    client: httpx.AsyncClient, graph: PywaClient
) -> None:
    await client.post("/simulator/api/send", json={"wa_id": MARIA, "text": "oi"})
    await graph.send(Text(body="Olá, Maria"), MARIA)

    response = await client.get("/simulator/api/messages", params={"wa_id": "5531998765432"})

    assert response.json()["messages"] == []


async def test_unknown_media_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get("/simulator/api/media/999")

    assert response.status_code == 404


async def test_a_typed_national_number_becomes_a_wa_id(client: httpx.AsyncClient) -> None:
    good = await client.get("/simulator/api/number", params={"phone": "(11) 98765-4321"})
    bad = await client.get("/simulator/api/number", params={"phone": "12"})

    assert good.json() == {"phone": "+5511987654321", "wa_id": MARIA, "name": None}
    assert bad.status_code == 422
    assert "Número inválido" in bad.json()["detail"]


async def test_the_page_is_portuguese_and_loads_nothing_from_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/simulator")
    css = await client.get("/simulator/static/simulator.css")
    script = await client.get("/simulator/static/simulator.js")

    assert page.status_code == css.status_code == script.status_code == 200
    assert '<html lang="pt-BR">' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert css.headers["content-type"].startswith("text/css")
    assert script.headers["content-type"].startswith("text/javascript")
    for text in (page.text, css.text, script.text):
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.IGNORECASE)
    assert (await client.get("/simulator/static/other.js")).status_code == 404


def test_the_static_files_are_the_ones_served() -> None:
    assert {path.name for path in STATIC.iterdir()} >= {
        "simulator.html",
        "simulator.css",
        "simulator.js",
    }


async def test_the_simulator_is_absent_in_production(engine: Engine) -> None:
    production = settings(
        mode="production", whatsapp_verify_token=SecretStr("a-long-random-verify-token")
    )
    app = create_app(production, engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://quita.test") as client:
        page = await client.get("/simulator")

    assert page.status_code == 404
    with pytest.raises(SimulatorRefused, match="development"):
        mount_simulator(app, production)


def test_the_built_payload_is_a_webhook_body_the_parser_reads() -> None:
    payload = inbound_payload(
        wa_id=MARIA,
        phone_number_id=PHONE_NUMBER_ID,
        reply=ReplyChoice(id="plan_3x", title="3x", type="list_reply", description="Entrada"),
        name="Maria",
        wamid="wamid.TEST",
        timestamp=1796302931,
    )
    raw = json.dumps(payload).encode()

    [message] = parse_notification(payload).messages
    assert (message.wamid, message.wa_id, message.text, message.reply_id) == (
        "wamid.TEST",
        MARIA,
        "3x",
        "plan_3x",
    )
    assert message.phone_number_id == PHONE_NUMBER_ID
    assert check_signature(raw, sign(raw, SECRET), SECRET) is SignatureCheck.VALID
    with pytest.raises(ValueError, match="exactly one"):
        inbound_payload(wa_id=MARIA, phone_number_id=PHONE_NUMBER_ID)


async def test_mounting_serves_the_page_and_the_stand_in_at_the_graph_url() -> None:
    app = FastAPI()

    standin = mount_simulator(app, settings())

    assert isinstance(standin, GraphStandIn)
    assert app.state.graph_standin is standin
    graph = simulator.graph_url("http://quita.test/")
    assert graph == "http://quita.test/simulator/graph/v23.0"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://quita.test") as client:
        page = await client.get("/simulator")
        unauthorized = await client.post(f"{graph}/{PHONE_NUMBER_ID}/messages", json={})
    assert page.status_code == 200
    assert unauthorized.json()["error"]["code"] == 190


def app_messages() -> list[Any]:
    """One message of each kind the page renders, as the agent would send them."""
    return [
        Text(body="Olá, *Maria*!\nTudo bem?"),
        Buttons(
            body="Como prefere pagar?",
            header="Sua fatura",
            footer="Conecta Vale",
            buttons=[
                Button(id="pay_pix", title="Pagar com Pix"),
                Button(id="boleto", title="Segunda via"),
            ],
        ),
        ListMessage(
            body="Escolha um plano",
            button="Ver opções",
            sections=[
                Section(
                    title="Parcelamento",
                    rows=[
                        Row(id="plan_1x", title="À vista"),
                        Row(id="plan_3x", title="3x de R$ 43,30", description="Entrada hoje"),
                    ],
                )
            ],
        ),
        Template(
            name="quita_retomar_conversa",
            parameters=["Maria", "Conecta Vale", "12.345.678/0001-95"],
        ),
        Image(filename="pix.png", mime_type="image/png", data=PNG, caption="QR Code do Pix"),
        Document(filename="boleto.pdf", mime_type="application/pdf", data=b"%PDF-1.4 boleto"),
    ]
