"""Tables of the dunning scheduler: the cadence log (each step of each bill, written once), the
debtors' segments with their reasons and staff pins, and staff holds on a debtor's cadence."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from billing.models import utc_now
from quita.sqltypes import UTCDateTime


class StepStatus(StrEnum):
    """planned (waits for `send_at`) → sent (message queued, action done) or done (action
    done, no message); or skipped (decided not to act, for good: opt-out, weekly cap, already
    done); or withdrawn (stopped before it went out: paid, paused); or failed."""

    PLANNED = "planned"
    SENT = "sent"
    DONE = "done"
    SKIPPED = "skipped"
    WITHDRAWN = "withdrawn"
    FAILED = "failed"


UNDELIVERED_NOTICE = "action = 'notice' AND delivered_at IS NULL"
# Steps that count against the weekly cap and block the step from being planned again.
LIVE_STATUSES = (StepStatus.PLANNED, StepStatus.SENT, StepStatus.DONE)


def _ref(target: str, *, nullable: bool = True) -> Column[int]:
    return Column(Integer, ForeignKey(target), nullable=nullable)


class CadenceStep(SQLModel, table=True):
    """One step of the régua for one open bill: an invoice or an agreement installment
    (exactly one of `invoice_id` and `installment_id` is set).

    A step is written once: (bill, step, revision) is unique and live rows have revision 0.
    A step withdrawn before it went out (the bill was paid, a promise paused the debtor)
    gets its own id as revision, which keeps its history and lets the step be planned again
    should the bill be dunned again. `send_at` is the first moment inside the debtor's
    contact hours; `delivered_at` is when the message reached the phone (suspension notices,
    whose delivery starts the Anatel clock).
    """

    __tablename__ = "cadence_step"
    __table_args__ = (
        UniqueConstraint("invoice_id", "step", "revision", name="uq_cadence_step_invoice"),
        UniqueConstraint("installment_id", "step", "revision", name="uq_cadence_step_installment"),
        Index("ix_cadence_step_status_send_at", "status", "send_at"),
        Index("ix_cadence_step_planned_on", "planned_on"),
        # Notices waiting for their delivery status (a few), read at every tick.
        Index(
            "ix_cadence_step_undelivered_notice",
            "planned_on",
            postgresql_where=text(UNDELIVERED_NOTICE),
            sqlite_where=text(UNDELIVERED_NOTICE),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    # No foreign keys on the bill, debtor and contract columns: the planner copies them from
    # the rows it reads in the same statement, and checking each one again row by row
    # doubled the time of planning a million bills.
    invoice_id: int | None = None
    installment_id: int | None = None
    customer_id: int
    contract_id: int | None = None
    step: str = Field(sa_type=String(40))
    revision: int = 0
    segment: str = Field(sa_type=String(32))
    tone: str = Field(sa_type=String(16))
    channel: str = Field(sa_type=String(16))
    purpose: str = Field(sa_type=String(32))
    action: str | None = Field(default=None, sa_type=String(16))
    mandatory: bool = False
    planned_on: date
    send_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=StepStatus.PLANNED, sa_type=String(16))
    reason: str | None = Field(default=None, sa_type=String(64))
    outbox_message_id: int | None = Field(default=None, sa_column=_ref("outbox_message.id"))
    erp_action_id: int | None = Field(default=None, sa_column=_ref("erp_action.id"))
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)
    executed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CustomerSegment(SQLModel, table=True):
    """A debtor's segment as the rules computed it on `computed_on`, with the rule and the
    facts that chose it (policies.segments.reason_text turns them into a sentence); staff may
    pin another one, which wins until unpinned."""

    __tablename__ = "customer_segment"

    customer_id: int = Field(sa_column=Column(Integer, ForeignKey("customer.id"), primary_key=True))
    segment: str = Field(sa_type=String(32))
    rule: str = Field(sa_type=String(32))
    tenure_days: int = 0
    billed_12m: int = 0
    late_12m: int = 0
    paid_late_12m: int = 0
    avg_days_late: float = Field(default=0.0, sa_type=Float)
    max_open_days_late: int = 0
    broken_agreements_12m: int = 0
    computed_on: date
    pinned_segment: str | None = Field(default=None, sa_type=String(32))
    pinned_by: str | None = Field(default=None, sa_type=String(128))
    pinned_reason: str | None = Field(default=None, sa_type=Text)
    pinned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CadenceHold(SQLModel, table=True):
    """Staff paused a debtor's cadence until `until` (São Paulo date, inclusive; None: until
    released)."""

    __tablename__ = "cadence_hold"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customer.id"), nullable=False, index=True)
    )
    reason: str = Field(sa_type=Text)
    held_by: str = Field(sa_type=String(128))
    until: date | None = None
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, nullable=False)
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    released_by: str | None = Field(default=None, sa_type=String(128))
