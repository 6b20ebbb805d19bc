"""A debtor talking to the agent through the inbox, the worker, the graph and the outbox."""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from agent.brains.base import Brain
from agent.checkpoints import open_checkpointer
from agent.runner import Agent
from billing.instruments import EmbeddedPaymentProvider
from billing.models import OutboxMessage
from billing.phones import wa_id_of
from conversations.inbox import IncomingMessage, store_messages
from conversations.locks import DatabaseThreadLocks
from conversations.worker import InboxWorker
from quita.clock import BUSINESS_TZ
from quita.db import session_scope
from quita.policy import Policy

_sequence = itertools.count(1)


@dataclass
class Chat:
    """One debtor's phone: `say` sends a message and returns the replies it produced."""

    engine: Engine
    agent: Agent
    worker: InboxWorker
    phone: str
    today: date
    seen: int = 0
    sent: list[str] = field(default_factory=list)

    @property
    def wa_id(self) -> str:
        return wa_id_of(self.phone)

    def say(
        self, text: str = "", *, reply_id: str | None = None, kind: str = "text"
    ) -> list[OutboxMessage]:
        number = next(_sequence)
        wamid = f"wamid.test.{number}"
        moment = datetime.combine(self.today, datetime.min.time(), BUSINESS_TZ) + timedelta(
            hours=10, seconds=number
        )
        message = IncomingMessage(
            wamid=wamid,
            wa_id=self.wa_id,
            phone_number_id="100",
            kind=kind,
            sent_at=moment.astimezone(UTC),
            text=text,
            reply_id=reply_id,
        )
        with session_scope(self.engine) as session:
            store_messages(session, [message])
        self.sent.append(wamid)
        self.worker.run_once()
        return self.new_replies()

    def tap(self, reply_id: str, title: str = "") -> list[OutboxMessage]:
        return self.say(title, reply_id=reply_id, kind="interactive")

    def new_replies(self) -> list[OutboxMessage]:
        with Session(self.engine) as session:
            rows = list(
                session.exec(
                    select(OutboxMessage)
                    .where(col(OutboxMessage.to) == self.phone)
                    .where(col(OutboxMessage.id) > self.seen)
                    .order_by(col(OutboxMessage.id))
                ).all()
            )
        if rows:
            self.seen = rows[-1].id or self.seen
        return rows

    def state(self) -> dict[str, Any]:
        return self.agent.state_of(self.wa_id)


def texts(rows: list[OutboxMessage]) -> str:
    """Everything the debtor reads in these messages, buttons and rows included."""
    parts: list[str] = []
    for row in rows:
        parts.append(row.body)
        parts += [button["title"] for button in row.payload.get("buttons", [])]
        for section in row.payload.get("sections", []):
            parts += [item["title"] for item in section.get("rows", [])]
    return "\n".join(parts)


@contextmanager
def chat_with(
    engine: Engine,
    database_url: str,
    phone: str,
    today: date,
    *,
    brain: Brain | None = None,
    policy: Policy | None = None,
    extras: dict[str, Any] | None = None,
) -> Iterator[Chat]:
    policy = policy or Policy()
    now = datetime.combine(today, datetime.min.time(), BUSINESS_TZ) + timedelta(hours=10)
    with open_checkpointer(database_url) as saver:
        agent = Agent(
            saver,
            policy,
            EmbeddedPaymentProvider(policy),
            clock=lambda: (today, now),
            brain=brain,
            extras=extras,
        )
        worker = InboxWorker(engine, agent, DatabaseThreadLocks(engine))
        yield Chat(engine, agent, worker, phone, today)


def checkpoint_file(tmp_path: Path) -> Path:
    return tmp_path / "quita.checkpoints.db"
