"""Anatel RGC clocks: suspension 15 days after a delivered notice, rescission 60 days after the
suspension, both pushed back by disputes and held while one is open."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.anatel import (
    AnatelRules,
    check_rescission,
    check_suspension,
    earliest_rescission,
    earliest_suspension,
)

RULES = AnatelRules()
DELIVERED = date(2026, 12, 3)


def test_suspension_comes_15_days_after_the_delivered_notice() -> None:
    assert earliest_suspension(DELIVERED, RULES) == date(2026, 12, 18)
    assert not check_suspension(DELIVERED, date(2026, 12, 17), RULES).allowed
    assert check_suspension(DELIVERED, date(2026, 12, 18), RULES).allowed


def test_no_suspension_without_a_delivered_notice() -> None:
    check = check_suspension(None, date(2027, 6, 1), RULES)

    assert not check.allowed
    assert "notice" in check.reason


def test_a_dispute_pushes_the_clock_back_by_the_days_it_lasted() -> None:
    answered = [(date(2026, 12, 10), date(2026, 12, 15))]

    assert earliest_suspension(DELIVERED, RULES, answered) == date(2026, 12, 23)
    assert not check_suspension(DELIVERED, date(2026, 12, 22), RULES, answered).allowed


def test_an_open_dispute_holds_the_clock() -> None:
    still_open = [(date(2026, 12, 10), None)]

    check = check_suspension(DELIVERED, date(2027, 3, 1), RULES, still_open)

    assert not check.allowed
    assert check.earliest is None


def test_rescission_comes_60_days_after_the_suspension() -> None:
    suspended = date(2026, 12, 18)

    assert earliest_rescission(suspended, RULES) == date(2027, 2, 16)
    assert not check_rescission(suspended, date(2027, 2, 15), RULES).allowed
    assert check_rescission(suspended, date(2027, 2, 16), RULES).allowed
    assert not check_rescission(None, date(2027, 6, 1), RULES).allowed


def test_an_isp_may_wait_longer_but_never_less_than_the_law() -> None:
    longer = AnatelRules.from_mapping({"notice_to_suspension_days": 20}, "cadence.anatel")

    assert earliest_suspension(DELIVERED, longer) == date(2026, 12, 23)
    with pytest.raises(ValueError, match=r"cadence\.anatel\.notice_to_suspension_days"):
        AnatelRules.from_mapping({"notice_to_suspension_days": 14}, "cadence.anatel")
    with pytest.raises(ValueError, match=r"cadence\.anatel\.suspension_to_rescission_days"):
        AnatelRules.from_mapping({"suspension_to_rescission_days": 30}, "cadence.anatel")


intervals = st.lists(
    st.tuples(
        st.dates(date(2026, 11, 1), date(2027, 3, 1)), st.integers(min_value=0, max_value=40)
    ),
    max_size=3,
)


@given(
    delivered=st.dates(date(2026, 11, 1), date(2027, 1, 31)),
    day=st.dates(date(2026, 11, 1), date(2027, 6, 30)),
    disputes=intervals,
)
def test_a_suspension_is_never_allowed_sooner_than_15_days_after_delivery(
    delivered: date, day: date, disputes: list[tuple[date, int]]
) -> None:
    pauses = [(opened, opened + timedelta(days)) for opened, days in disputes]

    check = check_suspension(delivered, day, RULES, pauses)

    if check.allowed:
        assert day >= delivered + timedelta(15)
        assert check.earliest is not None
        assert day >= check.earliest
