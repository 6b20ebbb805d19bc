"""accept_renegotiation: close the agreement the debtor explicitly said yes to.

Only an offer quoted in this thread, still the same today, with the debtor's explicit yes,
becomes an agreement; it replaces the invoices in the cadence. The first installment's Pix
goes with the confirmation.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from billing.agreements import AgreementError, create_agreement
from billing.installments import installments_of
from billing.renegotiation_facts import renegotiable_invoices, renegotiation_facts
from policies.offers import Offer
from policies.renegotiation import RequestedTerms, check_offer, find_offer, quote_options
from tools.base import Attachment, ToolContext, ToolResult, ToolSpec, refused
from tools.ledger import debtor_id
from tools.offers import offer_grounding, offer_json

NAME = "accept_renegotiation"
NOT_CONFIRMED = "Para fechar o acordo, preciso que você confirme com um “sim” a opção escolhida."
EXPIRED = (
    "Essa proposta não vale mais (os valores mudam a cada dia). Posso calcular as opções de "
    "novo para você?"
)


def accept_renegotiation(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    offer_id = str(args.get("offer_id") or "")
    quoted = {str(item["id"]): item for item in ctx.extras.get("offers") or []}
    if args.get("confirmed") is not True or not _debtor_said_yes(ctx):
        return refused(NAME, "not_confirmed", NOT_CONFIRMED)
    if offer_id not in quoted:
        return refused(NAME, "offer_not_quoted", EXPIRED)
    offer = _current(ctx, quoted[offer_id])
    if offer is None:
        return refused(NAME, "offer_expired", EXPIRED)
    return _accept(ctx, offer)


def _debtor_said_yes(ctx: ToolContext) -> bool:
    """The message being answered is an explicit yes (typed, or the confirm button), whatever
    the brain claims; the agent reads the debtor's message and says so in `explicit_yes`."""
    return ctx.extras.get("explicit_yes") is True


def _current(ctx: ToolContext, quoted: dict[str, Any]) -> Offer | None:
    """Today's offer with the quoted id, if its terms are still exactly the quoted ones."""
    customer_id = debtor_id(ctx)
    rules, calendar = ctx.policy.renegotiation, ctx.policy.calendar
    facts = renegotiation_facts(ctx.session, customer_id, ctx.today, ctx.policy)
    offer = find_offer(quote_options(facts, rules, ctx.today, calendar), str(quoted["id"]))
    if offer is None:
        decision = check_offer(_terms(quoted), facts, rules, ctx.today, calendar)
        offer = decision.offer if decision.ok else None
    if offer is None or offer.fingerprint != quoted.get("fingerprint"):
        return None
    return offer


def _terms(quoted: dict[str, Any]) -> RequestedTerms:
    installments = quoted.get("installments") or []
    return RequestedTerms(
        installments=len(installments),
        first_due_date=date.fromisoformat(installments[0]["due_date"]) if installments else None,
        down_payment=Decimal(quoted["down_payment"]) if Decimal(quoted["down_payment"]) else None,
    )


def _accept(ctx: ToolContext, offer: Offer) -> ToolResult:
    customer_id = debtor_id(ctx)
    invoices = renegotiable_invoices(ctx.session, customer_id, ctx.today, ctx.policy)
    chosen = [invoice for invoice in invoices if invoice.external_id in offer.invoice_refs]
    try:
        created = create_agreement(
            ctx.session,
            customer_id,
            offer,
            chosen,
            ctx.key(NAME, offer.offer_id),
            "agent",
            now=ctx.now,
        )
    except AgreementError:
        return refused(NAME, "offer_expired", EXPIRED)
    first = installments_of(ctx.session, created.agreement_id)[0]
    pix = ctx.provider.create_installment_pix_charge(ctx.session, first, ctx.today)
    data = {
        "agreement_id": created.agreement_id,
        "offer": offer_json(offer),
        "first_installment_pix": {
            "amount": f"{pix.amount:.2f}",
            "due_date": first.due_date.isoformat(),
            "copy_paste": pix.payload,
            "qr_image": f"pix-{pix.txid}.png",
        },
    }
    result = ToolResult(NAME, True, data=data, grounding=offer_grounding([offer]))
    result.grounding.amounts.add(pix.amount)
    result.attachments.append(
        Attachment("image", f"pix-{pix.txid}.png", "image/png", pix.qr_png(), "QR Code Pix")
    )
    return result


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Fecha o acordo escolhido. Use somente depois que o devedor disser “sim” a UMA opção "
        "concreta que quote_renegotiation apresentou nesta conversa; informe o id da opção e "
        "confirmed=true. O acordo substitui as faturas em aberto."
    ),
    parameters={
        "type": "object",
        "properties": {
            "offer_id": {"type": "string"},
            "confirmed": {"type": "boolean"},
        },
        "required": ["offer_id", "confirmed"],
        "additionalProperties": False,
    },
    run=accept_renegotiation,
)
