"""The demo's WhatsApp simulator (development mode only): a phone-like page where you chat as a
debtor of the ledger, or as any number.

What you type becomes a signed Cloud API webhook POSTed to our own `/webhooks/whatsapp`, in
process; what the app answers is read back from the local Graph API stand-in that the outbound
client is pointed at (WHATSAPP_GRAPH_URL = `graph_url(...)`). Nothing leaves the machine.
"""

import json
import logging
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib.resources import files
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, select

from billing.balance import customer_balance, customers_with_overdue_invoices
from billing.errors import InvalidValue
from billing.models import Customer
from billing.money import format_brl, format_json
from billing.phones import normalize_phone, wa_id_of
from channels.whatsapp.graph_standin import GraphStandIn, RecordedMessage
from console.simulator_wire import ReplyChoice, bubble_content, inbound_payload, new_wamid, sign
from conversations.models import InboundMessage
from policies.calendar import BusinessCalendar
from policies.charges import ChargeRules
from quita import clock
from quita.db import session_scope
from quita.settings import Settings
from webhooks import whatsapp as whatsapp_webhook
from webhooks.signature import SIGNATURE_HEADER

__all__ = ["GRAPH_PATH", "ReplyChoice", "graph_url", "inbound_payload", "mount_simulator", "sign"]

logger = logging.getLogger(__name__)

PREFIX = "/simulator"
GRAPH_PREFIX = f"{PREFIX}/graph"
GRAPH_VERSION = "v23.0"
# The stand-in's Graph API base path, version included: WHATSAPP_GRAPH_URL = base URL + this.
GRAPH_PATH = f"{GRAPH_PREFIX}/{GRAPH_VERSION}"
DEBTORS_LIMIT = 30
MEDIA_URL = PREFIX + "/api/media/{media_id}"
# Inbound messages whose delivery ticks every poll refreshes (pending -> processed).
TICKS_WINDOW = 20
WA_ID_PATTERN = r"^[1-9][0-9]{6,14}$"
_ASSETS = {"simulator.css": "text/css", "simulator.js": "text/javascript"}
# The page loads nothing from elsewhere: the browser enforces it.
_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class SimulatorRefused(RuntimeError):
    """The simulator signs webhooks with the app secret, so it exists in development only."""


class SendRequest(BaseModel):
    """A message typed (`text`) or tapped (`reply`) on the page; `context` is the wamid of the
    app's message whose button or list was used."""

    model_config = ConfigDict(extra="forbid")

    wa_id: str = Field(pattern=WA_ID_PATTERN)
    name: str | None = Field(None, max_length=120)
    text: str | None = Field(None, min_length=1, max_length=4096)
    reply: ReplyChoice | None = None
    context: str | None = Field(None, max_length=128)

    @model_validator(mode="after")
    def _text_or_reply(self) -> "SendRequest":
        if (self.text is None) == (self.reply is None):
            raise ValueError("send either a text or a reply")
        if self.text is not None and not self.text.strip():
            raise ValueError("text is blank")
        return self


def mount_simulator(app: FastAPI, settings: Settings) -> GraphStandIn:
    """Serve the simulator at /simulator and a Graph API stand-in at GRAPH_PREFIX on `app`.

    The stand-in accepts the settings' access token and phone number id, and is also kept as
    `app.state.graph_standin`; the sender reaches it at `graph_url(<the app's base URL>)`.
    Raises SimulatorRefused unless `settings.mode` is "development".
    """
    if settings.mode != "development":
        raise SimulatorRefused(
            f"the WhatsApp simulator is for development mode, not {settings.mode}"
        )
    standin = GraphStandIn(
        access_token=settings.whatsapp_access_token.get_secret_value(),
        phone_number_ids=[settings.whatsapp_phone_number_id],
    )
    app.include_router(standin.router(), prefix=GRAPH_PREFIX, include_in_schema=False)
    app.include_router(simulator_router(standin), include_in_schema=False)
    app.state.graph_standin = standin
    return standin


def graph_url(base_url: str) -> str:
    """WHATSAPP_GRAPH_URL for an app serving the stand-in at `base_url` ("http://host:port")."""
    return base_url.rstrip("/") + GRAPH_PATH


