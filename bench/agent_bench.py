"""Benchmark: offline-brain turn latency from inbox to outbox.

Usage: .venv/bin/python bench/agent_bench.py [--debtors 40] [--database URL]
Seeds a demo portfolio, then plays a six-message conversation per debtor (greeting, balance,
identity, Pix, renegotiation, thanks) through the inbox, the worker, the graph with durable
checkpoints and the outbox; times each turn from "stored in the inbox" to "replies in the
outbox" and prints p50/p99.
"""

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table
from sqlmodel import Session, col, select

from agent.checkpoints import open_checkpointer
from agent.runner import Agent
from billing.balance import customers_with_overdue_invoices
from billing.demo import generate_portfolio, seed_portfolio
from billing.instruments import EmbeddedPaymentProvider
from billing.models import Customer
from billing.phones import wa_id_of
from conversations.inbox import IncomingMessage, store_messages
from conversations.locks import DatabaseThreadLocks
from conversations.worker import InboxWorker
from quita import clock, db
from quita.policy import Policy

console = Console()
SCRIPT = (
    "oi",
    "qual o valor da minha conta?",
    "{digits}",
    "manda o pix",
    "quero parcelar",
    "obrigado",
)
TODAY = datetime(2026, 11, 20).date()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--debtors", type=int, default=40)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'quita.db'}"
        latencies = run(url, args.debtors)
    report(latencies)


def run(url: str, debtors: int) -> list[float]:
    engine = db.make_engine(url)
    db.upgrade(engine)
    with Session(engine) as session:
        seed_portfolio(session, generate_portfolio(max(200, debtors * 3), 7, TODAY))
        session.commit()
        late = customers_with_overdue_invoices(session, TODAY, limit=debtors)
        people = session.exec(select(Customer).where(col(Customer.external_id).in_(late))).all()
    policy = Policy()
    now = clock.start_of_day(TODAY) + timedelta(hours=10)
    latencies: list[float] = []
    with open_checkpointer(url) as saver:
        agent = Agent(saver, policy, EmbeddedPaymentProvider(policy), lambda: (TODAY, now))
        worker = InboxWorker(engine, agent, DatabaseThreadLocks(engine))
        turns = [(person, line) for line in SCRIPT for person in people]
        for number, (person, line) in enumerate(track(turns, description="turns")):
            text = line.format(digits=person.document[:3])
            latencies.append(_turn(engine, worker, wa_id_of(person.phone), text, number))
    engine.dispose()
    return latencies


def _turn(engine, worker: InboxWorker, wa_id: str, text: str, number: int) -> float:  # type: ignore[no-untyped-def]
    sent_at = datetime(2026, 11, 20, 13, tzinfo=UTC) + timedelta(seconds=number)
    message = IncomingMessage(f"wamid.bench.{number}", wa_id, "100", "text", sent_at, text)
    with db.session_scope(engine) as session:
        store_messages(session, [message])
    start = time.perf_counter()
    worker.drain_thread(wa_id)
    return time.perf_counter() - start


def report(latencies: list[float]) -> None:
    ordered = sorted(latencies)
    table = Table(title=f"Offline brain: {len(ordered)} turns, inbox → outbox")
    table.add_column("p50 ms", justify="right")
    table.add_column("p90 ms", justify="right")
    table.add_column("p99 ms", justify="right")
    table.add_column("mean ms", justify="right")
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    table.add_row(
        f"{pick(0.5):.1f}",
        f"{pick(0.9):.1f}",
        f"{pick(0.99):.1f}",
        f"{statistics.mean(ordered) * 1000:.1f}",
    )
    console.print(table)


if __name__ == "__main__":
    main()
