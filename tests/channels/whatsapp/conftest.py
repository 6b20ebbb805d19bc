"""Fixtures for the WhatsApp channel: the Graph API stand-in, a client bound to it, a fake
clock, and senders wired to all three."""

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from channels.whatsapp.client import PywaClient
from channels.whatsapp.graph_standin import GraphStandIn
from channels.whatsapp.ratelimit import Limits, LocalRateLimiter
from channels.whatsapp.sender import Sender, SenderConfig
from channels.whatsapp.templates import DEFAULT_TEMPLATES
from quita.policy import IspProfile
from tests.channels.whatsapp.rows import GRAPH_URL, PHONE_NUMBER_ID, TOKEN

START = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
NO_LIMITS = Limits(per_second=0, recipient_gap=0)


class FakeClock:
    """Wall time and monotonic time that move only when told to (or when slept on)."""

    def __init__(self, start: datetime = START) -> None:
        self.current = start
        self.seconds = 1_000.0

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)
        self.seconds += seconds

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def standin() -> GraphStandIn:
    return GraphStandIn(access_token=TOKEN, phone_number_ids=[PHONE_NUMBER_ID])


def client_for(standin: GraphStandIn, token: str = TOKEN) -> PywaClient:
    """A client whose requests go straight into the stand-in app, without a socket."""
    return PywaClient(
        graph_url=GRAPH_URL,
        phone_number_id=PHONE_NUMBER_ID,
        access_token=token,
        transport=httpx.ASGITransport(app=standin.app()),
    )


@pytest.fixture
async def client(standin: GraphStandIn) -> AsyncIterator[PywaClient]:
    built = client_for(standin)
    yield built
    await built.aclose()


@pytest.fixture
def make_sender(engine: Engine, standin: GraphStandIn, clock: FakeClock) -> Callable[..., Sender]:
    """Senders on the test database, the stand-in and the fake clock; keyword arguments go
    to SenderConfig, except `limits`."""

    def make(limits: Limits = NO_LIMITS, **config: Any) -> Sender:
        return Sender(
            engine,
            lambda: client_for(standin),
            LocalRateLimiter(limits, clock.monotonic),
            templates=DEFAULT_TEMPLATES,
            isp=IspProfile(),
            config=SenderConfig(**config),
            now=clock.now,
            sleep=clock.sleep,
        )

    return make


@pytest.fixture
def served_standin(standin: GraphStandIn) -> Iterator[str]:
    """The stand-in served by uvicorn on a free loopback port; its Graph URL."""
    server = uvicorn.Server(
        uvicorn.Config(standin.app(), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="graph-standin", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # readiness wait, not a timing assertion
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the Graph API stand-in did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/v23.0"
    server.should_exit = True
    thread.join(timeout=10)
