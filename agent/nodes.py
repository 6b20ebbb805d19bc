"""The graph's nodes. Each takes the state and the turn's context and returns an update.

Nodes before the hand-off never interrupt, and the hand-off does nothing before its
interrupt, so re-running a node after a resume repeats no side effect.
"""

import logging
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent import guards, identity, replies
from agent.brains.base import BrainStep, BrainUnavailable, BrainView
from agent.context import TurnContext
from agent.delivery import queue_replies
from agent.history import customer_profile, pushed_lines
from agent.state import AgentState, ChatLine, ToolCall
from agent.tool_calls import run_tool
from agent.understanding import Intent, understand
from billing.lookup import customers_by_wa_id
from billing.phones import mask_phone
from conversations.models import ThreadOwner
from tools.registry import TOOLS

logger = logging.getLogger(__name__)

MAX_BRAIN_ROUNDS = 4


def start_turn(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Record the debtor's message and what the scheduler sent since the last turn."""
    ctx = runtime.context
    inbound = state["inbound"]
    line: ChatLine = {"role": "debtor", "text": inbound.get("text", ""), "at": inbound["at"]}
    line["wamid"] = inbound["wamid"]
    pushed, outbox_seen = pushed_lines(ctx.session, ctx.thread.wa_id, state.get("outbox_seen", 0))
    understood = understand(
        inbound.get("text", ""),
        today=ctx.today,
        reply_id=inbound.get("reply_id"),
        expecting=state.get("expecting"),
    )
    update: dict[str, Any] = {
        "messages": [*pushed, line],
        "last_wamid": inbound["wamid"],
        "outbox_seen": outbox_seen,
        "owner": str(ctx.thread.owner),
        "understood": understood.to_json(),
        **_fresh_turn(),
    }
    if state.get("customer_id") is None:
        update.update(_candidates(ctx))
    return update


def inbound_guard(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Staff-owned threads stay silent; opt-out is honoured at once; abuse is met calmly."""
    ctx = runtime.context
    intent = guards.top_intent(state)
    if ctx.thread.owner == ThreadOwner.STAFF:
        logger.info("thread owned by staff: no bot reply", extra={"wa_id": mask(ctx)})
        return {"done": True}
    if intent == Intent.OPT_OUT:
        result = run_tool(ctx, state, ToolCall(id="guard-opt-out", name="opt_out", args={}))
        return {"results": [result], "facts": [result], "outgoing": [replies.opted_out(ctx.policy)]}
    if intent == Intent.ABUSE:
        return _answer_abuse(state, ctx)
    if intent == Intent.INJECTION:
        ctx.count("injection_attempts")
        logger.warning("prompt injection attempt ignored", extra={"wa_id": mask(ctx)})
    return {}


def identity_gate(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """No debt is disclosed before the debtor proves who they are (LGPD)."""
    return identity.gate(state, runtime.context)


def think(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx = runtime.context
    view = BrainView(
        state=state,
        tools=list(TOOLS.values()),
        policy=ctx.policy,
        customer=customer_profile(ctx.session, state.get("customer_id")),
        feedback=state.get("feedback"),
        today=ctx.today,
    )
    step = _step(ctx, view)
    stats = dict(state.get("stats") or {})
    stats["llm_calls"] = stats.get("llm_calls", 0) + step.llm_calls
    stats["tokens"] = stats.get("tokens", 0) + step.tokens
    rounds = state.get("rounds", 0) + 1
    if step.calls and rounds >= MAX_BRAIN_ROUNDS:
        logger.warning("brain kept calling tools; answering with what it has")
        step = ctx.fallback.step(view)
    update = {"calls": step.calls, "outgoing": step.replies, "rounds": rounds, "stats": stats}
    return {**step.updates, **update}


def run_tools(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx = runtime.context
    results = [run_tool(ctx, state, call) for call in state.get("calls", [])]
    update: dict[str, Any] = {
        "calls": [],
        "results": [*state.get("results", []), *results],
        "facts": results,
    }
    update.update(_state_changes(results))
    return update


def outbound_guard(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Every figure grounded, nothing abusive, WhatsApp's limits kept; one retry, then safe."""
    ctx = runtime.context
    problems = guards.problems(state, ctx.policy, ctx.today)
    if problems and not state.get("feedback"):
        ctx.count("guard_regenerations")
        logger.warning("reply rejected by the outbound guard: %s", "; ".join(problems))
        return {"regenerate": True, "feedback": "; ".join(problems), "outgoing": []}
    outgoing = list(state.get("outgoing", []))
    if problems:
        ctx.count("guard_replacements")
        logger.error("reply replaced by a safe message: %s", "; ".join(problems))
        outgoing = [replies.safe_fallback(ctx.policy)]
    return {"regenerate": False, "outgoing": guards.fit_to_whatsapp(outgoing, ctx.policy)}


def write_outbox(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    ctx = runtime.context
    lines = queue_replies(ctx, state, state.get("outgoing", []))
    return {"messages": lines, "outgoing": []}


def hand_off(state: AgentState, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Wait for staff; their resume value hands the thread back to the agent."""
    decision = interrupt({"reason": "escalated", "wa_id": runtime.context.thread.wa_id})
    staff = str(decision.get("staff", "staff")) if isinstance(decision, dict) else "staff"
    note = str(decision.get("note", "")) if isinstance(decision, dict) else ""
    lines: list[ChatLine] = [{"role": "staff", "text": note or f"devolvido por {staff}", "at": ""}]
    return {"owner": ThreadOwner.AGENT.value, "escalated": False, "messages": lines}


def mask(ctx: TurnContext) -> str:
    return mask_phone("+" + ctx.thread.wa_id)


def _fresh_turn() -> dict[str, Any]:
    return {
        "calls": [],
        "results": [],
        "outgoing": [],
        "rounds": 0,
        "regenerate": False,
        "feedback": None,
        "done": False,
        "just_verified": False,
    }


def _candidates(ctx: TurnContext) -> dict[str, Any]:
    found = [customer.id for customer in customers_by_wa_id(ctx.session, ctx.thread.wa_id)]
    candidates = [customer_id for customer_id in found if customer_id is not None]
    update: dict[str, Any] = {"candidates": candidates}
    if len(candidates) == 1:
        update["customer_id"] = candidates[0]
    return update


def _answer_abuse(state: AgentState, ctx: TurnContext) -> dict[str, Any]:
    count = state.get("abuse_count", 0) + 1
    if count < guards.ABUSE_LIMIT:
        return {"abuse_count": count, "outgoing": [replies.calm_after_abuse(ctx.policy)]}
    call = ToolCall(id="guard-abuse", name="escalate_to_human", args={"reason": "abuse"})
    result = run_tool(ctx, state, call)
    update = {"abuse_count": count, "results": [result], "facts": [result]}
    update.update(_state_changes([result]))
    update["outgoing"] = [replies.handed_to_person(ctx.policy)]
    return update


def _step(ctx: TurnContext, view: BrainView) -> BrainStep:
    try:
        return ctx.brain.step(view)
    except BrainUnavailable as error:
        ctx.count("brain_fallbacks")
        logger.warning("brain %s unavailable (%s): offline brain answers", ctx.brain.name, error)
        return ctx.fallback.step(view)


def _state_changes(results: list[dict[str, Any]]) -> dict[str, Any]:
    """What tool results change in the state: offers quoted, the thread handed to staff."""
    update: dict[str, Any] = {}
    for result in results:
        if result["tool"] == "quote_renegotiation" and result["ok"]:
            update["offers"] = result["data"].get("offers", [])
            update["expecting"] = "offer_choice"
        if result["tool"] == "accept_renegotiation" and result["ok"]:
            update["offers"] = []
        if result["tool"] in ("escalate_to_human", "open_dispute") and result["ok"]:
            update["owner"] = ThreadOwner.STAFF.value
            update["escalated"] = True
    return update
