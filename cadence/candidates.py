"""The day's candidate steps as SELECTs over the whole ledger: one row per open bill whose
step is due, none per bill that is paid, paused or already has that step.

Three sources, each yielding (invoice_id, installment_id, customer_id, contract_id, segment,
step): the due-date chain of invoices (only the latest step due), the legal chain anchored on
a delivered notice, a suspension or a rescission (on the contract's oldest open invoice), and
the due-date chain of agreement installments.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.sql.elements import ColumnElement

from billing.models import (
    Agreement,
    AgreementInstallment,
    AgreementStatus,
    Contract,
    ContractStatus,
    Customer,
    InstallmentStatus,
    Invoice,
    InvoiceStatus,
)
from cadence.models import CadenceStep
from cadence.pausing import DISPUTES, exists_in, not_paused
from cadence.segments import SEGMENTS, effective_segment
from cadence.sqlfn import day
from policies.cadence import Anchor, CadenceRules, Step, Subject, due_threshold
from policies.calendar import BusinessCalendar
from policies.segments import ALL_SEGMENTS
from quita.clock import start_of_day

INV: Table = Invoice.__table__  # type: ignore[attr-defined]
CUST: Table = Customer.__table__  # type: ignore[attr-defined]
CON: Table = Contract.__table__  # type: ignore[attr-defined]
STEPS: Table = CadenceStep.__table__  # type: ignore[attr-defined]
INSTALLMENTS: Table = AgreementInstallment.__table__  # type: ignore[attr-defined]
AGREEMENTS: Table = Agreement.__table__  # type: ignore[attr-defined]
COLUMNS = ("invoice_id", "installment_id", "customer_id", "contract_id", "segment", "step")
# The contract status a legal-chain step needs: a notice-anchored step (the suspension)
# applies to a service still active, and so on.
ANCHOR_STATUS = {
    Anchor.NOTICE: ContractStatus.ACTIVE,
    Anchor.SUSPENSION: ContractStatus.SUSPENDED,
    Anchor.RESCISSION: ContractStatus.RESCINDED,
}


@dataclass(frozen=True)
class Day:
    """What the candidate queries need to know about the day planned."""

    today: date
    rules: CadenceRules
    calendar: BusinessCalendar
    # Invoice ids per legal-chain step whose clock a past dispute pushed back but which is
    # due anyway (see cadence.planner); other debtors with disputes wait for that check.
    cleared: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def threshold(self, days: int) -> date:
        return due_threshold(days, self.today, self.calendar)


def sources(plan: Day) -> list[Select[Any]]:
    """Every candidate SELECT of the day (possibly none), with the COLUMNS in order."""
    selects: list[Select[Any]] = []
    chain = plan.rules.steps_for(Subject.INVOICE, Anchor.DUE)
    if chain:
        selects += _due_chain(plan, chain)
    for anchor in (Anchor.NOTICE, Anchor.SUSPENSION, Anchor.RESCISSION):
        for step in plan.rules.steps_for(Subject.INVOICE, anchor):
            selects.append(legal_step(plan, step, anchor, cleared_only=False))
    installment_chain = plan.rules.steps_for(Subject.INSTALLMENT, Anchor.DUE)
    if installment_chain:
        selects.append(_installment_chain(plan, installment_chain))
    return selects


def legal_step(plan: Day, step: Step, anchor: Anchor, *, cleared_only: bool) -> Select[Any]:
    """Open invoices whose legal-chain `step` is due. With `cleared_only` False: those of
    debtors who never disputed, plus the cleared ones; with True: only debtors who did (for
    the dispute check), with the anchor date as an extra `anchor_on` column."""
    older = INV.alias("older")
    oldest_open = ~exists_in(
        older,
        older.c.contract_id == INV.c.contract_id,
        older.c.status == InvoiceStatus.OPEN,
        older.c.id < INV.c.id,
    )
    anchored, anchor_on = _anchor(plan, step, anchor)
    disputed = exists(select(literal(1)).where(DISPUTES.c.customer_id == INV.c.customer_id))
    cleared = plan.cleared.get(step.name, frozenset())
    dispute_rule = disputed if cleared_only else or_(~disputed, INV.c.id.in_(sorted(cleared)))
    conditions = [
        INV.c.status == InvoiceStatus.OPEN,
        CON.c.status == ANCHOR_STATUS[anchor],
        anchored,
        _in_segments(step),
        not_paused(INV.c.customer_id, plan.today, agreement=True),
        ~_written(STEPS.c.invoice_id == INV.c.id, step.name),
        dispute_rule,
    ]
    if anchor != Anchor.NOTICE:
        # Once per contract and per suspension or rescission, whichever bill carried it.
        since = CON.c.suspended_on if anchor == Anchor.SUSPENSION else CON.c.rescinded_on
        done_for_contract = exists_in(
            STEPS,
            STEPS.c.contract_id == INV.c.contract_id,
            STEPS.c.step == step.name,
            STEPS.c.revision == 0,
            STEPS.c.planned_on >= since,
        )
        conditions += [oldest_open, ~done_for_contract]
    extra = [anchor_on.label("anchor_on")] if cleared_only else []
    return (
        select(*_invoice_columns(literal(step.name)), *extra)
        .select_from(_invoice_join().join(CON, CON.c.id == INV.c.contract_id))
        .where(*conditions)
    )


def _due_chain(plan: Day, chain: Iterable[Step]) -> list[Select[Any]]:
    """Each open invoice's latest due-date step, if due and not written yet: reminders in
    one SELECT, the suspension notice (legal: one per contract, for its oldest open bill, and
    only while no open bill of the contract has one) in another."""
    latest_first = sorted(chain, key=lambda s: -s.days)
    chosen = case(
        *(
            (and_(_in_segments(s), INV.c.due_date <= day(plan.threshold(s.days))), literal(s.name))
            for s in latest_first
        ),
        else_=null(),
    )
    age = func.row_number().over(
        partition_by=INV.c.contract_id, order_by=(INV.c.due_date, INV.c.id)
    )
    earliest = max(plan.threshold(s.days) for s in latest_first)
    inner = (
        select(
            *_invoice_columns(chosen),
            INV.c.due_date,
            CON.c.status.label("contract_status"),
            age.label("age"),
        )
        .select_from(_invoice_join().outerjoin(CON, CON.c.id == INV.c.contract_id))
        .where(
            INV.c.status == InvoiceStatus.OPEN,
            INV.c.due_date <= day(earliest),
            not_paused(INV.c.customer_id, plan.today, agreement=True),
        )
        .cte("due_chain")
    )
    not_written = ~_written(STEPS.c.invoice_id == inner.c.invoice_id, inner.c.step)
    selects = []
    reminders = [s for s in latest_first if s.action is None]
    if reminders:
        fresh = [and_(inner.c.step == s.name, _fresh(plan, s, inner)) for s in reminders]
        selects.append(_columns_of(inner).where(or_(*fresh), not_written))
    notices = sorted(s.name for s in latest_first if s.action is not None)
    if notices:
        selects.append(
            _columns_of(inner).where(
                inner.c.step.in_(notices),
                inner.c.contract_status == ContractStatus.ACTIVE,
                inner.c.age == 1,
                ~_noticed(inner.c.contract_id),
                not_written,
            )
        )
    return selects


def _installment_chain(plan: Day, chain: Iterable[Step]) -> Select[Any]:
    latest_first = sorted(chain, key=lambda s: -s.days)
    ai = INSTALLMENTS.c
    chosen = case(
        *(
            (and_(_in_segments(s), ai.due_date <= day(plan.threshold(s.days))), literal(s.name))
            for s in latest_first
        ),
        else_=null(),
    )
    earliest = max(plan.threshold(s.days) for s in latest_first)
    customer_id = AGREEMENTS.c.customer_id
    inner = (
        select(
            _no_id().label("invoice_id"),
            ai.id.label("installment_id"),
            customer_id.label("customer_id"),
            _no_id().label("contract_id"),
            effective_segment().label("segment"),
            chosen.label("step"),
            ai.due_date,
            cast(null(), String).label("contract_status"),
        )
        .select_from(
            INSTALLMENTS.join(AGREEMENTS, AGREEMENTS.c.id == ai.agreement_id).outerjoin(
                SEGMENTS, SEGMENTS.c.customer_id == customer_id
            )
        )
        .where(
            ai.status == InstallmentStatus.OPEN,
            AGREEMENTS.c.status.in_([AgreementStatus.ACTIVE, AgreementStatus.BROKEN]),
            ai.due_date <= day(earliest),
            not_paused(customer_id, plan.today, agreement=False),
        )
        .subquery("installment_chain")
    )
    return select(*(inner.c[name] for name in COLUMNS)).where(
        inner.c.step.is_not(None),
        or_(*(and_(inner.c.step == s.name, _fresh(plan, s, inner)) for s in latest_first)),
        ~_written(STEPS.c.installment_id == inner.c.installment_id, inner.c.step),
    )


def _fresh(plan: Day, step: Step, inner: Any) -> ColumnElement[bool]:
    """The chosen step has not expired (it is dropped `expires_after_days` after its day)."""
    if step.expires_after_days is None:
        return true()
    stale = plan.threshold(step.days + step.expires_after_days + 1)
    fresh: ColumnElement[bool] = inner.c.due_date > day(stale)
    return fresh


def _noticed(contract_id: Any) -> ColumnElement[bool]:
    """An open bill of the contract already has its suspension notice: it covers the
    contract's debt, and a new one goes out only once that bill is settled."""
    sibling = INV.alias("sibling")
    notice = STEPS.alias("sibling_notice")
    return exists_in(
        sibling.join(notice, notice.c.invoice_id == sibling.c.id),
        sibling.c.contract_id == contract_id,
        sibling.c.status == InvoiceStatus.OPEN,
        notice.c.action == "notice",
        notice.c.revision == 0,
    )


