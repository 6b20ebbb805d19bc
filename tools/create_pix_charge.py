"""create_pix_charge: a Pix copy-paste code and QR image per open invoice, for today's amount."""

from typing import Any

from billing.instruments import PixCharge
from tools.base import Attachment, ToolContext, ToolResult, ToolSpec, refused
from tools.ledger import open_invoices

NAME = "create_pix_charge"
MAX_CHARGES = 6


def create_pix_charge(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    invoices = open_invoices(ctx, args.get("invoices"))
    if not invoices:
        return refused(NAME, "nothing_open", "Não encontrei faturas em aberto para gerar o Pix.")
    charges = [
        (invoice.reference_month, ctx.provider.create_pix_charge(ctx.session, invoice, ctx.today))
        for invoice in invoices[:MAX_CHARGES]
    ]
    result = ToolResult(NAME, True, data={"charges": [_json(month, c) for month, c in charges]})
    for month, charge in charges:
        result.grounding.amounts.add(charge.amount)
        result.grounding.dates.add(charge.valid_on)
        result.attachments.append(_qr(charge, month))
    result.grounding.counts.add(len(charges))
    return result


def _json(reference_month: str, charge: PixCharge) -> dict[str, Any]:
    return {
        "txid": charge.txid,
        "reference_month": reference_month,
        "amount": f"{charge.amount:.2f}",
        "valid_on": charge.valid_on.isoformat(),
        "copy_paste": charge.payload,
        "qr_image": f"pix-{charge.txid}.png",
    }


def _qr(charge: PixCharge, reference_month: str) -> Attachment:
    return Attachment(
        kind="image",
        filename=f"pix-{charge.txid}.png",
        mime_type="image/png",
        data=charge.qr_png(),
        caption=f"QR Code Pix · fatura {reference_month}",
    )


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Gera um Pix copia e cola e um QR Code para cada fatura em aberto (ou as indicadas), "
        "com o valor atualizado de hoje. O código vale só para hoje."
    ),
    parameters={
        "type": "object",
        "properties": {
            "invoices": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Códigos das faturas; vazio para todas as em aberto.",
            }
        },
        "additionalProperties": False,
    },
    run=create_pix_charge,
)
