"""The agent as the inbox worker's turn handler, and the staff's resume of an escalation."""

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command
from sqlmodel import Session

from agent.brains.base import Brain
from agent.brains.offline import OfflineBrain
from agent.context import TurnContext
from agent.graph import Graph, build_graph
from agent.state import InboundTurn
from billing.instruments import PaymentProvider
from conversations.models import InboundMessage, Thread, ThreadOwner
from quita.policy import Policy

logger = logging.getLogger(__name__)

Clock = Callable[[], tuple[date, datetime]]


class Agent:
    """Runs one graph turn per inbound message, inside the worker's transaction."""

    def __init__(
        self,
        checkpointer: BaseCheckpointSaver[Any],
        policy: Policy,
        provider: PaymentProvider,
        clock: Clock,
        *,
        brain: Brain | None = None,
        extras: dict[str, Any] | None = None,
    ) -> None:
        self.graph: Graph = build_graph(checkpointer)
        self._policy = policy
        self._provider = provider
        self._clock = clock
        self._fallback: Brain = OfflineBrain()
        self._brain: Brain = brain or self._fallback
        self._extras = extras or {}

    def __call__(self, session: Session, thread: Thread, message: InboundMessage) -> None:
        config = _config(thread.wa_id)
        snapshot = self.graph.get_state(config)
        if snapshot.interrupts:
            logger.info(
                "thread waits for staff; message kept for them", extra={"wamid": message.wamid}
            )
            return
        if snapshot.values.get("last_wamid") == message.wamid:
            # A previous try saved its checkpoint but its transaction never committed: run the
            # turn again from the checkpoint before it.
            config = self._before(config, message.wamid)
        context = self._context(session, thread)
        self.graph.invoke(
            {"inbound": inbound_turn(message)}, config, context=context, durability="exit"
        )

    def resume(self, session: Session, thread: Thread, staff: str, note: str = "") -> bool:
        """Hand an escalated thread back to the agent; False when nothing was waiting."""
        config = _config(thread.wa_id)
        if not self.graph.get_state(config).interrupts:
            return False
        thread.owner = ThreadOwner.AGENT
        session.add(thread)
        context = self._context(session, thread)
        self.graph.invoke(Command(resume={"staff": staff, "note": note}), config, context=context)
        return True

    def state_of(self, wa_id: str) -> dict[str, Any]:
        values = self.graph.get_state(_config(wa_id)).values
        return dict(values) if isinstance(values, dict) else {}

    def _context(self, session: Session, thread: Thread) -> TurnContext:
        today, now = self._clock()
        context = TurnContext(
            session=session,
            thread=thread,
            policy=self._policy,
            provider=self._provider,
            brain=self._brain,
            fallback=self._fallback,
            today=today,
            now=now,
        )
        context.extras.update(self._extras)
        return context

    def _before(self, config: RunnableConfig, wamid: str) -> RunnableConfig:
        for snapshot in self.graph.get_state_history(config):
            if snapshot.values.get("last_wamid") != wamid:
                return snapshot.config
        return config


def inbound_turn(message: InboundMessage) -> InboundTurn:
    turn = InboundTurn(
        wamid=message.wamid,
        kind=message.kind,
        text=message.text or "",
        at=message.sent_at.isoformat(),
        media=message.kind in ("image", "document"),
    )
    if message.reply_id:
        turn["reply_id"] = message.reply_id
    return turn


def _config(wa_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": wa_id}}