def _columns_of(inner: Any) -> Select[Any]:
    return select(*(inner.c[name] for name in COLUMNS))


def _anchor(plan: Day, step: Step, anchor: Anchor) -> tuple[ColumnElement[bool], Any]:
    """The condition that the step's day has come, and the anchor date's column."""
    if anchor == Anchor.NOTICE:
        # Delivered on or before today - days, as a São Paulo date.
        cutoff = start_of_day(plan.today - timedelta(step.days - 1))
        notice = STEPS.alias("notice")
        delivered = select(notice.c.delivered_at).where(
            notice.c.invoice_id == INV.c.id,
            notice.c.action == "notice",
            notice.c.revision == 0,
            notice.c.delivered_at.is_not(None),
        )
        condition = exists(delivered.where(notice.c.delivered_at < cutoff))
        return condition, delivered.order_by(notice.c.delivered_at).limit(1).scalar_subquery()
    since = CON.c.suspended_on if anchor == Anchor.SUSPENSION else CON.c.rescinded_on
    return since <= day(plan.today - timedelta(step.days)), since


def _invoice_columns(step: Any) -> list[Any]:
    return [
        INV.c.id.label("invoice_id"),
        _no_id().label("installment_id"),
        INV.c.customer_id.label("customer_id"),
        INV.c.contract_id.label("contract_id"),
        effective_segment().label("segment"),
        step.label("step"),
    ]


def _invoice_join() -> Any:
    return INV.outerjoin(SEGMENTS, SEGMENTS.c.customer_id == INV.c.customer_id)


def _in_segments(step: Step) -> ColumnElement[bool]:
    if step.segments == ALL_SEGMENTS:
        return true()
    return effective_segment().in_(sorted(s.value for s in step.segments))


def _written(bill: ColumnElement[bool], step: Any) -> ColumnElement[bool]:
    """A live row of this step exists for the bill (written, whatever became of it)."""
    return exists_in(STEPS, bill, STEPS.c.step == step, STEPS.c.revision == 0)


def _no_id() -> ColumnElement[int]:
    # A typed NULL: PostgreSQL will not UNION an untyped NULL with an integer column.
    return cast(null(), Integer)
