"""Planning a day of the cadence: every due step of every open bill written once, in one
INSERT ... SELECT ... ON CONFLICT DO NOTHING over the whole ledger, never a loop per bill.

For each candidate (cadence.candidates) the statement adds the step's channel, purpose,
action and tone, the debtor's send time (the first allowed moment in their state's contact
hours, computed here once per UF), and a status: planned, or skipped for an opt-out or the
weekly cap. Several schedulers may plan at once: PostgreSQL serialises them on an advisory
lock and the unique (bill, step, revision) key writes each step once whatever happens.
"""

import logging
import secrets
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
    text,
    union,
    union_all,
    update,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from billing.disputes import dispute_intervals
from billing.models import OutboxMessage
from cadence.candidates import COLUMNS, CUST, STEPS, Day, legal_step, sources
from cadence.models import LIVE_STATUSES, UNDELIVERED_NOTICE, StepStatus
from cadence.segments import refresh_segments
from cadence.sqlfn import analyze_after, day, insert_for
from channels.whatsapp.statuses import TEMPLATE_RETRY_SUFFIX
from conversations.models import Thread
from policies.cadence import Action, Anchor, CadenceRules, Step, Subject
from policies.calendar import BusinessCalendar
from policies.contact_hours import STATES, contact_calendar, next_allowed
from policies.disputes import clock_deadline
from quita.clock import BUSINESS_TZ, start_of_day

logger = logging.getLogger(__name__)

OUTBOX: Table = OutboxMessage.__table__  # type: ignore[attr-defined]
THREADS: Table = Thread.__table__  # type: ignore[attr-defined]
MESSAGE_KEY_PREFIX = "cadence-step:"
OPTED_OUT = "opted_out"
WEEKLY_CAP = "weekly_cap"
DELIVERY_WAIT_DAYS = 30
# pg_advisory_xact_lock key of the planner ("quita" + "plan" in ASCII, any stable number).
PLAN_LOCK = 0x7175697461706C61
_INSERTED = (
    *COLUMNS,
    *("revision", "tone", "channel", "purpose", "action", "mandatory"),
    *("planned_on", "send_at", "status", "reason", "created_at"),
)


@dataclass(frozen=True)
class PlanSettings:
    """The day to plan and what it runs under. `now` is the earliest send time (aware);
    `calendar` moves due dates (bank business days); `extra_holidays` are the ISP's own days
    off for contact; `mandatory_purposes` still reach a debtor who opted out on WhatsApp."""

    today: date
    now: datetime
    rules: CadenceRules
    calendar: BusinessCalendar
    extra_holidays: frozenset[date] = frozenset()
    mandatory_purposes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlanResult:
    written: int
    segments: int


def message_key(step_id: int) -> str:
    """The outbox idempotency key of a step's message."""
    return f"{MESSAGE_KEY_PREFIX}{step_id}"


