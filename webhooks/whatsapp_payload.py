"""Reading a WhatsApp webhook body into inbox messages and delivery statuses.

Tolerant by design: several entries and changes per POST are read in order, changes of other
webhook fields are ignored, an unknown message type is kept as "unsupported", and one
unreadable item is skipped (and logged, without its content) without losing the others.
"""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from channels.whatsapp.statuses import DeliveryStatus
from conversations.inbox import IncomingMessage
from webhooks.whatsapp_content import UNSUPPORTED, read_content, unsupported
from webhooks.whatsapp_models import Contact, Message, MessageCore, Metadata, Status

logger = logging.getLogger(__name__)

WHATSAPP_OBJECT = "whatsapp_business_account"
MESSAGES_FIELD = "messages"
DELIVERY_STATES = frozenset({"sent", "delivered", "read", "failed"})
# The inbox's wa_id column holds a phone number's digits; BSUIDs ("BR.1349...") do not fit.
_WA_ID = re.compile(r"[1-9][0-9]{5,19}")


class NotWhatsAppPayload(ValueError):
    """Valid JSON that is not a `whatsapp_business_account` notification."""


@dataclass(frozen=True)
class ParsedNotification:
    """A webhook body read: inbox messages, delivery statuses, and counts of what was left out:
    `skipped` items could not be read (each logged), `ignored` ones are not for the inbox
    (other webhook fields, group messages, statuses other than sent/delivered/read/failed)."""

    messages: list[IncomingMessage]
    statuses: list[DeliveryStatus]
    skipped: int = 0
    ignored: int = 0


def parse_notification(data: Any) -> ParsedNotification:
    """Read a decoded webhook body; raises NotWhatsAppPayload if it is not one at all."""
    if not isinstance(data, dict) or data.get("object") != WHATSAPP_OBJECT:
        raise NotWhatsAppPayload(f'"object" is not "{WHATSAPP_OBJECT}"')
    reader = _Reader()
    for entry in reader.objects(data.get("entry")):
        for change in reader.objects(entry.get("changes")):
            reader.read_change(change)
    return ParsedNotification(reader.messages, reader.statuses, reader.skipped, reader.ignored)


class _Reader:
    """Collects what a notification holds, counting what it has to leave out."""

    def __init__(self) -> None:
        self.messages: list[IncomingMessage] = []
        self.statuses: list[DeliveryStatus] = []
        self.skipped = 0
        self.ignored = 0

    def read_change(self, change: dict[str, Any]) -> None:
        value = change.get("value")
        if change.get("field") != MESSAGES_FIELD or not isinstance(value, dict):
            self.ignored += 1
            logger.info("whatsapp webhook change %r ignored", change.get("field"))
            return
        _log_change_errors(value)
        contacts = _contacts(value.get("contacts"))
        phone_number_id = _phone_number_id(value.get("metadata"))
        for raw in self.objects(value.get("messages")):
            if phone_number_id is None:
                self.skip(raw.get("id"), "message without a readable metadata.phone_number_id")
            else:
                self.read_message(raw, phone_number_id, contacts)
        for raw in self.objects(value.get("statuses")):
            self.read_status(raw)

    def read_message(
        self, raw: dict[str, Any], phone_number_id: str, contacts: dict[str, Contact]
    ) -> None:
        message = _message(raw)
        if message is None:
            self.skip(raw.get("id"), "message unreadable (no id or timestamp)")
            return
        if message.group_id is not None:
            # Limitation: group messages are not collection conversations; they are ignored.
            self.ignored += 1
            logger.info("whatsapp group message ignored", extra={"wamid": message.id})
            return
        wa_id = _sender_wa_id(message, contacts)
        if wa_id is None:
            # Limitation: the inbox keys threads by phone number; a user known only by a BSUID
            # (username adopted, number not shared) cannot be stored until it keys by BSUID.
            self.skip(message.id, "message from a user without a phone number (BSUID only)")
            return
        self.messages.append(_incoming(message, raw, wa_id, phone_number_id))

    def read_status(self, raw: dict[str, Any]) -> None:
        try:
            status = Status.model_validate(raw)
        except ValidationError as error:
            self.skip(raw.get("id"), f"status unreadable: {_problem(error)}")
            return
        if status.status not in DELIVERY_STATES:
            self.ignored += 1
            return
        self.statuses.append(_delivery_status(status))

    def objects(self, value: Any) -> Iterator[dict[str, Any]]:
        """The JSON objects of a list; anything else in it is skipped and counted."""
        if value is None:
            return
        if not isinstance(value, list):
            self.skip(None, f"expected a list, got {type(value).__name__}")
            return
        for item in value:
            if isinstance(item, dict):
                yield item
            else:
                self.skip(None, f"expected an object, got {type(item).__name__}")

    def skip(self, wamid: Any, reason: str) -> None:
        self.skipped += 1
        extra = {"wamid": wamid} if isinstance(wamid, str) else {}
        logger.warning("whatsapp webhook item skipped: %s", reason, extra=extra)


def _contacts(value: Any) -> dict[str, Contact]:
    """Readable contacts by BSUID, to find the phone number of a message that lacks `from`."""
    found: dict[str, Contact] = {}
    for item in value if isinstance(value, list) else []:
        try:
            contact = Contact.model_validate(item)
        except ValidationError:
            continue
        if contact.user_id:
            found[contact.user_id] = contact
    return found


def _phone_number_id(value: Any) -> str | None:
    try:
        return Metadata.model_validate(value).phone_number_id
    except ValidationError:
        return None


def _message(raw: dict[str, Any]) -> Message | MessageCore | None:
    """The message; only its core (to keep as unsupported) when its content is malformed."""
    try:
        return Message.model_validate(raw)
    except ValidationError:
        pass
    try:
        core = MessageCore.model_validate(raw)
    except ValidationError:
        return None
    logger.warning(
        "whatsapp %s message content unreadable, kept as %s",
        core.type,
        UNSUPPORTED,
        extra={"wamid": core.id},
    )
    return core


def _sender_wa_id(message: MessageCore, contacts: dict[str, Contact]) -> str | None:
    if message.from_ and _WA_ID.fullmatch(message.from_):
        return message.from_
    contact = contacts.get(message.from_user_id or "")
    if contact is not None and contact.wa_id and _WA_ID.fullmatch(contact.wa_id):
        return contact.wa_id
    return None


def _incoming(
    message: Message | MessageCore, raw: dict[str, Any], wa_id: str, phone_number_id: str
) -> IncomingMessage:
    content = read_content(message) if isinstance(message, Message) else unsupported()
    return IncomingMessage(
        wamid=message.id,
        wa_id=wa_id,
        phone_number_id=phone_number_id,
        kind=content.kind,
        sent_at=message.timestamp,
        text=content.text,
        reply_id=content.reply_id,
        payload=raw,
        media=content.media,
    )


def _delivery_status(status: Status) -> DeliveryStatus:
    error = status.errors[0] if status.errors else None
    return DeliveryStatus(
        wamid=status.id,
        status=status.status,
        timestamp=status.timestamp,
        recipient_id=status.recipient_id or status.recipient_user_id or "",
        error_code=str(error.code) if error is not None and error.code is not None else None,
        error_title=(error.title or error.message) if error is not None else None,
        biz_opaque_callback_data=status.biz_opaque_callback_data,
    )


def _log_change_errors(value: dict[str, Any]) -> None:
    for item in value.get("errors") or []:
        code = item.get("code") if isinstance(item, dict) else None
        logger.warning("whatsapp webhook reports an error, code %s", code)


def _problem(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
        for detail in error.errors(include_input=False, include_url=False)
    )
