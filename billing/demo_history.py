"""How each demo debtor profile pays over a year of bills, and when its line is cut."""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from billing.models import ContractStatus, Segment

HISTORY_MONTHS = 12
# Anatel RGC: notice at about D+10, suspension no sooner than 15 days later, rescission no
# sooner than 60 days after suspension.
SUSPEND_AFTER_DAYS = 25
RESCIND_AFTER_DAYS = 60


@dataclass(frozen=True)
class History:
    """One customer's bills: due dates, the day each was paid (None: open), contract dates."""

    dues: list[date]
    paid_on: list[date | None]
    suspended_on: date | None
    rescinded_on: date | None


def history(rng: random.Random, profile: Segment | None, due_day: int, today: date) -> History:
    months = rng.choice((1, 2, 3)) if profile is Segment.NEW_CUSTOMER else HISTORY_MONTHS
    dues = _due_dates(today, due_day, months)
    paid_on = _paid_days(_DELAYS[profile](rng, dues, today), dues, today)
    suspended_on = _suspension_day(rng, profile, dues, paid_on, today)
    rescinded_on = _rescission_day(rng, suspended_on, today)
    if suspended_on is not None:
        # The line is off from then on, so later months are not billed.
        kept = sum(due <= suspended_on for due in dues)
        dues, paid_on = dues[:kept], paid_on[:kept]
    return History(dues, paid_on, suspended_on, rescinded_on)


_Delays = Callable[[random.Random, list[date], date], list[int | None]]


def _early(rng: random.Random) -> int:
    # Days after the due date: on-time payers pay on the day or a few days before it.
    return -rng.choice((0, 0, 0, 1, 1, 2, 3, 5))


def _on_time_delays(rng: random.Random, dues: list[date], today: date) -> list[int | None]:
    return [_early(rng) for _ in dues]


def _loyal_delays(rng: random.Random, dues: list[date], today: date) -> list[int | None]:
    delays = _on_time_delays(rng, dues, today)
    for index in rng.sample(range(len(dues)), k=rng.randint(1, 2)):
        delays[index] = rng.randint(1, 5)
    return delays


def _disorganized_delays(rng: random.Random, dues: list[date], today: date) -> list[int | None]:
    return [rng.randint(3, 20) if rng.random() < 0.55 else _early(rng) for _ in dues]


def _cash_flow_delays(rng: random.Random, dues: list[date], today: date) -> list[int | None]:
    # The first unpaid invoice is 10-90 days late and at most the third-last one overdue.
    overdue = [i for i, due in enumerate(dues) if (today - due).days >= 10]
    start = rng.choice([i for i in overdue[-3:] if (today - dues[i]).days <= 90])
    fine = [_early(rng) if rng.random() < 0.9 else rng.randint(1, 3) for _ in dues[:start]]
    return [*fine, *[None] * (len(dues) - start)]


def _chronic_delays(rng: random.Random, dues: list[date], today: date) -> list[int | None]:
    # Stopped paying one to eight bills ago, after a history of paying weeks late.
    overdue = [i for i, due in enumerate(dues) if (today - due).days >= 15]
    start = rng.choice(overdue[-8:])
    late = [rng.randint(5, 40) for _ in dues[:start]]
    return [*late, *[None] * (len(dues) - start)]


def _new_customer_delays(rng: random.Random, dues: list[date], today: date) -> list[int | None]:
    delays = _on_time_delays(rng, dues, today)
    if rng.random() < 0.3:
        delays[rng.randrange(len(dues))] = rng.randint(3, 25)
    return delays


_DELAYS: dict[Segment | None, _Delays] = {
    None: _on_time_delays,
    Segment.LOYAL: _loyal_delays,
    Segment.DISORGANIZED: _disorganized_delays,
    Segment.CASH_FLOW_TROUBLE: _cash_flow_delays,
    Segment.CHRONIC: _chronic_delays,
    Segment.NEW_CUSTOMER: _new_customer_delays,
}


def _paid_days(delays: list[int | None], dues: list[date], today: date) -> list[date | None]:
    """The day each bill was paid, or None while it is open.

    A bill not yet due stays open even for early payers, so the demo always has bills for
    pre-due reminders; a payment planned for today or later has not happened yet.
    """
    paid_on: list[date | None] = []
    for delay, due in zip(delays, dues, strict=True):
        day = None if delay is None else due + timedelta(days=delay)
        paid_on.append(day if day is not None and day < today and due < today else None)
    return paid_on


def _suspension_day(
    rng: random.Random,
    profile: Segment | None,
    dues: list[date],
    paid_on: list[date | None],
    today: date,
) -> date | None:
    if profile is not Segment.CHRONIC:
        return None
    unpaid = [due for due, paid in zip(dues, paid_on, strict=True) if paid is None and due < today]
    days_late = (today - unpaid[0]).days if unpaid else 0
    # Some ISPs wait well past the legal minimum, and some chronic debtors are in dispute.
    if days_late < 45 or rng.random() < 0.2:
        return None
    wait = rng.randint(0, min(120, days_late - SUSPEND_AFTER_DAYS - 1))
    return unpaid[0] + timedelta(days=SUSPEND_AFTER_DAYS + wait)


def _rescission_day(rng: random.Random, suspended_on: date | None, today: date) -> date | None:
    if suspended_on is None:
        return None
    spare = (today - suspended_on).days - RESCIND_AFTER_DAYS - 1
    if spare < 0 or rng.random() < 0.6:
        return None
    return suspended_on + timedelta(days=RESCIND_AFTER_DAYS + rng.randint(0, min(30, spare)))


def contract_status(suspended_on: date | None, rescinded_on: date | None) -> str:
    if suspended_on is None:
        return ContractStatus.ACTIVE.value
    return (ContractStatus.SUSPENDED if rescinded_on is None else ContractStatus.RESCINDED).value


def activation_day(
    rng: random.Random, profile: Segment | None, first_due: date, today: date
) -> date:
    if profile is Segment.NEW_CUSTOMER:
        before_bill = first_due - timedelta(days=rng.randint(15, 40))
        return min(before_bill, today - timedelta(days=rng.randint(1, 10)))
    # Loyal customers have been with the ISP for three years or more.
    shortest = 3 * 365 if profile is Segment.LOYAL else 30
    return first_due - timedelta(days=rng.randint(shortest, 8 * 365))


def _due_dates(today: date, day: int, months: int) -> list[date]:
    """Due dates on `day` of the last `months` months, ending in `today`'s month."""
    current = today.year * 12 + today.month - 1
    months_back = range(months - 1, -1, -1)
    return [date((current - back) // 12, (current - back) % 12 + 1, day) for back in months_back]
