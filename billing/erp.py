"""Actions Quita requests of the ISP's ERP, and the embedded default that performs them on the
ledger itself."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sqlmodel import Session

from billing.audit import audit_row, record
from billing.models import Contract, ContractStatus, ErpAction, ErpActionStatus, utc_now

logger = logging.getLogger(__name__)

# Anatel RGC (Res. 765/2023): service restored within 1 day of the payment being known.
RESTORE_DEADLINE = timedelta(days=1)


class ErpActionKind(StrEnum):
    RESTORE = "restore"
    NOTICE = "notice"
    SUSPEND = "suspend"
    RESCIND = "rescind"
    LIST = "list"


@dataclass(frozen=True)
class ErpActionResult:
    """What became of a request; `deadline` is the legal limit for carrying it out."""

    action_id: int
    contract_id: int
    action: ErpActionKind
    status: ErpActionStatus
    requested_at: datetime
    deadline: datetime


class ErpActions(Protocol):
    """The ISP's ERP as Quita drives it. Calls run inside the caller's transaction and record
    an `erp_action` row; an adapter that works asynchronously leaves it "requested"."""

    def restore(
        self,
        session: Session,
        contract: Contract,
        *,
        reason: str,
        requested_at: datetime,
        details: dict[str, Any],
    ) -> ErpActionResult: ...


@dataclass(frozen=True)
class DunningRequest:
    """Why and when the cadence asks for an act: `on` is its São Paulo date, `details` go to
    the `erp_action` row (the cadence step, the bills concerned)."""

    reason: str
    requested_at: datetime
    on: date
    details: dict[str, Any]


class DunningActions(Protocol):
    """The cadence's requests of the ERP: record a suspension notice, suspend, rescind, and
    ask for a credit-bureau listing. Like `ErpActions`, each runs inside the caller's
    transaction and records an `erp_action` row."""

    def notice(
        self, session: Session, contract: Contract, request: DunningRequest
    ) -> ErpActionResult: ...

    def suspend(
        self, session: Session, contract: Contract, request: DunningRequest
    ) -> ErpActionResult: ...

    def rescind(
        self, session: Session, contract: Contract, request: DunningRequest
    ) -> ErpActionResult: ...

    def list_debt(
        self, session: Session, contract: Contract, request: DunningRequest
    ) -> ErpActionResult: ...


class EmbeddedErp:
    """No external ERP: the ledger is the ERP, so an action is done as soon as it is asked."""

    actor = "erp.embedded"

    def restore(
        self,
        session: Session,
        contract: Contract,
        *,
        reason: str,
        requested_at: datetime,
        details: dict[str, Any],
    ) -> ErpActionResult:
        """Mark a suspended contract active again and record the action as done.

        `requested_at` is when the payment became known; the Anatel deadline runs from it.
        """
        contract_id = _contract_id(contract)
        suspended_on = contract.suspended_on
        contract.status = ContractStatus.ACTIVE
        contract.suspended_on = None
        deadline = requested_at + RESTORE_DEADLINE
        row = ErpAction(
            contract_id=contract_id,
            action=ErpActionKind.RESTORE,
            reason=reason,
            status=ErpActionStatus.DONE,
            requested_at=requested_at,
            done_at=utc_now(),
            details={**details, "deadline": deadline.isoformat()},
        )
        session.add(row)
        session.flush()

        changes: dict[str, Any] = {
            "status": {"from": "suspended", "to": "active"},
            "erp_action_id": row.id,
        }
        if suspended_on is not None:
            changes["suspended_on"] = suspended_on.isoformat()
        record(
            session, [audit_row(self.actor, "contract.restored", "contract", contract_id, changes)]
        )
        logger.info(
            "contract restored", extra={"contract_id": contract_id, "erp_action_id": row.id}
        )
        return ErpActionResult(
            _action_id(row),
            contract_id,
            ErpActionKind.RESTORE,
            ErpActionStatus.DONE,
            requested_at,
            deadline,
        )

    def notice(
        self, session: Session, contract: Contract, request: DunningRequest
    ) -> ErpActionResult:
        """Record that the suspension notice went out (the ledger has nothing else to do)."""
        return self._record(session, contract, ErpActionKind.NOTICE, request)

    def suspend(
        self, session: Session, contract: Contract, request: DunningRequest
    ) -> ErpActionResult:
        """Mark an active contract suspended on `request.on`. Raises ValueError otherwise."""
        _require_status(contract, ContractStatus.ACTIVE, "suspend")
        contract.status, contract.suspended_on = ContractStatus.SUSPENDED, request.on
        session.add(contract)
        return self._record(session, contract, ErpActionKind.SUSPEND, request)

    def rescind(
        self, session: Session, contract: Contract, request: DunningRequest
    ) -> ErpActionResult:
        """Mark a suspended contract rescinded on `request.on`. Raises ValueError otherwise."""
        _require_status(contract, ContractStatus.SUSPENDED, "rescind")
        contract.status, contract.rescinded_on = ContractStatus.RESCINDED, request.on
        session.add(contract)
        return self._record(session, contract, ErpActionKind.RESCIND, request)

    def list_debt(
        self, session: Session, contract: Contract, request: DunningRequest
    ) -> ErpActionResult:
        """Ask for a credit-bureau listing. Limitation: the ledger cannot reach a bureau, so
        the action stays "requested" for staff (or a bureau integration) to carry out."""
        return self._record(
            session, contract, ErpActionKind.LIST, request, ErpActionStatus.REQUESTED
        )

    def _record(
        self,
        session: Session,
        contract: Contract,
        kind: ErpActionKind,
        request: DunningRequest,
        status: ErpActionStatus = ErpActionStatus.DONE,
    ) -> ErpActionResult:
        contract_id = _contract_id(contract)
        row = ErpAction(
            contract_id=contract_id,
            action=kind,
            reason=request.reason[:200],
            status=status,
            requested_at=request.requested_at,
            done_at=utc_now() if status == ErpActionStatus.DONE else None,
            details=request.details,
        )
        session.add(row)
        session.flush()
        changes = {"erp_action_id": row.id, "action": str(kind), "status": str(contract.status)}
        audit = audit_row(self.actor, f"contract.{kind}", "contract", contract_id, changes)
        record(session, [audit])
        logger.info(
            "ERP action %s: %s",
            kind,
            status,
            extra={"contract_id": contract_id, "erp_action_id": row.id},
        )
        at = request.requested_at
        return ErpActionResult(_action_id(row), contract_id, kind, status, at, at)


def _require_status(contract: Contract, status: ContractStatus, verb: str) -> None:
    if contract.status != status:
        raise ValueError(f"cannot {verb} contract {contract.id}: it is {contract.status}")


def _contract_id(contract: Contract) -> int:
    if contract.id is None:
        raise ValueError("the contract has no id: flush it before requesting an ERP action")
    return contract.id


def _action_id(row: ErpAction) -> int:
    if row.id is None:
        raise RuntimeError("a stored ERP action has no id")
    return row.id
