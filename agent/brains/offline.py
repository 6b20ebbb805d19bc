"""The offline brain: deterministic pt-BR understanding and a collector's dialogue policy.

It needs no network and is the fallback of every other brain. First it maps what the debtor
asked to tool calls; once the tools answered, it writes the replies from the phrasebook, in
the tone of the debtor's segment.
"""

from typing import Any

from agent import replies
from agent.brains.base import BrainStep, BrainView
from agent.brains.offline_compose import compose
from agent.state import ToolCall
from agent.understanding import Intent

SIMPLE_TOOLS = {
    Intent.BALANCE: "get_balance",
    Intent.PIX: "create_pix_charge",
    Intent.TRUST_UNBLOCK: "request_trust_unblock",
}
GREETINGS = frozenset({Intent.GREETING, Intent.IDENTITY_ANSWER, Intent.AFFIRM, Intent.DENY})


class OfflineBrain:
    name = "offline"

    def step(self, view: BrainView) -> BrainStep:
        results = view.state.get("results") or []
        if results:
            return BrainStep(replies=compose(view, results))
        return plan(view)


def plan(view: BrainView) -> BrainStep:
    """Tool calls for what the debtor asked, or a reply when no tool is needed."""
    understood = view.state.get("understood") or {}
    entities: dict[str, Any] = understood.get("entities") or {}
    intent = str(understood.get("top") or Intent.UNKNOWN)
    first_name = (view.customer or {}).get("first_name")
    call = _call_for(intent, entities, view)
    if call is not None:
        return BrainStep(calls=[call], updates={"expecting": None})
    return _talk(intent, first_name, view)


def _call_for(intent: str, entities: dict[str, Any], view: BrainView) -> ToolCall | None:
    state = view.state
    text = (state.get("inbound") or {}).get("text", "")
    if intent in SIMPLE_TOOLS:
        return _tool(SIMPLE_TOOLS[Intent(intent)], {})
    if intent == Intent.ALREADY_PAID:
        media = bool((state.get("inbound") or {}).get("media"))
        return _tool("report_payment", _some(receipt=media or None, date=_date(entities)))
    if intent == Intent.BOLETO:
        return _tool("issue_second_copy_boleto", _some(due_date=_date(entities)))
    if intent == Intent.RENEGOTIATE:
        return _tool("quote_renegotiation", _some(installments=entities.get("installments")))
    if intent == Intent.PROMISE:
        return _tool("register_promise_to_pay", _some(date=_date(entities)))
    if intent == Intent.DISPUTE:
        return _tool("open_dispute", {"reason": text[:500]})
    if intent in (Intent.QUESTION, Intent.SERVICE_DOWN):
        return _tool("search_knowledge", {"query": text})
    if intent == Intent.HUMAN:
        return _tool("escalate_to_human", {"reason": "debtor_asked", "summary": text[:500]})
    if intent == Intent.AFFIRM and state.get("expecting") == "offer_confirm":
        offer_id = state.get("chosen_offer")
        return _tool("accept_renegotiation", {"offer_id": offer_id, "confirmed": True})
    return None


def _date(entities: dict[str, Any]) -> str | None:
    mention = entities.get("date") or {}
    value = mention.get("date") or mention.get("value")
    return str(value) if value else None


def _talk(intent: str, first_name: str | None, view: BrainView) -> BrainStep:
    state = view.state
    option = _chosen_option(state)
    if option and state.get("offers"):
        return _confirm_offer(option, view)
    if intent in (Intent.THANKS, Intent.GOODBYE):
        return BrainStep(replies=[replies.thanks()])
    if intent == Intent.INJECTION:
        return BrainStep(replies=[replies.injection_ignored()])
    if intent == Intent.DENY and state.get("expecting") == "offer_confirm":
        return BrainStep(replies=[replies.offer_declined()], updates={"expecting": None})
    if intent in GREETINGS or state.get("just_verified"):
        return BrainStep(replies=_greet(first_name, view))
    return BrainStep(replies=[replies.not_understood(view.policy)])


def _greet(first_name: str | None, view: BrainView) -> list[Any]:
    out = []
    if view.state.get("just_verified"):
        out.append(replies.text(replies.identity_confirmed(first_name)))
        first_name = None
    out.append(replies.menu(first_name, view.policy))
    return out


def _chosen_option(state: Any) -> str | None:
    """The offer the debtor picked: by button/list id, or by its position in the list."""
    entities = (state.get("understood") or {}).get("entities") or {}
    ids = [str(value).removeprefix("offer:") for value in entities.get("option_ids") or []]
    if ids:
        return ids[0]
    number = entities.get("option_number")
    offers = state.get("offers") or []
    if number and state.get("expecting") == "offer_choice" and offers:
        index = len(offers) - 1 if number == -1 else number - 1
        return str(offers[index]["id"]) if 0 <= index < len(offers) else None
    return None


def _confirm_offer(option: str, view: BrainView) -> BrainStep:
    offers = {offer["id"]: offer for offer in view.state.get("offers") or []}
    offer = offers.get(option)
    if offer is None:
        return BrainStep(replies=[replies.offer_expired()])
    updates = {"expecting": "offer_confirm", "chosen_offer": option}
    return BrainStep(replies=[replies.confirm_offer(offer)], updates=updates)


def _tool(name: str, args: dict[str, Any]) -> ToolCall:
    return ToolCall(id=f"offline-{name}", name=name, args=args)


def _some(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "")}
