"""Fetching a debtor's file through the Graph media endpoint, against a local stand-in."""

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from conversations.inbox import IncomingMedia, IncomingMessage, store_messages
from conversations.media import GraphMediaFetcher, fetch_pending_media
from conversations.models import InboundMedia, InboundMessage
from quita.db import session_scope

GRAPH = "https://graph.example.test/v23.0"
TOKEN = "EAAG-test-access-token"
MEDIA_ID = "1184736629051247"
FILE_URL = "https://lookaside.example.test/whatsapp_business/attachments/?mid=1184736629051247"
RECEIPT = b"%PDF-1.7 comprovante de pagamento via Pix, R$ 103,92"
Handler = Callable[[httpx.Request], httpx.Response]


class StandIn:
    """The two Graph endpoints; records the requests it saw."""

    def __init__(self, content: bytes = RECEIPT, **info: object) -> None:
        self.content = content
        self.info: dict[str, object] = {
            "messaging_product": "whatsapp",
            "url": FILE_URL,
            "mime_type": "application/pdf",
            "sha256": hashlib.sha256(content).hexdigest(),
            "file_size": len(content),
            "id": MEDIA_ID,
            **info,
        }
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"error": {"code": 190}})
        if str(request.url) == f"{GRAPH}/{MEDIA_ID}":
            return httpx.Response(200, json=self.info)
        if str(request.url) == FILE_URL:
            return httpx.Response(200, content=self.content)
        return httpx.Response(404)


def fetcher(handler: Handler) -> GraphMediaFetcher:
    return GraphMediaFetcher(GRAPH, TOKEN, httpx.Client(transport=httpx.MockTransport(handler)))


@pytest.fixture
def message(engine: Engine) -> InboundMessage:
    media = IncomingMedia(MEDIA_ID, "application/pdf", "comprovante.pdf")
    incoming = IncomingMessage(
        wamid="wamid.receipt",
        wa_id="5511987654321",
        phone_number_id="112233445566778",
        kind="document",
        sent_at=datetime(2026, 12, 3, 13, 2, tzinfo=UTC),
        text="segue o comprovante",
        media=media,
    )
    with session_scope(engine) as session:
        store_messages(session, [incoming])
    with Session(engine) as session:
        return session.execute(select(InboundMessage)).scalar_one()


def fetch(engine: Engine, message: InboundMessage, handler: Handler, **limits: int) -> InboundMedia:
    with fetcher(handler) as graph, session_scope(engine) as session:
        media = fetch_pending_media(session, message, graph, **limits)
    assert media is not None
    return media


def stored(engine: Engine) -> InboundMedia:
    with Session(engine) as session:
        return session.execute(select(InboundMedia)).scalar_one()


def test_a_receipt_is_fetched_verified_and_kept_with_its_message(
    engine: Engine, message: InboundMessage
) -> None:
    stand_in = StandIn()

    fetch(engine, message, stand_in)

    media = stored(engine)
    assert media.content == RECEIPT
    assert (media.size, media.sha256) == (len(RECEIPT), hashlib.sha256(RECEIPT).hexdigest())
    assert (media.mime_type, media.filename, media.fetch_error) == (
        "application/pdf",
        "comprovante.pdf",
        None,
    )
    assert media.fetched_at is not None
    assert [str(request.url) for request in stand_in.requests] == [f"{GRAPH}/{MEDIA_ID}", FILE_URL]


def test_a_base64_sha256_is_accepted_too(engine: Engine, message: InboundMessage) -> None:
    encoded = base64.b64encode(hashlib.sha256(RECEIPT).digest()).decode()

    fetch(engine, message, StandIn(sha256=encoded))

    assert stored(engine).content == RECEIPT


def test_a_sha256_mismatch_is_recorded_and_nothing_kept(
    engine: Engine, message: InboundMessage
) -> None:
    fetch(engine, message, StandIn(sha256=hashlib.sha256(b"another file").hexdigest()))

    media = stored(engine)
    assert media.content is None
    assert media.fetch_error == "sha256 mismatch: the file is not the one announced"


def test_a_file_over_the_cap_is_refused_before_downloading(
    engine: Engine, message: InboundMessage
) -> None:
    stand_in = StandIn()

    fetch(engine, message, stand_in, max_bytes=10)

    assert stored(engine).fetch_error == f"file of {len(RECEIPT)} bytes is over 10"
    assert len(stand_in.requests) == 1


def test_a_file_bigger_than_announced_is_cut_off_at_the_cap(
    engine: Engine, message: InboundMessage
) -> None:
    fetch(engine, message, StandIn(file_size=5), max_bytes=10)

    media = stored(engine)
    assert (media.content, media.fetch_error) == (None, "file larger than 10 bytes")


@pytest.mark.parametrize(
    ("handler", "error"),
    [
        (lambda request: httpx.Response(404), "HTTP 404 from graph.example.test"),
        (lambda request: httpx.Response(200, text="<html>"), "media endpoint answer unreadable"),
        (lambda request: httpx.Response(200, json={"id": MEDIA_ID}), "media endpoint answer"),
    ],
    ids=["not-found", "not-json", "no-url"],
)
def test_a_graph_failure_is_recorded_never_raised(
    engine: Engine, message: InboundMessage, handler: Handler, error: str
) -> None:
    fetch(engine, message, handler)

    media = stored(engine)
    assert media.content is None
    assert media.fetch_error is not None
    assert media.fetch_error.startswith(error)


def test_a_network_failure_is_recorded_without_the_signed_url(
    engine: Engine, message: InboundMessage
) -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    fetch(engine, message, unreachable)

    assert stored(engine).fetch_error == "ConnectError reaching the media server"


def test_a_failed_fetch_is_retried_and_a_fetched_file_is_not_fetched_again(
    engine: Engine, message: InboundMessage
) -> None:
    fetch(engine, message, lambda request: httpx.Response(503))
    stand_in = StandIn()

    fetch(engine, message, stand_in)
    fetch(engine, message, stand_in)

    media = stored(engine)
    assert (media.content, media.fetch_error) == (RECEIPT, None)
    assert len(stand_in.requests) == 2


def test_a_message_without_a_file_has_nothing_to_fetch(engine: Engine) -> None:
    text = IncomingMessage(
        wamid="wamid.text",
        wa_id="5511987654321",
        phone_number_id="112233445566778",
        kind="text",
        sent_at=datetime(2026, 12, 3, 13, 2, tzinfo=UTC),
        text="oi",
    )
    with session_scope(engine) as session:
        store_messages(session, [text])
        row = session.execute(select(InboundMessage)).scalar_one()
        with fetcher(StandIn()) as graph:
            assert fetch_pending_media(session, row, graph) is None


def test_a_file_size_sent_as_a_string_is_read_as_a_number() -> None:
    with fetcher(StandIn(file_size=str(len(RECEIPT)))) as graph:
        info = graph.media_info(MEDIA_ID)

    assert (info.url, info.mime_type, info.file_size) == (FILE_URL, "application/pdf", len(RECEIPT))
