"""Renegotiation: the concrete offers a debtor may get under the ISP's limits (see
policies.renegotiation_rules), and the check that refuses any request outside them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from policies.base import Decision, allow, brl, day_month, refuse
from policies.calendar import BusinessCalendar, national_calendar
from policies.offers import (
    CENTAVO,
    ZERO,
    DebtItem,
    Discount,
    Installment,
    Offer,
    build_offer,
    ceil_centavo,
    floor_centavo,
    monthly_schedule,
    standard_id,
    with_custom_id,
)
from policies.renegotiation_rules import (
    SEGMENTS,
    DiscountBand,
    RenegotiationRules,
    SegmentTerms,
    band_for,
)

__all__ = [
    "SEGMENTS",
    "DebtItem",
    "DiscountBand",
    "Installment",
    "Offer",
    "OfferDecision",
    "RenegotiationFacts",
    "RenegotiationRules",
    "RequestedTerms",
    "SegmentTerms",
    "check_eligibility",
    "check_offer",
    "earliest_first_due_date",
    "find_offer",
    "latest_first_due_date",
    "max_discount",
    "quote_options",
]


@dataclass(frozen=True)
class RenegotiationFacts:
    """What the rules need to know about the debtor: the open invoices to renegotiate, the
    segment, whether an agreement is active, and how many broke within the lookback."""

    items: tuple[DebtItem, ...]
    segment: str | None = None
    active_agreement: bool = False
    broken_agreements: int = 0

    @property
    def original_total(self) -> Decimal:
        return sum((item.total for item in self.items), ZERO)


@dataclass(frozen=True)
class RequestedTerms:
    """What the debtor (or the model) asks for. `total` is what they offer to pay in all,
    before any installment interest; `discount_percent` is off the updated amount (0 to 100);
    None lets the policy choose (the most discount allowed, the earliest first due date, the
    policy's down payment)."""

    installments: int = 1
    first_due_date: date | None = None
    total: Decimal | None = None
    discount_percent: Decimal | None = None
    down_payment: Decimal | None = None


@dataclass(frozen=True)
class OfferDecision(Decision):
    """A Decision that carries, when `ok`, the concrete offer matching the request."""

    offer: Offer | None = None


def check_eligibility(facts: RenegotiationFacts, rules: RenegotiationRules) -> Decision:
    """Whether the debtor may be offered a renegotiation at all."""
    if not facts.items:
        return refuse("no_open_debt", "Não encontrei faturas em atraso para renegociar.")
    if facts.active_agreement:
        return refuse(
            "active_agreement",
            "Você já tem um acordo ativo; para mudar as condições, vou chamar alguém da equipe.",
        )
    if facts.broken_agreements >= rules.max_broken_agreements:
        return refuse(
            "too_many_broken_agreements",
            "Pelos acordos anteriores, uma nova negociação precisa ser feita com a nossa equipe.",
        )
    return allow("Renegociação disponível.")


def quote_options(
    facts: RenegotiationFacts,
    rules: RenegotiationRules,
    today: date,
    calendar: BusinessCalendar | None = None,
) -> list[Offer]:
    """The standard offers for today: "AV" (at once, the whole discount), then "P2" up to the
    segment's maximum count, keeping only plans whose every installment reaches the minimum
    value. Each starts on the earliest first due date. Empty when not eligible."""
    if not check_eligibility(facts, rules).ok:
        return []
    calendar = calendar or national_calendar()
    first_due = earliest_first_due_date(rules, today, calendar)
    offers = []
    for count in range(1, rules.max_installments_for(facts.segment) + 1):
        offer = _standard(facts, rules, today, calendar, count, first_due)
        smallest = min(item.amount for item in offer.installments)
        if count == 1 or smallest >= rules.min_installment_value:
            offers.append(offer)
    return offers


def check_offer(
    requested: RequestedTerms,
    facts: RenegotiationFacts,
    rules: RenegotiationRules,
    today: date,
    calendar: BusinessCalendar | None = None,
) -> OfferDecision:
    """Refuse `requested` with a readable reason unless it fits the rules; when it fits,
    return the concrete offer for it (the standard one when the terms are the same)."""
    calendar = calendar or national_calendar()
    refusal = _first_refusal(requested, facts, rules, today, calendar)
    if refusal is not None:
        return OfferDecision(False, refusal.code, refusal.reason, refusal.until)
    count = requested.installments
    first_due = calendar.next_business_day_on_or_after(
        requested.first_due_date or earliest_first_due_date(rules, today, calendar)
    )
    caps = max_discount(facts, rules, count)
    wanted = _wanted_total(requested, facts)
    discount = caps if wanted is None else _allocate(facts.original_total - wanted, caps)
    offer = _plan(facts, rules, today, calendar, count, first_due, discount, requested.down_payment)
    problem = _plan_problem(offer, requested, rules, count)
    if problem is not None:
        return OfferDecision(False, problem.code, problem.reason)
    standard = _standard(facts, rules, today, calendar, count, first_due)
    offer = with_custom_id(offer, standard)
    return OfferDecision(True, "ok", offer.describe(), offer.first_due_date, offer)


def find_offer(offers: Sequence[Offer], offer_id: str) -> Offer | None:
    """The offer with `offer_id` (case and spaces ignored), or None."""
    wanted = offer_id.strip().upper()
    return next((offer for offer in offers if offer.offer_id.upper() == wanted), None)


def earliest_first_due_date(
    rules: RenegotiationRules, today: date, calendar: BusinessCalendar
) -> date:
    return calendar.next_business_day_on_or_after(today + timedelta(rules.first_due_min_days))


def latest_first_due_date(
    rules: RenegotiationRules, today: date, calendar: BusinessCalendar
) -> date:
    """The last business day inside the window (a business day is always found within it
    unless the window is shorter than a long holiday; then the earliest one is returned)."""
    day = today + timedelta(rules.first_due_max_days)
    earliest = earliest_first_due_date(rules, today, calendar)
    while day > earliest and not calendar.is_business_day(day):
        day -= timedelta(1)
    return max(day, earliest)


def max_discount(facts: RenegotiationFacts, rules: RenegotiationRules, count: int) -> Discount:
    """The most that may come off for a plan of `count` payments, each invoice by its own
    band, rounded down to the centavo so no cap is ever exceeded."""
    share = Decimal(100) if count == 1 else rules.installment_discount_share_percent
    bands = rules.bands_for(facts.segment)
    principal_percent = rules.max_principal_discount_percent
    if not rules.allow_principal_discount:
        principal_percent = ZERO
    interest = fee = principal = ZERO
    for item in facts.items:
        band = band_for(bands, item.days_late)
        interest += _part(item.interest, band.interest_percent, share)
        fee += _part(item.late_fee, band.fee_percent, share)
        principal += _part(item.principal, principal_percent, share)
    return Discount(interest=interest, late_fee=fee, principal=principal)


def _standard(
    facts: RenegotiationFacts,
    rules: RenegotiationRules,
    today: date,
    calendar: BusinessCalendar,
    count: int,
    first_due: date,
) -> Offer:
    discount = max_discount(facts, rules, count)
    return _plan(facts, rules, today, calendar, count, first_due, discount, None)


def _plan(
    facts: RenegotiationFacts,
    rules: RenegotiationRules,
    today: date,
    calendar: BusinessCalendar,
    count: int,
    first_due: date,
    discount: Discount,
    down_payment: Decimal | None,
) -> Offer:
    discounted = facts.original_total - discount.total
    surcharge = _installment_interest(discounted, count, rules)
    if down_payment is None:
        down_payment = _default_down_payment(discounted + surcharge, count, rules)
    return build_offer(
        facts.items,
        today,
        discount,
        monthly_schedule(first_due, count, calendar),
        down_payment=down_payment if count > 1 else ZERO,
        installment_interest=surcharge,
        standard_id=standard_id(count),
    )


def _first_refusal(
    requested: RequestedTerms,
    facts: RenegotiationFacts,
    rules: RenegotiationRules,
    today: date,
    calendar: BusinessCalendar,
) -> Decision | None:
    eligibility = check_eligibility(facts, rules)
    if not eligibility.ok:
        return eligibility
    return (
        _count_problem(requested.installments, rules.max_installments_for(facts.segment))
        or _amount_problem(requested)
        or _due_date_problem(requested.first_due_date, rules, today, calendar)
        or _discount_problem(requested, facts, rules)
    )


def _amount_problem(requested: RequestedTerms) -> Decision | None:
    amounts = (requested.total, requested.down_payment)
    if any(a is not None and (a < 0 or a != a.quantize(CENTAVO)) for a in amounts):
        return refuse("amount_invalid", "Não entendi o valor; pode me dizer em reais e centavos?")
    percent = requested.discount_percent
    if percent is not None and not 0 <= percent <= 100:
        return refuse("amount_invalid", "O desconto precisa ser um percentual entre 0 e 100.")
    return None


def _count_problem(count: int, most: int) -> Decision | None:
    if count < 1:
        return refuse("installments_invalid", "O número de parcelas precisa ser pelo menos 1.")
    if count > most:
        return refuse(
            "installments_above_max",
            f"Consigo parcelar em até {most} vezes. Quer que eu mostre as opções?",
        )
    return None


def _due_date_problem(
    wanted: date | None, rules: RenegotiationRules, today: date, calendar: BusinessCalendar
) -> Decision | None:
    if wanted is None:
        return None
    earliest = earliest_first_due_date(rules, today, calendar)
    latest = latest_first_due_date(rules, today, calendar)
    due = calendar.next_business_day_on_or_after(wanted)
    window = f"entre {day_month(earliest)} e {day_month(latest)}"
    if due < earliest:
        return refuse("first_due_date_too_soon", f"O primeiro vencimento precisa ficar {window}.")
    if due > latest:
        return refuse(
            "first_due_date_beyond_window", f"O primeiro vencimento precisa ficar {window}."
        )
    return None


def _discount_problem(
    requested: RequestedTerms, facts: RenegotiationFacts, rules: RenegotiationRules
) -> Decision | None:
    wanted = _wanted_total(requested, facts)
    if wanted is None:
        return None
    caps = max_discount(facts, rules, max(requested.installments, 1))
    if facts.original_total - wanted <= caps.total:
        return None
    plan = "à vista" if requested.installments <= 1 else f"em {requested.installments}x"
    principal = "" if caps.principal else "; o valor original das faturas não tem desconto"
    return refuse(
        "discount_above_max",
        f"O maior desconto que consigo {plan} é de {brl(caps.total)}, sobre juros e "
        f"multa{principal}. O valor fica em {brl(facts.original_total - caps.total)}.",
    )


def _plan_problem(
    offer: Offer, requested: RequestedTerms, rules: RenegotiationRules, count: int
) -> Decision | None:
    minimum_down = _minimum_down_payment(offer.total, count, rules)
    if requested.down_payment is not None and count > 1:
        if requested.down_payment >= offer.total:
            return refuse(
                "down_payment_above_total", "A entrada precisa ser menor que o total do acordo."
            )
        if requested.down_payment < minimum_down:
            return refuse(
                "down_payment_below_minimum",
                f"Em {count}x a entrada precisa ser de pelo menos {brl(minimum_down)}.",
            )
    smallest = min(item.amount for item in offer.installments)
    if count > 1 and smallest < rules.min_installment_value:
        return refuse(
            "installment_below_minimum",
            f"Cada parcela precisa ser de pelo menos {brl(rules.min_installment_value)}; "
            f"em {count}x ficaria em {brl(smallest)}.",
        )
    return None


def _wanted_total(requested: RequestedTerms, facts: RenegotiationFacts) -> Decimal | None:
    original = facts.original_total
    if requested.total is not None:
        wanted = requested.total.quantize(CENTAVO, rounding=ROUND_HALF_UP)
    elif requested.discount_percent is not None:
        kept = (Decimal(100) - requested.discount_percent) / 100
        wanted = (original * kept).quantize(CENTAVO, rounding=ROUND_HALF_UP)
    else:
        return None
    return min(max(wanted, ZERO), original)


def _allocate(amount: Decimal, caps: Discount) -> Discount:
    # Interest goes first, then the fee, and the principal only last: the order in which a
    # creditor gives up the least of what it is owed.
    interest = min(amount, caps.interest)
    fee = min(amount - interest, caps.late_fee)
    principal = min(amount - interest - fee, caps.principal)
    return Discount(interest=interest, late_fee=fee, principal=principal)


def _minimum_down_payment(total: Decimal, count: int, rules: RenegotiationRules) -> Decimal:
    if count < rules.down_payment_from_installments:
        return ZERO
    return ceil_centavo(total * rules.min_down_payment_percent / 100)


def _default_down_payment(total: Decimal, count: int, rules: RenegotiationRules) -> Decimal:
    minimum = _minimum_down_payment(total, count, rules)
    if not minimum:
        return ZERO
    # An even split that already gives installment 1 as much needs no separate entrada.
    return minimum if floor_centavo(total / count) < minimum else ZERO


def _installment_interest(discounted: Decimal, count: int, rules: RenegotiationRules) -> Decimal:
    months = count - 1
    rate = rules.installment_interest_monthly_percent
    return (discounted * rate * months / 100).quantize(CENTAVO, rounding=ROUND_HALF_UP)


def _part(amount: Decimal, percent: Decimal, share: Decimal) -> Decimal:
    return floor_centavo(amount * percent * share / 10000)
