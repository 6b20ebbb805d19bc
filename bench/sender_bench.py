"""Benchmark: the WhatsApp sender against the Graph API stand-in served on loopback.

Usage: .venv/bin/python bench/sender_bench.py [--messages 10000] [--cap 80] [--seconds 10]
       [--database URL] [--senders 1 [--redis URL]] [--concurrency 64]

Phase 1 sends `--messages` queued messages (one per recipient, windows open) with the
per-number cap off and reports messages per second, and the senders' CPU per message. Phase 2
queues enough for more than `--seconds` seconds at `--cap` messages per second and reports the
rate the stand-in received over the first `--seconds` seconds of arrivals, against the cap.
The stand-in and each sender run in their own processes; `--senders` above 1 shares the
rate limits through Redis (`--redis`), as production senders do.
"""

import argparse
import bisect
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import redis
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, insert, select
from sqlmodel import col

from billing.models import OutboxMessage, OutboxStatus
from channels.whatsapp.client import PywaClient
from channels.whatsapp.ratelimit import Limits, LocalRateLimiter, RateLimiter, RedisRateLimiter
from channels.whatsapp.sender import Sender, SenderConfig
from channels.whatsapp.templates import DEFAULT_TEMPLATES
from conversations.models import Thread
from quita import db
from quita.policy import IspProfile

console = Console()
TOKEN = "bench-token"
PHONE_NUMBER_ID = "106540352242922"


