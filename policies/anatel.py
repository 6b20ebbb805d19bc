"""Anatel RGC (Res. 765/2023) clocks for a debtor's service: a notice first, suspension no
sooner than 15 days after that notice was delivered, rescission no sooner than 60 days after
the suspension, restore within one day of the payment being known. An open dispute stops the
clocks and the days it lasted push them back (policies.disputes.clock_deadline).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pydantic import Field

from policies.base import RuleSet
from policies.disputes import Interval, clock_deadline

LEGAL_NOTICE_DAYS = 15
LEGAL_RESCISSION_DAYS = 60
LEGAL_RESTORE_HOURS = 24
# What a suspension notice must state; a notice text the ISP writes must use them all.
NOTICE_PLACEHOLDERS = frozenset(
    {"reference", "amount", "due_date", "deadline", "rescission_days", "restore_hours"}
)


class AnatelRules(RuleSet):
    """Section `cadence.anatel` of the policy file. An ISP may wait longer than the law, never
    less: the minimums are the legal ones."""

    notice_to_suspension_days: int = Field(default=LEGAL_NOTICE_DAYS, ge=LEGAL_NOTICE_DAYS)
    suspension_to_rescission_days: int = Field(
        default=LEGAL_RESCISSION_DAYS, ge=LEGAL_RESCISSION_DAYS
    )
    restore_hours: int = Field(default=LEGAL_RESTORE_HOURS, ge=1, le=LEGAL_RESTORE_HOURS)


@dataclass(frozen=True)
class ClockCheck:
    """Whether the action is allowed on the day asked; `earliest` is the first day it is
    (None while a dispute holds the clock or nothing started it); `reason` is for staff."""

    allowed: bool
    earliest: date | None
    reason: str


def earliest_suspension(
    notice_delivered_on: date, rules: AnatelRules, disputes: Iterable[Interval] = ()
) -> date | None:
    """The first day a suspension may happen after a notice delivered on that São Paulo date;
    None while a dispute opened before then is still open."""
    return clock_deadline(notice_delivered_on, rules.notice_to_suspension_days, disputes)


def earliest_rescission(
    suspended_on: date, rules: AnatelRules, disputes: Iterable[Interval] = ()
) -> date | None:
    """The first day a rescission may happen after a suspension on `suspended_on`."""
    return clock_deadline(suspended_on, rules.suspension_to_rescission_days, disputes)


def check_suspension(
    notice_delivered_on: date | None,
    today: date,
    rules: AnatelRules,
    disputes: Iterable[Interval] = (),
) -> ClockCheck:
    """May the service be suspended `today`? Only after a delivered notice and its clock."""
    if notice_delivered_on is None:
        return ClockCheck(False, None, "no suspension notice has been delivered")
    return _check(earliest_suspension(notice_delivered_on, rules, disputes), today, "suspension")


def check_rescission(
    suspended_on: date | None,
    today: date,
    rules: AnatelRules,
    disputes: Iterable[Interval] = (),
) -> ClockCheck:
    """May the contract be rescinded `today`? Only a suspended one, after its clock."""
    if suspended_on is None:
        return ClockCheck(False, None, "the service is not suspended")
    return _check(earliest_rescission(suspended_on, rules, disputes), today, "rescission")


def _check(earliest: date | None, today: date, what: str) -> ClockCheck:
    if earliest is None:
        return ClockCheck(False, None, f"an open dispute holds the {what} clock")
    if today < earliest:
        return ClockCheck(False, earliest, f"{what} allowed from {earliest.isoformat()}")
    return ClockCheck(True, earliest, f"{what} allowed since {earliest.isoformat()}")
