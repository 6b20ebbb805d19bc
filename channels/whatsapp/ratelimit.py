"""Send-rate limits shared by every sender: messages per second from our phone number, and
the pair limit to one recipient (about one message every 6 s, after a short burst).

Both are GCRA (generic cell rate algorithm) limits: each key keeps one instant, the
theoretical arrival time of its next message, so a permit is one read and one write. The
permit is a reservation: the caller waits `wait` seconds and then sends. A message whose
slot is further away than the caller will wait (the recipient's pair limit, or a queue of
reservations longer than that on the number) gets no reservation; the caller defers it
instead of holding a sending slot, and no sender ever sleeps past its lease. With Redis, a Lua
script does the same atomically for all processes, on the Redis server's clock.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import redis

from quita.settings import Settings

Clock = Callable[[], float]
KEY_PREFIX = "quita:wa:rate"
_PRUNE_EVERY = 4096


@dataclass(frozen=True)
class Limits:
    """`per_second` messages per second from the phone number (0: no cap), each recipient at
    most one message every `recipient_gap` seconds (0: no limit) after a burst of
    `recipient_burst`. `number_burst` messages may leave back to back; keep it small, or a
    measured second can hold that many more than the cap."""

    per_second: float = 80.0
    recipient_gap: float = 6.0
    recipient_burst: int = 4
    number_burst: int = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(
            per_second=settings.whatsapp_mps,
            recipient_gap=settings.whatsapp_recipient_gap,
            recipient_burst=settings.whatsapp_recipient_burst,
        )

    @property
    def number_interval(self) -> float:
        return 1.0 / self.per_second if self.per_second > 0 else 0.0


@dataclass(frozen=True)
class Permit:
    """`granted`: a slot is reserved `wait` seconds from now. Otherwise nothing is reserved
    and the recipient's next slot is `wait` seconds away."""

    granted: bool
    wait: float


class RateLimiter(Protocol):
    def acquire(self, recipient: str, max_wait: float) -> Permit:
        """Reserve the next slot for a message to `recipient` (a wa_id) if both limits let
        it go within `max_wait` seconds; otherwise reserve nothing."""
        ...


class LocalRateLimiter:
    """The limits for one process (embedded mode); thread-safe; `clock` in seconds."""

    def __init__(self, limits: Limits, clock: Clock = time.monotonic) -> None:
        self._limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._number_tat = float("-inf")
        self._recipient_tat: dict[str, float] = {}
        self._calls = 0

    def acquire(self, recipient: str, max_wait: float) -> Permit:
        limits = self._limits
        with self._lock:
            now = self._clock()
            recipient_tat = self._recipient_tat.get(recipient, float("-inf"))
            recipient_at = _allowed_at(
                recipient_tat, now, limits.recipient_gap, limits.recipient_burst
            )
            if recipient_at - now > max_wait:
                return Permit(False, recipient_at - now)
            number_at = _allowed_at(
                self._number_tat, recipient_at, limits.number_interval, limits.number_burst
            )
            send_at = max(recipient_at, number_at)
            if send_at - now > max_wait:
                return Permit(False, send_at - now)
            if limits.number_interval:
                self._number_tat = max(self._number_tat, recipient_at) + limits.number_interval
            if limits.recipient_gap:
                self._recipient_tat[recipient] = max(recipient_tat, send_at) + limits.recipient_gap
            self._prune(now)
            return Permit(True, send_at - now)

    def _prune(self, now: float) -> None:
        self._calls += 1
        if self._calls % _PRUNE_EVERY == 0:
            self._recipient_tat = {k: v for k, v in self._recipient_tat.items() if v > now}


class RedisRateLimiter:
    """The same limits shared by every process through Redis, keyed by phone number id.

    Uses the Redis server's clock unless `clock` is given (tests), so processes on hosts
    with different clocks agree. Raises redis.RedisError when Redis does not answer.
    """

    def __init__(
        self,
        client: "redis.Redis",
        limits: Limits,
        phone_number_id: str,
        *,
        prefix: str = KEY_PREFIX,
        clock: Clock | None = None,
    ) -> None:
        self._limits = limits
        self._clock = clock
        self._number_key = f"{prefix}:{phone_number_id}:number"
        self._recipient_prefix = f"{prefix}:{phone_number_id}:to:"
        self._script = client.register_script(_GCRA_LUA)

    def acquire(self, recipient: str, max_wait: float) -> Permit:
        limits = self._limits
        now = "" if self._clock is None else repr(self._clock())
        granted, wait = self._script(
            keys=[self._number_key, self._recipient_prefix + recipient],
            args=[
                repr(limits.number_interval),
                limits.number_burst,
                repr(limits.recipient_gap),
                limits.recipient_burst,
                repr(max_wait),
                now,
            ],
        )
        return Permit(bool(int(granted)), float(wait))


def make_limiter(
    settings: Settings, client: "redis.Redis | None", clock: Clock = time.monotonic
) -> RateLimiter:
    """The shared Redis limiter when a client is given, else one for this process."""
    limits = Limits.from_settings(settings)
    if client is None:
        return LocalRateLimiter(limits, clock)
    return RedisRateLimiter(client, limits, settings.whatsapp_phone_number_id)


def _allowed_at(tat: float, now: float, interval: float, burst: int) -> float:
    """The earliest instant a message may go, given the key's theoretical arrival time."""
    if not interval:
        return now
    return max(now, max(tat, now) - (burst - 1) * interval)


# KEYS: number key, recipient key. ARGV: number interval, number burst, recipient gap,
# recipient burst, max wait (seconds), now ("" for the server's clock). Returns
# {granted 0/1, wait} with the wait as a string (Lua numbers would be truncated to integers).
_GCRA_LUA = """
local function allowed_at(tat, now, interval, burst)
  if interval <= 0 then return now end
  return math.max(now, math.max(tat, now) - (burst - 1) * interval)
end
local now = tonumber(ARGV[6])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local n_interval, n_burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local r_gap, r_burst = tonumber(ARGV[3]), tonumber(ARGV[4])
local max_wait = tonumber(ARGV[5])
local n_tat = tonumber(redis.call('GET', KEYS[1]) or '-1e18')
local r_tat = tonumber(redis.call('GET', KEYS[2]) or '-1e18')
local r_at = allowed_at(r_tat, now, r_gap, r_burst)
if r_at - now > max_wait then
  return {0, string.format('%.6f', r_at - now)}
end
local send_at = math.max(r_at, allowed_at(n_tat, r_at, n_interval, n_burst))
if send_at - now > max_wait then
  return {0, string.format('%.6f', send_at - now)}
end
if n_interval > 0 then
  local tat = math.max(n_tat, r_at) + n_interval
  redis.call('SET', KEYS[1], string.format('%.6f', tat),
             'PX', math.ceil((tat - now) * 1000) + 1000)
end
if r_gap > 0 then
  local tat = math.max(r_tat, send_at) + r_gap
  redis.call('SET', KEYS[2], string.format('%.6f', tat),
             'PX', math.ceil((tat - now) * 1000) + 1000)
end
return {1, string.format('%.6f', send_at - now)}
"""
