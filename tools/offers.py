"""Offers as the agent's state keeps them, and the figures they ground."""

from typing import Any

from policies.offers import Offer
from tools.base import Grounding


def offer_json(offer: Offer) -> dict[str, Any]:
    """The offer for the state and the brain: `id` is what the debtor picks."""
    return {"id": offer.offer_id, "description": offer.describe(), **offer.to_json()}


def offer_grounding(offers: list[Offer]) -> Grounding:
    grounding = Grounding()
    for offer in offers:
        grounding.add_amounts(
            [offer.total, offer.original_total, offer.discount.total, offer.down_payment]
        )
        grounding.add_amounts(
            [offer.discount.interest, offer.discount.late_fee, offer.discount.principal]
        )
        grounding.add_amounts(item.amount for item in offer.installments)
        grounding.dates.update(item.due_date for item in offer.installments)
        grounding.counts.add(offer.count)
    return grounding
