"""The inbox worker: order per thread, one worker per thread, retries, crash recovery."""

import random
import threading
import uuid
from collections import defaultdict
from datetime import timedelta

import pytest
import redis
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from billing.models import OutboxMessage
from billing.outbox import queue_message
from conversations.locks import DatabaseThreadLocks, RedisThreadLocks, ThreadLocks
from conversations.models import InboundMessage, Thread
from conversations.worker import InboxWorker
from tests.conversations.factories import add_messages, statuses


class Recorder:
    """A turn handler that records what it saw and queues one reply per message."""

    def __init__(self, fail_on: set[str] | None = None) -> None:
        self.seen: dict[str, list[str]] = defaultdict(list)
        self.fail_on = fail_on or set()
        self.active: set[str] = set()
        self.overlaps = 0
        self._guard = threading.Lock()

    def __call__(self, session: Session, thread: Thread, message: InboundMessage) -> None:
        with self._guard:
            if thread.wa_id in self.active:
                self.overlaps += 1
            self.active.add(thread.wa_id)
        try:
            queue_message(
                session,
                customer_id=None,
                to="+" + thread.wa_id,
                purpose="reply",
                body=f"eco {message.text}",
                idempotency_key=f"reply:{message.wamid}",
            )
            if message.text in self.fail_on:
                raise RuntimeError(f"turn failed on {message.text}")
            self.seen[thread.wa_id].append(message.text or "")
        finally:
            with self._guard:
                self.active.discard(thread.wa_id)


def _outbox_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one())


def test_a_burst_is_processed_in_whatsapp_order(engine: Engine) -> None:
    seconds = list(range(50))
    random.Random(7).shuffle(seconds)
    add_messages(engine, "5521987654321", seconds)
    recorder = Recorder()

    done = InboxWorker(engine, recorder, DatabaseThreadLocks(engine)).run_once()

    assert done == 50
    assert recorder.seen["5521987654321"] == [str(second) for second in range(50)]
    assert set(statuses(engine, "5521987654321").values()) == {"done"}
    assert _outbox_count(engine) == 50


def test_a_thread_held_by_another_worker_is_left_alone(engine: Engine) -> None:
    add_messages(engine, "5521900000001", [1, 2])
    add_messages(engine, "5521900000002", [3])
    locks = DatabaseThreadLocks(engine)
    held = locks.acquire("5521900000001")
    recorder = Recorder()

    InboxWorker(engine, recorder, locks).run_once()

    assert held is not None
    assert dict(recorder.seen) == {"5521900000002": ["3"]}
    assert set(statuses(engine, "5521900000001").values()) == {"pending"}


def test_a_failing_turn_writes_nothing_and_is_retried(engine: Engine) -> None:
    add_messages(engine, "5521900000003", [1, 2])
    flaky = Recorder(fail_on={"1"})
    worker = InboxWorker(engine, flaky, DatabaseThreadLocks(engine), max_attempts=2)

    worker.run_once()

    # Both tries of "1" failed and rolled back their reply; "2" still went through after it.
    assert statuses(engine, "5521900000003") == {"1": "failed", "2": "done"}
    assert flaky.seen["5521900000003"] == ["2"]
    assert _outbox_count(engine) == 1
    with Session(engine) as session:
        failed = session.execute(
            select(InboundMessage).where(InboundMessage.text == "1")
        ).scalar_one()
    assert failed.attempts == 2
    assert failed.last_error == "RuntimeError: turn failed on 1"


def test_a_worker_that_died_mid_turn_leaves_the_message_to_the_next(engine: Engine) -> None:
    add_messages(engine, "5521900000004", [1])
    dying = DatabaseThreadLocks(engine, lease=timedelta(seconds=-1))  # its lease is already over
    token = dying.acquire("5521900000004")
    with Session(engine) as session:  # the dead worker had counted its try, then vanished
        message = session.execute(select(InboundMessage)).scalar_one()
        message.attempts = 1
        session.commit()
    recorder = Recorder()

    done = InboxWorker(engine, recorder, DatabaseThreadLocks(engine)).run_once()

    assert token is not None
    assert done == 1
    assert recorder.seen["5521900000004"] == ["1"]
    assert _outbox_count(engine) == 1


def test_a_message_that_kills_every_worker_is_set_aside(engine: Engine) -> None:
    add_messages(engine, "5521900000005", [1, 2])
    with Session(engine) as session:  # three workers died on it already
        first = session.execute(
            select(InboundMessage).where(InboundMessage.text == "1")
        ).scalar_one()
        first.attempts = 3
        session.commit()
    recorder = Recorder()

    InboxWorker(engine, recorder, DatabaseThreadLocks(engine), max_attempts=3).run_once()

    assert statuses(engine, "5521900000005") == {"1": "failed", "2": "done"}
    assert recorder.seen["5521900000005"] == ["2"]


def _lock_sets(engine: Engine, redis_url: str | None) -> list[ThreadLocks]:
    if redis_url is None:
        return [DatabaseThreadLocks(engine), DatabaseThreadLocks(engine)]
    client = redis.Redis.from_url(redis_url)
    return [RedisThreadLocks(client), RedisThreadLocks(client)]


@pytest.mark.parametrize(
    "coordination", ["database", pytest.param("redis", marks=pytest.mark.redis)]
)
def test_a_lease_is_held_by_one_worker_at_a_time(
    engine: Engine, coordination: str, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("redis_url") if coordination == "redis" else None
    wa_id = str(uuid.uuid4().int)[:13]
    add_messages(engine, wa_id, [1])
    first, second = _lock_sets(engine, url)

    token = first.acquire(wa_id)
    assert token is not None
    assert second.acquire(wa_id) is None
    second.release(wa_id, "not-the-token")
    assert second.acquire(wa_id) is None
    assert first.extend(wa_id, token)
    first.release(wa_id, token)
    assert second.acquire(wa_id) is not None


@pytest.mark.postgres
@pytest.mark.redis
def test_workers_in_parallel_keep_each_thread_in_order(
    engine: Engine, database_url: str, redis_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("parallel workers need PostgreSQL: SQLite serialises all writers")
    threads = [f"55219{index:08d}{uuid.uuid4().int % 100}" for index in range(5)]
    for wa_id in threads:
        add_messages(engine, wa_id, list(range(10)))
    recorder = Recorder()
    client = redis.Redis.from_url(redis_url)
    workers = [InboxWorker(engine, recorder, RedisThreadLocks(client)) for _ in range(4)]

    runners = [threading.Thread(target=worker.run_once) for worker in workers]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    InboxWorker(engine, recorder, RedisThreadLocks(client)).run_once()  # anything skipped

    client.close()
    assert recorder.overlaps == 0
    assert {wa_id: recorder.seen[wa_id] for wa_id in threads} == {
        wa_id: [str(second) for second in range(10)] for wa_id in threads
    }
    assert _outbox_count(engine) == 50
