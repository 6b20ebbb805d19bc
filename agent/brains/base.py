"""The one interface every brain implements."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from agent.state import AgentState, Outgoing, ToolCall
from quita.policy import Policy
from tools.base import ToolSpec


class BrainUnavailable(RuntimeError):
    """The brain could not answer (LLM timeout, 5xx, malformed output): use the fallback."""


@dataclass
class BrainView:
    """What a brain sees: the state (history, facts, this turn's results so far), the tools it
    may call, the debtor's profile, and the guard's feedback when a reply was rejected."""

    state: AgentState
    tools: list[ToolSpec]
    policy: Policy
    customer: dict[str, Any] | None
    feedback: str | None = None
    today: date | None = None


@dataclass
class BrainStep:
    """Tool calls to run next, or (when there are none) the replies that end the turn."""

    calls: list[ToolCall] = field(default_factory=list)
    replies: list[Outgoing] = field(default_factory=list)
    updates: dict[str, Any] = field(default_factory=dict)
    llm_calls: int = 0
    tokens: int = 0


class Brain(Protocol):
    name: str

    def step(self, view: BrainView) -> BrainStep: ...
