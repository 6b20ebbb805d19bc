from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.calendar import BusinessCalendar
from policies.charges import (
    DEFAULT_RULES,
    ChargeRules,
    FixedMonthlyInterest,
    LegalRateInterest,
    updated_amount,
)

FAST = settings(max_examples=200, deadline=None, database=None)
CENTAVO = Decimal("0.01")


def test_ten_days_late_adds_fee_and_pro_rata_interest() -> None:
    # Due Tuesday 2026-11-10, checked 2026-11-20: 10 days late.
    # fee 99.90 x 2% = 1.998 -> 2.00; interest 99.90 x 1% x 10/30 = 0.333 -> 0.33.
    charges = updated_amount(Decimal("99.90"), date(2026, 11, 10), date(2026, 11, 20))

    assert charges.days_late == 10
    assert charges.late_fee == Decimal("2.00")
    assert charges.interest == Decimal("0.33")
    assert charges.total == Decimal("102.23")


def test_nothing_is_charged_on_the_due_date() -> None:
    charges = updated_amount(Decimal("99.90"), date(2026, 11, 10), date(2026, 11, 10))

    assert (charges.late_fee, charges.interest, charges.total) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("99.90"),
    )
    assert charges.days_late == 0


def test_due_date_on_saturday_checked_on_monday_has_no_charges() -> None:
    charges = updated_amount(Decimal("100.00"), date(2026, 11, 7), date(2026, 11, 9))

    assert charges.effective_due_date == date(2026, 11, 9)
    assert charges.total == Decimal("100.00")


def test_due_date_on_saturday_checked_on_tuesday_is_one_day_late_from_monday() -> None:
    # fee 100.00 x 2% = 2.00; interest 100.00 x 1% x 1/30 = 0.0333 -> 0.03.
    charges = updated_amount(Decimal("100.00"), date(2026, 11, 7), date(2026, 11, 10))

    assert charges.days_late == 1
    assert charges.total == Decimal("102.03")


def test_counting_from_the_original_due_date_starts_only_after_the_effective_one() -> None:
    rules = ChargeRules(late_days_from="original_due_date")
    saturday = date(2026, 11, 7)
    # Saturday -> Monday 2026-11-09: still nothing on Monday.
    on_monday = updated_amount(Decimal("100.00"), saturday, date(2026, 11, 9), rules)
    # On Tuesday, 3 days from Saturday: interest 100.00 x 1% x 3/30 = 0.10.
    on_tuesday = updated_amount(Decimal("100.00"), saturday, date(2026, 11, 10), rules)

    assert on_monday.total == Decimal("100.00")
    assert on_tuesday.days_late == 3
    assert on_tuesday.interest == Decimal("0.10")


@pytest.mark.parametrize(
    ("due_date", "effective_due_date"),
    [
        (date(2026, 11, 2), date(2026, 11, 3)),  # Finados, Monday
        (date(2026, 11, 15), date(2026, 11, 16)),  # Proclamação, a Sunday in 2026
        (date(2026, 11, 20), date(2026, 11, 23)),  # Consciência Negra, Friday
        (date(2026, 12, 25), date(2026, 12, 28)),  # Natal, Friday
        (date(2027, 1, 1), date(2027, 1, 4)),  # Confraternização, Friday
        (date(2026, 2, 16), date(2026, 2, 18)),  # Carnival Monday, a bank closure
    ],
)
def test_due_date_on_a_holiday_moves_to_the_next_business_day_free_of_charges(
    due_date: date, effective_due_date: date
) -> None:
    on_time = updated_amount(Decimal("50.00"), due_date, effective_due_date)
    next_day = updated_amount(Decimal("50.00"), due_date, effective_due_date + timedelta(days=1))

    assert on_time.effective_due_date == effective_due_date
    assert on_time.total == Decimal("50.00")
    assert next_day.days_late == 1


def test_local_holiday_from_the_given_calendar_moves_the_due_date() -> None:
    calendar = BusinessCalendar(extra_holidays=frozenset({date(2026, 8, 6)}))

    charges = updated_amount(
        Decimal("80.00"), date(2026, 8, 6), date(2026, 8, 7), calendar=calendar
    )

    assert charges.effective_due_date == date(2026, 8, 7)
    assert charges.total == Decimal("80.00")


@pytest.mark.parametrize(
    ("rounding", "expected_fee"),
    [
        (ROUND_HALF_UP, Decimal("0.01")),
        (ROUND_HALF_EVEN, Decimal("0.00")),
        (ROUND_DOWN, Decimal("0.00")),
    ],
)
def test_late_fee_landing_on_half_a_centavo_follows_the_rounding_mode(
    rounding: str, expected_fee: Decimal
) -> None:
    # fee 0.25 x 2% = 0.005 exactly.
    rules = ChargeRules(rounding=rounding)

    charges = updated_amount(Decimal("0.25"), date(2026, 11, 10), date(2026, 11, 11), rules)

    assert charges.late_fee == expected_fee


