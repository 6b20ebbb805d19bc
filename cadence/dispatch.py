"""Carrying out due steps: at `send_at`, inside the debtor's contact hours, queue the step's
message in the outbox (so it lands in the debtor's WhatsApp thread, where the agent reads it)
and request its action of the ERP, only when the law allows it.

Each step is claimed by a conditional UPDATE (planned → ours) inside the transaction that
queues its message and records its action, so any number of dispatchers share the work and a
step is carried out once: the outbox's idempotency key (one per step) and the contract's
status guard the rest.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, update
from sqlmodel import Session, col, select

from billing.disputes import dispute_intervals
from billing.erp import DunningActions, DunningRequest, EmbeddedErp, ErpActionResult
from billing.errors import InvalidValue
from billing.models import (
    AgreementInstallment,
    Contract,
    ContractStatus,
    Customer,
    ErpAction,
    Invoice,
)
from billing.outbox import queue_message
from billing.phones import brazilian_variants, wa_id_of
from cadence.candidates import STEPS
from cadence.messages import Bill, compose, installment_bill, invoice_bill
from cadence.models import CadenceStep, StepStatus
from cadence.planner import message_key, refresh_deliveries
from cadence.stops import withdraw_stopped
from conversations.models import Thread
from policies.anatel import check_rescission, check_suspension
from policies.cadence import Action, Channel, Step
from policies.calendar import BusinessCalendar
from policies.contact_hours import contact_calendar, is_allowed, next_allowed
from quita.clock import BUSINESS_TZ
from quita.db import session_scope
from quita.policy import Policy

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# Acts that go ahead even when their message cannot reach the debtor (the notice before
# them was delivered, or the law needs no message): only the notice itself needs delivery.
SILENT_ACTIONS = frozenset({Action.SUSPEND, Action.RESCIND, Action.LIST})


@dataclass(frozen=True)
class DispatchSettings:
    """`now` is aware; `mandatory_purposes` reach a debtor who opted out on WhatsApp."""

    now: datetime
    policy: Policy
    mandatory_purposes: frozenset[str] = frozenset()
    erp: DunningActions = field(default_factory=EmbeddedErp)

    @property
    def today(self) -> date:
        return self.now.astimezone(BUSINESS_TZ).date()


@dataclass
class DispatchResult:
    """How many steps ended in each outcome this round (StepStatus values, plus
    "rescheduled" for steps moved to the next contact window)."""

    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def sent(self) -> int:
        return self.outcomes[StepStatus.SENT]


def dispatch_due(engine: Engine, settings: DispatchSettings) -> DispatchResult:
    """Carry out every step due by `settings.now`, in batches, until none is left."""
    result = DispatchResult()
    with session_scope(engine) as session:
        refresh_deliveries(session, settings.today)
        result.outcomes[StepStatus.WITHDRAWN.value] += withdraw_stopped(
            session, settings.today, settings.now
        )
    executor = _Executor(settings)
    seen: set[int] = set()
    while True:
        ids = [i for i in _due_ids(engine, settings.now) if i not in seen]
        if not ids:
            return result
        seen.update(ids)
        for outcome in _run_batch(engine, executor, ids):
            result.outcomes[outcome] += 1


def _due_ids(engine: Engine, now: datetime) -> list[int]:
    query = (
        select(STEPS.c.id)
        .where(STEPS.c.status == StepStatus.PLANNED, STEPS.c.send_at <= now)
        .order_by(STEPS.c.send_at, STEPS.c.id)
        .limit(BATCH_SIZE)
    )
    with engine.connect() as connection:
        return [int(row) for row in connection.execute(query).scalars()]


def _run_batch(engine: Engine, executor: "_Executor", ids: list[int]) -> list[str]:
    """All steps in one transaction; if one fails, each again in its own, so one bad step
    (recorded as failed) does not hold the others back."""
    try:
        with session_scope(engine) as session:
            return [executor.run(session, step_id) for step_id in ids]
    except Exception:
        logger.exception("cadence batch failed; retrying its %d steps one by one", len(ids))
    outcomes = []
    for step_id in ids:
        try:
            with session_scope(engine) as session:
                outcomes.append(executor.run(session, step_id))
        except Exception as error:
            logger.exception("cadence step %s failed", step_id, extra={"cadence_step_id": step_id})
            with session_scope(engine) as session:
                _mark(session, step_id, StepStatus.FAILED, type(error).__name__[:64], executor.now)
            outcomes.append(StepStatus.FAILED)
    return outcomes


class _Executor:
    """Carries out one claimed step; holds what every step needs."""

    def __init__(self, settings: DispatchSettings) -> None:
        self.settings = settings
        self.policy = settings.policy
        self.now = settings.now
        self.today = settings.today
        self._calendars: dict[str, BusinessCalendar] = {}

    def run(self, session: Session, step_id: int) -> str:
        if not _claim(session, step_id, self.now):
            return "taken"
        step = session.get_one(CadenceStep, step_id, populate_existing=True)
        customer = session.get_one(Customer, step.customer_id)
        spec = self.policy.cadence.step_named(step.step)
        if spec is None:
            return _finish(session, step, StepStatus.SKIPPED, "step_removed", self.now)
        moved = self._outside_hours(session, step, customer)
        if moved:
            return "rescheduled"
        bill = self._bill(session, step)
        if bill is None or bill.amount <= 0:
            return _finish(session, step, StepStatus.SKIPPED, "nothing_owed", self.now)
        refusal = self._legal_refusal(session, step, spec)
        if refusal is not None:
            return refusal
        return self._carry_out(session, step, spec, customer, bill)

    def _carry_out(
        self, session: Session, step: CadenceStep, spec: Step, customer: Customer, bill: Bill
    ) -> str:
        blocked = self._message_blocked(session, step, spec, customer)
        if blocked and spec.action not in SILENT_ACTIONS:
            return _finish(session, step, StepStatus.SKIPPED, blocked, self.now)
        if not blocked:
            composed = compose(step, spec, customer, bill, self.today, self.policy)
            step.outbox_message_id = queue_message(
                session,
                customer_id=customer.id,
                to=customer.phone,
                purpose=step.purpose,
                body=composed.body,
                idempotency_key=message_key(_id(step.id)),
                payload=composed.payload,
            )
        if spec.action is not None:
            action = self._act(session, step, spec)
            step.erp_action_id = None if action is None else action.action_id
        status = StepStatus.DONE if blocked else StepStatus.SENT
        logger.info(
            "cadence step %s: %s",
            step.step,
            status,
            extra={"cadence_step_id": step.id, "customer_id": step.customer_id},
        )
        return _finish(session, step, status, blocked, self.now)

    def _outside_hours(self, session: Session, step: CadenceStep, customer: Customer) -> bool:
        """Move the step to the next allowed moment when now is outside the debtor's hours."""
        rules = self.policy.cadence
        hours, calendar = rules.hours_for(customer.state), self._calendar(customer.state)
        if is_allowed(self.now, customer.state, hours, calendar, rules.margin):
            return False
        step.send_at = next_allowed(self.now, customer.state, hours, calendar, rules.margin)
        step.executed_at = None
        session.add(step)
        return True

    def _bill(self, session: Session, step: CadenceStep) -> Bill | None:
        if step.invoice_id is not None:
            invoice = session.get_one(Invoice, step.invoice_id)
            return invoice_bill(session, invoice, self.today, self.policy)
        if step.installment_id is not None:
            installment = session.get_one(AgreementInstallment, step.installment_id)
            return installment_bill(session, installment)
        return None

    def _legal_refusal(self, session: Session, step: CadenceStep, spec: Step) -> str | None:
        """Why the step's action may not happen today (the step is skipped or withdrawn),
        or None."""
        if spec.action is None:
            return None
        contract = _contract(session, step)
        if contract is None:
            return _finish(session, step, StepStatus.SKIPPED, "no_contract", self.now)
        needed = {
            Action.NOTICE: ContractStatus.ACTIVE,
            Action.SUSPEND: ContractStatus.ACTIVE,
            Action.RESCIND: ContractStatus.SUSPENDED,
            Action.LIST: ContractStatus.RESCINDED,
        }[spec.action]
        if contract.status != needed:
            return _finish(
                session, step, StepStatus.SKIPPED, f"contract_{contract.status}", self.now
            )
        if spec.action == Action.LIST and _listed(session, contract):
            return _finish(session, step, StepStatus.SKIPPED, "already_listed", self.now)
        clock = self._clock(session, step, spec, contract)
        if clock is not None:
            return _withdraw(session, step, clock, self.now)
        return None

    def _clock(
        self, session: Session, step: CadenceStep, spec: Step, contract: Contract
    ) -> str | None:
        """The Anatel clock check for a suspension or rescission, against every dispute."""
        anatel = self.policy.cadence.anatel
        disputes = dispute_intervals(session, step.customer_id)
        if spec.action == Action.SUSPEND:
            check = check_suspension(
                _notice_delivered_on(session, step), self.today, anatel, disputes
            )
        elif spec.action == Action.RESCIND:
            check = check_rescission(contract.suspended_on, self.today, anatel, disputes)
        else:
            return None
        return None if check.allowed else "law_not_yet"

    def _message_blocked(
        self, session: Session, step: CadenceStep, spec: Step, customer: Customer
    ) -> str | None:
        """Why the message cannot go (opt-out, channel), or None."""
        if Channel(step.channel) != Channel.WHATSAPP:
            return "channel_unavailable"
        mandatory_ok = spec.mandatory and step.purpose in self.settings.mandatory_purposes
        if _opted_out(session, customer) and not mandatory_ok:
            return "opted_out"
        return None

    def _act(self, session: Session, step: CadenceStep, spec: Step) -> ErpActionResult | None:
        contract = _contract(session, step)
        if contract is None or spec.action is None:
            return None
        request = DunningRequest(
            reason=f"cadence step {step.step}",
            requested_at=self.now,
            on=self.today,
            details={"cadence_step_id": step.id, "invoice_id": step.invoice_id},
        )
        erp = self.settings.erp
        perform = {
            Action.NOTICE: erp.notice,
            Action.SUSPEND: erp.suspend,
            Action.RESCIND: erp.rescind,
            Action.LIST: erp.list_debt,
        }[spec.action]
        return perform(session, contract, request)

    def _calendar(self, state: str | None) -> BusinessCalendar:
        key = (state or "").upper()
        if key not in self._calendars:
            extra = self.policy.calendar.extra_holidays
            self._calendars[key] = contact_calendar(key, extra)
        return self._calendars[key]


