"""GET|POST /webhooks/whatsapp: Meta's subscription handshake, and signed notifications stored
in the inbox (messages, once per wamid) and the outbox (delivery statuses) before answering.

The POST answers 200 for everything it has stored or chosen to ignore, because Meta redelivers
any other answer for days: 413 body too large, 401 no signature, 403 wrong signature, 400 not
JSON, 503 database unreachable (then the redelivery is wanted). The worker processes the inbox.
"""

import hmac
import inspect
import json
import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.exc import OperationalError

from conversations.inbox import WamidCache
from quita.settings import Settings
from webhooks.signature import SIGNATURE_HEADER, SignatureCheck, check_signature
from webhooks.whatsapp_payload import NotWhatsAppPayload, ParsedNotification, parse_notification
from webhooks.whatsapp_store import Accepted, InboxWriter

logger = logging.getLogger(__name__)
router = APIRouter()

PATH = "/webhooks/whatsapp"
_CHALLENGE_LIMIT = 256


@router.get(PATH)
async def verify_subscription(request: Request) -> Response:
    """Meta's handshake: echo `hub.challenge` when `hub.verify_token` matches, else 403."""
    params = request.query_params
    expected = request.app.state.settings.whatsapp_verify_token.get_secret_value()
    token, challenge = params.get("hub.verify_token"), params.get("hub.challenge")
    if (
        params.get("hub.mode") == "subscribe"
        and token is not None
        and hmac.compare_digest(token.encode(), expected.encode())
        and challenge
        and len(challenge) <= _CHALLENGE_LIMIT
    ):
        logger.info("whatsapp webhook subscription verified")
        return PlainTextResponse(challenge)
    logger.warning("whatsapp webhook verification refused", extra=_where(request))
    return PlainTextResponse("forbidden", status_code=403)


@router.post(PATH)
async def receive_notification(request: Request) -> Response:
    """Read at most the configured size, check the signature on the raw bytes, parse, store,
    wake the worker, answer. Message text and phone numbers are logged only at DEBUG."""
    settings: Settings = request.app.state.settings
    limit = settings.whatsapp_max_body_bytes
    body = await _read_limited(request, limit)
    if body is None:
        logger.warning("whatsapp webhook body over %d bytes refused", limit, extra=_where(request))
        return _error(413, "body too large")
    refusal = _signature_refusal(request, body, settings)
    if refusal is not None:
        return refusal

    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        logger.warning("whatsapp webhook body is not JSON: %s", type(error).__name__)
        return _error(400, "body is not valid JSON")
    try:
        parsed = parse_notification(data)
    except NotWhatsAppPayload as error:
        # Signed by Meta (or our own simulator) but not a WhatsApp notification: refusing it
        # would only make Meta redeliver it for days, so it is acknowledged and dropped.
        logger.warning("whatsapp webhook body ignored: %s", error)
        return JSONResponse({"status": "ignored"})

    if not parsed.messages and not parsed.statuses:
        _log_summary(parsed, Accepted(stored=0, duplicates=0, statuses=0, wa_ids=[]))
        return JSONResponse({"status": "ok", "stored": 0, "duplicates": 0, "statuses": 0})
    try:
        accepted = await inbox_writer(request.app).store(parsed)
    except OperationalError:
        logger.exception("whatsapp webhook could not store: database error")
        return _error(503, "database unavailable; retry later")
    await _wake_worker(request.app, accepted.wa_ids)
    _log_summary(parsed, accepted)
    return JSONResponse(
        {
            "status": "ok",
            "stored": accepted.stored,
            "duplicates": accepted.duplicates,
            "statuses": accepted.statuses,
        }
    )


def inbox_writer(app: FastAPI) -> InboxWriter:
    """The app's writer, made on first use with its engine and wamid cache."""
    writer: InboxWriter | None = getattr(app.state, "inbox_writer", None)
    if writer is None:
        cache = getattr(app.state, "wamid_cache", None) or WamidCache(None)
        writer = app.state.inbox_writer = InboxWriter(app.state.engine, cache)
    return writer


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to exceed `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def _signature_refusal(request: Request, body: bytes, settings: Settings) -> Response | None:
    """The 401/403 answer for a body not signed with the app secret, or None to go on."""
    secret = settings.whatsapp_app_secret.get_secret_value()
    check = check_signature(body, request.headers.get(SIGNATURE_HEADER), secret)
    if check is SignatureCheck.VALID:
        return None
    if check is SignatureCheck.MISSING and settings.whatsapp_allow_unsigned:
        logger.debug("unsigned whatsapp webhook accepted (QUITA_WHATSAPP_ALLOW_UNSIGNED)")
        return None
    # One line, no body: a flood of forgeries must not fill the logs with debtors' data.
    logger.warning("whatsapp webhook refused: signature %s", check.value, extra=_where(request))
    if check is SignatureCheck.MISSING:
        return _error(401, f"missing {SIGNATURE_HEADER}")
    return _error(403, f"invalid {SIGNATURE_HEADER}")


async def _wake_worker(app: FastAPI, wa_ids: list[str]) -> None:
    """Call `app.state.wake_worker(wa_ids)` when the app has one (sync or async)."""
    wake = getattr(app.state, "wake_worker", None)
    if wake is None or not wa_ids:
        return
    try:
        result = wake(wa_ids)
        if inspect.isawaitable(result):
            await result
    except Exception:
        # The messages are committed; a worker that is not woken finds them on its next poll.
        logger.exception("waking the worker failed")


def _log_summary(parsed: ParsedNotification, accepted: Accepted) -> None:
    level = logging.INFO if parsed.messages or parsed.skipped else logging.DEBUG
    logger.log(
        level,
        "whatsapp webhook: %d message(s) read, %d stored, %d duplicate(s), %d skipped, "
        "%d status(es), %d ignored",
        len(parsed.messages),
        accepted.stored,
        accepted.duplicates,
        parsed.skipped,
        len(parsed.statuses),
        parsed.ignored,
        extra={"count": accepted.stored},
    )


def _where(request: Request) -> dict[str, Any]:
    client = request.client
    return {"path": request.url.path, "client": client.host if client else None}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
