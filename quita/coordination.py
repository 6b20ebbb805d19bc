"""The optional Redis connection that coordinates processes (dedup fast path, locks, rate
limits, wake-ups). The SQL database stays the source of truth: losing Redis loses no data."""

import redis

from quita.settings import Settings


def redis_client(settings: Settings) -> "redis.Redis | None":
    """A client for `QUITA_REDIS_URL`, or None in embedded mode (no Redis configured)."""
    if not settings.redis_url:
        return None
    return redis.Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
