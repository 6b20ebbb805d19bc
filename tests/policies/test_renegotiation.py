"""Renegotiation offers: caps on discounts, exact installments, the first due date window, and
readable refusals for anything outside policy."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.calendar import national_calendar
from policies.charges import updated_amount
from policies.renegotiation import (
    SEGMENTS,
    DebtItem,
    DiscountBand,
    Offer,
    RenegotiationFacts,
    RenegotiationRules,
    RequestedTerms,
    check_offer,
    find_offer,
    quote_options,
)

FAST = settings(max_examples=150, deadline=None, database=None)
CENTAVO = Decimal("0.01")
TODAY = date(2026, 12, 3)  # a Thursday
CALENDAR = national_calendar()


def _item(ref: str, due: date, principal: str = "99.90") -> DebtItem:
    charges = updated_amount(Decimal(principal), due, TODAY)
    return DebtItem(ref, charges.principal, charges.late_fee, charges.interest, charges.days_late)


# 84, 51 (the due date moved off Saturday and the 12 October holiday) and 23 days late.
THREE = RenegotiationFacts(
    (
        _item("INV-9", date(2026, 9, 10)),
        _item("INV-10", date(2026, 10, 10)),
        _item("INV-11", date(2026, 11, 10)),
    ),
    segment="disorganized",
)
RULES = RenegotiationRules()


def _band_cap(item: DebtItem, bands: tuple[DiscountBand, ...]) -> tuple[Decimal, Decimal]:
    band = next(b for b in bands if b.up_to_days is None or item.days_late <= b.up_to_days)
    return (item.interest * band.interest_percent / 100, item.late_fee * band.fee_percent / 100)


def _assert_well_formed(
    offer: Offer, facts: RenegotiationFacts, rules: RenegotiationRules, today: date
) -> None:
    bands = rules.bands_for(facts.segment)
    caps = [_band_cap(item, bands) for item in facts.items]
    assert offer.discount.interest <= sum(cap[0] for cap in caps)
    assert offer.discount.late_fee <= sum(cap[1] for cap in caps)
    if not rules.allow_principal_discount:
        assert offer.discount.principal == 0
    principal = sum(item.principal for item in facts.items)
    assert offer.discount.principal <= principal * rules.max_principal_discount_percent / 100
    assert offer.total == offer.original_total - offer.discount.total + offer.installment_interest
    assert sum(item.amount for item in offer.installments) == offer.total
    assert all(item.amount == item.amount.quantize(CENTAVO) for item in offer.installments)
    if offer.count > 1:
        assert min(item.amount for item in offer.installments) >= rules.min_installment_value
    dues = [item.due_date for item in offer.installments]
    assert all(CALENDAR.is_business_day(due) for due in dues)
    assert dues == sorted(set(dues))
    assert today + timedelta(rules.first_due_min_days) <= dues[0]
    assert dues[0] <= today + timedelta(rules.first_due_max_days)
    assert [item.number for item in offer.installments] == list(range(1, offer.count + 1))


money = st.integers(min_value=1000, max_value=300_000).map(lambda c: Decimal(c) / 100)


@st.composite
def debt_items(draw: st.DrawFn) -> DebtItem:
    principal = draw(money)
    days = draw(st.integers(min_value=1, max_value=400))
    fee = (principal * 2 / 100).quantize(CENTAVO)
    interest = (principal * days / 3000).quantize(CENTAVO)
    return DebtItem(f"INV-{draw(st.integers(1, 10**6))}", principal, fee, interest, days)


@st.composite
def facts_and_rules(draw: st.DrawFn) -> tuple[RenegotiationFacts, RenegotiationRules]:
    items = tuple(draw(st.lists(debt_items(), min_size=1, max_size=5)))
    segment = draw(st.sampled_from([None, *sorted(SEGMENTS)]))
    allow_principal = draw(st.booleans())
    rules = RenegotiationRules(
        allow_principal_discount=allow_principal,
        max_principal_discount_percent=Decimal(draw(st.integers(0, 30))) if allow_principal else 0,
        max_installments=draw(st.integers(1, 12)),
        min_installment_value=Decimal(draw(st.integers(0, 150))),
        min_down_payment_percent=Decimal(draw(st.integers(0, 50))),
        installment_interest_monthly_percent=Decimal(draw(st.sampled_from(["0", "1", "2.5"]))),
    )
    return RenegotiationFacts(items, segment), rules


days = st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31))


@FAST
@given(facts_and_rules(), days)
def test_every_quoted_offer_respects_caps_sums_and_dates(
    case: tuple[RenegotiationFacts, RenegotiationRules], today: date
) -> None:
    facts, rules = case

    offers = quote_options(facts, rules, today, CALENDAR)

    assert offers[0].offer_id == "AV"
    assert len({offer.offer_id for offer in offers}) == len(offers)
    for offer in offers:
        _assert_well_formed(offer, facts, rules, today)


@FAST
@given(facts_and_rules(), days)
def test_quoting_twice_gives_the_same_ids_and_fingerprints(
    case: tuple[RenegotiationFacts, RenegotiationRules], today: date
) -> None:
    facts, rules = case

    first = quote_options(facts, rules, today, CALENDAR)
    second = quote_options(facts, rules, today, CALENDAR)

    assert [(o.offer_id, o.fingerprint) for o in first] == [
        (o.offer_id, o.fingerprint) for o in second
    ]


@FAST
@given(
    facts_and_rules(),
    days,
    st.integers(min_value=-1, max_value=15),
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=-3, max_value=20),
)
def test_check_offer_returns_only_well_formed_offers_or_a_refusal(
    case: tuple[RenegotiationFacts, RenegotiationRules],
    today: date,
    count: int,
    discount: int,
    offset: int,
) -> None:
    facts, rules = case
    requested = RequestedTerms(
        installments=count,
        first_due_date=today + timedelta(offset),
        discount_percent=Decimal(discount),
    )

    decision = check_offer(requested, facts, rules, today, CALENDAR)

    if decision.ok:
        assert decision.offer is not None
        _assert_well_formed(decision.offer, facts, rules, today)
        assert decision.offer.count == count
    else:
        assert decision.offer is None
        assert decision.code != "ok"
        assert decision.reason


@FAST
@given(facts_and_rules(), days)
def test_asking_for_a_standard_offer_gives_it_back_by_id(
    case: tuple[RenegotiationFacts, RenegotiationRules], today: date
) -> None:
    facts, rules = case
    for offer in quote_options(facts, rules, today, CALENDAR):
        decision = check_offer(RequestedTerms(offer.count), facts, rules, today, CALENDAR)

        assert decision.offer == offer


def test_three_invoices_are_quoted_with_each_band_and_the_remainder_in_installment_one() -> None:
    offers = quote_options(THREE, RULES, TODAY, CALENDAR)

    assert [offer.offer_id for offer in offers] == ["AV", "P2", "P3", "P4", "P5"]
    cash = offers[0]
    # 84 days: all 2.80 interest, half the 2.00 fee; 51 days: all 1.70 interest, half the
    # fee; 23 days: half of 0.77 interest rounded down, no fee discount.
    assert cash.original_total == Decimal("310.97")
    assert (cash.discount.interest, cash.discount.late_fee) == (Decimal("4.88"), Decimal("2.00"))
    assert cash.total == Decimal("304.09")
    assert cash.installments[0].due_date == date(2026, 12, 4)
    two = offers[1]
    assert [i.amount for i in two.installments] == [Decimal("153.77"), Decimal("153.76")]
    assert two.discount.total == Decimal("3.44")  # half of each cap, rounded down
    assert [i.due_date for i in offers[3].installments] == [
        date(2026, 12, 4),
        date(2027, 1, 4),
        date(2027, 2, 4),
        date(2027, 3, 4),
    ]


def test_a_long_plan_starts_with_a_down_payment_of_at_least_the_minimum_percent() -> None:
    facts = RenegotiationFacts((_item("INV-1", date(2026, 6, 10), "600.00"),))

    six = find_offer(quote_options(facts, RULES, TODAY, CALENDAR), "p6")

    assert six is not None
    assert six.down_payment >= six.total * Decimal("0.20")
    assert six.installments[0].amount == six.down_payment
    # 600.00 + 12.00 fee + 35.20 interest (176 days), less half of both (P6 gets half the
    # 91+ band's 100%): 623.60; entrada 20% = 124.72; 498.88 / 5 leaves 3 centavos over.
    amounts = [i.amount for i in six.installments]
    assert amounts == [Decimal("124.72"), Decimal("99.80")] + [Decimal("99.77")] * 4
    assert "+ 1 de R$ 99,80 + 4 de R$ 99,77" in six.describe()
    assert "entrada de" in six.describe()


def test_the_chronic_segment_gets_smaller_discounts_and_fewer_installments() -> None:
    chronic = RenegotiationFacts(THREE.items, segment="chronic")

    offers = quote_options(chronic, RULES, TODAY, CALENDAR)

    assert [offer.offer_id for offer in offers] == ["AV", "P2", "P3"]
    assert offers[0].discount.late_fee == 0
    assert offers[0].discount.total < quote_options(THREE, RULES, TODAY)[0].discount.total


def test_principal_is_discounted_only_when_configured() -> None:
    rules = RenegotiationRules(allow_principal_discount=True, max_principal_discount_percent=10)
    old = RenegotiationFacts((_item("INV-1", date(2026, 1, 10), "200.00"),))

    cash = quote_options(old, rules, TODAY, CALENDAR)[0]

    assert cash.discount.principal == Decimal("20.00")
    assert quote_options(old, RULES, TODAY, CALENDAR)[0].discount.principal == 0


def test_installment_interest_adds_simple_monthly_interest_to_plans() -> None:
    rules = RenegotiationRules(installment_interest_monthly_percent=Decimal("1"))

    three = find_offer(quote_options(THREE, rules, TODAY, CALENDAR), "P3")

    assert three is not None
    # 307.53 discounted x 1% x 2 months = 6.1506 -> 6.15.
    assert three.installment_interest == Decimal("6.15")
    assert three.total == Decimal("313.68")


@pytest.mark.parametrize(
    ("requested", "code", "words"),
    [
        (RequestedTerms(12), "installments_above_max", "até 6 vezes"),
        (RequestedTerms(0), "installments_invalid", "pelo menos 1"),
        (RequestedTerms(1, discount_percent=Decimal(90)), "discount_above_max", "R$ 6,88"),
        (RequestedTerms(1, total=Decimal("100.00")), "discount_above_max", "não tem desconto"),
        (RequestedTerms(6), "installment_below_minimum", "R$ 50,00"),
        (RequestedTerms(3, first_due_date=date(2026, 12, 20)), "first_due_date_beyond_window", ""),
        (RequestedTerms(3, first_due_date=TODAY), "first_due_date_too_soon", "04/12/2026"),
        (RequestedTerms(4, down_payment=Decimal("20.00")), "down_payment_below_minimum", ""),
        (RequestedTerms(2, down_payment=Decimal("400.00")), "down_payment_above_total", ""),
        (RequestedTerms(2, down_payment=Decimal("100.005")), "amount_invalid", "centavos"),
        (RequestedTerms(1, total=Decimal("-1")), "amount_invalid", ""),
        (RequestedTerms(1, discount_percent=Decimal(120)), "amount_invalid", "entre 0 e 100"),
    ],
)
def test_requests_outside_policy_are_refused_with_a_readable_reason(
    requested: RequestedTerms, code: str, words: str
) -> None:
    decision = check_offer(requested, THREE, RULES, TODAY, CALENDAR)

    assert (decision.ok, decision.code) == (False, code)
    assert words in decision.reason


def test_a_saturday_first_due_date_beyond_the_window_names_the_last_business_day() -> None:
    # Today + 10 is Sunday 13/12; Saturday 12/12 would move to Monday 14/12, outside.
    decision = check_offer(
        RequestedTerms(2, first_due_date=date(2026, 12, 12)), THREE, RULES, TODAY
    )

    assert decision.code == "first_due_date_beyond_window"
    assert "entre 04/12/2026 e 11/12/2026" in decision.reason


def test_a_custom_request_inside_policy_gets_its_own_id_and_exact_terms() -> None:
    requested = RequestedTerms(3, first_due_date=date(2026, 12, 10), total=Decimal("308.00"))

    decision = check_offer(requested, THREE, RULES, TODAY, CALENDAR)

    assert decision.ok
    assert decision.offer is not None
    offer = decision.offer
    assert offer.offer_id.startswith("P3-")
    assert len(offer.offer_id) == 7
    assert offer.total == Decimal("308.00")
    assert offer.discount.interest == Decimal("2.44")
    assert offer.discount.late_fee == Decimal("0.53")
    assert offer.first_due_date == date(2026, 12, 10)
    assert decision.until == date(2026, 12, 10)


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        (RenegotiationFacts(()), "no_open_debt"),
        (RenegotiationFacts(THREE.items, active_agreement=True), "active_agreement"),
        (RenegotiationFacts(THREE.items, broken_agreements=2), "too_many_broken_agreements"),
    ],
)
def test_ineligible_debtors_get_no_offers_and_a_refusal(
    facts: RenegotiationFacts, code: str
) -> None:
    assert quote_options(facts, RULES, TODAY, CALENDAR) == []
    assert check_offer(RequestedTerms(1), facts, RULES, TODAY).code == code


def test_an_offer_serialises_money_as_strings_and_dates_iso() -> None:
    offer = quote_options(THREE, RULES, TODAY, CALENDAR)[1]

    data = offer.to_json()

    assert data["offer_id"] == "P2"
    assert data["total"] == "307.53"
    assert data["installments"][0] == {"number": 1, "due_date": "2026-12-04", "amount": "153.77"}
    assert data["invoices"][0]["invoice"] == "INV-9"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            {"discount_bands": [{"up_to_days": 30, "interest_percent": 50, "fee_percent": 0}]},
            "last band",
        ),
        (
            {
                "discount_bands": [
                    {"up_to_days": 90, "interest_percent": 50, "fee_percent": 0},
                    {"up_to_days": 30, "interest_percent": 50, "fee_percent": 0},
                    {"interest_percent": 100, "fee_percent": 100},
                ]
            },
            "must increase",
        ),
        ({"segments": {"vip": {"max_installments": 3}}}, "segments.vip"),
        ({"first_due_min_days": 5, "first_due_max_days": 2}, "first_due_min_days"),
        ({"max_installments": 0}, "renegotiation.max_installments"),
        ({"discount_bands": [{"interest_percent": 150, "fee_percent": 0}]}, "interest_percent"),
        ({"max_principal_discount_percent": 100}, "max_principal_discount_percent"),
        ({"installments": 3}, "renegotiation.installments: unknown key"),
    ],
)
def test_bad_rules_are_refused_naming_the_key(section: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RenegotiationRules.from_mapping(section, "renegotiation")
