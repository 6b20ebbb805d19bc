"""Disputes (contestação): a contested bill pauses collection and the Anatel clocks, and the
ISP owes an answer within 30 days (RGC, Res. 765/2023)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import Field

from policies.base import Decision, RuleSet, allow, day_month, refuse

Interval = tuple[date, date | None]


class DisputeRules(RuleSet):
    """Section `disputes` of the policy file: the answer deadline in calendar days, and the
    shortest reason accepted (a dispute must say what is contested)."""

    answer_days: int = Field(default=30, ge=1, le=30)
    min_reason_length: int = Field(default=5, ge=1)


@dataclass(frozen=True)
class DisputeFacts:
    """An open dispute already covering the same invoice (or the whole account), if any:
    its answer deadline."""

    open_dispute_answer_due: date | None = None


def answer_due(opened_on: date, rules: DisputeRules) -> date:
    """The last day the ISP may answer a dispute opened on `opened_on`."""
    return opened_on + timedelta(rules.answer_days)


def check_dispute(reason: str, facts: DisputeFacts, rules: DisputeRules, today: date) -> Decision:
    """Accept a dispute opened `today` or say why not; `until` is the answer deadline."""
    if facts.open_dispute_answer_due is not None:
        due = facts.open_dispute_answer_due
        return refuse(
            "dispute_already_open",
            "Essa contestação já está registrada e a nossa equipe responde até "
            f"{day_month(due)}. Enquanto isso, a cobrança fica suspensa.",
            due,
        )
    if len(reason.strip()) < rules.min_reason_length:
        return refuse(
            "reason_missing", "Pode me contar o que está errado na cobrança, para eu registrar?"
        )
    due = answer_due(today, rules)
    return allow(
        "Registrei a sua contestação. A cobrança fica suspensa enquanto a nossa equipe analisa, "
        f"e você recebe a resposta até {day_month(due)}.",
        due,
    )


def clock_deadline(start: date, days: int, pauses: Iterable[Interval]) -> date | None:
    """The day a legal clock of `days` days started on `start` runs out, pushed back by every
    day a dispute paused it (an interval is [opened, closed); closed None: still open). None
    while a pause that began before the deadline is still open: the clock is stopped."""
    deadline = start + timedelta(days)
    for opened, closed in sorted(pauses, key=lambda interval: interval[0]):
        if opened >= deadline:
            break
        if closed is None:
            return None
        paused = (closed - max(opened, start)).days
        deadline += timedelta(max(paused, 0))
    return deadline
