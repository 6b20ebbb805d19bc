"""Agreements for ledger tests: Maria's two overdue invoices renegotiated by a quoted offer."""

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from billing.agreements import create_agreement
from billing.models import AgreementInstallment, Invoice
from billing.renegotiation_facts import renegotiable_invoices, renegotiation_facts
from policies.renegotiation import Offer, find_offer, quote_options
from quita.db import session_scope
from quita.policy import Policy
from tests.billing.ledger_rows import TODAY, Ledger, seed_ledger

POLICY = Policy()
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
ACTOR = "agent"


def seed_two_overdue(engine: Engine, *, suspended: bool = False) -> Ledger:
    """Maria with INV-10 (38 days late on TODAY) and INV-11 (10 days late)."""
    return seed_ledger(engine, suspended=suspended, other_overdue=True)


def quote(engine: Engine, ledger: Ledger, offer_id: str, today: date = TODAY) -> Offer:
    with Session(engine) as session:
        facts = renegotiation_facts(session, ledger.customer_id, today, POLICY)
    offer = find_offer(quote_options(facts, POLICY.renegotiation, today, POLICY.calendar), offer_id)
    assert offer is not None, f"no offer {offer_id}"
    return offer


def accept(engine: Engine, ledger: Ledger, offer: Offer, key: str = "wamid.ACCEPT1") -> int:
    with session_scope(engine) as session:
        invoices = renegotiable_invoices(session, ledger.customer_id, TODAY, POLICY)
        created = create_agreement(
            session, ledger.customer_id, offer, invoices, key, ACTOR, now=NOW
        )
        return created.agreement_id


def installments(engine: Engine, agreement_id: int) -> list[AgreementInstallment]:
    with Session(engine) as session:
        query = (
            select(AgreementInstallment)
            .where(AgreementInstallment.agreement_id == agreement_id)
            .order_by(col(AgreementInstallment.number))
        )
        return list(session.exec(query).all())


def invoice_statuses(engine: Engine) -> dict[str, str]:
    with Session(engine) as session:
        return {i.external_id: i.status for i in session.exec(select(Invoice)).all()}


__all__ = ["NOW", "POLICY", "TODAY", "accept", "installments", "quote", "seed_two_overdue"]
