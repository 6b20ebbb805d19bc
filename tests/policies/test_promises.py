"""Promises to pay: the date window, the pause they hold, and when a debtor gets no more."""

from datetime import date

import pytest

from policies.promises import (
    PromiseFacts,
    PromiseRules,
    check_promise,
    is_broken,
    pause_until,
    promised_date,
)

TODAY = date(2026, 12, 3)  # Thursday
RULES = PromiseRules()


def test_a_date_within_a_week_is_accepted_and_pauses_reminders_through_the_grace_day() -> None:
    decision = check_promise(date(2026, 12, 9), PromiseFacts(), RULES, TODAY)

    assert (decision.ok, decision.code) == (True, "ok")
    assert decision.until == date(2026, 12, 10)
    assert "09/12/2026" in decision.reason


def test_today_is_a_valid_promise_date() -> None:
    assert check_promise(TODAY, PromiseFacts(), RULES, TODAY).ok


@pytest.mark.parametrize(
    ("promised", "facts", "code"),
    [
        (date(2026, 12, 2), PromiseFacts(), "date_in_past"),
        (date(2026, 12, 11), PromiseFacts(), "date_beyond_window"),
        (
            date(2026, 12, 5),
            PromiseFacts(pending_promise_date=date(2026, 12, 4)),
            "promise_pending",
        ),
        (date(2026, 12, 5), PromiseFacts(broken_promises=2), "too_many_broken_promises"),
        (date(2026, 12, 5), PromiseFacts(has_open_debt=False), "no_open_debt"),
    ],
)
def test_promises_outside_policy_are_refused(
    promised: date, facts: PromiseFacts, code: str
) -> None:
    decision = check_promise(promised, facts, RULES, TODAY)

    assert (decision.ok, decision.code) == (False, code)
    assert decision.reason


def test_the_window_refusal_names_the_last_allowed_date() -> None:
    decision = check_promise(date(2026, 12, 31), PromiseFacts(), RULES, TODAY)

    assert "10/12/2026" in decision.reason


def test_business_days_only_moves_a_saturday_promise_to_monday() -> None:
    rules = PromiseRules(business_days_only=True)

    decision = check_promise(date(2026, 12, 5), PromiseFacts(), rules, TODAY)

    assert decision.ok
    assert decision.until == date(2026, 12, 8)
    assert promised_date(date(2026, 12, 5), rules) == date(2026, 12, 7)
    assert promised_date(date(2026, 12, 5), RULES) == date(2026, 12, 5)


def test_a_promise_is_broken_only_after_its_pause() -> None:
    promised = date(2026, 12, 9)

    assert pause_until(promised, RULES) == date(2026, 12, 10)
    assert not is_broken(promised, RULES, date(2026, 12, 10))
    assert is_broken(promised, RULES, date(2026, 12, 11))
