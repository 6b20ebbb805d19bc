"""POST /webhooks/pix: payment notices in the Banco Central Pix API webhook format.

The body is `{"pix": [{"endToEndId", "txid", "valor", "horario", ...}]}`; each item is settled
at most once (by `endToEndId`) and answered with its own result.
"""

import hmac
import json
import logging
from collections import Counter
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from billing.notices import IncomingPayment, NoticeSource
from billing.settlement import SettlementResult, settle
from quita import clock
from quita.db import session_scope
from quita.settings import Settings

logger = logging.getLogger(__name__)
router = APIRouter()

MAX_BODY_BYTES = 256 * 1024
SECRET_HEADER = "X-Webhook-Secret"
# PSPs commonly append ?hmac=<secret> to the registered URL instead of sending a header.
SECRET_QUERY = "hmac"
INVALID = "invalid"


class BadBody(ValueError):
    """The body as a whole cannot be read; the message says why, for the 400 response."""


class PixNotification(BaseModel):
    """One item of the "pix" array. Other fields (devolucoes, pagador, ...) are kept in `raw`.

    Limitation: refunds (`devolucoes`) are stored with the notice but not reversed: a later
    delivery of the same endToEndId carrying them is answered "duplicate".
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    end_to_end_id: str = Field(alias="endToEndId", pattern=r"^[A-Za-z0-9]{1,35}$")
    txid: str | None = Field(None, min_length=1, max_length=35)
    valor: str = Field(pattern=r"^[0-9]{1,11}\.[0-9]{2}$")
    horario: AwareDatetime
    chave: str | None = None
    info_pagador: str | None = Field(None, alias="infoPagador")

    def incoming(self, raw: dict[str, Any]) -> IncomingPayment:
        return IncomingPayment(
            source=NoticeSource.PIX_WEBHOOK,
            source_ref=self.end_to_end_id,
            reference=self.txid,
            amount=Decimal(self.valor),
            paid_at=self.horario,
            raw=raw,
        )


@router.post("/webhooks/pix")
async def receive_pix(request: Request) -> JSONResponse:
    """Authenticate, read at most MAX_BODY_BYTES, validate each item, settle the valid ones in
    one transaction, and answer 200 with one result per item, in order.

    401 unauthenticated, 413 body too large, 400 unreadable body (each with a JSON "error"),
    503 when the database cannot be reached, so that the PSP retries later.
    """
    refusal = _refusal(request, request.app.state.settings)
    if refusal is not None:
        logger.warning("pix webhook refused: %s", refusal, extra=_where(request))
        return _error(401, "unauthorized")

    body = await _read_limited(request)
    if body is None:
        logger.warning("pix webhook body over %d bytes refused", MAX_BODY_BYTES)
        return _error(413, f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        items = _items(body)
    except BadBody as error:
        logger.warning("pix webhook body refused: %s", error, extra=_where(request))
        return _error(400, str(error))

    results, notices = _validated(items)
    try:
        settled = await run_in_threadpool(_settle_all, request.app, notices)
    except OperationalError:
        # Also a deadlock between two multi-item requests locking invoices in opposite order:
        # the PSP retries, and what did settle is then answered "duplicate".
        logger.exception("pix webhook could not settle: database error")
        return _error(503, "database unavailable; retry later")
    for index, result in zip(notices, settled, strict=True):
        results[index] = {"index": index, "endToEndId": result.source_ref, "result": result.status}
    _log_summary(results)
    return JSONResponse({"results": results})


def _refusal(request: Request, settings: Settings) -> str | None:
    """Why the request is not authenticated, or None when it is."""
    secret = settings.pix_webhook_secret
    expected = secret.get_secret_value() if secret is not None else ""
    header = settings.pix_mtls_header
    if not expected and not header:
        if settings.mode == "development":
            return None
        return "neither QUITA_PIX_WEBHOOK_SECRET nor QUITA_PIX_MTLS_HEADER is configured"

    given = (request.headers.get(SECRET_HEADER), request.query_params.get(SECRET_QUERY))
    if expected and any(_same(value, expected) for value in given):
        return None
    if header and _same(request.headers.get(header), settings.pix_mtls_value):
        return None
    return "missing or wrong credentials"


def _same(given: str | None, expected: str) -> bool:
    # Constant time, so the response time does not tell how much of a guess was right.
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


async def _read_limited(request: Request) -> bytes | None:
    """The body, or None as soon as it is known to exceed MAX_BODY_BYTES."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    return bytes(body)


def _items(body: bytes) -> list[Any]:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise BadBody(f"body is not valid JSON: {error}") from None
    if not isinstance(data, dict) or "pix" not in data:
        raise BadBody('body must be a JSON object with a "pix" array')
    items = data["pix"]
    if not isinstance(items, list):
        raise BadBody('"pix" must be an array')
    return items


def _validated(items: list[Any]) -> tuple[list[dict[str, Any]], dict[int, IncomingPayment]]:
    """A result slot per item (filled in for invalid ones) and the valid notices by index."""
    results: list[dict[str, Any]] = []
    notices: dict[int, IncomingPayment] = {}
    for index, item in enumerate(items):
        try:
            notices[index] = _notice(item)
            results.append({})
        except (BadBody, ValidationError) as error:
            reference = item.get("endToEndId") if isinstance(item, dict) else None
            problem = _problem(error)
            logger.warning("pix webhook item %d invalid: %s", index, problem)
            results.append(
                {"index": index, "endToEndId": reference, "result": INVALID, "error": problem}
            )
    return results, notices


def _notice(item: Any) -> IncomingPayment:
    if not isinstance(item, dict):
        raise BadBody("item must be a JSON object")
    notification = PixNotification.model_validate(item)
    if Decimal(notification.valor) <= 0:
        raise BadBody("valor: must be greater than zero")
    return notification.incoming(item)


def _problem(error: BadBody | ValidationError) -> str:
    if isinstance(error, BadBody):
        return str(error)
    return "; ".join(
        f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
        for detail in error.errors(include_input=False, include_url=False)
    )


def _settle_all(app: FastAPI, notices: dict[int, IncomingPayment]) -> list[SettlementResult]:
    """Settle every valid notice in one transaction of the app's engine."""
    settings: Settings = app.state.settings
    today = clock.today(settings.today)
    with session_scope(app.state.engine) as session:
        return [settle(session, notice, app.state.policy, today) for notice in notices.values()]


def _log_summary(results: list[dict[str, Any]]) -> None:
    counts = Counter(str(result["result"]) for result in results)
    summary = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    logger.info("pix webhook: %d item(s): %s", len(results), summary or "none")


def _where(request: Request) -> dict[str, Any]:
    client = request.client
    return {"path": request.url.path, "client": client.host if client else None}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
