"""issue_second_copy_boleto: a new boleto (PDF and digitable line) for an open invoice, due
on a day the policy allows, for the amount due on that day."""

from datetime import date
from typing import Any

from billing.boleto import boleto_pdf
from billing.documents import parse_document
from billing.instruments import BoletoCharge
from billing.models import Customer, Invoice
from billing.money import format_brl
from policies.second_copy import SecondCopyRules, second_copy_due_date
from tools.base import Attachment, ToolContext, ToolResult, ToolSpec, refused
from tools.ledger import debtor, open_invoices

NAME = "issue_second_copy_boleto"
RULES = SecondCopyRules()


def issue_second_copy_boleto(ctx: ToolContext, args: dict[str, Any]) -> ToolResult:
    wanted = [args["invoice"]] if args.get("invoice") else None
    invoices = open_invoices(ctx, wanted)
    if not invoices:
        return refused(NAME, "nothing_open", "Não encontrei fatura em aberto para emitir o boleto.")
    requested = _requested_date(args.get("due_date"))
    decision = second_copy_due_date(requested, ctx.today, RULES, ctx.policy.calendar)
    if decision.due_date is None:
        return refused(NAME, decision.code or "due_date", decision.reason or "Data inválida.")
    invoice = invoices[0]
    charge = ctx.provider.issue_second_copy_boleto(
        ctx.session, invoice, decision.due_date, ctx.today
    )
    result = ToolResult(NAME, True, data=_json(invoice, charge, len(invoices)))
    result.grounding.amounts.add(charge.amount)
    result.grounding.dates.add(charge.due_date)
    result.attachments.append(_pdf(ctx, debtor(ctx), invoice, charge))
    return result


def _requested_date(raw: object) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def _json(invoice: Invoice, charge: BoletoCharge, open_count: int) -> dict[str, Any]:
    return {
        "invoice": invoice.external_id,
        "reference_month": invoice.reference_month,
        "amount": f"{charge.amount:.2f}",
        "due_date": charge.due_date.isoformat(),
        "digitable_line": charge.digitable_line,
        "pdf": _filename(invoice),
        "other_open_invoices": open_count - 1,
    }


def _filename(invoice: Invoice) -> str:
    return f"boleto-{invoice.external_id}.pdf"


def _pdf(
    ctx: ToolContext, customer: Customer, invoice: Invoice, charge: BoletoCharge
) -> Attachment:
    isp = ctx.policy.isp
    data = boleto_pdf(
        charge.boleto,
        payer_name=customer.name,
        payer_document_masked=parse_document(customer.document).masked,
        beneficiary_name=isp.name,
        beneficiary_cnpj=isp.cnpj,
        description=f"Segunda via da fatura {invoice.reference_month}",
        instructions=[
            f"Valor já atualizado com multa e juros até {charge.due_date.strftime('%d/%m/%Y')}.",
            f"Valor original: {format_brl(invoice.amount)}.",
        ],
    )
    return Attachment(
        kind="document",
        filename=_filename(invoice),
        mime_type="application/pdf",
        data=data,
        caption=f"Boleto · fatura {invoice.reference_month}",
    )


SPEC = ToolSpec(
    name=NAME,
    description=(
        "Emite a segunda via do boleto (PDF e linha digitável) da fatura em aberto mais antiga "
        "ou da indicada, com vencimento novo dentro da política e valor atualizado até ele."
    ),
    parameters={
        "type": "object",
        "properties": {
            "invoice": {"type": "string", "description": "Código da fatura (opcional)."},
            "due_date": {
                "type": "string",
                "description": "Novo vencimento AAAA-MM-DD (opcional; padrão: hoje).",
            },
        },
        "additionalProperties": False,
    },
    run=issue_second_copy_boleto,
)
