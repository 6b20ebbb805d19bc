"""Per-thread leases: at most one worker processes a WhatsApp thread at a time.

With Redis, a lease is a key set with NX and a time to live; without it, the thread's row
holds the lease (`locked_by`, `locked_until`), taken with one conditional UPDATE. Either way a
worker that dies keeps the thread only until its lease expires.
"""

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Protocol

import redis
from sqlalchemy import CursorResult, Engine, Update, or_, update
from sqlmodel import Session, col

from conversations.models import Thread

logger = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(seconds=60)
KEY_PREFIX = "quita:thread-lock:"
# Delete the key only if it still holds our token: a lease that expired and was taken by
# another worker must not be released by the first one.
RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
EXTEND_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""


class ThreadLocks(Protocol):
    def acquire(self, wa_id: str) -> str | None:
        """A lease token for the thread, or None when another worker holds it."""
        ...

    def extend(self, wa_id: str, token: str) -> bool:
        """Renew a held lease; False when it was lost (expired and taken)."""
        ...

    def release(self, wa_id: str, token: str) -> None: ...


class RedisThreadLocks:
    """Leases shared by every worker process that talks to the same Redis."""

    def __init__(self, client: "redis.Redis", lease: timedelta = DEFAULT_LEASE) -> None:
        self._client = client
        self._lease_ms = int(lease.total_seconds() * 1000)
        self._release = client.register_script(RELEASE_SCRIPT)
        self._extend = client.register_script(EXTEND_SCRIPT)

    def acquire(self, wa_id: str) -> str | None:
        token = uuid.uuid4().hex
        taken = self._client.set(KEY_PREFIX + wa_id, token, nx=True, px=self._lease_ms)
        return token if taken else None

    def extend(self, wa_id: str, token: str) -> bool:
        return bool(self._extend(keys=[KEY_PREFIX + wa_id], args=[token, self._lease_ms]))

    def release(self, wa_id: str, token: str) -> None:
        self._release(keys=[KEY_PREFIX + wa_id], args=[token])


class DatabaseThreadLocks:
    """Leases kept on the thread's row, for deployments without Redis."""

    def __init__(self, engine: Engine, lease: timedelta = DEFAULT_LEASE) -> None:
        self._engine = engine
        self._lease = lease

    def acquire(self, wa_id: str) -> str | None:
        token = uuid.uuid4().hex
        moment = datetime.now(UTC)
        statement = (
            update(Thread)
            .where(col(Thread.wa_id) == wa_id)
            .where(or_(col(Thread.locked_until).is_(None), col(Thread.locked_until) < moment))
            .values(locked_by=token, locked_until=moment + self._lease)
        )
        return token if self._execute(statement) else None

    def extend(self, wa_id: str, token: str) -> bool:
        statement = (
            update(Thread)
            .where(col(Thread.wa_id) == wa_id, col(Thread.locked_by) == token)
            .values(locked_until=datetime.now(UTC) + self._lease)
        )
        return self._execute(statement)

    def release(self, wa_id: str, token: str) -> None:
        statement = (
            update(Thread)
            .where(col(Thread.wa_id) == wa_id, col(Thread.locked_by) == token)
            .values(locked_by=None, locked_until=None)
        )
        self._execute(statement)

    def _execute(self, statement: Update) -> bool:
        with Session(self._engine) as session:
            result = session.execute(statement)
            session.commit()
            return isinstance(result, CursorResult) and result.rowcount == 1
