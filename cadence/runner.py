"""One run of the cadence: plan the day (set-based), then carry out what is due; or, dry, plan
inside a transaction that is rolled back. And the day's steps as `quita cadence run` shows
them."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session

from billing.erp import DunningActions, EmbeddedErp
from billing.models import AgreementInstallment, Customer, Invoice
from cadence.candidates import STEPS
from cadence.dispatch import DispatchResult, DispatchSettings, dispatch_due
from cadence.planner import PlanResult, PlanSettings, plan_day
from policies.contact_hours import zone_for
from quita.clock import BUSINESS_TZ
from quita.db import session_scope
from quita.policy import Policy

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepView:
    """A step as the CLI shows it; `invoice` is the invoice's external id, or None for an
    agreement installment (then `installment` reads "agreement/number")."""

    customer: str
    invoice: str | None
    installment: str | None
    step: str
    channel: str
    send_at: datetime
    action: str | None
    status: str
    reason: str | None
    segment: str
    tone: str

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "customer": self.customer,
            "invoice": self.invoice,
            "step": self.step,
            "channel": self.channel,
            "send_at": self.send_at.isoformat(),
            "action": self.action,
            "status": self.status,
            "reason": self.reason,
            "segment": self.segment,
            "tone": self.tone,
        }
        if self.installment is not None:
            data["installment"] = self.installment
        return data


@dataclass(frozen=True)
class CadenceRun:
    day: date
    plan: PlanResult | None
    dispatch: DispatchResult | None
    steps: Sequence[StepView]


def run_cadence(
    engine: Engine,
    policy: Policy,
    *,
    now: datetime,
    mandatory_purposes: frozenset[str] = frozenset(),
    erp: DunningActions | None = None,
    dry_run: bool = False,
    plan: bool = True,
    dispatch: bool = True,
) -> CadenceRun:
    """Plan the São Paulo day of `now` (unless not `plan`) and, unless `dry_run` (or not
    `dispatch`), carry out every step due by `now`. A dry run writes nothing: it plans in a
    transaction it rolls back, and returns the steps it would have written."""
    today = now.astimezone(BUSINESS_TZ).date()
    settings = PlanSettings(
        today,
        now,
        policy.cadence,
        policy.calendar,
        policy.calendar.extra_holidays,
        mandatory_purposes,
    )
    if dry_run:
        return _dry_run(engine, settings)
    planned = None
    if plan:
        with session_scope(engine) as session:
            planned = plan_day(session, settings)
    done = None
    if dispatch:
        dispatch_settings = DispatchSettings(now, policy, mandatory_purposes, erp or EmbeddedErp())
        done = dispatch_due(engine, dispatch_settings)
    with Session(engine) as session:
        steps = steps_of_day(session, today)
    return CadenceRun(today, planned, done, steps)


def steps_of_day(session: Session, day: date) -> list[StepView]:
    """The day's steps (planned that day, not withdrawn), by send time."""
    s = STEPS.c
    i = Invoice.__table__.c  # type: ignore[attr-defined]
    c = Customer.__table__.c  # type: ignore[attr-defined]
    ai = AgreementInstallment.__table__.c  # type: ignore[attr-defined]
    query = (
        select(
            c.external_id.label("customer"),
            c.state,
            i.external_id.label("invoice"),
            ai.agreement_id,
            ai.number,
            *(s[name] for name in ("step", "channel", "send_at", "action", "status")),
            *(s[name] for name in ("reason", "segment", "tone")),
        )
        .select_from(
            Customer.__table__.join(STEPS, s.customer_id == c.id)  # type: ignore[attr-defined]
            .outerjoin(Invoice.__table__, i.id == s.invoice_id)  # type: ignore[attr-defined]
            .outerjoin(AgreementInstallment.__table__, ai.id == s.installment_id)  # type: ignore[attr-defined]
        )
        .where(s.planned_on == day, s.revision == 0)
        .order_by(s.send_at, s.id)
    )
    return [_view(row) for row in session.execute(query).mappings()]


def _view(row: Any) -> StepView:
    installment = None
    if row["agreement_id"] is not None:
        installment = f"{row['agreement_id']}/{row['number']}"
    send_at = row["send_at"]
    if send_at.tzinfo is None:
        send_at = send_at.replace(tzinfo=UTC)
    return StepView(
        customer=row["customer"],
        invoice=row["invoice"],
        installment=installment,
        step=row["step"],
        channel=row["channel"],
        send_at=send_at.astimezone(zone_for(row["state"])),
        action=row["action"],
        status=row["status"],
        reason=row["reason"],
        segment=row["segment"],
        tone=row["tone"],
    )


def _dry_run(engine: Engine, settings: PlanSettings) -> CadenceRun:
    with Session(engine) as session:
        try:
            planned = plan_day(session, settings)
            steps = steps_of_day(session, settings.today)
        finally:
            session.rollback()
    logger.info("cadence dry run: nothing written", extra={"day": settings.today.isoformat()})
    return CadenceRun(settings.today, planned, None, steps)
