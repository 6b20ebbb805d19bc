"""The pt-BR message a debtor receives once a payment is settled, signed with the ISP's name
and CNPJ (CDC art. 42-A)."""

from dataclasses import dataclass
from enum import StrEnum

from billing.documents import Document
from billing.models import ErpActionStatus
from quita.policy import IspProfile

_MONTHS = (
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
)


class PaymentFit(StrEnum):
    """How a payment relates to what was due; it picks the wording of the confirmation."""

    EXACT = "exact"
    SHORT = "short"
    EXCESS = "excess"
    ALREADY_PAID = "already_paid"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Confirmation:
    """The facts a confirmation states; money in reais, written in pt-BR by the caller."""

    customer_name: str
    is_company: bool
    amount: str
    reference_month: str
    fit: PaymentFit
    difference: str | None = None
    restore: ErpActionStatus | None = None


def confirmation_text(confirmation: Confirmation, isp: IspProfile) -> str:
    """The message body: greeting, what was received for which month, what follows, signature."""
    c = confirmation
    month = month_name(c.reference_month)
    greeting = f"Olá, {c.customer_name if c.is_company else first_name(c.customer_name)}!"
    received = f"Recebemos o seu pagamento de {c.amount} referente à fatura de {month}"
    lines = [f"{greeting} {received}{_OUTCOMES[c.fit].format(difference=c.difference)}"]
    if c.restore is not None and c.restore in _RESTORES:
        lines.append(_RESTORES[c.restore])
    lines.append(signature(isp))
    return "\n\n".join(lines)


def signature(isp: IspProfile) -> str:
    """The ISP's name and formatted CNPJ, as every collection message must carry them."""
    return f"{isp.name} · CNPJ {Document('cnpj', isp.cnpj).formatted}"


def month_name(reference_month: str) -> str:
    """ "2026-11" as "novembro de 2026"; anything else is returned unchanged."""
    year, _, month = reference_month.partition("-")
    if not (year.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
        return reference_month
    return f"{_MONTHS[int(month) - 1]} de {year}"


def first_name(name: str) -> str:
    """The first word of a person's name, capitalised ("MARIA DA SILVA" -> "Maria")."""
    words = name.split()
    return words[0].capitalize() if words else name


_OUTCOMES = {
    PaymentFit.EXACT: ". Sua fatura está quitada, muito obrigado!",
    PaymentFit.SHORT: (
        ". Muito obrigado! Ainda faltam {difference} para quitá-la; quando quiser, é só pedir"
        " aqui um novo Pix ou a segunda via do boleto."
    ),
    PaymentFit.EXCESS: (
        ". Sua fatura está quitada, muito obrigado! O valor recebido ficou {difference} acima"
        " do devido; nossa equipe vai conferir e falar com você sobre a devolução."
    ),
    PaymentFit.ALREADY_PAID: (
        ", que já estava paga. Nossa equipe vai conferir e falar com você sobre a devolução"
        " do valor."
    ),
    PaymentFit.CANCELLED: (
        ", que está cancelada. Nossa equipe vai conferir e falar com você sobre a devolução"
        " do valor."
    ),
}
_RESTORES = {
    ErpActionStatus.DONE: (
        "Sua internet já foi religada. Se ainda não voltou, desligue o roteador da tomada por"
        " alguns segundos e ligue de novo; se precisar, é só falar com a gente por aqui."
    ),
    ErpActionStatus.REQUESTED: "Já pedimos a religação da sua internet; ela volta em até 24 horas.",
}