def serve_standin(port: int) -> None:
    """The child process: the stand-in on 127.0.0.1:`port` until killed."""
    import uvicorn

    from channels.whatsapp.graph_standin import GraphStandIn

    standin = GraphStandIn(access_token=TOKEN, phone_number_ids=[PHONE_NUMBER_ID])
    uvicorn.run(standin.app(), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def start_standin() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    child = subprocess.Popen([sys.executable, __file__, "serve", str(port)])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/_standin/messages", params={"since": 10**9}, timeout=1)
            return child, base
        except httpx.TransportError:
            time.sleep(0.05)
    child.kill()
    raise SystemExit("the Graph API stand-in did not start")


def arrivals(base: str, since: int) -> list[float]:
    page = httpx.get(f"{base}/_standin/messages", params={"since": since}, timeout=60).json()
    return [message["received_at"] for message in page["messages"]]


def recorded_count(base: str) -> int:
    page = httpx.get(f"{base}/_standin/messages", params={"since": 10**9}, timeout=10).json()
    return int(page["count"])


def queue_messages(engine: Engine, count: int, tag: str) -> None:
    """`count` pending texts, one per recipient, each with a thread whose window is open."""
    now = datetime.now(UTC)
    phones = [f"+55{11 + n % 80}9{n:08d}" for n in range(count)]
    with engine.begin() as connection:
        existing = set(connection.execute(select(col(Thread.wa_id))).scalars())
        threads = [
            {"wa_id": p[1:], "last_inbound_at": now, "owner": "agent", "created_at": now}
            for p in phones
            if p[1:] not in existing
        ]
        if threads:
            connection.execute(insert(Thread), threads)
        connection.execute(
            insert(OutboxMessage),
            [
                {
                    "to": phone,
                    "purpose": "agent_reply",
                    "kind": "text",
                    "body": f"Olá! Sua fatura de novembro está disponível. ({tag} {n})",
                    "payload": {},
                    "idempotency_key": f"bench:{tag}:{n}",
                    "status": OutboxStatus.PENDING,
                    "attempts": 0,
                    "created_at": now,
                }
                for n, phone in enumerate(phones)
            ],
        )


def send_in_child(argv: list[str]) -> None:
    """A sender process: send everything due once, print {"sent", "cpu"} as JSON."""
    url, graph_url, concurrency, per_second, redis_url, prefix = argv
    engine = db.make_engine(url)
    limits = Limits(per_second=float(per_second), recipient_gap=6, recipient_burst=4)
    limiter: RateLimiter = (
        LocalRateLimiter(limits)
        if redis_url == "-"
        else RedisRateLimiter(
            redis.Redis.from_url(redis_url), limits, PHONE_NUMBER_ID, prefix=prefix
        )
    )
    sender = Sender(
        engine,
        lambda: PywaClient(
            graph_url=graph_url, phone_number_id=PHONE_NUMBER_ID, access_token=TOKEN
        ),
        limiter,
        templates=DEFAULT_TEMPLATES,
        isp=IspProfile(),
        config=SenderConfig(batch_size=500, concurrency=int(concurrency), max_wait=5.0),
    )
    cpu_started = time.process_time()
    sent = sender.run_once()
    print(json.dumps({"sent": sent, "cpu": time.process_time() - cpu_started}))
    engine.dispose()


def run_senders(
    url: str, base: str, per_second: float, args: argparse.Namespace
) -> tuple[int, float, float]:
    """Run `--senders` sender processes at once; messages sent, wall seconds, CPU seconds."""
    redis_url = args.redis or "-"
    prefix = f"bench:{time.time_ns()}"
    command = [sys.executable, __file__, "send", url, f"{base}/v23.0", str(args.concurrency)]
    command += [str(per_second), redis_url, prefix]
    started = time.perf_counter()
    children = [subprocess.Popen(command, stdout=subprocess.PIPE) for _ in range(args.senders)]
    outputs = [json.loads(child.communicate()[0]) for child in children]
    seconds = time.perf_counter() - started
    return sum(o["sent"] for o in outputs), seconds, sum(o["cpu"] for o in outputs)


def throughput_phase(
    engine: Engine, url: str, base: str, args: argparse.Namespace
) -> dict[str, str]:
    queue_messages(engine, args.messages, "throughput")
    before = recorded_count(base)
    sent, seconds, cpu = run_senders(url, base, 0, args)
    received = recorded_count(base) - before
    with engine.connect() as connection:
        unsent = connection.execute(
            select(func.count()).where(col(OutboxMessage.status) != OutboxStatus.SENT)
        ).scalar_one()
    return {
        "messages": f"{args.messages:,}",
        "sent (rows)": f"{sent:,}",
        "received (stand-in)": f"{received:,}",
        "rows not sent": f"{unsent:,}",
        "seconds": f"{seconds:.2f}",
        "messages/s": f"{sent / seconds:,.0f}",
        "sender CPU ms/message (all senders)": f"{1000 * cpu / sent:.3f}",
        "messages per sender CPU second": f"{sent / cpu:,.0f}",
        "load average (1 min)": f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
    }


def cap_phase(engine: Engine, url: str, base: str, args: argparse.Namespace) -> dict[str, str]:
    count = int(args.cap * (args.seconds + 5))
    queue_messages(engine, count, "cap")
    before = recorded_count(base)
    sent, _, _ = run_senders(url, base, args.cap, args)
    times = sorted(arrivals(base, before))
    # Arrival times at the stand-in, in its process; a delay in handling the first request
    # would inflate a window anchored on it, so the steady rate is taken over the whole span.
    steady = (len(times) - 1) / (times[-1] - times[0])
    worst = max(_within(times, i, args.seconds) for i in range(len(times))) / args.seconds
    return {
        "cap (msg/s)": f"{args.cap:g}",
        "messages": f"{count:,}",
        "sent / received": f"{sent:,} / {len(times):,}",
        "span of arrivals (s)": f"{times[-1] - times[0]:.2f}",
        "steady rate (msg/s)": f"{steady:.2f}",
        "steady rate vs cap": f"{(steady - args.cap) / args.cap:+.2%}",
        f"busiest {args.seconds:g} s window (msg/s)": f"{worst:.2f}",
        f"busiest {args.seconds:g} s window vs cap": f"{(worst - args.cap) / args.cap:+.2%}",
        "busiest 1 s window (messages)": str(
            max(_within(times, i, 1.0) for i in range(len(times)))
        ),
        "load average (1 min)": f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
    }


def _within(times: list[float], first: int, seconds: float) -> int:
    """How many arrivals fall in the `seconds` starting at arrival `first`."""
    return bisect.bisect_left(times, times[first] + seconds, lo=first) - first


def show(title: str, figures: dict[str, str]) -> None:
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, value)
    console.print(table)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve_standin(int(sys.argv[2]))
        return
    if len(sys.argv) == 8 and sys.argv[1] == "send":
        send_in_child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--cap", type=float, default=80.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database", help="URL of an EMPTY database (default: temp SQLite)")
    parser.add_argument("--redis", help="share the rate limits through this Redis URL")
    parser.add_argument("--senders", type=int, default=1, help="sender processes")
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight per sender")
    args = parser.parse_args()
    if args.senders > 1 and not args.redis:
        parser.error("several senders share the cap only through Redis: add --redis URL")

    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        child, base = start_standin()
        try:
            label = f"{engine.dialect.name}, {args.senders} sender process(es)"
            show(f"Throughput, cap off ({label})", throughput_phase(engine, url, base, args))
            show(f"Cap held ({label})", cap_phase(engine, url, base, args))
        finally:
            child.terminate()
            child.wait(timeout=10)
            engine.dispose()


if __name__ == "__main__":
    main()
