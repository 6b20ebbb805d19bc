"""How the agent runs a tool call: the identity check, the tool's context, and its fact."""

import logging
from typing import Any

from agent.context import TurnContext
from agent.state import AgentState, ToolCall
from agent.understanding import CONFIRM_YES
from policies.consent import is_explicit_yes
from tools.base import ToolResult, refused
from tools.figures import extract
from tools.registry import TOOLS

logger = logging.getLogger(__name__)

NOT_VERIFIED = (
    "Antes de falar sobre valores, preciso confirmar que estou falando com o titular da conta."
)


def run_tool(ctx: TurnContext, state: AgentState, call: ToolCall) -> dict[str, Any]:
    """Run one call and return its fact; files it produced wait in `ctx.attachments`."""
    result = _result(ctx, state, call)
    # A sentence the policy wrote (a refusal, a decision's message) grounds its own figures.
    for sentence in (result.refusal, result.data.get("message")):
        if isinstance(sentence, str):
            result.grounding.merge(extract(sentence, ctx.today))
    for attachment in result.attachments:
        ctx.attachments[attachment.filename] = attachment
    logger.info(
        "tool %s %s",
        call["name"],
        "ok" if result.ok else f"refused ({result.code})",
        extra={"tool": call["name"]},
    )
    fact = result.to_fact()
    fact["args"] = call["args"]
    fact["call_id"] = call["id"]
    return fact


def _result(ctx: TurnContext, state: AgentState, call: ToolCall) -> ToolResult:
    spec = TOOLS.get(call["name"])
    if spec is None:
        return refused(call["name"], "unknown_tool", "Não consigo fazer isso por aqui.")
    verified = bool(state.get("verified"))
    if spec.needs_verified_debtor and not (verified and state.get("customer_id")):
        return refused(spec.name, "identity_not_verified", NOT_VERIFIED)
    tool_ctx = ctx.tool_context(state["last_wamid"], state.get("customer_id"), verified)
    tool_ctx.extras["offers"] = state.get("offers") or []
    inbound = state.get("inbound") or {}
    text = inbound.get("text", "")
    tool_ctx.extras["inbound_text"] = text
    tool_ctx.extras["explicit_yes"] = inbound.get("reply_id") == CONFIRM_YES or is_explicit_yes(
        text
    )
    return spec.run(tool_ctx, dict(call["args"] or {}))
