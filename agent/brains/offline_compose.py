"""The offline brain's second half: tool results into replies."""

from collections.abc import Callable
from typing import Any

from agent import replies
from agent.brains.base import BrainView
from agent.state import Outgoing

Composer = Callable[[dict[str, Any], BrainView], list[Outgoing]]


def compose(view: BrainView, results: list[dict[str, Any]]) -> list[Outgoing]:
    """Replies for this turn's tool results, in the order the tools ran."""
    out: list[Outgoing] = []
    if view.state.get("just_verified"):
        first_name = (view.customer or {}).get("first_name")
        out.append(replies.text(replies.identity_confirmed(first_name)))
    for result in results:
        out += _one(result, view)
    return out or [replies.not_understood(view.policy)]


def _one(result: dict[str, Any], view: BrainView) -> list[Outgoing]:
    if not result.get("ok"):
        if result["tool"] == "search_knowledge":
            return [replies.dont_know()]
        return [replies.refusal(result.get("refusal") or "Não consegui fazer isso agora.")]
    composer = COMPOSERS.get(result["tool"])
    return composer(result["data"], view) if composer else []


def _segment(view: BrainView) -> str:
    return str((view.customer or {}).get("segment") or "new_customer")


COMPOSERS: dict[str, Composer] = {
    "get_balance": lambda data, view: replies.balance(data, _segment(view)),
    "create_pix_charge": lambda data, view: replies.pix(data),
    "issue_second_copy_boleto": lambda data, view: replies.boleto(data),
    "search_knowledge": lambda data, view: replies.knowledge(data),
    "escalate_to_human": lambda data, view: [replies.handed_to_person(view.policy)],
    "opt_out": lambda data, view: [replies.opted_out(view.policy)],
    "quote_renegotiation": lambda data, view: replies.offers(data, _segment(view)),
    "accept_renegotiation": lambda data, view: replies.agreement_closed(data),
    "register_promise_to_pay": lambda data, view: replies.promise_registered(data),
    "report_payment": lambda data, view: replies.payment_reported(data),
    "request_trust_unblock": lambda data, view: [replies.text(data["message"])],
    "open_dispute": lambda data, view: replies.dispute_opened(data, view.policy),
}