def simulator_router(standin: GraphStandIn) -> APIRouter:
    """The page, its assets and its JSON API, reading the app's messages from `standin`."""
    simulator = _Simulator(standin)
    router = APIRouter(prefix=PREFIX)
    router.add_api_route("", simulator.page, methods=["GET"])
    router.add_api_route("/static/{name}", simulator.asset, methods=["GET"])
    router.add_api_route("/api/debtors", simulator.debtors, methods=["GET"])
    router.add_api_route("/api/number", simulator.number, methods=["GET"])
    router.add_api_route("/api/send", simulator.send, methods=["POST"])
    router.add_api_route("/api/messages", simulator.messages, methods=["GET"])
    router.add_api_route("/api/media/{media_id}", simulator.media, methods=["GET"])
    return router


def list_debtors(
    session: Session, today: date, rules: ChargeRules, calendar: BusinessCalendar
) -> list[dict[str, Any]]:
    """Up to DEBTORS_LIMIT customers to play, those with an overdue open invoice first, each
    with their open total updated to `today`. Customers without an E.164 phone are left out."""
    overdue = customers_with_overdue_invoices(session, today, DEBTORS_LIMIT)
    others = session.exec(
        select(Customer.external_id)
        .where(col(Customer.external_id).not_in(overdue))
        .order_by(col(Customer.external_id))
        .limit(DEBTORS_LIMIT - len(overdue))
    ).all()
    ids = [*overdue, *others]
    customers = session.exec(select(Customer).where(col(Customer.external_id).in_(ids))).all()
    by_id = {customer.external_id: customer for customer in customers}
    debtors = []
    for external_id in ids:
        customer = by_id[external_id]
        try:
            wa_id = wa_id_of(customer.phone)
        except InvalidValue:
            continue
        total = customer_balance(session, external_id, today, rules, calendar).total
        debtors.append(_debtor(customer, wa_id, total, overdue=external_id in overdue))
    return debtors


class _Simulator:
    """The route handlers, sharing the stand-in that records what the app sends."""

    def __init__(self, standin: GraphStandIn) -> None:
        self.standin = standin

    def page(self) -> HTMLResponse:
        html = files("console").joinpath("static", "simulator.html").read_text("utf-8")
        return HTMLResponse(html, headers=_page_headers())

    def asset(self, name: str) -> Response:
        if name not in _ASSETS:
            raise HTTPException(404, "no such asset")
        content = files("console").joinpath("static", name).read_bytes()
        return Response(content, media_type=_ASSETS[name], headers=_page_headers())

    def debtors(self, request: Request) -> dict[str, Any]:
        state = request.app.state
        today = clock.today(state.settings.today)
        with session_scope(state.engine) as session:
            debtors = list_debtors(session, today, state.policy.charges, state.policy.calendar)
        return {"business": {"name": state.policy.isp.name}, "debtors": debtors}

    def number(self, request: Request, phone: Annotated[str, Query(max_length=40)]) -> Any:
        """A typed phone number in E.164 and as a wa_id, with the customer's name if known."""
        try:
            e164 = normalize_phone(phone)
        except InvalidValue:
            return JSONResponse(
                {"detail": "Número inválido. Use DDD e número, como (11) 98765-4321."},
                status_code=422,
            )
        with session_scope(request.app.state.engine) as session:
            customer = session.exec(select(Customer).where(col(Customer.phone) == e164)).first()
        name = customer.name if customer else None
        return {"phone": e164, "wa_id": wa_id_of(e164), "name": name}

    async def send(self, body: SendRequest, request: Request) -> JSONResponse:
        """POST the message to our own webhook, signed; the webhook's status and the wamid."""
        settings: Settings = request.app.state.settings
        wamid = new_wamid()
        payload = inbound_payload(
            wa_id=body.wa_id,
            phone_number_id=settings.whatsapp_phone_number_id,
            text=body.text,
            reply=body.reply,
            name=body.name,
            wamid=wamid,
            context_wamid=body.context,
        )
        secret = settings.whatsapp_app_secret.get_secret_value()
        status, answer = await post_webhook(request.app, payload, secret)
        logger.info("simulator message posted to the webhook: %d", status, extra={"wamid": wamid})
        result = {"status": status, "wamid": wamid, "webhook": answer}
        return JSONResponse(result, status_code=200 if status == 200 else 502)

    def messages(
        self,
        request: Request,
        wa_id: Annotated[str, Query(pattern=WA_ID_PATTERN)],
        after: Annotated[str, Query(max_length=40)] = "",
    ) -> dict[str, Any]:
        """The thread after the cursor `after` ("" for all of it), in time order, the next
        cursor, and the delivery state of the debtor's latest messages."""
        seen_inbound, seen_outbound = _parse_cursor(after)
        with session_scope(request.app.state.engine) as session:
            rows = _inbound_rows(session, wa_id, seen_inbound)
            ticks = _latest_ticks(session, wa_id)
        # Limitation: the stand-in keeps what the app sent in memory, so after a restart the
        # thread shows only the debtor's side of earlier conversations.
        recorded = self.standin.messages_to(wa_id)
        if seen_outbound > len(recorded):  # the stand-in was reset: start its side over
            seen_outbound = 0
        templates = request.app.state.policy.templates
        timed = [(row.received_at, _inbound_item(row)) for row in rows]
        timed += [_outbound_item(message, templates) for message in recorded[seen_outbound:]]
        timed.sort(key=lambda pair: pair[0])
        last_inbound = rows[-1].id if rows and rows[-1].id else seen_inbound
        return {
            "messages": [item for _, item in timed],
            "cursor": f"{last_inbound}.{len(recorded)}",
            "ticks": ticks,
        }

    def media(self, media_id: str) -> Response:
        stored = self.standin.media(media_id)
        if stored is None:
            raise HTTPException(404, "no such media")
        headers = {}
        if stored.filename:
            quoted = json.dumps(stored.filename, ensure_ascii=True)
            headers["Content-Disposition"] = f"inline; filename={quoted}"
        return Response(stored.content, media_type=stored.mime_type, headers=headers)


