"""Typed outbound WhatsApp messages, checked against the Cloud API's limits, and their form in
the outbox.

An outbox row keeps the text in `body` and everything else in `payload` (JSON), per `kind`:

- ``text``: ``{"preview_url"?: bool}``; `body` is the text (at most 4096 characters).
- ``buttons``: ``{"buttons": [{"id", "title"}], "header"?: str, "footer"?: str}``; `body` is
  the message text (at most 1024). One to three buttons, titles at most 20 characters.
- ``list``: ``{"button": str, "sections": [{"title": str, "rows": [{"id", "title",
  "description"?}]}], "header"?: str, "footer"?: str}``; `body` is the text (at most 4096).
  At most 10 rows over all sections; row titles at most 24 characters.
- ``template``: ``{"name": str, "language": "pt_BR", "parameters": [str]}`` (the body's
  positional parameters, ``{{1}}`` first); `body` is the rendered text staff and the
  simulator show.
- ``image`` / ``document``: ``{"filename", "mime_type", "data_base64", "media_id"?: str}``;
  `body` is the caption ("" for none). `media_id` is added by the sender after the upload,
  so a retry does not upload again.

Any kind may also carry these keys, which are about the row rather than the message:
``"fallback_parameters": [str]``, the parameters of the purpose's template should the 24-hour
window have closed by the time the message goes out; ``"original": {"kind", "body",
"payload"}``, what a template replaced; ``"force_template": true`` and ``"replaces": id`` on a
message queued again because WhatsApp refused the original (`replaces`) with 131047.
"""

import base64
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from sqlmodel import Session

from billing.models import OutboxKind, OutboxMessage
from billing.outbox import queue_message

TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
CAPTION_MAX = 1024
TEMPLATE_BODY_MAX = 1024
MAX_BUTTONS = 3
MAX_LIST_ROWS = 10
MAX_SECTIONS = 10
IMAGE_MAX_BYTES = 5 * 1024 * 1024
DOCUMENT_MAX_BYTES = 100 * 1024 * 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "text/plain",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
# Meta refuses a template parameter holding a newline or tab, or more than four spaces in a row.
_BAD_PARAMETER = re.compile(r"[\n\t]| {5,}")
_PLACEHOLDER = re.compile(r"\{\{(\d+)\}\}")
TEMPLATE_NAME = r"^[a-z0-9_]{1,512}$"
LANGUAGE_CODE = r"^[a-z]{2,3}(_[A-Z]{2})?$"

ROW_KEYS = ("fallback_parameters", "original", "force_template", "replaces")

Short = Annotated[str, StringConstraints(min_length=1, max_length=60)]


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Message):
    kind: Literal["text"] = "text"
    body: Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)]
    preview_url: bool = False

    @model_validator(mode="after")
    def _not_blank(self) -> "Text":
        _require_text(self.body, "body")
        return self


class Button(_Message):
    id: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    title: Annotated[str, StringConstraints(min_length=1, max_length=20)]


class Buttons(_Message):
    """Reply buttons: one to three, unique ids and titles, under a body of at most 1024."""

    kind: Literal["buttons"] = "buttons"
    body: Annotated[str, StringConstraints(min_length=1, max_length=INTERACTIVE_BODY_MAX)]
    buttons: list[Button]
    header: Short | None = None
    footer: Short | None = None

    @model_validator(mode="after")
    def _check_buttons(self) -> "Buttons":
        _require_text(self.body, "body")
        if not 1 <= len(self.buttons) <= MAX_BUTTONS:
            raise ValueError(f"reply buttons: 1 to {MAX_BUTTONS} allowed, got {len(self.buttons)}")
        _require_unique([b.id for b in self.buttons], "button id")
        _require_unique([b.title for b in self.buttons], "button title")
        return self


class Row(_Message):
    id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    title: Annotated[str, StringConstraints(min_length=1, max_length=24)]
    description: Annotated[str, StringConstraints(max_length=72)] | None = None


class Section(_Message):
    title: Annotated[str, StringConstraints(min_length=1, max_length=24)]
    rows: list[Row] = Field(min_length=1)


class ListMessage(_Message):
    """A list: a button (at most 20 characters) opening up to 10 rows in up to 10 sections."""

    kind: Literal["list"] = "list"
    body: Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)]
    button: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    sections: list[Section]
    header: Short | None = None
    footer: Short | None = None

    @model_validator(mode="after")
    def _check_rows(self) -> "ListMessage":
        _require_text(self.body, "body")
        if not 1 <= len(self.sections) <= MAX_SECTIONS:
            count = len(self.sections)
            raise ValueError(f"list: 1 to {MAX_SECTIONS} sections allowed, got {count}")
        rows = [row for section in self.sections for row in section.rows]
        if len(rows) > MAX_LIST_ROWS:
            raise ValueError(f"list: at most {MAX_LIST_ROWS} rows in all, got {len(rows)}")
        _require_unique([row.id for row in rows], "row id")
        return self


class Template(_Message):
    """An approved template by name and language, with its body's positional parameters.

    `body` is the rendered text, kept for staff and the simulator; WhatsApp renders its own copy.
    """

    kind: Literal["template"] = "template"
    name: Annotated[str, StringConstraints(pattern=TEMPLATE_NAME)]
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_CODE)] = "pt_BR"
    parameters: list[str] = Field(default_factory=list)
    body: Annotated[str, StringConstraints(max_length=TEMPLATE_BODY_MAX)] = ""

    @model_validator(mode="after")
    def _check_parameters(self) -> "Template":
        check_template_parameters(self.parameters)
        return self


