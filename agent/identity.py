"""The identity gate (LGPD): before any debt is disclosed, the debtor proves who they are.

A number that matches one customer confirms the first digits of the CPF/CNPJ (three by
default); a number that matches none or several gives the whole document. Wrong answers are
limited; past the limit the thread goes to staff. Questions that disclose nothing (greetings,
general questions, asking for a person) pass without it.
"""

import re
from typing import Any

from agent import replies
from agent.context import TurnContext
from agent.history import customer_profile
from agent.state import AgentState, ToolCall
from agent.tool_calls import run_tool
from agent.understanding import Intent
from billing.lookup import customer_by_document
from billing.models import Customer
from conversations.models import ThreadOwner
from policies.identity import check_identity_answer, identity_outcome

NO_DISCLOSURE = frozenset(
    {
        Intent.GREETING,
        Intent.QUESTION,
        Intent.SERVICE_DOWN,
        Intent.HUMAN,
        Intent.THANKS,
        Intent.GOODBYE,
        Intent.UNKNOWN,
        Intent.INJECTION,
        Intent.ABUSE,
        Intent.OPT_OUT,
    }
)


def gate(state: AgentState, ctx: TurnContext) -> dict[str, Any]:
    if state.get("verified"):
        return {}
    understood = state.get("understood") or {}
    intent = _top(understood)
    expecting = state.get("expecting")
    if expecting not in ("identity", "document") and intent == Intent.IDENTITY_ANSWER:
        # Digits sent before we asked: read them as the answer we were about to ask for.
        expecting = "identity" if state.get("customer_id") is not None else "document"
    if expecting in ("identity", "document"):
        return _check_answer(state, ctx, understood, expecting)
    if intent in NO_DISCLOSURE:
        return {}
    return _ask(state, ctx, pending=intent)


def _ask(state: AgentState, ctx: TurnContext, pending: str | None) -> dict[str, Any]:
    customer_id = state.get("customer_id")
    if customer_id is None:
        return {
            "expecting": "document",
            "pending_intent": pending,
            "outgoing": [replies.ask_full_document()],
        }
    customer = ctx.session.get_one(Customer, customer_id)
    profile = customer_profile(ctx.session, customer_id) or {}
    digits = ctx.policy.identity.digits
    ask = replies.ask_document_prefix(profile.get("first_name"), customer.document_kind, digits)
    return {"expecting": "identity", "pending_intent": pending, "outgoing": [ask]}


def _check_answer(
    state: AgentState, ctx: TurnContext, understood: dict[str, Any], expecting: str
) -> dict[str, Any]:
    digits = _digits(understood, state)
    if not digits:
        intent = _top(understood)
        if intent in NO_DISCLOSURE:
            return {}
        return _ask(state, ctx, pending=intent)
    customer = _match(state, ctx, digits, expecting)
    if customer is not None:
        return _verified(state, customer)
    return _mismatch(state, ctx)


def _match(state: AgentState, ctx: TurnContext, digits: str, expecting: str) -> Customer | None:
    if expecting == "identity" and state.get("customer_id") is not None:
        customer = ctx.session.get_one(Customer, state["customer_id"])
        ok = check_identity_answer(digits, customer.document, ctx.policy.identity)
        return customer if ok else None
    found = customer_by_document(ctx.session, digits)
    candidates = state.get("candidates") or []
    if found is None or (candidates and found.id not in candidates):
        return None
    return found


def _verified(state: AgentState, customer: Customer) -> dict[str, Any]:
    pending = state.get("pending_intent")
    understood = dict(state.get("understood") or {})
    understood["entities"] = {**(understood.get("entities") or {}), "document_digits": None}
    if pending:
        understood["top"] = pending
    return {
        "verified": True,
        "customer_id": customer.id,
        "expecting": None,
        "pending_intent": None,
        "identity_attempts": 0,
        "understood": understood,
        "just_verified": True,
    }


def _mismatch(state: AgentState, ctx: TurnContext) -> dict[str, Any]:
    attempts = state.get("identity_attempts", 0) + 1
    if identity_outcome(False, attempts, ctx.policy.identity) == "retry":
        left = ctx.policy.identity.max_attempts - attempts
        return {"identity_attempts": attempts, "outgoing": [replies.identity_mismatch(left)]}
    call = ToolCall(
        id="gate-escalate",
        name="escalate_to_human",
        args={"reason": "identity_failed", "summary": "identity check failed"},
    )
    result = run_tool(ctx, state, call)
    return {
        "identity_attempts": attempts,
        "expecting": None,
        "results": [result],
        "facts": [result],
        "owner": ThreadOwner.STAFF.value,
        "escalated": True,
        "outgoing": [replies.identity_mismatch(0), replies.handed_to_person(ctx.policy)],
    }


def _digits(understood: dict[str, Any], state: AgentState) -> str:
    entities = understood.get("entities") or {}
    found = entities.get("document_digits") or ""
    if found:
        return str(found)
    text = (state.get("inbound") or {}).get("text", "")
    return (
        "".join(re.findall(r"[0-9A-Za-z]", text))
        if re.fullmatch(r"[\d.\-/\s]+", text.strip() or "x")
        else ""
    )


def _top(understood: dict[str, Any]) -> str:
    return str(understood.get("top") or Intent.UNKNOWN)