def _claim(session: Session, step_id: int, now: datetime) -> bool:
    """Take the step if it is still planned; a concurrent dispatcher waits for our commit
    and then finds it taken."""
    result = session.execute(
        update(STEPS)
        .where(STEPS.c.id == step_id, STEPS.c.status == StepStatus.PLANNED, STEPS.c.revision == 0)
        .values(executed_at=now)
    )
    return bool(cast(CursorResult[Any], result).rowcount)


def _finish(
    session: Session, step: CadenceStep, status: StepStatus, reason: str | None, now: datetime
) -> str:
    step.status, step.reason, step.executed_at = status, reason, now
    session.add(step)
    session.flush()
    return status.value


def _withdraw(session: Session, step: CadenceStep, reason: str, now: datetime) -> str:
    # A new revision frees the step's key: it is planned again once the clock allows it.
    step.revision = _id(step.id)
    return _finish(session, step, StepStatus.WITHDRAWN, reason, now)


def _mark(session: Session, step_id: int, status: StepStatus, reason: str, now: datetime) -> None:
    step = session.get(CadenceStep, step_id)
    if step is not None and step.status == StepStatus.PLANNED:
        _finish(session, step, status, reason, now)


def _contract(session: Session, step: CadenceStep) -> Contract | None:
    if step.contract_id is None:
        return None
    return session.get(Contract, step.contract_id, with_for_update=True, populate_existing=True)


