"""The background work of one process: the inbox worker running the agent, and the WhatsApp
sender. Embedded `serve` runs both beside the web app; `quita worker` runs them alone; `quita
chat` and the evals drive them step by step."""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from agent.brains.base import Brain
from agent.checkpoints import open_checkpointer
from agent.runner import Agent
from billing.instruments import EmbeddedPaymentProvider
from channels.whatsapp.sender import Sender, build_sender
from conversations.locks import DatabaseThreadLocks, RedisThreadLocks, ThreadLocks
from conversations.media import GraphMediaFetcher, fetch_pending_media
from conversations.models import InboundMessage
from conversations.wakeup import Wakeup
from conversations.worker import InboxWorker
from quita import clock
from quita.coordination import redis_client
from quita.db import session_scope
from quita.policy import Policy, load_policy
from quita.settings import Settings

logger = logging.getLogger(__name__)


class Services:
    """The agent, the inbox worker and the sender of one process, and their wake-ups."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        agent: Agent,
        sender: Sender,
        redis: Any,
        media: GraphMediaFetcher,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.agent = agent
        self.sender = sender
        self.inbox_wakeup = Wakeup("inbox", redis)
        self.outbox_wakeup = Wakeup("outbox", redis)
        self.worker = InboxWorker(
            engine,
            agent,
            _locks(engine, redis),
            before_turn=_media_fetcher(media),
            after_turn=self.outbox_wakeup.notify,
        )
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def wake_worker(self, wa_ids: list[str] | None = None) -> None:
        self.inbox_wakeup.notify()

    def start(self, *, worker: bool = True, sender: bool = True, cadence: bool = True) -> None:
        """Run the loops in daemon threads until `stop`; the cadence tick every
        QUITA_CADENCE_TICK_SECONDS (0: never)."""
        loops: list[tuple[str, Callable[[], None]]] = []
        if cadence:
            loops.append(("cadence", self._cadence_loop))
        if worker:
            loops.append(
                ("inbox-worker", lambda: self.worker.run_forever(self._stop, self.inbox_wakeup))
            )
        if sender:
            loops.append(
                ("sender", lambda: self.sender.run_forever(self._stop, self.outbox_wakeup))
            )
        for name, loop in loops:
            thread = threading.Thread(target=loop, name=f"quita-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _cadence_loop(self) -> None:
        from cadence.tick import run_cadence_loop  # the scheduler imports the whole ledger

        run_cadence_loop(self.engine, self.settings, self._stop)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self.inbox_wakeup.notify()
        self.outbox_wakeup.notify()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def drain(self) -> tuple[int, int]:
        """Process every pending inbound message, then send every due outbound one, once."""
        turns = self.worker.run_once()
        return turns, self.sender.run_once()


@contextmanager
def open_services(
    settings: Settings,
    engine: Engine,
    *,
    brain: Brain | None = None,
    sender: Sender | None = None,
    policy: Policy | None = None,
    knowledge: Any = None,
) -> Iterator[Services]:
    """Everything the background loops need, opened and closed together. `knowledge` is an
    open KnowledgeBase to share (opening one embeds any changed document)."""
    policy = policy or load_policy(settings.policy_file)
    redis = redis_client(settings)
    with ExitStack() as stack:
        if redis is not None:
            stack.callback(redis.close)
        saver = stack.enter_context(open_checkpointer(settings.resolved_database_url))
        agent = Agent(
            saver,
            policy,
            EmbeddedPaymentProvider(policy),
            clock=_clock(settings),
            brain=brain or _brain(settings),
            extras={"knowledge": knowledge or _knowledge(settings)},
        )
        # One media client per process: building one per turn reloads the CA bundle.
        media = stack.enter_context(GraphMediaFetcher.from_settings(settings))
        sender = sender or build_sender(settings, engine, policy, redis)
        services = Services(settings, engine, agent, sender, redis, media)
        stack.callback(services.stop)
        yield services


def _clock(settings: Settings) -> Callable[[], tuple[date, datetime]]:
    return lambda: (clock.today(settings.today), clock.now(settings.today))


def _locks(engine: Engine, redis: Any) -> ThreadLocks:
    return RedisThreadLocks(redis) if redis is not None else DatabaseThreadLocks(engine)


def _media_fetcher(fetcher: GraphMediaFetcher) -> Callable[[Engine, int], None]:
    def fetch(engine: Engine, message_id: int) -> None:
        with session_scope(engine) as session:
            message = session.get_one(InboundMessage, message_id)
            fetch_pending_media(session, message, fetcher)

    return fetch


def _brain(settings: Settings) -> Brain | None:
    from agent.brains.factory import make_brain

    return make_brain(settings)


def _knowledge(settings: Settings) -> Any:
    from knowledge.search import KnowledgeBase

    try:
        return KnowledgeBase.open(settings)
    except Exception:  # the agent still works without it: it says it does not know
        logger.exception("knowledge base unavailable")
        return None
