"""A local stand-in for the parts of the Graph API Quita calls, speaking the real wire format.

It serves ``POST /{version}/{phone_number_id}/messages``, ``POST .../{phone_number_id}/media``
(multipart upload), ``GET /{version}/{media_id}`` (media URL) and the download URL, checks the
bearer token and the request shape the way Graph does (with Graph's error bodies), and keeps
every accepted message in memory, in order and per recipient (also readable from another
process at ``GET /_standin/messages?since=N``). `fail_next` makes the next calls fail with a
chosen Graph error. Tests, the sender benchmark and the demo's simulator use it;
it is never part of a production deployment.
"""

import base64
import email
import email.policy
import hashlib
import itertools
import re
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response

from channels.whatsapp import messages as limits

SUPPORTED_TYPES = frozenset(
    {"text", "interactive", "template", "image", "document", "audio", "video", "sticker"}
)
_DIGITS = re.compile(r"\+?[1-9][0-9]{6,14}")
_MEDIA_ID_START = 1_000_000_000_000_000


@dataclass(frozen=True)
class RecordedMessage:
    """One message the stand-in accepted: the request as sent, and when it arrived
    (`received_at`, `time.monotonic()` seconds, for rate measurements)."""

    wamid: str
    phone_number_id: str
    to: str
    type: str
    request: dict[str, Any]
    received_at: float

    @property
    def tracker(self) -> str | None:
        value = self.request.get("biz_opaque_callback_data")
        return str(value) if value is not None else None


@dataclass(frozen=True)
class StoredMedia:
    media_id: str
    content: bytes
    mime_type: str
    filename: str | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class InjectedFailure:
    code: int
    http_status: int
    message: str
    details: str | None = None
    endpoint: str | None = None  # "messages", "media" or None for either


