"""The end of a turn: replies into the outbox, in the turn's transaction, once per message."""

import base64
from typing import Any

from agent.context import TurnContext
from agent.history import AGENT_PURPOSE
from agent.state import AgentState, ChatLine, Outgoing
from billing.models import OutboxKind
from billing.outbox import queue_message
from billing.phones import e164_from_wa_id


def queue_replies(ctx: TurnContext, state: AgentState, outgoing: list[Outgoing]) -> list[ChatLine]:
    """Queue each reply with a key derived from the inbound wamid, so a turn run twice
    queues once; the chat lines the state keeps for them."""
    wamid = state["last_wamid"]
    to = e164_from_wa_id(ctx.thread.wa_id)
    lines: list[ChatLine] = []
    for index, message in enumerate(outgoing):
        kind, payload = _kind_and_payload(ctx, message)
        queue_message(
            ctx.session,
            customer_id=state.get("customer_id"),
            to=to,
            purpose=message.get("purpose", AGENT_PURPOSE),
            body=message.get("body", ""),
            idempotency_key=f"reply:{wamid}:{index}",
            kind=kind,
            payload=payload,
        )
        lines.append({"role": "agent", "text": message.get("body", ""), "at": ctx.now.isoformat()})
    return lines


def _kind_and_payload(ctx: TurnContext, message: Outgoing) -> tuple[OutboxKind, dict[str, Any]]:
    kind = message.get("kind", "text")
    if kind == "buttons":
        payload = {"buttons": message.get("buttons", []), "footer": message.get("footer")}
        return OutboxKind.BUTTONS, payload
    if kind == "list":
        section: dict[str, Any] = {"title": "Opções", "rows": message.get("rows", [])}
        payload = {
            "button": message.get("button", "Ver opções"),
            "sections": [section],
            "footer": message.get("footer"),
        }
        return OutboxKind.LIST, payload
    if kind in ("image", "document"):
        attachment = ctx.attachments[message["attachment"]]
        payload = {
            "filename": attachment.filename,
            "mime_type": attachment.mime_type,
            "data_base64": base64.b64encode(attachment.data).decode("ascii"),
        }
        return OutboxKind(kind), payload
    return OutboxKind.TEXT, {}
