"""The simulator in a real browser: the whole app served by uvicorn on a loopback port, Debian's
Chromium driven headless by Playwright, a debtor saying "oi" and the app's reply appearing.

Skipped when /usr/bin/chromium is absent (scripts/browser.sh installs it); a failure in CI.
"""

import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from billing.demo import generate_portfolio, seed_portfolio
from billing.pix import qr_png
from console.simulator import GRAPH_PATH
from conversations.models import InboundMessage
from knowledge.corpus import DEFAULT_DOCS_DIR
from quita import db
from quita.app import create_app
from quita.db import session_scope
from quita.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Who answers the debtor: True, the app's own inbox worker (the agent) and sender running in
# the background of the served app; False, the test itself, writing a reply into the Graph API
# stand-in as the sender would (for when the pipeline is being worked on).
REAL_PIPELINE = True

TODAY = date(2026, 12, 3)
TOKEN = "EAAG-browser-test-access-token"
PHONE_NUMBER_ID = "106540352242922"
STARTUP_TIMEOUT_S = 120
REPLY_TIMEOUT_MS = 60_000
UI_TIMEOUT_MS = 10_000
UNKNOWN_NUMBER = "(21) 99876-5432"
# With this seed, one of them is late: the list shows them first.
DEMO_CUSTOMERS = 30
UNKNOWN_WA_ID = "5521998765432"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"Debian's chromium is not installed at {CHROMIUM} (scripts/browser.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: CI must run the browser test")
        pytest.skip(f"browser test skipped: {reason}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_errors() -> list[str]:
    """Script errors and console errors (a refused off-site load among them) of the page."""
    return []


@pytest.fixture
def page(browser: Browser, page_errors: list[str]) -> Iterator[Page]:
    """A phone-sized tab."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="pt-BR", timezone_id="America/Sao_Paulo"
    )
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on(
        "console",
        lambda message: page_errors.append(message.text) if message.type == "error" else None,
    )
    yield page
    context.close()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """The embedded SQLite database the demo runs on, with a small synthetic portfolio."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'quita.db'}")
    db.upgrade(engine)
    with session_scope(engine) as session:
        seed_portfolio(session, generate_portfolio(DEMO_CUSTOMERS, seed=3, today=TODAY))
    yield engine
    engine.dispose()


@pytest.fixture
def serve(engine: Engine, tmp_path: Path) -> Iterator[Callable[[bool], str]]:
    """Starts the whole app on a free loopback port; its base URL."""
    with _ServerStack() as stack:

        def start(background: bool) -> str:
            return stack.start(_app(engine, tmp_path, background, stack.base_url))

        yield start


def test_a_debtor_says_oi_and_sees_the_reply(
    serve: Callable[[bool], str], page: Page, page_errors: list[str], tmp_path: Path
) -> None:
    base_url = serve(REAL_PIPELINE)
    page.goto(base_url + "/simulator")
    expect(page.locator(".debtor")).to_have_count(DEMO_CUSTOMERS)
    expect(page.locator(".debtor").first.locator(".amount")).to_have_class("amount late")
    page.screenshot(path=str(tmp_path / "simulator-contacts.png"))

    debtor = page.locator(".debtor").first
    wa_id = debtor.get_attribute("data-wa-id")
    debtor.click()
    page.locator("#text").fill("oi")
    page.locator("#send").click()

    expect(page.locator(".message.inbound .text").last).to_have_text("oi")
    if not REAL_PIPELINE:
        send_as_the_app(base_url, str(wa_id), "text", {"body": "Olá! Como posso ajudar?"})
    reply = page.locator(".message.outbound .bubble").first
    expect(reply).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    assert reply.inner_text().strip()
    page.screenshot(path=str(tmp_path / "simulator-reply.png"))
    assert page_errors == []


def test_every_kind_the_app_sends_is_rendered_and_choices_answer_back(
    serve: Callable[[bool], str],
    page: Page,
    page_errors: list[str],
    engine: Engine,
    tmp_path: Path,
) -> None:
    base_url = serve(False)
    page.goto(base_url + "/simulator")
    page.locator("#number-input").fill(UNKNOWN_NUMBER)
    page.locator("#number-form button").click()
    page.locator("#text").fill("<b>oi</b> *tudo bem?*")
    page.locator("#send").click()
    mine = page.locator(".message.inbound .text").last
    expect(mine).to_have_text("<b>oi</b> tudo bem?")

    for kind, content in app_messages(base_url):
        send_as_the_app(base_url, UNKNOWN_WA_ID, kind, content)

    bubbles = page.locator(".message.outbound")
    expect(bubbles).to_have_count(6)
    expect(mine.locator("b")).to_have_count(0)
    expect(mine.locator("strong")).to_have_text("tudo bem?")
    expect(bubbles.nth(0).locator("strong")).to_have_text("Maria")
    expect(bubbles.nth(0).locator("em")).to_have_text("hoje")
    expect(bubbles.nth(1).locator(".choice")).to_have_text(["Pagar com Pix", "Segunda via"])
    expect(bubbles.nth(2).locator(".choice")).to_have_text("☰ Ver opções")
    expect(bubbles.nth(3).locator(".template-tag")).to_contain_text("quita_retomar_conversa")
    expect(bubbles.nth(3)).to_contain_text("Olá, Maria! Aqui é a Conecta Vale")
    image = bubbles.nth(4).locator("img")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") > 0
    document = bubbles.nth(5).locator("a.document")
    expect(document).to_have_attribute("download", "boleto-dezembro.pdf")
    page.screenshot(path=str(tmp_path / "simulator-kinds.png"), full_page=True)

    bubbles.nth(1).locator(".choice", has_text="Pagar com Pix").click()
    expect(page.locator(".message.inbound .text").last).to_have_text("Pagar com Pix")
    bubbles.nth(2).locator(".choice").click()
    page.locator(".sheet-row", has_text="3x de R$ 43,30").click()
    expect(page.locator(".message.inbound .text").last).to_have_text("3x de R$ 43,30")
    assert reply_ids(engine, UNKNOWN_WA_ID) == [None, "pay_pix", "plan_3x"]
    expect(page.locator(".message.inbound .tick").first).to_have_text("✓")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(tmp_path / "simulator-desktop.png"))
    assert page_errors == []


