"""The rate limits, in virtual time: the per-number cap holds over 10 s, the pair limit allows
a burst then one message every gap, and Redis shares both between limiter instances."""

import heapq
import itertools
import uuid
from collections.abc import Iterator

import pytest
import redis

from channels.whatsapp.ratelimit import Limits, LocalRateLimiter, RateLimiter, RedisRateLimiter
from tests.channels.whatsapp.conftest import FakeClock


def simulate(limiter: RateLimiter, clock: FakeClock, workers: int, seconds: float) -> list[float]:
    """`workers` senders, each sending as soon as its permit allows, to distinct recipients;
    the send instants (seconds since the start) that fall within `seconds`."""
    start = clock.monotonic()
    recipients = (f"55119{n:08d}" for n in itertools.count())
    ready = [(start, worker) for worker in range(workers)]
    sent: list[float] = []
    while ready:
        at, worker = heapq.heappop(ready)
        clock.seconds = max(clock.seconds, at)
        permit = limiter.acquire(next(recipients), max_wait=5.0)
        assert permit.granted
        send_at = clock.monotonic() + permit.wait
        if send_at - start >= seconds:
            continue
        sent.append(send_at - start)
        heapq.heappush(ready, (send_at, worker))
    return sent


@pytest.mark.parametrize(("per_second", "workers"), [(80, 64), (80, 1), (1000, 200), (20, 8)])
def test_the_number_cap_holds_within_2_percent_over_ten_seconds(
    per_second: int, workers: int
) -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(Limits(per_second=per_second, recipient_gap=0), clock.monotonic)

    sent = simulate(limiter, clock, workers, seconds=10.0)

    assert abs(len(sent) - per_second * 10) <= 0.02 * per_second * 10
    for second in range(10):
        in_second = sum(second <= at < second + 1 for at in sent)
        assert in_second <= per_second + 1


def test_no_cap_means_no_wait() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(Limits(per_second=0, recipient_gap=0), clock.monotonic)

    permits = [limiter.acquire("5511900000000", max_wait=0) for _ in range(1000)]

    assert all(p.granted and p.wait == 0 for p in permits)


def test_a_recipient_gets_a_burst_then_one_message_per_gap() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(
        Limits(per_second=0, recipient_gap=6, recipient_burst=4), clock.monotonic
    )

    burst = [limiter.acquire("5511911111111", max_wait=0) for _ in range(4)]
    refused = limiter.acquire("5511911111111", max_wait=5.9)
    again = limiter.acquire("5511911111111", max_wait=5.9)
    other = limiter.acquire("5511922222222", max_wait=0)
    clock.advance(6)
    next_one = limiter.acquire("5511911111111", max_wait=0)
    after_that = limiter.acquire("5511911111111", max_wait=10)

    assert all(p.granted and p.wait == 0 for p in burst)
    assert (refused.granted, refused.wait) == (False, pytest.approx(6))
    assert again == refused  # a refusal reserves nothing
    assert other.granted
    assert next_one.granted
    assert (after_that.granted, after_that.wait) == (True, pytest.approx(6))


def test_a_recipients_slot_waits_for_the_numbers_slot() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(
        Limits(per_second=1, recipient_gap=6, recipient_burst=1), clock.monotonic
    )

    first = limiter.acquire("5511911111111", max_wait=0)
    second = limiter.acquire("5511922222222", max_wait=0)

    assert (first.wait, second.wait) == (0, pytest.approx(1))
    clock.advance(6)
    # The first recipient's next slot is counted from when its message actually left.
    assert limiter.acquire("5511911111111", max_wait=0).granted


def test_a_queue_of_reservations_longer_than_the_wait_is_refused_without_reserving() -> None:
    clock = FakeClock()
    limiter = LocalRateLimiter(Limits(per_second=1, recipient_gap=0), clock.monotonic)

    waits = [limiter.acquire(f"55119111111{n:02d}", max_wait=1.5) for n in range(4)]

    assert [(p.granted, p.wait) for p in waits] == [
        (True, 0),
        (True, pytest.approx(1)),
        (False, pytest.approx(2)),
        (False, pytest.approx(2)),
    ]


@pytest.fixture
def redis_limiters(redis_url: str) -> Iterator[tuple[redis.Redis, str]]:
    client = redis.Redis.from_url(redis_url)
    prefix = f"test:{uuid.uuid4().hex}"
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.mark.redis
def test_two_redis_limiters_share_both_limits(redis_limiters: tuple[redis.Redis, str]) -> None:
    client, prefix = redis_limiters
    clock = FakeClock()
    limits = Limits(per_second=2, recipient_gap=60, recipient_burst=1)
    one, two = (
        RedisRateLimiter(client, limits, "123", prefix=prefix, clock=clock.monotonic)
        for _ in range(2)
    )

    first = one.acquire("5511911111111", max_wait=1)
    same_recipient = two.acquire("5511911111111", max_wait=1)
    other_recipient = two.acquire("5511922222222", max_wait=1)
    third = one.acquire("5511933333333", max_wait=1)

    assert (first.granted, first.wait) == (True, 0)
    assert (same_recipient.granted, same_recipient.wait) == (False, pytest.approx(60))
    assert (other_recipient.granted, other_recipient.wait) == (True, pytest.approx(0.5))
    assert (third.granted, third.wait) == (True, pytest.approx(1.0))


@pytest.mark.redis
def test_the_redis_limiter_holds_the_cap_in_virtual_time(
    redis_limiters: tuple[redis.Redis, str],
) -> None:
    client, prefix = redis_limiters
    clock = FakeClock()
    limits = Limits(per_second=80, recipient_gap=0)
    limiter = RedisRateLimiter(client, limits, "123", prefix=prefix, clock=clock.monotonic)

    sent = simulate(limiter, clock, workers=16, seconds=10.0)

    assert abs(len(sent) - 800) <= 16


@pytest.mark.redis
def test_the_redis_limiter_runs_on_the_servers_clock(
    redis_limiters: tuple[redis.Redis, str],
) -> None:
    client, prefix = redis_limiters
    limiter = RedisRateLimiter(
        client, Limits(per_second=0, recipient_gap=30, recipient_burst=1), "123", prefix=prefix
    )

    first = limiter.acquire("5511911111111", max_wait=0)
    second = limiter.acquire("5511911111111", max_wait=0)

    assert first.granted
    assert not second.granted
    assert 25 < second.wait <= 30
    assert 25_000 < client.pttl(f"{prefix}:123:to:5511911111111") <= 31_000
