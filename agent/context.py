"""What a turn runs with besides the checkpointed state: the open transaction, the policy,
the payment provider, the brains, and the files tools produced this turn."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from billing.instruments import PaymentProvider
from conversations.models import Thread
from quita.policy import Policy
from tools.base import Attachment, ToolContext

if TYPE_CHECKING:
    from agent.brains.base import Brain


@dataclass
class TurnContext:
    session: Session
    thread: Thread
    policy: Policy
    provider: PaymentProvider
    brain: "Brain"
    fallback: "Brain"
    today: date
    now: datetime
    attachments: dict[str, Attachment] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    # Services tools may use besides the ledger (the knowledge base).
    extras: dict[str, Any] = field(default_factory=dict)

    def tool_context(self, wamid: str, customer_id: int | None, verified: bool) -> ToolContext:
        return ToolContext(
            session=self.session,
            policy=self.policy,
            provider=self.provider,
            today=self.today,
            now=self.now,
            wa_id=self.thread.wa_id,
            idempotency_base=wamid,
            customer_id=customer_id,
            verified=verified,
            extras={**self.extras, "thread": self.thread},
        )

    def count(self, name: str, by: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + by