def send_as_the_app(base_url: str, wa_id: str, kind: str, content: dict[str, Any]) -> str:
    """What the sender does: one message through the Graph API stand-in's /messages; its wamid."""
    body = {"messaging_product": "whatsapp", "to": wa_id, "type": kind, kind: content}
    url = f"{base_url}{GRAPH_PATH}/{PHONE_NUMBER_ID}/messages"
    response = httpx.post(url, json=body, headers=_bearer())
    assert response.status_code == 200, response.text
    return str(response.json()["messages"][0]["id"])


def upload_as_the_app(base_url: str, content: bytes, mime_type: str, filename: str) -> str:
    url = f"{base_url}{GRAPH_PATH}/{PHONE_NUMBER_ID}/media"
    response = httpx.post(
        url,
        data={"messaging_product": "whatsapp", "type": mime_type},
        files={"file": (filename, content, mime_type)},
        headers=_bearer(),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def app_messages(base_url: str) -> list[tuple[str, dict[str, Any]]]:
    """One message of each kind the page renders, in the Cloud API's send format."""
    qr = upload_as_the_app(base_url, qr_png("00020126580014br.gov.bcb.pix"), "image/png", "pix.png")
    pdf = upload_as_the_app(base_url, b"%PDF-1.4 boleto", "application/pdf", "boleto.pdf")
    rows = [
        {"id": "plan_1x", "title": "À vista", "description": "R$ 120,00 hoje"},
        {"id": "plan_3x", "title": "3x de R$ 43,30", "description": "Entrada hoje"},
    ]
    template_parameters = ["Maria", "Conecta Vale", "12.345.678/0001-95"]
    return [
        ("text", {"body": "Olá, *Maria*!\nSua fatura vence _hoje_."}),
        (
            "interactive",
            {
                "type": "button",
                "body": {"text": "Como prefere pagar?"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": "pay_pix", "title": "Pagar com Pix"}},
                        {"type": "reply", "reply": {"id": "boleto", "title": "Segunda via"}},
                    ]
                },
            },
        ),
        (
            "interactive",
            {
                "type": "list",
                "body": {"text": "Escolha como parcelar"},
                "action": {
                    "button": "Ver opções",
                    "sections": [{"title": "Parcelamento", "rows": rows}],
                },
            },
        ),
        (
            "template",
            {
                "name": "quita_retomar_conversa",
                "language": {"code": "pt_BR"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": p} for p in template_parameters],
                    }
                ],
            },
        ),
        ("image", {"id": qr, "caption": "QR Code do Pix"}),
        ("document", {"id": pdf, "filename": "boleto-dezembro.pdf", "caption": "Seu boleto"}),
    ]


def reply_ids(engine: Engine, wa_id: str) -> list[str | None]:
    with Session(engine) as session:
        query = select(InboundMessage.reply_id).where(col(InboundMessage.wa_id) == wa_id)
        return list(session.exec(query.order_by(col(InboundMessage.id))).all())


def _bearer() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


class _ServerStack:
    """One uvicorn server in a background thread, on a port chosen before the app is built
    (the app needs its own URL to send to the stand-in it serves)."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.server: _Server | None = None
        self.thread: threading.Thread | None = None

    def __enter__(self) -> "_ServerStack":
        return self

    def start(self, app: FastAPI) -> str:
        config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on")
        self.server = _Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )
        self.thread.start()
        if not self.server.ready.wait(STARTUP_TIMEOUT_S):
            pytest.fail(f"the app did not start serving within {STARTUP_TIMEOUT_S} s")
        return self.base_url

    def __exit__(self, *_exc: object) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(30)
        self.socket.close()


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


def _app(engine: Engine, tmp_path: Path, background: bool, base_url: str) -> FastAPI:
    # One bundled document instead of all of them: the background services embed the whole
    # knowledge base when they start, and "oi" needs none of it.
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    shutil.copy(DEFAULT_DOCS_DIR / "atendimento.md", knowledge)
    settings = Settings(
        knowledge_dir=knowledge,
        mode="development",
        today=TODAY,
        database_url=str(engine.url),
        data_dir=tmp_path / "data",
        whatsapp_app_secret=SecretStr("browser-test-app-secret"),
        whatsapp_access_token=SecretStr(TOKEN),
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
    )
    # In development the app serves the simulator, and its sender talks to the simulator's
    # Graph API stand-in at `self_url`.
    return create_app(settings, engine, background=background, self_url=base_url)
