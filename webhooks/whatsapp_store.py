"""Storing parsed WhatsApp notifications: messages into the inbox, statuses onto the outbox, one
transaction per batch of concurrent requests (group commit), each answered only once committed.

A writer thread (a few on PostgreSQL) takes whatever requests are waiting and stores them
together: the per-transaction cost is shared, fewer threads hand the GIL back and forth with
the event loop, and SQLite never sees two writers of ours competing for its lock (its busy wait
sleeps for up to tens of milliseconds at a time).
"""

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from channels.whatsapp.statuses import apply_statuses
from conversations.inbox import StoreResult, WamidCache, store_messages
from quita.db import session_scope
from webhooks.whatsapp_payload import ParsedNotification

logger = logging.getLogger(__name__)

MAX_BATCH = 256
POSTGRES_WRITERS = 4
# An idle writer thread ends; the next request starts another.
IDLE_SECONDS = 2.0


@dataclass(frozen=True)
class Accepted:
    """What one notification changed: new inbox messages, duplicates, statuses applied, and the
    wa_ids of the threads with new messages (for waking the worker)."""

    stored: int
    duplicates: int
    statuses: int
    wa_ids: list[str]


def store_notifications(
    engine: Engine, batch: Sequence[ParsedNotification], cache: WamidCache
) -> list[Accepted]:
    """Store a batch in one transaction: messages the cache does not know (in order), then each
    notification's statuses. The wamids are remembered in the cache only after the commit."""
    wamids = [message.wamid for parsed in batch for message in parsed.messages]
    known = cache.known(wamids)
    fresh = [m for parsed in batch for m in parsed.messages if m.wamid not in known]
    if not fresh and not any(parsed.statuses for parsed in batch):
        return [_accepted(parsed, set(), 0) for parsed in batch]

    with session_scope(engine) as session:
        result = store_messages(session, fresh)
        changed = [apply_statuses(session, p.statuses) if p.statuses else 0 for p in batch]
    cache.remember([message.wamid for message in fresh])
    return _attribute(batch, result, changed)


class InboxWriter:
    """Stores notifications for the event loop(s) of one process, a batch per transaction.

    `store` may be awaited from any event loop; its result or exception is delivered back to
    that loop. A batch that fails is retried one notification at a time, so that one body the
    outbox cannot take (or a deadlock between two batches on PostgreSQL) fails only its own
    request; with the database unreachable, each request gets the OperationalError (503).
    """

    def __init__(
        self,
        engine: Engine,
        cache: WamidCache,
        max_batch: int = MAX_BATCH,
        threads: int | None = None,
    ) -> None:
        self.engine = engine
        self.cache = cache
        self.max_batch = max_batch
        # SQLite takes one writer at a time; PostgreSQL overlaps the commits (each waits for
        # its WAL flush) of a few.
        self.threads = threads or (1 if engine.dialect.name == "sqlite" else POSTGRES_WRITERS)
        self._queue: queue.SimpleQueue[tuple[ParsedNotification, asyncio.Future[Accepted]]]
        self._queue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = 0

    async def store(self, parsed: ParsedNotification) -> Accepted:
        """Store one notification with whatever else is waiting; returns once committed."""
        future: asyncio.Future[Accepted] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._queue.put((parsed, future))
            if self._running < self.threads:
                self._running += 1
                threading.Thread(target=self._run, name="inbox-writer", daemon=True).start()
        return await future

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if not batch:
                return
            self._store(batch)

    def _next_batch(self) -> list[tuple[ParsedNotification, asyncio.Future[Accepted]]]:
        """Everything waiting (up to max_batch), or [] after IDLE_SECONDS with the thread
        marked stopped: checked under the lock, so no request is left behind."""
        try:
            batch = [self._queue.get(timeout=IDLE_SECONDS)]
        except queue.Empty:
            with self._lock:
                if self._queue.empty():
                    self._running -= 1
                    return []
            batch = []
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _store(self, batch: list[tuple[ParsedNotification, asyncio.Future[Accepted]]]) -> None:
        try:
            results = store_notifications(self.engine, [parsed for parsed, _ in batch], self.cache)
        except Exception as error:
            # Handed back to each request (503 for an unreachable database, 500 otherwise),
            # after a one-by-one retry that isolates a notification the outbox cannot take.
            if len(batch) == 1:
                _deliver([(batch[0][1], error)])
                return
            for item in batch:
                self._store([item])
            return
        _deliver([(future, accepted) for (_, future), accepted in zip(batch, results, strict=True)])


_Outcome = tuple[asyncio.Future[Accepted], Accepted | BaseException]


def _deliver(outcomes: list[_Outcome]) -> None:
    """Hand each outcome to its future's event loop: one wake-up per loop, not per request."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
    for future, outcome in outcomes:
        by_loop.setdefault(future.get_loop(), []).append((future, outcome))
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, settled)
        except RuntimeError:
            logger.debug("webhook request's event loop closed before its result was ready")


def _settle(outcomes: list[_Outcome]) -> None:
    for future, outcome in outcomes:
        if future.done():  # the request was cancelled (client gone); what is stored stays
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)


def _attribute(
    batch: Sequence[ParsedNotification], result: StoreResult, changed: list[int]
) -> list[Accepted]:
    """Each notification's share of the batch; a wamid stored now counts for the first
    notification that carried it, and as a duplicate for any other."""
    unclaimed = set(result.stored)
    return [
        _accepted(parsed, unclaimed, count) for parsed, count in zip(batch, changed, strict=True)
    ]


def _accepted(parsed: ParsedNotification, unclaimed: set[str], statuses: int) -> Accepted:
    stored = []
    for message in parsed.messages:
        if message.wamid in unclaimed:
            unclaimed.discard(message.wamid)
            stored.append(message)
    return Accepted(
        stored=len(stored),
        duplicates=len(parsed.messages) - len(stored),
        statuses=statuses,
        wa_ids=sorted({message.wa_id for message in stored}),
    )
