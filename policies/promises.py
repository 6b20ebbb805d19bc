"""Promises to pay: which dates a debtor may promise, and how long reminders wait for them."""

from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import Field

from policies.base import Decision, RuleSet, allow, day_month, refuse
from policies.calendar import BusinessCalendar, national_calendar


class PromiseRules(RuleSet):
    """Section `promises` of the policy file.

    A promise falls from today up to `max_days_ahead` calendar days ahead; with
    `business_days_only`, a date on a weekend or holiday moves to the next business day (and
    must still be in the window), for ISPs whose payments clear only on business days.
    Reminders pause until the promised date plus `grace_days`; a promise still unpaid after
    that is broken. A debtor with `max_broken_promises` broken within
    `broken_lookback_days`, or with a promise still pending, gets no new one.
    """

    max_days_ahead: int = Field(default=7, ge=0, le=60)
    business_days_only: bool = False
    grace_days: int = Field(default=1, ge=0, le=10)
    max_broken_promises: int = Field(default=2, ge=1)
    broken_lookback_days: int = Field(default=90, ge=1)


@dataclass(frozen=True)
class PromiseFacts:
    """The debtor's promise history: the pending promise's date, if any, and how many broke
    within the rules' lookback; and whether anything is owed at all."""

    pending_promise_date: date | None = None
    broken_promises: int = 0
    has_open_debt: bool = True


def check_promise(
    promised: date,
    facts: PromiseFacts,
    rules: PromiseRules,
    today: date,
    calendar: BusinessCalendar | None = None,
) -> Decision:
    """Allow a promise to pay on `promised` (São Paulo date) or refuse it with a reason.

    When allowed, `until` is the last day reminders stay paused, and the reason states the
    date registered (which differs from `promised` when it moved to a business day).
    """
    refusal = _history_problem(facts, rules)
    if refusal is not None:
        return refusal
    promised = promised_date(promised, rules, calendar)
    latest = today + timedelta(rules.max_days_ahead)
    if promised < today:
        return refuse("date_in_past", "Essa data já passou. Para quando você consegue pagar?")
    if promised > latest:
        return refuse(
            "date_beyond_window",
            f"Consigo registrar o compromisso para até {day_month(latest)}. "
            "Qual data dentro desse prazo fica boa para você?",
        )
    return allow(
        f"Combinado: registrei o seu compromisso de pagamento para {day_month(promised)}.",
        pause_until(promised, rules),
    )


def promised_date(
    promised: date, rules: PromiseRules, calendar: BusinessCalendar | None = None
) -> date:
    """The date a promise is registered for: `promised`, moved to a business day when the
    rules ask for it."""
    if not rules.business_days_only:
        return promised
    return (calendar or national_calendar()).next_business_day_on_or_after(promised)


def pause_until(promised: date, rules: PromiseRules) -> date:
    """The last day reminders wait for a promise to be kept (inclusive)."""
    return promised + timedelta(rules.grace_days)


def is_broken(promised: date, rules: PromiseRules, today: date) -> bool:
    """Whether a promise still unpaid on `today` counts as broken."""
    return today > pause_until(promised, rules)


def _history_problem(facts: PromiseFacts, rules: PromiseRules) -> Decision | None:
    if not facts.has_open_debt:
        return refuse("no_open_debt", "Não encontrei valores em aberto no seu nome.")
    if facts.pending_promise_date is not None:
        return refuse(
            "promise_pending",
            "Você já tem um compromisso de pagamento registrado para "
            f"{day_month(facts.pending_promise_date)}.",
            facts.pending_promise_date,
        )
    if facts.broken_promises >= rules.max_broken_promises:
        return refuse(
            "too_many_broken_promises",
            "Não consigo registrar uma nova data agora. Posso te mandar o Pix, a segunda via "
            "ou mostrar opções de parcelamento.",
        )
    return None
