"""Debtors' segments on the database: recomputed for everyone at once, once a day, from the
payment history, by the same rules policies.segments applies to one debtor; pinned by staff.
"""

import logging
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from billing.models import (
    Agreement,
    AgreementStatus,
    Contract,
    Customer,
    Invoice,
    InvoiceStatus,
    utc_now,
)
from cadence.models import CustomerSegment
from cadence.sqlfn import analyze_after, day, days_between, insert_for, local_date
from policies.segments import (
    FACT_NAMES,
    FALLBACK_RULE,
    Clause,
    Segment,
    SegmentAssignment,
    SegmentRules,
    assign_segment,
    facts_from,
    segment_rules,
)
from quita.clock import start_of_day

logger = logging.getLogger(__name__)

SEGMENTS: Table = CustomerSegment.__table__  # type: ignore[attr-defined]
INVOICES: Table = Invoice.__table__  # type: ignore[attr-defined]
CUSTOMERS: Table = Customer.__table__  # type: ignore[attr-defined]
CONTRACTS: Table = Contract.__table__  # type: ignore[attr-defined]
AGREEMENTS: Table = Agreement.__table__  # type: ignore[attr-defined]
# A segment row written before any computation (a pin on a new debtor) is stale at once.
NEVER = date(1970, 1, 1)
WINDOW_DAYS = 365


def effective_segment() -> ColumnElement[str]:
    """The segment the cadence uses, for a query joining customer_segment (outer): the pin,
    else the computed one, else new_customer."""
    return func.coalesce(
        SEGMENTS.c.pinned_segment, SEGMENTS.c.segment, literal(Segment.NEW_CUSTOMER.value)
    )


def refresh_segments(session: Session, today: date, rules: SegmentRules) -> int:
    """Recompute every debtor's segment for `today` unless that was done already; the number
    of debtors written. One INSERT ... SELECT ... ON CONFLICT DO UPDATE; pins are kept."""
    if not _stale(session, today):
        return 0
    dialect = session.get_bind().dialect.name
    facts = _facts(today, rules, dialect)
    segment, rule = _classify(facts, rules)
    columns = ["customer_id", "segment", "rule", *sorted(FACT_NAMES), "computed_on"]
    selected = select(
        facts.c.customer_id,
        segment,
        rule,
        *(facts.c[name] for name in sorted(FACT_NAMES)),
        day(today),
    ).where(literal(True))  # SQLite needs a WHERE to read ON CONFLICT after a SELECT
    statement = insert_for(SEGMENTS, dialect).from_select(columns, selected)
    statement = statement.on_conflict_do_update(
        index_elements=[SEGMENTS.c.customer_id],
        set_={name: statement.excluded[name] for name in columns if name != "customer_id"},
    )
    session.execute(statement)
    # rowcount is not reliable for INSERT ... SELECT on every driver: count what is current.
    current = select(func.count()).where(SEGMENTS.c.computed_on == day(today))
    written = int(session.execute(current).scalar_one())
    analyze_after(session, SEGMENTS, written)
    logger.info("segments recomputed", extra={"customers": written, "day": today.isoformat()})
    return written


