"""The whole product in one process, stepped on demand: the web app (webhook and the Graph
API stand-in) on a loopback port, the inbox worker running the agent, and the sender.

A debtor's message goes in as a signed Cloud API webhook POST and the replies come back as
the Graph API requests the sender made, so `quita chat` and the evals exercise exactly the
path a real WhatsApp message takes. Nothing leaves the machine.
"""

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from sqlalchemy import Engine

from agent.brains.base import Brain
from channels.whatsapp.graph_standin import GraphStandIn, RecordedMessage
from channels.whatsapp.templates import TemplateBook
from console.simulator import MEDIA_URL, graph_url
from console.simulator_wire import ReplyChoice, bubble_content, inbound_payload, new_wamid
from quita.app import create_app
from quita.runtime import Services, open_services
from quita.settings import Settings
from webhooks.signature import sign

SIGNATURE_HEADER = "X-Hub-Signature-256"
STARTUP_SECONDS = 15.0
MEDIA_KINDS = frozenset({"image", "document", "audio", "video", "sticker"})


class PipelineError(RuntimeError):
    """The local pipeline refused a message (the webhook did not answer 200)."""


@dataclass
class LocalPipeline:
    settings: Settings
    base_url: str
    standin: GraphStandIn
    services: Services
    http: httpx.Client

    def send(
        self,
        wa_id: str,
        text: str | None = None,
        *,
        reply: ReplyChoice | None = None,
        name: str | None = None,
        timestamp: int | None = None,
    ) -> list[RecordedMessage]:
        """Deliver one message as WhatsApp would, run the turn, send the replies; the Graph
        API requests the sender made for this message, in order."""
        before = len(self.standin.messages_to(wa_id))
        payload = inbound_payload(
            wa_id=wa_id,
            phone_number_id=self.settings.whatsapp_phone_number_id,
            text=text,
            reply=reply,
            name=name,
            wamid=new_wamid(),
            timestamp=timestamp,
        )
        self.post_webhook(payload)
        self.services.drain()
        return self.standin.messages_to(wa_id)[before:]

    def post_webhook(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        secret = self.settings.whatsapp_app_secret.get_secret_value()
        headers = {SIGNATURE_HEADER: sign(body, secret), "Content-Type": "application/json"}
        response = self.http.post("/webhooks/whatsapp", content=body, headers=headers)
        if response.status_code != 200:
            raise PipelineError(f"webhook answered {response.status_code}: {response.text}")


@contextmanager
def local_pipeline(
    settings: Settings, engine: Engine, *, brain: Brain | None = None, knowledge: Any = None
) -> Iterator[LocalPipeline]:
    """Serve the app on a free loopback port and open the background services, stepped by
    `LocalPipeline.send` rather than by threads (so every turn is deterministic)."""
    local = settings.model_copy(update={"mode": "development"})
    app = create_app(local, engine)
    with ExitStack() as stack:
        base_url = stack.enter_context(_serving(app))
        # Replies to the stand-in need no pacing per recipient: nobody's phone rings.
        sending = local.model_copy(
            update={"whatsapp_graph_url": graph_url(base_url), "whatsapp_recipient_gap": 0.0}
        )
        services = stack.enter_context(
            open_services(sending, engine, brain=brain, knowledge=knowledge)
        )
        app.state.agent = services.agent
        http = stack.enter_context(httpx.Client(base_url=base_url, timeout=30))
        yield LocalPipeline(sending, base_url, app.state.graph_standin, services, http)


@contextmanager
def _serving(app: Any) -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STARTUP_SECONDS)
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise PipelineError("the local web app did not start")
        time.sleep(0.01)


def outbound_json(message: RecordedMessage, templates: TemplateBook) -> dict[str, Any]:
    """One message the app sent, as `quita chat --json` prints it: `type` and `text`, plus the
    buttons, list rows, template name or media kind where there are any."""
    shown = bubble_content(message.request, templates, MEDIA_URL)
    kind = str(shown["type"])
    item: dict[str, Any] = {"type": kind, "text": shown.get("text") or shown.get("caption") or ""}
    if kind == "buttons":
        item["buttons"] = shown["buttons"]
    if kind == "list":
        item["button"] = shown.get("button")
        item["rows"] = [row for section in shown["sections"] for row in section["rows"]]
    if kind == "template":
        item["template"] = shown["name"]
        item["parameters"] = shown["parameters"]
    if kind in MEDIA_KINDS:
        item["media"] = kind
        item["filename"] = shown.get("filename")
    return item
