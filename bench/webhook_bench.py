"""Benchmark: signed WhatsApp webhook POSTs accepted into the inbox, next to a bare endpoint.

Usage: .venv/bin/python bench/webhook_bench.py [--requests 4000] [--concurrency 64]
       [--rounds 4] [--database URL]

Serves the real app (production mode; SQLite in a temporary folder, or the EMPTY database at
URL) and a bare FastAPI app that reads the body and answers 200, each in one uvicorn process
on loopback, and fires the same signed POSTs at both (every one a new wamid), alternating
between them round after round. Prints requests/s and latency percentiles and checks that
every POST landed in the inbox. Goal: at least half the bare rate, p99 within 20 ms.
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from webhooks.signature import SIGNATURE_HEADER, sign

console = Console()
SECRET = "bench-app-secret-5d1f"
PATH = "/webhooks/whatsapp"
WARMUP = 200
SENDERS = 1000  # distinct wa_ids, so threads are reused as in real traffic


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    seconds: float
    latencies_ms: list[float]
    failures: int
    run: str
    cpu_seconds: float | None  # the server process's CPU time, when /proc tells it

    @property
    def cpu_ms_per_request(self) -> float | None:
        return None if self.cpu_seconds is None else self.cpu_seconds * 1000 / self.requests

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def notification(number: int, run: str) -> bytes:
    wa_id = str(5511900000000 + number % SENDERS)
    message = {
        "from": wa_id,
        "id": f"wamid.bench.{run}.{number:08d}",
        "timestamp": str(1796302931 + number // 100),
        "type": "text",
        "text": {"body": f"mensagem de teste {number}"},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "551140028922", "phone_number_id": "112233445566778"},
        "contacts": [{"profile": {"name": "Cliente Teste"}, "wa_id": wa_id}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "104857600123456", "changes": [{"value": value, "field": "messages"}]}],
    }
    return json.dumps(body, separators=(",", ":")).encode()


async def fire(url: str, bodies: list[bytes], concurrency: int) -> tuple[float, list[float], int]:
    """POST every body over `concurrency` keep-alive connections; wall time, latencies (ms)
    and the number of answers other than 200.

    A bare HTTP/1.1 client on asyncio streams: on a small machine httpx's connection pool
    spends more CPU per request than the servers measured here, so it would time itself.
    """
    target = httpx.URL(url)
    host, port = target.host, target.port or 80
    pending = [_request(host, port, target.path, body) for body in reversed(bodies)]
    latencies: list[float] = []
    failures = 0

    async def connection() -> None:
        nonlocal failures
        reader, writer = await asyncio.open_connection(host, port)
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            while pending:
                request = pending.pop()
                started = time.perf_counter()
                writer.write(request)
                status = await _response_status(reader)
                latencies.append((time.perf_counter() - started) * 1000)
                failures += status != 200
        finally:
            writer.close()
            await writer.wait_closed()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, failures


def _request(host: str, port: int, path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n{SIGNATURE_HEADER}: {sign(body, SECRET)}\r\n\r\n"
    )
    return head.encode() + body


async def _response_status(reader: asyncio.StreamReader) -> int:
    """Read one response (uvicorn always sends Content-Length here) and return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return int(head[9:12])


@dataclass(frozen=True)
class Target:
    url: str
    pid: int


def compare(
    targets: dict[str, Target], requests: int, concurrency: int, rounds: int
) -> list[Result]:
    """Fire at every target in turn, round after round, so that a change in the machine's load
    during the run weighs on all of them alike. `requests` is per target, split over rounds.

    Besides wall-clock rates, each server's own CPU time is measured: on a shared machine it
    tells the cost of a request even when other processes take the cores.
    """
    run = f"{time.time_ns()}"
    for name, target in targets.items():
        warmup = [notification(number, f"{run}-warm-{len(name)}") for number in range(WARMUP)]
        asyncio.run(fire(target.url, warmup, concurrency))
    per_round = requests // rounds
    seconds = dict.fromkeys(targets, 0.0)
    cpu: dict[str, float | None] = dict.fromkeys(targets, 0.0)
    latencies: dict[str, list[float]] = {name: [] for name in targets}
    failures = dict.fromkeys(targets, 0)
    for round_number in range(rounds):
        numbers = range(round_number * per_round, (round_number + 1) * per_round)
        bodies = [notification(number, run) for number in numbers]
        for name, target in targets.items():
            cpu_before = _cpu_seconds(target.pid)
            took, measured, failed = asyncio.run(fire(target.url, bodies, concurrency))
            cpu[name] = _add(cpu[name], _cpu_seconds(target.pid), cpu_before)
            seconds[name] += took
            latencies[name] += measured
            failures[name] += failed
    return [
        Result(
            name, per_round * rounds, seconds[name], latencies[name], failures[name], run, cpu[name]
        )
        for name in targets
    ]


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _add(total: float | None, after: float | None, before: float | None) -> float | None:
    if total is None or after is None or before is None:
        return None
    return total + after - before