def pin_segment(
    session: Session,
    customer_id: int,
    segment: Segment,
    *,
    staff: str,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Pin `segment` on the debtor until `unpin_segment`; the daily recomputation keeps it."""
    row = session.get(CustomerSegment, customer_id) or CustomerSegment(
        customer_id=customer_id, segment=segment, rule=FALLBACK_RULE, computed_on=NEVER
    )
    row.pinned_segment, row.pinned_by, row.pinned_reason = segment, staff, reason
    row.pinned_at = now or utc_now()
    session.add(row)
    session.flush()
    logger.info("segment pinned", extra={"customer_id": customer_id, "segment": str(segment)})


def unpin_segment(session: Session, customer_id: int) -> None:
    row = session.get(CustomerSegment, customer_id)
    if row is None:
        return
    row.pinned_segment = row.pinned_by = row.pinned_reason = None
    row.pinned_at = None
    session.add(row)
    session.flush()


def segment_of(session: Session, customer_id: int, rules: SegmentRules) -> SegmentAssignment:
    """The debtor's segment with its pt-BR reason, as last computed (new customer when the
    daily recomputation has not seen them yet)."""
    row = session.get(CustomerSegment, customer_id)
    if row is None:
        return assign_segment(facts_from({}), rules)
    facts = facts_from(row.model_dump())
    if row.pinned_segment:
        pinned = assign_segment(facts, rules, Segment(row.pinned_segment))
        detail = f" {row.pinned_reason}" if row.pinned_reason else ""
        return SegmentAssignment(pinned.segment, pinned.rule, pinned.reason + detail)
    return assign_segment(facts, rules)


def _stale(session: Session, today: date) -> bool:
    missing = (
        select(CUSTOMERS.c.id)
        .outerjoin(SEGMENTS, SEGMENTS.c.customer_id == CUSTOMERS.c.id)
        .where(or_(SEGMENTS.c.customer_id.is_(None), SEGMENTS.c.computed_on < day(today)))
        .limit(1)
    )
    return session.execute(missing).first() is not None


def _facts(today: date, rules: SegmentRules, dialect: str) -> Any:
    """A subquery of SegmentFacts per customer (every customer, zeros without history)."""
    bills = _bill_facts(today, rules, dialect)
    tenure_start = (
        select(CONTRACTS.c.customer_id, func.min(CONTRACTS.c.activated_on).label("since"))
        .group_by(CONTRACTS.c.customer_id)
        .subquery("tenure")
    )
    broken = (
        select(AGREEMENTS.c.customer_id, func.count().label("broken"))
        .where(
            AGREEMENTS.c.status == AgreementStatus.BROKEN,
            AGREEMENTS.c.closed_at >= start_of_day(today - timedelta(WINDOW_DAYS)),
        )
        .group_by(AGREEMENTS.c.customer_id)
        .subquery("broken")
    )
    since = func.coalesce(tenure_start.c.since, local_date(CUSTOMERS.c.created_at, dialect))
    zero = literal(0)
    return (
        select(
            CUSTOMERS.c.id.label("customer_id"),
            days_between(day(today), since, dialect).label("tenure_days"),
            func.coalesce(bills.c.billed_12m, zero).label("billed_12m"),
            func.coalesce(bills.c.late_12m, zero).label("late_12m"),
            func.coalesce(bills.c.paid_late_12m, zero).label("paid_late_12m"),
            func.coalesce(bills.c.avg_days_late, literal(0.0)).label("avg_days_late"),
            func.coalesce(bills.c.max_open_days_late, zero).label("max_open_days_late"),
            func.coalesce(broken.c.broken, zero).label("broken_agreements_12m"),
        )
        .outerjoin(bills, bills.c.customer_id == CUSTOMERS.c.id)
        .outerjoin(tenure_start, tenure_start.c.customer_id == CUSTOMERS.c.id)
        .outerjoin(broken, broken.c.customer_id == CUSTOMERS.c.id)
        .subquery("facts")
    )


def _bill_facts(today: date, rules: SegmentRules, dialect: str) -> Any:
    i = INVOICES.c
    in_window = i.due_date > day(today - timedelta(WINDOW_DAYS))
    paid_delay = days_between(local_date(i.paid_at, dialect), i.due_date, dialect)
    open_delay = days_between(day(today), i.due_date, dialect)
    is_paid = and_(i.status == InvoiceStatus.PAID, i.paid_at.is_not(None))
    paid_late = and_(in_window, is_paid, paid_delay > rules.grace_days)
    late = or_(
        paid_late,
        and_(in_window, i.status == InvoiceStatus.OPEN, open_delay > rules.grace_days),
        and_(in_window, i.status == InvoiceStatus.RENEGOTIATED),
    )
    delay_if_paid = case((paid_delay > 0, paid_delay), else_=0)
    return (
        select(
            i.customer_id,
            _count_if(in_window).label("billed_12m"),
            _count_if(late).label("late_12m"),
            _count_if(paid_late).label("paid_late_12m"),
            func.avg(case((and_(in_window, is_paid), delay_if_paid))).label("avg_days_late"),
            func.max(
                case((and_(i.status == InvoiceStatus.OPEN, open_delay > 0), open_delay), else_=0)
            ).label("max_open_days_late"),
        )
        .where(i.status != InvoiceStatus.CANCELLED, i.due_date <= day(today))
        .group_by(i.customer_id)
        .subquery("bills")
    )


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _classify(facts: Any, rules: SegmentRules) -> tuple[ColumnElement[str], ColumnElement[str]]:
    """The segment and rule columns: the rules of policies.segments as CASE expressions."""
    ordered = segment_rules(rules)
    conditions = [_condition(facts, rule.clauses, rule.match) for rule in ordered]
    pairs = list(zip(conditions, ordered, strict=True))
    segment = case(
        *((cond, literal(rule.segment.value)) for cond, rule in pairs),
        else_=literal(Segment.LOYAL.value),
    )
    rule = case(*((cond, literal(rule.code)) for cond, rule in pairs), else_=literal(FALLBACK_RULE))
    return segment, rule


def _condition(facts: Any, clauses: tuple[Clause, ...], match: str) -> ColumnElement[bool]:
    parts = [_clause(facts.c[clause.fact], clause) for clause in clauses]
    if not parts:
        return false()
    combined: ColumnElement[bool] = or_(*parts) if match == "any" else and_(*parts)
    return combined


def _clause(column: ColumnElement[float], clause: Clause) -> ColumnElement[bool]:
    threshold = literal(clause.threshold)
    comparisons = {
        ">=": column >= threshold,
        ">": column > threshold,
        "<=": column <= threshold,
        "<": column < threshold,
    }
    return comparisons[clause.comparison]