class GraphRequestError(Exception):
    """A request Graph would refuse; becomes Graph's JSON error body."""

    def __init__(self, code: int, message: str, details: str | None = None, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.details, self.status = code, message, details, status


class GraphStandIn:
    """In-memory Graph API. `phone_number_ids` limits which numbers exist (None: any)."""

    def __init__(self, *, access_token: str, phone_number_ids: Iterable[str] | None = None) -> None:
        self._token = access_token
        self._numbers = None if phone_number_ids is None else frozenset(phone_number_ids)
        self._lock = threading.Lock()
        self._messages: list[RecordedMessage] = []
        self._by_recipient: dict[str, list[RecordedMessage]] = defaultdict(list)
        self._media: dict[str, StoredMedia] = {}
        self._failures: deque[InjectedFailure] = deque()
        self._media_ids = itertools.count(_MEDIA_ID_START)

    @property
    def messages(self) -> list[RecordedMessage]:
        """Every accepted message, oldest first (a copy)."""
        with self._lock:
            return list(self._messages)

    def messages_to(self, wa_id: str) -> list[RecordedMessage]:
        with self._lock:
            return list(self._by_recipient.get(wa_id.lstrip("+"), []))

    def media(self, media_id: str) -> StoredMedia | None:
        with self._lock:
            return self._media.get(media_id)

    def store_media(self, content: bytes, mime_type: str, filename: str | None = None) -> str:
        """Keep a file as if it had been uploaded (or sent by a user); its media id."""
        with self._lock:
            media_id = str(next(self._media_ids))
            self._media[media_id] = StoredMedia(media_id, content, mime_type, filename)
            return media_id

    def fail_next(
        self,
        count: int,
        code: int,
        *,
        http_status: int = 400,
        message: str = "",
        details: str = "",
        endpoint: str | None = None,
    ) -> None:
        """Answer the next `count` calls to `endpoint` ("messages" or "media"; None for both)
        with this Graph error."""
        failure = InjectedFailure(
            code, http_status, message or f"error {code}", details or None, endpoint
        )
        with self._lock:
            self._failures.extend([failure] * count)

    def reset(self) -> None:
        with self._lock:
            self._messages.clear()
            self._by_recipient.clear()
            self._failures.clear()

    def router(self) -> APIRouter:
        """The routes, to mount under any prefix (the Graph URL then ends with the version)."""
        router = APIRouter()
        router.add_api_route("/_standin/messages", self._recorded, methods=["GET"])
        router.add_api_route("/_standin/media/{media_id}", self._download, methods=["GET"])
        router.add_api_route("/{version}/{phone_number_id}/messages", self._send, methods=["POST"])
        router.add_api_route("/{version}/{phone_number_id}/media", self._upload, methods=["POST"])
        router.add_api_route("/{version}/{media_id}", self._media_url, methods=["GET"])
        return router

    def app(self) -> FastAPI:
        app = FastAPI(title="Graph API stand-in", openapi_url=None, docs_url=None)
        app.include_router(self.router())
        return app

    async def _send(self, request: Request, phone_number_id: str) -> Response:
        try:
            self._check_call(request, phone_number_id, "messages")
            body = await _json_body(request)
            message_type, to = _check_message(body, self._known_media)
        except GraphRequestError as error:
            return _error_response(error)
        recorded = RecordedMessage(
            wamid=_new_wamid(),
            phone_number_id=phone_number_id,
            to=to,
            type=message_type,
            request=body,
            received_at=time.monotonic(),
        )
        with self._lock:
            self._messages.append(recorded)
            self._by_recipient[to].append(recorded)
        entry: dict[str, Any] = {"id": recorded.wamid}
        if message_type == "template":
            entry["message_status"] = "accepted"
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": str(body["to"]), "wa_id": to}],
                "messages": [entry],
            }
        )

    async def _upload(self, request: Request, phone_number_id: str) -> Response:
        try:
            self._check_call(request, phone_number_id, "media")
            fields, file = _multipart(request.headers.get("content-type", ""), await request.body())
            if fields.get("messaging_product") != "whatsapp":
                raise GraphRequestError(
                    131008, "Required parameter is missing", "messaging_product"
                )
            if file is None:
                raise _missing("file")
        except GraphRequestError as error:
            return _error_response(error)
        content, mime_type, filename = file
        media_id = self.store_media(content, fields.get("type") or mime_type, filename)
        return JSONResponse({"id": media_id})

    async def _media_url(self, request: Request, version: str, media_id: str) -> Response:
        try:
            self._check_token(request)
            media = self._find_media(media_id)
        except GraphRequestError as error:
            return _error_response(error)
        url = str(request.url_for("_download", media_id=media_id))
        return JSONResponse(
            {
                "url": url,
                "mime_type": media.mime_type,
                "sha256": media.sha256,
                "file_size": len(media.content),
                "id": media.media_id,
                "messaging_product": "whatsapp",
            }
        )

    async def _recorded(self, since: int = 0) -> Response:
        """The accepted messages from position `since` on; not part of Graph, so no token."""
        everything = self.messages
        recorded = everything[since:]
        return JSONResponse(
            {
                "count": len(everything),
                "messages": [
                    {
                        "wamid": m.wamid,
                        "to": m.to,
                        "type": m.type,
                        "request": m.request,
                        "received_at": m.received_at,
                    }
                    for m in recorded
                ],
            }
        )

    async def _download(self, request: Request, media_id: str) -> Response:
        try:
            self._check_token(request)
            media = self._find_media(media_id)
        except GraphRequestError as error:
            return _error_response(error)
        return Response(media.content, media_type=media.mime_type)

    def _check_call(self, request: Request, phone_number_id: str, endpoint: str) -> None:
        self._check_token(request)
        if self._numbers is not None and phone_number_id not in self._numbers:
            raise GraphRequestError(
                100,
                f"Unsupported post request. Object with ID '{phone_number_id}' does not exist",
                status=400,
            )
        failure = self._take_failure(endpoint)
        if failure is not None:
            raise GraphRequestError(
                failure.code, failure.message, failure.details, failure.http_status
            )

    def _take_failure(self, endpoint: str) -> InjectedFailure | None:
        with self._lock:
            for failure in self._failures:
                if failure.endpoint in (None, endpoint):
                    self._failures.remove(failure)
                    return failure
        return None

    def _check_token(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token != self._token:
            raise GraphRequestError(
                190, "Invalid OAuth access token - Cannot parse access token", status=401
            )

    def _find_media(self, media_id: str) -> StoredMedia:
        media = self.media(media_id)
        if media is None:
            raise GraphRequestError(100, "Invalid parameter", f"no media with id {media_id}")
        return media

    def _known_media(self, media_id: str) -> bool:
        return self.media(media_id) is not None


def _check_message(body: dict[str, Any], known_media: Any) -> tuple[str, str]:
    """The message's type and recipient wa_id, or the GraphRequestError Graph would answer."""
    if body.get("messaging_product") != "whatsapp":
        raise _missing("messaging_product")
    to = str(body.get("to") or "")
    if not _DIGITS.fullmatch(to):
        raise GraphRequestError(131009, "Parameter value is not valid", "to: not a phone number")
    message_type = body.get("type", "text")
    if message_type not in SUPPORTED_TYPES:
        raise GraphRequestError(131051, "Unsupported message type", str(message_type))
    content = body.get(message_type)
    if not isinstance(content, dict):
        raise _missing(message_type)
    _CHECKS.get(message_type, _check_nothing)(content, known_media)
    return message_type, to.lstrip("+")


def _check_text(content: dict[str, Any], _known_media: Any) -> None:
    _require_length(content.get("body"), limits.TEXT_MAX, "text.body")


def _check_interactive(content: dict[str, Any], _known_media: Any) -> None:
    kind = content.get("type")
    action = content.get("action") or {}
    body_text = (content.get("body") or {}).get("text")
    if kind == "button":
        _require_length(body_text, limits.INTERACTIVE_BODY_MAX, "interactive.body.text")
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= limits.MAX_BUTTONS:
            raise _invalid(f"interactive.action.buttons: 1 to {limits.MAX_BUTTONS} allowed")
        for button in buttons:
            _require_length((button.get("reply") or {}).get("title"), 20, "button title")
    elif kind == "list":
        _require_length(body_text, limits.TEXT_MAX, "interactive.body.text")
        _require_length(action.get("button"), 20, "interactive.action.button")
        rows = [row for section in action.get("sections") or [] for row in section.get("rows", [])]
        if not 1 <= len(rows) <= limits.MAX_LIST_ROWS:
            raise _invalid(f"interactive.action.sections: 1 to {limits.MAX_LIST_ROWS} rows")
        for row in rows:
            _require_length(row.get("title"), 24, "row title")
    else:
        raise GraphRequestError(131009, "Parameter value is not valid", "interactive.type")


def _check_template(content: dict[str, Any], _known_media: Any) -> None:
    if not re.fullmatch(r"[a-z0-9_]{1,512}", str(content.get("name", ""))):
        raise _invalid("template.name")
    if not (content.get("language") or {}).get("code"):
        raise _missing("template.language")


def _check_media(content: dict[str, Any], known_media: Any) -> None:
    media_id, link = content.get("id"), content.get("link")
    if not media_id and not link:
        raise _missing("id or link")
    if media_id and not known_media(str(media_id)):
        raise GraphRequestError(100, "Invalid parameter", f"media id {media_id} not found")
    _require_length(content.get("caption", "x"), limits.CAPTION_MAX, "caption")


def _check_nothing(_content: dict[str, Any], _known_media: Any) -> None:
    return None


_CHECKS = {
    "text": _check_text,
    "interactive": _check_interactive,
    "template": _check_template,
    "image": _check_media,
    "document": _check_media,
}


def _require_length(value: Any, limit: int, where: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _missing(where)
    if len(value) > limit:
        raise _invalid(f"{where}: longer than {limit} characters")


def _missing(details: str) -> GraphRequestError:
    return GraphRequestError(131008, "Required parameter is missing", details)


def _invalid(details: str) -> GraphRequestError:
    return GraphRequestError(131009, "Parameter value is not valid", details)


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise GraphRequestError(100, "Invalid parameter", "the body is not JSON") from None
    if not isinstance(body, dict):
        raise GraphRequestError(100, "Invalid parameter", "the body is not a JSON object")
    return body


def _multipart(
    content_type: str, raw: bytes
) -> tuple[dict[str, str], tuple[bytes, str, str | None] | None]:
    """The text fields and the file (content, type, name) of a multipart/form-data body."""
    if not content_type.startswith("multipart/form-data"):
        raise GraphRequestError(100, "Invalid parameter", "expected multipart/form-data")
    # The stdlib MIME parser reads form data well enough for a test double, and avoids a
    # dependency on python-multipart.
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    parsed = email.message_from_bytes(head + raw, policy=email.policy.HTTP)
    fields: dict[str, str] = {}
    file: tuple[bytes, str, str | None] | None = None
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        decoded = part.get_payload(decode=True)
        payload = decoded if isinstance(decoded, bytes) else b""
        if name == "file":
            file = (payload, part.get_content_type(), part.get_filename())
        elif isinstance(name, str):
            fields[name] = payload.decode("utf-8", errors="replace")
    return fields, file


def _error_response(error: GraphRequestError) -> JSONResponse:
    body: dict[str, Any] = {
        "message": f"(#{error.code}) {error.message}",
        "type": "OAuthException",
        "code": error.code,
        "fbtrace_id": base64.b32encode(uuid.uuid4().bytes[:10]).decode("ascii"),
    }
    if error.details:
        body["error_data"] = {"messaging_product": "whatsapp", "details": error.details}
    return JSONResponse({"error": body}, status_code=error.status)


def _new_wamid() -> str:
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x11\x18" + uuid.uuid4().bytes).decode()
