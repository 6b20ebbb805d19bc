"""Actions Quita requests of the ISP's ERP, and the embedded default that performs them on the
ledger itself."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
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


def _contract_id(contract: Contract) -> int:
    if contract.id is None:
        raise ValueError("the contract has no id: flush it before requesting an ERP action")
    return contract.id


def _action_id(row: ErpAction) -> int:
    if row.id is None:
        raise RuntimeError("a stored ERP action has no id")
    return row.id