def plan_day(session: Session, plan: PlanSettings) -> PlanResult:
    """Write the day's due steps in the caller's transaction; how many rows were new.

    Segments are recomputed first (once a day), notice deliveries read from the outbox, and
    past disputes checked against the Anatel clocks for the few debtors who had one.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _signed(PLAN_LOCK)})
    segments = refresh_segments(session, plan.today, plan.rules.segments)
    refresh_deliveries(session, plan.today)
    unchecked = Day(plan.today, plan.rules, plan.calendar)
    candidates = Day(plan.today, plan.rules, plan.calendar, _cleared(session, unchecked))
    # Marks this run's rows (the driver's rowcount is -1 for this statement): a random
    # microsecond keeps two runs within one second apart.
    stamp = datetime.now(UTC).replace(microsecond=secrets.randbelow(1_000_000))
    selects = sources(candidates)
    if not selects:
        return PlanResult(0, segments)
    statement = insert_for(STEPS, dialect).from_select(
        list(_INSERTED), _rows(plan, union_all(*selects).subquery("candidate"), stamp)
    )
    session.execute(statement.on_conflict_do_nothing())
    written = session.execute(
        select(func.count())
        .select_from(STEPS)
        .where(STEPS.c.planned_on == day(plan.today), STEPS.c.created_at == stamp)
    ).scalar_one()
    analyze_after(session, STEPS, int(written))
    logger.info("cadence planned", extra={"day": plan.today.isoformat(), "steps": written})
    return PlanResult(int(written), segments)


def refresh_deliveries(session: Session, today: date) -> int:
    """Copy onto suspension notices sent in the last DELIVERY_WAIT_DAYS when their message
    reached the phone (the webhook's delivered or read status, on the message or on the
    template sent in its place)."""
    key = literal(MESSAGE_KEY_PREFIX) + cast(STEPS.c.id, String)
    delivered = (
        select(func.min(OUTBOX.c.delivered_at))
        .where(
            or_(
                OUTBOX.c.idempotency_key == key,
                OUTBOX.c.idempotency_key == key + TEMPLATE_RETRY_SUFFIX,
            ),
            OUTBOX.c.delivered_at.is_not(None),
        )
        .scalar_subquery()
    )
    result = session.execute(
        update(STEPS)
        .where(
            # A delivery reported weeks later starts no clock worth waiting for.
            STEPS.c.planned_on >= day(today - timedelta(DELIVERY_WAIT_DAYS)),
            text(UNDELIVERED_NOTICE),  # as written, so that its partial index serves it
            STEPS.c.status == StepStatus.SENT,
            delivered.is_not(None),
        )
        .values(delivered_at=delivered)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def send_times(plan: PlanSettings) -> dict[str | None, datetime]:
    """The first allowed send moment of the day per UF (None: any other state value)."""
    start = max(plan.now, start_of_day(plan.today)).replace(microsecond=0)
    rules = plan.rules
    times: dict[str | None, datetime] = {}
    for state in (*sorted(STATES), None):
        calendar = contact_calendar(state, plan.extra_holidays)
        hours = rules.hours_for(state)
        times[state] = next_allowed(start, state, hours, calendar, rules.margin).astimezone(UTC)
    return times


def _rows(plan: PlanSettings, candidate: Any, stamp: datetime) -> Any:
    """The rows to insert: metadata per step, send time per UF, status per debtor."""
    steps = {step.name: step for step in plan.rules.steps}
    flagged = _flagged(plan, candidate, steps)
    recent = _recent(plan.today)
    ranked = (
        select(
            *flagged.c,
            func.row_number()
            .over(
                partition_by=(flagged.c.customer_id, flagged.c.capped),
                order_by=(flagged.c.invoice_id, flagged.c.installment_id),
            )
            .label("rank"),
        )
    ).subquery("ranked")
    over_cap = and_(
        ranked.c.capped,
        func.coalesce(recent.c.sent, 0) + ranked.c.rank > plan.rules.weekly_cap,
    )
    status = case(
        (ranked.c.blocked, literal(StepStatus.SKIPPED.value)),
        (over_cap, literal(StepStatus.SKIPPED.value)),
        else_=literal(StepStatus.PLANNED.value),
    )
    reason = case(
        (ranked.c.opted_out, literal(OPTED_OUT)),
        (over_cap, literal(WEEKLY_CAP)),
        else_=literal(None, String),
    )
    return (
        select(
            *(ranked.c[name] for name in COLUMNS),
            literal(0),
            _tone_by_step(ranked, steps),
            _by_step(ranked, steps, lambda s: s.channel.value),
            _by_step(ranked, steps, lambda s: s.purpose),
            _by_step(ranked, steps, lambda s: s.action.value if s.action else None),
            ranked.c.mandatory,
            day(plan.today),
            _send_at(ranked.c.state, send_times(plan)),
            status,
            reason,
            literal(stamp, STEPS.c.created_at.type),
        )
        .select_from(ranked.outerjoin(recent, recent.c.customer_id == ranked.c.customer_id))
        .where(literal(True))  # SQLite needs a WHERE to read ON CONFLICT after a SELECT
    )


def _flagged(plan: PlanSettings, candidate: Any, steps: Mapping[str, Step]) -> Any:
    """Candidates with the debtor's state and whether the step is mandatory, opted out,
    blocked by the opt-out, and counted by the weekly cap."""
    mandatory = _bool_by_step(candidate, steps, lambda s: s.mandatory)
    reachable = _bool_by_step(
        candidate,
        steps,
        lambda s: s.mandatory and s.purpose in plan.mandatory_purposes,
    )
    acts_anyway = _bool_by_step(
        candidate, steps, lambda s: s.action in (Action.SUSPEND, Action.RESCIND, Action.LIST)
    )
    opted = _opted_out_debtors()
    opted_out = opted.c.customer_id.is_not(None)
    return (
        select(
            *candidate.c,
            CUST.c.state.label("state"),
            mandatory.label("mandatory"),
            opted_out.label("opted_out"),
            and_(opted_out, not_(reachable), not_(acts_anyway)).label("blocked"),
            and_(not_(mandatory), not_(opted_out)).label("capped"),
        )
        .select_from(
            candidate.join(CUST, CUST.c.id == candidate.c.customer_id).outerjoin(
                opted, opted.c.customer_id == candidate.c.customer_id
            )
        )
        .subquery("flagged")
    )


def _recent(today: date) -> Any:
    """Live non-mandatory steps per debtor planned in the 7 days ending `today`."""
    return (
        select(STEPS.c.customer_id, func.count().label("sent"))
        .where(
            STEPS.c.revision == 0,
            STEPS.c.status.in_([status.value for status in LIVE_STATUSES]),
            STEPS.c.mandatory.is_(False),
            STEPS.c.planned_on > day(today - timedelta(7)),
            STEPS.c.planned_on <= day(today),
        )
        .group_by(STEPS.c.customer_id)
        .subquery("recent")
    )


def _opted_out_debtors() -> Any:
    """The debtors whose WhatsApp thread (by customer, or by the phone's wa_id) opted out,
    each once, to be outer-joined (a join, not a per-bill lookup)."""
    opted = THREADS.c.opted_out_at.is_not(None)
    by_customer = select(THREADS.c.customer_id.label("customer_id")).where(
        opted, THREADS.c.customer_id.is_not(None)
    )
    owner = CUST.alias("opted_out_owner")
    by_phone = (
        select(owner.c.id.label("customer_id"))
        .select_from(owner.join(THREADS, THREADS.c.wa_id == func.substr(owner.c.phone, 2)))
        .where(opted)
    )
    return union(by_customer, by_phone).subquery("opted_out")


def _by_step(rows: Any, steps: Mapping[str, Step], value: Any) -> ColumnElement[Any]:
    """A CASE over the step name giving `value(step)`."""
    return case(
        *((rows.c.step == s.name, literal(value(s), String)) for s in steps.values()),
        else_=literal(None, String),
    )


def _tone_by_step(rows: Any, steps: Mapping[str, Step]) -> ColumnElement[str]:
    """A CASE giving each step's tone for the row's segment."""
    whens = [
        (and_(rows.c.step == s.name, rows.c.segment == segment.value), literal(tone.value))
        for s in steps.values()
        for segment, tone in s.tones.items()
    ]
    whens += [(rows.c.step == s.name, literal(s.tone.value)) for s in steps.values()]
    return case(*whens, else_=literal("neutral"))


def _bool_by_step(rows: Any, steps: Mapping[str, Step], test: Any) -> ColumnElement[bool]:
    names = sorted(s.name for s in steps.values() if test(s))
    if not names:
        return cast(literal(False), Boolean)
    matches: ColumnElement[bool] = rows.c.step.in_(names)
    return matches


def _send_at(state: Any, times: Mapping[str | None, datetime]) -> ColumnElement[datetime]:
    column_type = STEPS.c.send_at.type
    return case(
        *((state == uf, literal(moment, column_type)) for uf, moment in times.items() if uf),
        else_=literal(times[None], column_type),
    )


def _cleared(session: Session, plan: Day) -> dict[str, frozenset[int]]:
    """Legal-chain candidates of debtors who once disputed a bill, whose clock (pushed back
    by the disputes, policies.disputes.clock_deadline) has run out: invoice ids per step."""
    cleared: dict[str, set[int]] = defaultdict(set)
    intervals: dict[int, Any] = {}
    for anchor in (Anchor.NOTICE, Anchor.SUSPENSION, Anchor.RESCISSION):
        for step in plan.rules.steps_for(Subject.INVOICE, anchor):
            query = legal_step(plan, step, anchor, cleared_only=True)
            for row in session.execute(query).mappings():
                customer_id = row["customer_id"]
                if customer_id not in intervals:
                    intervals[customer_id] = dispute_intervals(session, customer_id)
                start = _as_date(row["anchor_on"])
                deadline = (
                    None
                    if start is None
                    else clock_deadline(start, step.days, intervals[customer_id])
                )
                if deadline is not None and deadline <= plan.today:
                    cleared[step.name].add(int(row["invoice_id"]))
    return {name: frozenset(ids) for name, ids in cleared.items()}


def _as_date(value: Any) -> date | None:
    """An anchor as a São Paulo date: a delivery instant or a contract date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(BUSINESS_TZ).date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _signed(key: int) -> int:
    return key - (1 << 64) if key >= 1 << 63 else key
