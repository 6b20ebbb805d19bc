"""Trust unblocks on the ledger: the facts the rule reads, granting one (the ERP restores the
contract) once per message, and finding those that ran out with the debt still unpaid."""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from billing.agreements import last_broken_agreement_on
from billing.audit import audit_row, record
from billing.erp import EmbeddedErp, ErpActionResult, ErpActions
from billing.installments import has_overdue_installment
from billing.models import (
    Contract,
    ContractStatus,
    Invoice,
    InvoiceStatus,
    TrustUnblock,
    utc_now,
)
from billing.records import insert_or_get
from policies.calendar import BusinessCalendar
from policies.trust_unblock import TrustUnblockFacts
from quita.clock import BUSINESS_TZ

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrustUnblockGrant:
    """The stored unblock, whether this call made it, and the restore it requested (None
    when repeated, or when the contract was no longer suspended)."""

    unblock: TrustUnblock
    created: bool
    restore: ErpActionResult | None


def trust_unblock_facts(
    session: Session, contract: Contract, today: date, calendar: BusinessCalendar
) -> TrustUnblockFacts:
    """The contract's status, whether something overdue explains its suspension, and the
    customer's last trust unblock and last broken agreement (São Paulo dates).

    Limitation: `in_rescission` is true only once the contract is rescinded; a rescission
    scheduled in the ERP but not yet carried out is not known to the ledger.
    """
    last_unblock = session.exec(
        select(func.max(TrustUnblock.granted_at)).where(
            TrustUnblock.customer_id == contract.customer_id
        )
    ).one()
    broken = last_broken_agreement_on(session, contract.customer_id)
    return TrustUnblockFacts(
        contract_status=contract.status,
        overdue_debt=has_overdue_debt(session, contract, today, calendar),
        in_rescission=contract.status == ContractStatus.RESCINDED,
        last_unblock_on=_local_date(last_unblock),
        last_broken_agreement_on=_local_date(broken),
    )


def grant_trust_unblock(
    session: Session,
    contract: Contract,
    until: date,
    idempotency_key: str,
    *,
    erp: ErpActions | None = None,
    actor: str = "agent",
    now: datetime | None = None,
) -> TrustUnblockGrant:
    """Record a trust unblock of `contract` until `until` (inclusive) once per
    `idempotency_key`, and have the ERP restore the suspended contract (embedded by default).
    Audited as "trust_unblock.granted"; the restore audits itself."""
    now = now or utc_now()
    row = TrustUnblock(
        contract_id=_contract_id(contract),
        customer_id=contract.customer_id,
        granted_at=now,
        until=until,
        idempotency_key=idempotency_key,
    )
    unblock, created = insert_or_get(session, row)
    if not created:
        return TrustUnblockGrant(unblock, False, None)
    restore = _restore(session, contract, unblock, erp or EmbeddedErp(), now)
    details = {"contract_id": unblock.contract_id, "until": until.isoformat()}
    record(
        session,
        [audit_row(actor, "trust_unblock.granted", "trust_unblock", _id(unblock), details, now)],
    )
    logger.info(
        "trust unblock granted",
        extra={"contract_id": unblock.contract_id, "trust_unblock_id": unblock.id},
    )
    return TrustUnblockGrant(unblock, True, restore)


def expired_trust_unblocks(
    session: Session, today: date, calendar: BusinessCalendar
) -> list[TrustUnblock]:
    """Unblocks whose period ended before `today` on contracts still active with something
    overdue: the cadence suspends those again (each contract's latest unblock only)."""
    latest = (
        select(TrustUnblock.contract_id, func.max(TrustUnblock.id).label("last_id"))
        .group_by(col(TrustUnblock.contract_id))
        .subquery()
    )
    candidates = session.exec(
        select(TrustUnblock)
        .join(latest, col(TrustUnblock.id) == latest.c.last_id)
        .where(col(TrustUnblock.until) < today)
    ).all()
    expired = []
    for unblock in candidates:
        contract = session.get(Contract, unblock.contract_id)
        if contract is None or contract.status != ContractStatus.ACTIVE:
            continue
        if has_overdue_debt(session, contract, today, calendar):
            expired.append(unblock)
    return expired


def has_overdue_debt(
    session: Session, contract: Contract, today: date, calendar: BusinessCalendar
) -> bool:
    """Whether the contract has an open invoice past its (business-day) due date, or an
    overdue installment of an agreement that replaced its invoices."""
    contract_id = _contract_id(contract)
    dues = session.exec(
        select(col(Invoice.due_date)).where(
            Invoice.contract_id == contract_id, Invoice.status == InvoiceStatus.OPEN
        )
    ).all()
    if any(calendar.next_business_day_on_or_after(due) < today for due in dues):
        return True
    return has_overdue_installment(session, contract_id, today)


def _restore(
    session: Session, contract: Contract, unblock: TrustUnblock, erp: ErpActions, now: datetime
) -> ErpActionResult | None:
    fresh = session.get(
        Contract, _contract_id(contract), with_for_update=True, populate_existing=True
    )
    if fresh is None or fresh.status != ContractStatus.SUSPENDED:
        return None
    result = erp.restore(
        session,
        fresh,
        reason=f"trust unblock until {unblock.until.isoformat()}",
        requested_at=now,
        details={"trust_unblock_id": unblock.id, "until": unblock.until.isoformat()},
    )
    unblock.erp_action_id = result.action_id
    session.add(unblock)
    session.flush()
    return result


def _local_date(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(BUSINESS_TZ).date()


def _contract_id(contract: Contract) -> int:
    if contract.id is None:
        raise ValueError("the contract has no id: flush it before a trust unblock")
    return contract.id


def _id(row: TrustUnblock) -> int:
    if row.id is None:
        raise RuntimeError("a stored trust unblock has no id")
    return row.id