def _notice_delivered_on(session: Session, step: CadenceStep) -> date | None:
    delivered = session.exec(
        select(col(CadenceStep.delivered_at))
        .where(
            col(CadenceStep.invoice_id) == step.invoice_id,
            col(CadenceStep.action) == Action.NOTICE,
            col(CadenceStep.revision) == 0,
            col(CadenceStep.delivered_at).is_not(None),
        )
        .order_by(col(CadenceStep.delivered_at))
    ).first()
    return None if delivered is None else delivered.astimezone(BUSINESS_TZ).date()


def _listed(session: Session, contract: Contract) -> bool:
    query = select(col(ErpAction.id)).where(
        col(ErpAction.contract_id) == contract.id, col(ErpAction.action) == Action.LIST
    )
    return session.exec(query).first() is not None


def _opted_out(session: Session, customer: Customer) -> bool:
    query = select(col(Thread.id)).where(
        col(Thread.opted_out_at).is_not(None),
        (col(Thread.customer_id) == customer.id) | col(Thread.wa_id).in_(_wa_ids(customer.phone)),
    )
    return session.exec(query).first() is not None


def _wa_ids(phone: str) -> Iterable[str]:
    try:
        return [wa_id_of(form) for form in brazilian_variants(phone)]
    except InvalidValue:
        return []


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("a stored row has no id")
    return value
