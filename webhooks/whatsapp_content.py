"""What the agent reads from each WhatsApp message type: the kind, a text, the id of the chosen
button or list row, and the attached file to fetch later."""

from collections.abc import Callable
from dataclasses import dataclass

from conversations.inbox import IncomingMedia
from webhooks.whatsapp_models import Message

UNSUPPORTED = "unsupported"
MEDIA_KINDS = frozenset({"image", "document", "audio", "video", "sticker"})
KNOWN_KINDS = frozenset(
    {"text", "interactive", "button", "location", "reaction", "system", UNSUPPORTED} | MEDIA_KINDS
)
# Column sizes of the inbox tables.
_REPLY_ID_LIMIT = 256
_FILENAME_LIMIT = 255
_MIME_LIMIT = 128


@dataclass(frozen=True)
class MessageContent:
    kind: str
    text: str | None = None
    reply_id: str | None = None
    media: IncomingMedia | None = None


def read_content(message: Message) -> MessageContent:
    """The content of any message; a type Quita does not know is "unsupported", with no text."""
    kind = message.type if message.type in KNOWN_KINDS else UNSUPPORTED
    text, reply_id, media = _READERS.get(kind, _nothing)(message)
    return MessageContent(kind, text, _cut(reply_id, _REPLY_ID_LIMIT), media)


def unsupported() -> MessageContent:
    """The content of a message whose content could not be read at all."""
    return MessageContent(UNSUPPORTED)


_Read = tuple[str | None, str | None, IncomingMedia | None]


def _text(message: Message) -> _Read:
    return (message.text.body if message.text else None), None, None


def _interactive(message: Message) -> _Read:
    interactive = message.interactive
    if interactive is None:
        return None, None, None
    choice = interactive.button_reply or interactive.list_reply
    if choice is not None:
        return choice.title, choice.id, None
    if interactive.nfm_reply is not None:
        return interactive.nfm_reply.body, None, None
    return None, None, None


def _button(message: Message) -> _Read:
    # A template's quick reply: `text` is the label shown, `payload` the id set when sending.
    if message.button is None:
        return None, None, None
    return message.button.text, message.button.payload, None


def _media(message: Message) -> _Read:
    content = getattr(message, message.type, None)
    if content is None:
        return None, None, None
    media = None
    if content.id:
        media = IncomingMedia(
            media_id=content.id,
            mime_type=_cut(content.mime_type, _MIME_LIMIT),
            filename=_cut(content.filename, _FILENAME_LIMIT),
        )
    return content.caption or None, None, media


def _location(message: Message) -> _Read:
    location = message.location
    if location is None:
        return None, None, None
    place = ", ".join(part for part in (location.name, location.address) if part)
    where = ""
    if location.latitude is not None and location.longitude is not None:
        where = f"({location.latitude:.6f}, {location.longitude:.6f})"
    # Staff read this in the console, so it is written for them, in Portuguese.
    return " ".join(part for part in ("Localização:", place, where) if part), None, None


def _reaction(message: Message) -> _Read:
    # An empty emoji means the user removed an earlier reaction.
    return (message.reaction.emoji or None) if message.reaction else None, None, None


def _system(message: Message) -> _Read:
    # e.g. "User X changed from <old number> to <new number>"; the raw payload has the rest.
    return (message.system.body if message.system else None), None, None


def _nothing(_message: Message) -> _Read:
    return None, None, None


_READERS: dict[str, Callable[[Message], _Read]] = {
    "text": _text,
    "interactive": _interactive,
    "button": _button,
    "location": _location,
    "reaction": _reaction,
    "system": _system,
    **dict.fromkeys(MEDIA_KINDS, _media),
}


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None else None