def test_interest_landing_on_half_a_centavo_rounds_half_up() -> None:
    # interest 15.00 x 1% x 1/30 = 0.005 exactly -> 0.01 (half-even would give 0.00).
    charges = updated_amount(Decimal("15.00"), date(2026, 11, 10), date(2026, 11, 11))
    even = updated_amount(
        Decimal("15.00"),
        date(2026, 11, 10),
        date(2026, 11, 11),
        ChargeRules(rounding=ROUND_HALF_EVEN),
    )

    assert charges.interest == Decimal("0.01")
    assert even.interest == Decimal("0.00")


def test_legal_rate_is_selic_minus_ipca() -> None:
    # 1.10 - 0.40 = 0.70% a month; 1000.00 x 0.70% x 15/30 = 3.50; fee 1000.00 x 2% = 20.00.
    rules = ChargeRules(interest=LegalRateInterest(Decimal("1.10"), Decimal("0.40")))

    charges = updated_amount(Decimal("1000.00"), date(2026, 11, 10), date(2026, 11, 25), rules)

    assert charges.interest == Decimal("3.50")
    assert charges.total == Decimal("1023.50")


def test_legal_rate_is_zero_when_ipca_exceeds_selic() -> None:
    rules = ChargeRules(interest=LegalRateInterest(Decimal("0.30"), Decimal("0.50")))

    charges = updated_amount(Decimal("1000.00"), date(2026, 11, 10), date(2026, 11, 25), rules)

    assert charges.interest == Decimal("0.00")
    assert charges.late_fee == Decimal("20.00")


def test_principal_with_fewer_places_is_reported_with_two() -> None:
    charges = updated_amount(Decimal("100"), date(2026, 11, 10), date(2026, 11, 10))

    assert str(charges.principal) == "100.00"
    assert str(charges.total) == "100.00"


def test_explain_shows_each_component_for_staff() -> None:
    charges = updated_amount(Decimal("99.90"), date(2026, 11, 10), date(2026, 11, 20))

    assert charges.explain() == (
        "principal 99.90 + late fee 2% 2.00 + interest 1%/month x 10/30 days 0.33 = total 102.23"
    )


def test_explain_says_when_nothing_is_late() -> None:
    charges = updated_amount(Decimal("99.90"), date(2026, 11, 7), date(2026, 11, 9))

    assert charges.explain() == "principal 99.90 due 2026-11-09, not late: total 99.90"


def test_late_fee_above_two_percent_is_refused_naming_the_field() -> None:
    with pytest.raises(ValueError, match=r"late_fee_percent.*CDC art\. 52"):
        ChargeRules(late_fee_percent=Decimal("2.01"))


def test_float_principal_is_refused() -> None:
    with pytest.raises(TypeError, match="principal"):
        updated_amount(99.9, date(2026, 11, 10), date(2026, 11, 20))  # type: ignore[arg-type]


