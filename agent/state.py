"""The graph's state per WhatsApp thread, kept by the checkpointer between turns.

Everything here is plain JSON (str, int, bool, lists, dicts) so checkpoints survive upgrades
and read well when staff inspect a thread. Money travels as "103.92" strings.
"""

import operator
from typing import Annotated, Any, TypedDict


class ChatLine(TypedDict, total=False):
    """One line of the conversation: who spoke (debtor, agent, staff, cadence), what, when."""

    role: str
    text: str
    at: str
    wamid: str


class Outgoing(TypedDict, total=False):
    """A reply being built this turn. `kind` is text, buttons, list, image or document;
    `buttons` are {"id", "title"}; `rows` are {"id", "title", "description"}; `attachment`
    names a file a tool produced this turn."""

    kind: str
    body: str
    buttons: list[dict[str, str]]
    rows: list[dict[str, str]]
    button: str
    footer: str
    attachment: str
    purpose: str


class ToolCall(TypedDict):
    id: str
    name: str
    args: dict[str, Any]


class InboundTurn(TypedDict, total=False):
    wamid: str
    kind: str
    text: str
    reply_id: str
    at: str
    media: bool


class AgentState(TypedDict, total=False):
    # The whole conversation, appended to turn by turn.
    messages: Annotated[list[ChatLine], operator.add]
    # Facts tools returned in this thread (ToolResult.to_fact), the grounding of every figure.
    facts: Annotated[list[dict[str, Any]], operator.add]
    inbound: InboundTurn
    last_wamid: str
    outbox_seen: int
    customer_id: int | None
    candidates: list[int]
    verified: bool
    just_verified: bool
    identity_attempts: int
    expecting: str | None
    pending_intent: str | None
    offers: list[dict[str, Any]]
    chosen_offer: str | None
    owner: str
    escalated: bool
    abuse_count: int
    # This turn only: tool calls asked for, their results, replies being built.
    calls: list[ToolCall]
    results: list[dict[str, Any]]
    outgoing: list[Outgoing]
    understood: dict[str, Any]
    rounds: int
    regenerate: bool
    feedback: str | None
    done: bool
    # Counters over the thread's life, for evals: LLM calls and tokens, guard events.
    stats: dict[str, int]
