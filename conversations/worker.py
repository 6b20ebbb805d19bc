"""The inbox worker: takes each thread's pending messages one at a time, in WhatsApp's order,
and hands each to the turn handler (the agent) inside one transaction.

A message is marked done in the same transaction as everything its turn wrote (outbox, ledger),
so a crash mid-turn leaves it pending and another worker retries it once the thread's lease
expires. Each try is counted before the turn starts: a message that crashes the process every
time is set aside as failed after `max_attempts`, and the thread moves on.
"""

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from billing.phones import mask_phone
from conversations.locks import ThreadLocks
from conversations.models import InboundMessage, InboundStatus, Thread
from conversations.wakeup import Wakeup
from quita.db import session_scope

logger = logging.getLogger(__name__)

TurnHandler = Callable[[Session, Thread, InboundMessage], None]
MessageHook = Callable[[Engine, int], None]
DEFAULT_MAX_ATTEMPTS = 3
POLL_SECONDS = 1.0


class InboxWorker:
    """Processes pending inbound messages; any number of workers may share one database."""

    def __init__(
        self,
        engine: Engine,
        handler: TurnHandler,
        locks: ThreadLocks,
        *,
        before_turn: MessageHook | None = None,
        after_turn: Callable[[], None] | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        self._engine = engine
        self._handler = handler
        self._locks = locks
        self._before_turn = before_turn
        self._after_turn = after_turn
        self._max_attempts = max_attempts

    def run_once(self) -> int:
        """Drain every thread with pending messages that no other worker holds; the count done."""
        return sum(self.drain_thread(wa_id) for wa_id in self._threads_with_pending())

    def run_forever(self, stop: threading.Event, wakeup: Wakeup) -> None:
        """Drain, then wait for a wake-up (or the poll interval), until `stop` is set."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # the loop must outlive a database outage; the next poll retries
                logger.exception("inbox worker pass failed")
            wakeup.wait(POLL_SECONDS)

    def drain_thread(self, wa_id: str) -> int:
        """Process the thread's pending messages in order while holding its lease."""
        token = self._locks.acquire(wa_id)
        if token is None:
            return 0
        done = 0
        try:
            while (message_id := self._next_pending(wa_id)) is not None:
                if self._process(message_id):
                    done += 1
                if not self._locks.extend(wa_id, token):
                    logger.warning("lease on thread %s lost", mask_phone(wa_id))
                    break
        finally:
            self._locks.release(wa_id, token)
        return done

    def _threads_with_pending(self) -> list[str]:
        statement = (
            select(col(InboundMessage.wa_id))
            .where(col(InboundMessage.status) == InboundStatus.PENDING)
            .group_by(col(InboundMessage.wa_id))
            # Threads whose oldest pending message is oldest go first.
            .order_by(func.min(col(InboundMessage.sent_at)))
        )
        with Session(self._engine) as session:
            return list(session.execute(statement).scalars())

    def _next_pending(self, wa_id: str) -> int | None:
        statement = (
            select(col(InboundMessage.id))
            .where(col(InboundMessage.wa_id) == wa_id)
            .where(col(InboundMessage.status) == InboundStatus.PENDING)
            .order_by(col(InboundMessage.sent_at), col(InboundMessage.id))
            .limit(1)
        )
        with Session(self._engine) as session:
            found: int | None = session.execute(statement).scalar_one_or_none()
            return found

    def _process(self, message_id: int) -> bool:
        if not self._count_attempt(message_id):
            return False
        if self._before_turn is not None:
            self._before_turn(self._engine, message_id)
        try:
            self._run_turn(message_id)
        except Exception as error:
            logger.exception("turn failed", extra={"inbound_message_id": message_id})
            self._record_failure(message_id, error)
            return False
        if self._after_turn is not None:
            self._after_turn()
        return True

    def _count_attempt(self, message_id: int) -> bool:
        """Count this try; False (and the message set aside) when it has had its tries."""
        with session_scope(self._engine) as session:
            message = session.get_one(InboundMessage, message_id)
            if message.attempts >= self._max_attempts:
                message.status = InboundStatus.FAILED
                message.last_error = message.last_error or "gave up: the worker died mid-turn"
                logger.error(
                    "message set aside after %d tries",
                    message.attempts,
                    extra={"wamid": message.wamid},
                )
                return False
            message.attempts += 1
            return True

    def _run_turn(self, message_id: int) -> None:
        with session_scope(self._engine) as session:
            message = session.get_one(InboundMessage, message_id)
            thread = session.execute(
                select(Thread).where(col(Thread.wa_id) == message.wa_id)
            ).scalar_one()
            self._handler(session, thread, message)
            message.status = InboundStatus.DONE
            message.processed_at = datetime.now(UTC)

    def _record_failure(self, message_id: int, error: Exception) -> None:
        with session_scope(self._engine) as session:
            message = session.get_one(InboundMessage, message_id)
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= self._max_attempts:
                message.status = InboundStatus.FAILED
                logger.error(
                    "message failed %d times; set aside",
                    message.attempts,
                    extra={"wamid": message.wamid},
                )