async def post_webhook(app: FastAPI, payload: dict[str, Any], secret: str) -> tuple[int, Any]:
    """POST `payload` to the app's own WhatsApp webhook in process, signed with `secret`, the
    way Meta would; the status code and the decoded answer."""
    raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(raw, secret)}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as client:
        response = await client.post(whatsapp_webhook.PATH, content=raw, headers=headers)
    try:
        answer = response.json()
    except ValueError:
        answer = response.text
    return response.status_code, answer


def _parse_cursor(cursor: str) -> tuple[int, int]:
    """The cursor "<last inbound id>.<outbound count>"; "" or garbage starts from the top."""
    inbound, _, outbound = cursor.partition(".")
    if not (inbound.isdigit() and outbound.isdigit()):
        return 0, 0
    return int(inbound), int(outbound)


def _inbound_rows(session: Session, wa_id: str, after_id: int) -> list[InboundMessage]:
    query = (
        select(InboundMessage)
        .where(col(InboundMessage.wa_id) == wa_id, col(InboundMessage.id) > after_id)
        .order_by(col(InboundMessage.id))
    )
    return list(session.exec(query).all())


def _latest_ticks(session: Session, wa_id: str) -> dict[str, str]:
    query = (
        select(InboundMessage.wamid, InboundMessage.status)
        .where(col(InboundMessage.wa_id) == wa_id)
        .order_by(col(InboundMessage.id).desc())
        .limit(TICKS_WINDOW)
    )
    return dict(session.exec(query).all())


def _inbound_item(row: InboundMessage) -> dict[str, Any]:
    return {
        "key": f"in:{row.wamid}",
        "direction": "inbound",
        "wamid": row.wamid,
        "time": row.received_at.isoformat(),
        "type": "reply" if row.reply_id else row.kind,
        "text": row.text or "",
        "reply_id": row.reply_id,
        "status": row.status,
    }


def _outbound_item(message: RecordedMessage, templates: Any) -> tuple[datetime, dict[str, Any]]:
    # The stand-in stamps messages on the monotonic clock; the page needs wall-clock time.
    sent_at = datetime.now(UTC) - timedelta(seconds=time.monotonic() - message.received_at)
    content = bubble_content(message.request, templates, MEDIA_URL)
    item = {
        "key": f"out:{message.wamid}",
        "direction": "outbound",
        "wamid": message.wamid,
        "time": sent_at.isoformat(),
        **content,
    }
    return sent_at, item


def _debtor(customer: Customer, wa_id: str, total: Decimal, *, overdue: bool) -> dict[str, Any]:
    return {
        "external_id": customer.external_id,
        "name": customer.name,
        "phone": customer.phone,
        "wa_id": wa_id,
        "segment": customer.segment,
        "overdue": overdue,
        "open_total": format_json(total),
        "open_total_brl": format_brl(total),
    }


def _page_headers() -> dict[str, str]:
    return {"Content-Security-Policy": _CSP, "Cache-Control": "no-store"}