class _Media(_Message):
    """A file sent as itself: its name, type, bytes and an optional caption."""

    filename: Annotated[str, StringConstraints(min_length=1, max_length=240)]
    mime_type: str
    data: bytes = Field(repr=False)
    caption: Annotated[str, StringConstraints(max_length=CAPTION_MAX)] = ""
    media_id: str | None = None


class Image(_Media):
    """A PNG or JPEG (a Pix QR code) of at most 5 MB, with an optional caption."""

    kind: Literal["image"] = "image"

    @model_validator(mode="after")
    def _check_media(self) -> "Image":
        _check_file(self.mime_type, IMAGE_TYPES, self.data, IMAGE_MAX_BYTES, "image")
        return self


class Document(_Media):
    """A file (a boleto PDF) of at most 100 MB, shown under `filename`, with a caption."""

    kind: Literal["document"] = "document"

    @model_validator(mode="after")
    def _check_media(self) -> "Document":
        _check_file(self.mime_type, DOCUMENT_TYPES, self.data, DOCUMENT_MAX_BYTES, "document")
        return self


OutboundMessage = Text | Buttons | ListMessage | Template | Image | Document
_MODELS: dict[str, type[_Message]] = {
    OutboxKind.TEXT: Text,
    OutboxKind.BUTTONS: Buttons,
    OutboxKind.LIST: ListMessage,
    OutboxKind.TEMPLATE: Template,
    OutboxKind.IMAGE: Image,
    OutboxKind.DOCUMENT: Document,
}


def queue_outbound(
    session: Session,
    message: OutboundMessage,
    *,
    customer_id: int | None,
    to: str,
    purpose: str,
    idempotency_key: str,
    fallback_parameters: list[str] | None = None,
) -> int | None:
    """Write `message` to the outbox in the caller's transaction, at most once per key.

    `to` is E.164. `fallback_parameters` fill the purpose's template if the 24-hour window has
    closed when the message goes out. Returns the new row's id, or None if the key was queued.
    """
    kind, body, payload = outbox_fields(message)
    if fallback_parameters:
        check_template_parameters(fallback_parameters)
        payload["fallback_parameters"] = list(fallback_parameters)
    return queue_message(
        session,
        customer_id=customer_id,
        to=to,
        purpose=purpose,
        body=body,
        idempotency_key=idempotency_key,
        kind=OutboxKind(kind),
        payload=payload,
    )


def outbox_fields(message: OutboundMessage) -> tuple[str, str, dict[str, Any]]:
    """The row's `kind`, `body` and `payload` for `message` (schema in the module docstring)."""
    if isinstance(message, Text):
        return message.kind, message.body, ({"preview_url": True} if message.preview_url else {})
    if isinstance(message, Template):
        fields = message.model_dump(include={"name", "language", "parameters"})
        return message.kind, message.body, fields
    if isinstance(message, Image | Document):
        media = {
            "filename": message.filename,
            "mime_type": message.mime_type,
            "data_base64": base64.b64encode(message.data).decode("ascii"),
        }
        if message.media_id is not None:
            media["media_id"] = message.media_id
        return message.kind, message.caption, media
    fields = message.model_dump(exclude={"kind", "body"}, exclude_none=True)
    return message.kind, message.body, fields


def message_from_row(row: OutboxMessage) -> OutboundMessage:
    """The typed message an outbox row holds; raises ValueError naming what is wrong."""
    return message_from_fields(row.kind, row.body, row.payload)


def message_from_fields(kind: str, body: str, payload: dict[str, Any]) -> OutboundMessage:
    """The typed message for a row's `kind`, `body` and `payload`; ValueError if invalid."""
    model = _MODELS.get(kind)
    if model is None:
        raise ValueError(f"unknown outbox kind {kind!r}")
    fields = {k: v for k, v in payload.items() if k not in ROW_KEYS}
    if kind in (OutboxKind.IMAGE, OutboxKind.DOCUMENT):
        encoded = fields.pop("data_base64", "")
        fields["data"] = base64.b64decode(encoded, validate=True)
        fields["caption"] = body
    else:
        fields["body"] = body
    message: OutboundMessage = model.model_validate(fields)  # type: ignore[assignment]
    return message


def render_template_text(text: str, parameters: list[str]) -> str:
    """`text` with each ``{{n}}`` replaced by the n-th parameter (1-based); unknown ones kept."""

    def fill(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return parameters[index - 1] if 1 <= index <= len(parameters) else match.group(0)

    return _PLACEHOLDER.sub(fill, text)


def check_template_parameters(parameters: list[str]) -> None:
    """Raise ValueError unless every parameter is text WhatsApp accepts in a template."""
    for index, value in enumerate(parameters, start=1):
        if not value.strip():
            raise ValueError(f"template parameter {{{{{index}}}}} is empty")
        if _BAD_PARAMETER.search(value):
            raise ValueError(
                f"template parameter {{{{{index}}}}} holds a newline, a tab or more than "
                "four spaces in a row, which WhatsApp refuses"
            )


def placeholder_count(text: str) -> int:
    """The highest ``{{n}}`` in a template's text: how many parameters it takes."""
    return max((int(n) for n in _PLACEHOLDER.findall(text)), default=0)


def _require_text(value: str, name: str) -> None:
    if not value.strip():
        raise ValueError(f"{name}: must not be blank")


def _require_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} appears twice; WhatsApp needs them unique")
        seen.add(value)


def _check_file(
    mime_type: str, allowed: frozenset[str], data: bytes, limit: int, what: str
) -> None:
    if mime_type not in allowed:
        raise ValueError(f"{what}: type {mime_type!r} not accepted (use one of {sorted(allowed)})")
    if not data:
        raise ValueError(f"{what}: the file is empty")
    if len(data) > limit:
        raise ValueError(f"{what}: {len(data)} bytes is over WhatsApp's {limit}-byte limit")