def test_float_percent_is_refused() -> None:
    with pytest.raises(TypeError, match=r"interest\.percent"):
        FixedMonthlyInterest(1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("principal", ["0.00", "-1.00", "10.001", "NaN"])
def test_principal_must_be_positive_with_at_most_two_places(principal: str) -> None:
    with pytest.raises(ValueError, match="principal"):
        updated_amount(Decimal(principal), date(2026, 11, 10), date(2026, 11, 20))


def test_datetime_today_is_refused() -> None:
    with pytest.raises(TypeError, match="today"):
        updated_amount(Decimal("10.00"), date(2026, 11, 10), datetime(2026, 11, 20, 9, 0))


def test_negative_interest_is_refused() -> None:
    with pytest.raises(ValueError, match=r"interest\.percent"):
        FixedMonthlyInterest(Decimal("-0.5"))


def test_negative_selic_is_refused() -> None:
    with pytest.raises(ValueError, match="selic_monthly_percent"):
        LegalRateInterest(Decimal("-0.1"), Decimal("0"))


def test_interest_above_the_cap_is_refused_unless_the_cap_is_raised() -> None:
    with pytest.raises(ValueError, match="interest_cap_monthly_percent"):
        ChargeRules(interest=FixedMonthlyInterest(Decimal("1.5")))

    rules = ChargeRules(
        interest=FixedMonthlyInterest(Decimal("1.5")), interest_cap_monthly_percent=Decimal("2")
    )
    assert rules.interest.monthly_percent() == Decimal("1.5")


def test_annual_selic_typed_as_monthly_hits_the_cap() -> None:
    with pytest.raises(ValueError, match="interest_cap_monthly_percent"):
        ChargeRules(interest=LegalRateInterest(Decimal("15"), Decimal("0.4")))


@pytest.mark.parametrize("rounding", [ROUND_CEILING, ROUND_UP, "half_up"])
def test_unsupported_rounding_mode_is_refused(rounding: str) -> None:
    with pytest.raises(ValueError, match="rounding"):
        ChargeRules(rounding=rounding)


def test_unknown_late_days_reference_is_refused() -> None:
    with pytest.raises(ValueError, match="late_days_from"):
        ChargeRules(late_days_from="issue_date")  # type: ignore[arg-type]


def test_rules_from_an_empty_mapping_are_the_defaults() -> None:
    assert ChargeRules.from_mapping({}) == DEFAULT_RULES


def test_rules_from_a_yaml_like_mapping() -> None:
    rules = ChargeRules.from_mapping(
        {
            "late_fee_percent": 1.5,
            "interest": {
                "kind": "legal_rate",
                "selic_monthly_percent": "1.10",
                "ipca_monthly_percent": 0.4,
            },
            "rounding": "half_even",
            "late_days_from": "original_due_date",
            "interest_cap_monthly_percent": 1,
        }
    )

    assert rules == ChargeRules(
        late_fee_percent=Decimal("1.5"),
        interest=LegalRateInterest(Decimal("1.10"), Decimal("0.4")),
        rounding=ROUND_HALF_EVEN,
        late_days_from="original_due_date",
        interest_cap_monthly_percent=Decimal("1"),
    )


@pytest.mark.parametrize(
    ("mapping", "key"),
    [
        ({"late_fee": 2}, "late_fee"),
        ({"late_fee_percent": 3}, "late_fee_percent"),
        ({"late_fee_percent": "two"}, "late_fee_percent"),
        ({"late_fee_percent": True}, "late_fee_percent"),
        ({"interest": {"kind": "fixed", "rate": 1}}, "interest.rate"),
        ({"interest": {"kind": "compound"}}, "interest.kind"),
        ({"interest": {"kind": "legal_rate", "ipca_monthly_percent": 0}}, "interest.selic"),
        ({"interest": 1}, "interest"),
        ({"rounding": "ceiling"}, "rounding"),
        ({"late_days_from": "issue_date"}, "late_days_from"),
    ],
)
def test_bad_mapping_is_refused_naming_the_key(mapping: dict[str, object], key: str) -> None:
    with pytest.raises(ValueError, match=key):
        ChargeRules.from_mapping(mapping)


principals = st.integers(min_value=1, max_value=10_000_000).map(lambda c: Decimal(c).scaleb(-2))
due_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
offsets = st.integers(min_value=-60, max_value=2000)
percents = st.integers(min_value=0, max_value=100).map(lambda c: Decimal(c).scaleb(-2))
# Selic 0..0.80 and IPCA -0.20..0.80 keep the legal rate within the default 1% cap.
selics = st.integers(min_value=0, max_value=80).map(lambda c: Decimal(c).scaleb(-2))
ipcas = st.integers(min_value=-20, max_value=80).map(lambda c: Decimal(c).scaleb(-2))
interest_rules = st.one_of(
    percents.map(FixedMonthlyInterest), st.builds(LegalRateInterest, selics, ipcas)
)
rules_strategy = st.builds(
    ChargeRules,
    late_fee_percent=st.integers(min_value=0, max_value=200).map(lambda c: Decimal(c).scaleb(-2)),
    interest=interest_rules,
    rounding=st.sampled_from([ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN]),
    late_days_from=st.sampled_from(["effective_due_date", "original_due_date"]),
)


@FAST
@given(principals, due_dates, offsets, rules_strategy)
def test_charges_stay_within_their_legal_bounds(
    principal: Decimal, due_date: date, offset: int, rules: ChargeRules
) -> None:
    charges = updated_amount(principal, due_date, due_date + timedelta(days=offset), rules)
    rate = rules.interest.monthly_percent()
    interest_bound = principal * rate * charges.days_late / 3000

    assert charges.late_fee <= (principal * Decimal("0.02")).quantize(CENTAVO, ROUND_HALF_UP)
    assert charges.interest <= interest_bound.quantize(CENTAVO, ROUND_UP)
    assert charges.total == charges.principal + charges.late_fee + charges.interest
    amounts = (charges.principal, charges.late_fee, charges.interest, charges.total)
    assert all(amount.as_tuple().exponent == -2 for amount in amounts)


@FAST
@given(principals, due_dates, offsets, rules_strategy)
def test_total_never_falls_as_days_pass(
    principal: Decimal, due_date: date, offset: int, rules: ChargeRules
) -> None:
    today = due_date + timedelta(days=offset)

    before = updated_amount(principal, due_date, today, rules)
    after = updated_amount(principal, due_date, today + timedelta(days=1), rules)

    assert after.total >= before.total
    assert after.days_late >= before.days_late


@FAST
@given(principals, due_dates, offsets, rules_strategy)
def test_nothing_is_charged_up_to_the_effective_due_date(
    principal: Decimal, due_date: date, offset: int, rules: ChargeRules
) -> None:
    today = due_date + timedelta(days=offset)
    charges = updated_amount(principal, due_date, today, rules)

    if today <= charges.effective_due_date:
        assert charges.days_late == 0
        assert charges.total == principal
    else:
        assert charges.days_late > 0
