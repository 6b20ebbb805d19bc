"""Trust unblock: who may get the service back on trust, for how long, and how often."""

from datetime import date

import pytest

from policies.trust_unblock import (
    TrustUnblockFacts,
    TrustUnblockRules,
    check_trust_unblock,
    next_eligible_on,
)

TODAY = date(2026, 12, 3)
RULES = TrustUnblockRules()
SUSPENDED = TrustUnblockFacts(contract_status="suspended", overdue_debt=True)


def test_a_suspended_debtor_gets_three_days_after_today() -> None:
    decision = check_trust_unblock(SUSPENDED, RULES, TODAY)

    assert (decision.ok, decision.until) == (True, date(2026, 12, 6))
    assert "06/12/2026" in decision.reason


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (TrustUnblockFacts("active", overdue_debt=True), "not_suspended"),
        (TrustUnblockFacts("suspended", overdue_debt=False), "not_suspended_for_non_payment"),
        (TrustUnblockFacts("rescinded", overdue_debt=True), "in_rescission"),
        (TrustUnblockFacts("suspended", True, in_rescission=True), "in_rescission"),
        (
            TrustUnblockFacts("suspended", True, last_unblock_on=date(2026, 11, 10)),
            "used_recently",
        ),
        (
            TrustUnblockFacts("suspended", True, last_broken_agreement_on=date(2026, 10, 1)),
            "broken_agreement_recent",
        ),
    ],
)
def test_ineligible_requests_are_refused(facts: TrustUnblockFacts, code: str) -> None:
    decision = check_trust_unblock(facts, RULES, TODAY)

    assert (decision.ok, decision.code) == (False, code)
    assert decision.reason


def test_used_recently_says_when_it_may_be_asked_again() -> None:
    facts = TrustUnblockFacts("suspended", True, last_unblock_on=date(2026, 11, 10))

    decision = check_trust_unblock(facts, RULES, TODAY)

    assert decision.until == next_eligible_on(date(2026, 11, 10), RULES) == date(2026, 12, 10)
    assert "10/12/2026" in decision.reason


def test_one_period_after_the_last_unblock_it_is_allowed_again() -> None:
    facts = TrustUnblockFacts("suspended", True, last_unblock_on=date(2026, 11, 3))

    assert check_trust_unblock(facts, RULES, TODAY).ok


def test_a_disabled_trust_unblock_is_refused() -> None:
    rules = TrustUnblockRules(enabled=False)

    assert check_trust_unblock(SUSPENDED, rules, TODAY).code == "disabled"
