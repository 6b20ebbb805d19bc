"""The WhatsApp Cloud API wire format as the simulator speaks it, both ways: the webhook body
Meta would POST for a debtor's message, and what a message the app sent through the Graph API
looks like in a chat bubble.

`inbound_payload` and `sign` are shared with tests (and `quita chat`), so every debtor message
they fake goes through the real webhook: signature, parsing and inbox.
"""

import base64
import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from channels.whatsapp.messages import render_template_text
from channels.whatsapp.templates import TemplateBook
from webhooks.signature import sign
from webhooks.whatsapp_payload import MESSAGES_FIELD, WHATSAPP_OBJECT

__all__ = [
    "DISPLAY_PHONE_NUMBER",
    "ReplyChoice",
    "bubble_content",
    "inbound_payload",
    "new_wamid",
    "sign",
]

# The business number debtors see on their phones; Meta sends it in every webhook's metadata.
DISPLAY_PHONE_NUMBER = "551140040000"
# The WhatsApp Business Account id Meta puts in `entry[].id`; nothing in Quita reads it.
DEMO_BUSINESS_ACCOUNT_ID = "100000000000001"
_MEDIA_TYPES = frozenset({"image", "document", "audio", "video", "sticker"})


class ReplyChoice(BaseModel):
    """A tapped reply button (`button_reply`) or a picked list row (`list_reply`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=72)
    type: Literal["button_reply", "list_reply"] = "button_reply"
    description: str | None = Field(None, max_length=72)

    def wire(self) -> dict[str, Any]:
        choice = {"id": self.id, "title": self.title}
        if self.type == "list_reply" and self.description:
            choice["description"] = self.description
        return {"type": self.type, self.type: choice}


def new_wamid() -> str:
    """A message id shaped like Meta's ("wamid." and base64), unique per call."""
    return "wamid." + base64.b64encode(b"\x53\x49\x4d" + uuid.uuid4().bytes).decode("ascii")


def inbound_payload(
    *,
    wa_id: str,
    phone_number_id: str,
    text: str | None = None,
    reply: ReplyChoice | None = None,
    name: str | None = None,
    wamid: str | None = None,
    timestamp: int | None = None,
    context_wamid: str | None = None,
) -> dict[str, Any]:
    """The webhook body Meta POSTs when `wa_id` sends one message: a text, or a `reply` to a
    button or list the business sent (`context_wamid` names that message). `timestamp` is unix
    seconds, now by default. Raises ValueError unless exactly one of `text` and `reply` is set.
    """
    if (text is None) == (reply is None):
        raise ValueError("an inbound message is either a text or a reply, exactly one of them")
    seconds = int(time.time()) if timestamp is None else timestamp
    message: dict[str, Any] = {"from": wa_id, "id": wamid or new_wamid(), "timestamp": str(seconds)}
    if context_wamid:
        message["context"] = {"from": DISPLAY_PHONE_NUMBER, "id": context_wamid}
    if reply is not None:
        message.update(type="interactive", interactive=reply.wire())
    else:
        message.update(type="text", text={"body": text})
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": DISPLAY_PHONE_NUMBER,
            "phone_number_id": phone_number_id,
        },
        "contacts": [{"profile": {"name": name or wa_id}, "wa_id": wa_id}],
        "messages": [message],
    }
    return {
        "object": WHATSAPP_OBJECT,
        "entry": [
            {"id": DEMO_BUSINESS_ACCOUNT_ID, "changes": [{"value": value, "field": MESSAGES_FIELD}]}
        ],
    }


def bubble_content(
    request: dict[str, Any], templates: TemplateBook, media_url: str
) -> dict[str, Any]:
    """What a chat bubble shows for a Graph API send request the app made.

    `type` is one of text, buttons, list, template, image, document, audio, video, sticker or
    unknown; media point at `media_url` (with ``{media_id}`` in it) unless sent by link.
    A template's `text` is its approved body filled in, when the policy knows the template.
    """
    kind = str(request.get("type", "text"))
    content = request.get(kind)
    if not isinstance(content, dict):
        return {"type": "unknown", "text": f"({kind})"}
    if kind == "text":
        return {"type": "text", "text": str(content.get("body", ""))}
    if kind == "interactive":
        return _interactive(content)
    if kind == "template":
        return _template(content, templates)
    if kind in _MEDIA_TYPES:
        return _media(kind, content, media_url)
    return {"type": "unknown", "text": f"({kind})"}


def _interactive(content: dict[str, Any]) -> dict[str, Any]:
    action = content.get("action") or {}
    shown: dict[str, Any] = {
        "header": (content.get("header") or {}).get("text"),
        "text": (content.get("body") or {}).get("text", ""),
        "footer": (content.get("footer") or {}).get("text"),
    }
    if content.get("type") == "button":
        buttons = [button.get("reply") or {} for button in action.get("buttons") or []]
        shown["buttons"] = [{"id": b.get("id"), "title": b.get("title")} for b in buttons]
        return {"type": "buttons", **shown}
    if content.get("type") == "list":
        sections = [
            {"title": section.get("title"), "rows": _rows(section.get("rows") or [])}
            for section in action.get("sections") or []
        ]
        return {"type": "list", "button": action.get("button"), "sections": sections, **shown}
    return {"type": "unknown", **shown}


def _rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": row.get("id"), "title": row.get("title"), "description": row.get("description")}
        for row in rows
    ]


def _template(content: dict[str, Any], templates: TemplateBook) -> dict[str, Any]:
    name = str(content.get("name", ""))
    parameters = [
        str(parameter.get("text", ""))
        for component in content.get("components") or []
        if str(component.get("type", "")).lower() == "body"
        for parameter in component.get("parameters") or []
    ]
    known = [spec for spec in templates.by_purpose.values() if spec.name == name]
    text = render_template_text(known[0].text, parameters) if known else None
    language = (content.get("language") or {}).get("code")
    return {
        "type": "template",
        "name": name,
        "language": language,
        "parameters": parameters,
        "text": text,
    }


def _media(kind: str, content: dict[str, Any], media_url: str) -> dict[str, Any]:
    media_id = content.get("id")
    url = media_url.format(media_id=media_id) if media_id else content.get("link")
    return {
        "type": kind,
        "url": url,
        "caption": content.get("caption"),
        "filename": content.get("filename"),
    }
