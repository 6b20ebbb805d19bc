"""Finding the customer behind a WhatsApp number or a CPF/CNPJ."""

from sqlmodel import Session, col, select

from billing.documents import parse_document
from billing.errors import InvalidValue
from billing.models import Customer
from billing.phones import brazilian_variants, e164_from_wa_id


def customers_by_wa_id(session: Session, wa_id: str) -> list[Customer]:
    """Customers whose phone is this WhatsApp user's number, in any Brazilian form.

    The exact form is tried first: the other form may belong to someone else.
    """
    variants = brazilian_variants(e164_from_wa_id(wa_id))
    for variant in variants:
        found = session.exec(
            select(Customer).where(col(Customer.phone) == variant).order_by(col(Customer.id))
        ).all()
        if found:
            return list(found)
    return []


def customer_by_document(session: Session, raw: str) -> Customer | None:
    """The customer with this CPF/CNPJ (any punctuation), or None; None for an invalid one."""
    try:
        document = parse_document(raw)
    except InvalidValue:
        return None
    return session.exec(select(Customer).where(col(Customer.document) == document.value)).first()
