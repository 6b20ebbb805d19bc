"""Tolerant pydantic models of the WhatsApp Cloud API webhook body (`messages` field).

Meta adds fields and message types without notice, so every model allows extra fields and
every content field is optional; `whatsapp_payload` decides what to do with what is missing.
Field names are Meta's, so the models read one-to-one against the platform documentation.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

_LATEST_UNIX_SECONDS = 10**11  # year 5138: anything later is a unit mistake, not a time


def _unix_seconds(value: Any) -> datetime:
    """WhatsApp's timestamps: unix seconds as a string of digits (an int is accepted too)."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value < _LATEST_UNIX_SECONDS:
        return datetime.fromtimestamp(value, UTC)
    raise ValueError("expected unix seconds")


UnixTime = Annotated[datetime, BeforeValidator(_unix_seconds)]


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


class Metadata(_Tolerant):
    display_phone_number: str | None = None
    phone_number_id: str = Field(min_length=1, max_length=32)


class Profile(_Tolerant):
    name: str | None = None
    username: str | None = None


class Contact(_Tolerant):
    """A `contacts` entry: `wa_id` (the phone number) may be absent for a user who adopted a
    username; `user_id` is the business-scoped user id (BSUID) Meta added in 2026."""

    wa_id: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    profile: Profile | None = None


class TextContent(_Tolerant):
    body: str | None = None


class ReplyChoice(_Tolerant):
    id: str | None = None
    title: str | None = None
    description: str | None = None


class FlowReply(_Tolerant):
    body: str | None = None
    name: str | None = None


class InteractiveContent(_Tolerant):
    type: str | None = None
    button_reply: ReplyChoice | None = None
    list_reply: ReplyChoice | None = None
    nfm_reply: FlowReply | None = None


class ButtonContent(_Tolerant):
    """A template's quick-reply button: `text` is the label, `payload` the id set at send time."""

    text: str | None = None
    payload: str | None = None


class MediaContent(_Tolerant):
    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None


class LocationContent(_Tolerant):
    latitude: float | None = None
    longitude: float | None = None
    name: str | None = None
    address: str | None = None


class ReactionContent(_Tolerant):
    message_id: str | None = None
    emoji: str | None = None


class SystemContent(_Tolerant):
    body: str | None = None
    type: str | None = None
    wa_id: str | None = None
    user_id: str | None = None


class ErrorDetail(_Tolerant):
    code: int | None = None
    title: str | None = None
    message: str | None = None
    error_data: dict[str, Any] | None = None


class MessageCore(_Tolerant):
    """What every inbound message has; enough to keep one whose content cannot be read."""

    id: str = Field(min_length=1, max_length=128)
    from_: str | None = Field(None, alias="from")
    from_user_id: str | None = None
    group_id: str | None = None
    timestamp: UnixTime
    type: str = "unsupported"


class Message(MessageCore):
    text: TextContent | None = None
    interactive: InteractiveContent | None = None
    button: ButtonContent | None = None
    image: MediaContent | None = None
    document: MediaContent | None = None
    audio: MediaContent | None = None
    video: MediaContent | None = None
    sticker: MediaContent | None = None
    location: LocationContent | None = None
    reaction: ReactionContent | None = None
    system: SystemContent | None = None
    errors: list[ErrorDetail] = []


class Status(_Tolerant):
    """A `statuses` entry; `recipient_id` may give way to `recipient_user_id` (a BSUID)."""

    id: str = Field(min_length=1, max_length=128)
    status: str
    timestamp: UnixTime
    recipient_id: str | None = None
    recipient_user_id: str | None = None
    biz_opaque_callback_data: str | None = None
    errors: list[ErrorDetail] = []
