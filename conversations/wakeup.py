"""Wake-ups between processes: a producer says "there is work", a loop waits for it.

In one process a `threading.Event` carries the signal; with Redis, a short list does, so a
web process can wake a worker process. Loops still poll on a timeout, so a lost wake-up only
delays work, never loses it.
"""

import logging
import threading

import redis

logger = logging.getLogger(__name__)

KEY_PREFIX = "quita:wake:"
MAX_PENDING_SIGNALS = 16


class Wakeup:
    def __init__(self, name: str, client: "redis.Redis | None" = None) -> None:
        self._event = threading.Event()
        self._client = client
        self._key = KEY_PREFIX + name

    def notify(self) -> None:
        """Signal waiting loops; never raises (a Redis hiccup only costs one poll interval)."""
        self._event.set()
        if self._client is None:
            return
        try:
            pipe = self._client.pipeline()
            pipe.lpush(self._key, 1)
            pipe.ltrim(self._key, 0, MAX_PENDING_SIGNALS - 1)
            pipe.execute()
        except redis.RedisError as error:
            logger.warning("wake-up %s not published: %s", self._key, error)

    def wait(self, timeout: float) -> bool:
        """Block until notified or `timeout` seconds pass; True when notified."""
        if self._event.is_set():
            self._event.clear()
            return True
        if self._client is None:
            notified = self._event.wait(timeout)
            self._event.clear()
            return notified
        return self._wait_redis(timeout)

    def _wait_redis(self, timeout: float) -> bool:
        try:
            popped = self._client.blpop([self._key], timeout=max(timeout, 0.01))  # type: ignore[union-attr]
        except redis.RedisError as error:
            logger.warning("wake-up %s unavailable: %s", self._key, error)
            return self._event.wait(timeout)
        self._event.clear()
        return popped is not None