def serve(kind: str, port: int, database_url: str) -> None:
    """Run in the child process: the real app or the bare one, on loopback."""
    import uvicorn
    from fastapi import FastAPI, Request, Response
    from pydantic import SecretStr

    from quita.app import create_app
    from quita.settings import Settings

    if kind == "bare":
        app = FastAPI()

        @app.post(PATH)
        async def bare(request: Request) -> Response:
            # Reading the body keeps the connection reusable, as the real endpoint does.
            await request.body()
            return Response(status_code=200)

        @app.get("/healthz")
        async def healthz() -> Response:
            return Response(status_code=200)

    else:
        # Production mode, as deployed: no simulator, real-looking secrets required.
        settings = Settings(
            mode="production",
            database_url=database_url,
            whatsapp_app_secret=SecretStr(SECRET),
            whatsapp_verify_token=SecretStr("bench-verify-token-8e2a"),
            whatsapp_access_token=SecretStr("EAAG-bench-access-token"),
        )
        app = create_app(settings)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


@contextmanager
def server(kind: str, database_url: str) -> Iterator[Target]:
    port = _free_port()
    script = Path(__file__).resolve()
    command = [sys.executable, str(script), "--serve", kind, "--port", str(port)]
    env = {**os.environ, "QUITA_BENCH_DATABASE_URL": database_url}
    process = subprocess.Popen(command, env=env)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_ready(base, process)
        yield Target(base + PATH, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer within 30 s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def inbox_rows(database_url: str, run: str) -> int:
    from sqlalchemy import func, select
    from sqlmodel import Session, col

    from conversations.models import InboundMessage
    from quita import db

    engine = db.make_engine(database_url)
    try:
        with Session(engine) as session:
            pattern = f"wamid.bench.{run}.%"
            query = select(func.count()).where(col(InboundMessage.wamid).like(pattern))
            return int(session.execute(query).scalar_one())
    finally:
        engine.dispose()


def report(results: list[Result], concurrency: int, backend: str, stored: int) -> None:
    table = Table(title=f"Webhook POSTs, {concurrency} in flight, {backend}")
    columns = ("endpoint", "requests", "req/s", "p50 ms", "p99 ms", "max ms", "non-200")
    for column in (*columns, "server CPU ms/req"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for result in results:
        cpu = result.cpu_ms_per_request
        table.add_row(
            result.name,
            f"{result.requests:,}",
            f"{result.rate:,.0f}",
            f"{statistics.median(result.latencies_ms):.1f}",
            f"{result.percentile(0.99):.1f}",
            f"{max(result.latencies_ms):.1f}",
            str(result.failures),
            "n/a" if cpu is None else f"{cpu:.2f}",
        )
    console.print(table)
    bare, real = results
    console.print(
        f"webhook/bare rate: {real.rate / bare.rate:.0%} (goal ≥ 50%); "
        f"webhook p99 {real.percentile(0.99):.1f} ms (goal ≤ 20 ms); "
        f"inbox rows stored: {stored:,} of {real.requests:,}"
    )
    if bare.cpu_ms_per_request and real.cpu_ms_per_request:
        share = bare.cpu_ms_per_request / real.cpu_ms_per_request
        console.print(f"CPU per request, bare/webhook: {share:.0%} (the rate ratio on idle cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the targets")
    parser.add_argument("--database", help="URL of an EMPTY database (default: temp SQLite)")
    parser.add_argument("--serve", choices=("real", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, os.environ.get("QUITA_BENCH_DATABASE_URL", ""))
        return

    with tempfile.TemporaryDirectory() as folder, ExitStack() as servers:
        url = args.database or f"sqlite:///{folder}/bench.db"
        _migrate(url)
        targets = {
            "bare FastAPI": servers.enter_context(server("bare", url)),
            "webhook → inbox": servers.enter_context(server("real", url)),
        }
        with console.status(f"{args.requests:,} POSTs to each, {args.rounds} rounds"):
            results = compare(targets, args.requests, args.concurrency, args.rounds)
        stored = inbox_rows(url, results[-1].run)
        report(results, args.concurrency, url.split(":", 1)[0], stored)


def _migrate(url: str) -> None:
    from quita import db

    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()


if __name__ == "__main__":
    main()
