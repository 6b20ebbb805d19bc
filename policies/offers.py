"""A renegotiation offer as the debtor sees it: discount, total and installments, exact to the
centavo, with an id that follows from its terms."""

import calendar as month_calendar
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from itertools import groupby
from typing import Any

from policies.base import brl, day_month
from policies.calendar import BusinessCalendar

CENTAVO = Decimal("0.01")
ZERO = Decimal("0.00")
CASH_ID = "AV"  # à vista
FINGERPRINT_LENGTH = 12


@dataclass(frozen=True)
class DebtItem:
    """One open invoice going into a renegotiation, as owed today (reais, two places).

    `late_fee` and `interest` come from policies.charges, less what partial payments already
    covered; `days_late` picks the discount band.
    """

    ref: str
    principal: Decimal
    late_fee: Decimal
    interest: Decimal
    days_late: int

    def __post_init__(self) -> None:
        for name in ("principal", "late_fee", "interest"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or value != value.quantize(CENTAVO) or value < 0:
                raise ValueError(f"{name}: expected a Decimal >= 0 with two places, got {value!r}")
        if self.days_late < 0:
            raise ValueError(f"days_late: {self.days_late} is negative")

    @property
    def total(self) -> Decimal:
        return self.principal + self.late_fee + self.interest


@dataclass(frozen=True)
class Discount:
    """Reais taken off each component of the debt."""

    interest: Decimal = ZERO
    late_fee: Decimal = ZERO
    principal: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.interest + self.late_fee + self.principal


@dataclass(frozen=True)
class Installment:
    """Payment `number` (1 is the first) of an offer; the due date is a business day."""

    number: int
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class Offer:
    """A concrete offer, valid on `quoted_on` only (the debt grows every day).

    `total` = `original_total` - `discount.total` + `installment_interest`, and the installment
    amounts sum to it exactly. When the plan has a down payment (entrada), it is installment
    1 and `down_payment` is its amount; otherwise `down_payment` is zero. Any rounding
    remainder is carried by the first installment after the down payment (installment 1
    when there is none). `offer_id` is "AV" for paying at once and "P<n>"
    for n payments, with "-" and the first characters of `fingerprint` appended when the
    terms differ from the standard quote; `fingerprint` changes whenever any term does.
    """

    offer_id: str
    fingerprint: str
    quoted_on: date
    items: tuple[DebtItem, ...]
    original_total: Decimal
    discount: Discount
    installment_interest: Decimal
    total: Decimal
    down_payment: Decimal
    installments: tuple[Installment, ...]

    @property
    def invoice_refs(self) -> tuple[str, ...]:
        return tuple(item.ref for item in self.items)

    @property
    def count(self) -> int:
        return len(self.installments)

    @property
    def first_due_date(self) -> date:
        return self.installments[0].due_date

    def describe(self) -> str:
        """One pt-BR sentence stating the offer's figures, for the debtor."""
        first = self.installments[0]
        saving = f" (desconto de {brl(self.discount.total)})" if self.discount.total else ""
        if self.count == 1:
            return f"À vista: {brl(self.total)} até {day_month(first.due_date)}{saving}."
        others = " + ".join(
            f"{len(list(group))} de {brl(amount)}"
            for amount, group in groupby(item.amount for item in self.installments[1:])
        )
        head = "entrada de " if self.down_payment else ""
        return (
            f"{self.count}x: {head}{brl(first.amount)} em {day_month(first.due_date)} + "
            f"{others}, uma por mês (total {brl(self.total)}){saving}."
        )

    def to_json(self) -> dict[str, Any]:
        """The offer as JSON-ready data: money as strings with two places, dates ISO."""
        return {
            "offer_id": self.offer_id,
            "fingerprint": self.fingerprint,
            "quoted_on": self.quoted_on.isoformat(),
            "invoices": [_item_json(item) for item in self.items],
            **_money_fields(self),
            "installments": [
                {"number": i.number, "due_date": i.due_date.isoformat(), "amount": f"{i.amount}"}
                for i in self.installments
            ],
        }


def build_offer(
    items: tuple[DebtItem, ...],
    today: date,
    discount: Discount,
    schedule: list[date],
    *,
    down_payment: Decimal,
    installment_interest: Decimal,
    standard_id: str,
) -> Offer:
    """An offer whose id is `standard_id` exactly when the caller passes the standard terms;
    use `with_custom_id` for anything else."""
    original = sum((item.total for item in items), ZERO)
    total = original - discount.total + installment_interest
    amounts = split(total, len(schedule), down_payment)
    installments = tuple(
        Installment(number, due, amount)
        for number, (due, amount) in enumerate(zip(schedule, amounts, strict=True), start=1)
    )
    terms = (items, original, discount, installment_interest, total, down_payment, installments)
    return Offer(
        offer_id=standard_id,
        fingerprint=_fingerprint(today, terms),
        quoted_on=today,
        items=items,
        original_total=original,
        discount=discount,
        installment_interest=installment_interest,
        total=total,
        down_payment=down_payment,
        installments=installments,
    )


def with_custom_id(offer: Offer, standard: Offer | None) -> Offer:
    """`offer` renamed "P<n>-XXXX" unless it has exactly the terms of `standard`."""
    if standard is not None and standard.fingerprint == offer.fingerprint:
        return standard
    suffix = offer.fingerprint[:4].upper()
    return replace(offer, offer_id=f"{offer.offer_id}-{suffix}")


def standard_id(count: int) -> str:
    return CASH_ID if count == 1 else f"P{count}"


def split(total: Decimal, count: int, down_payment: Decimal = ZERO) -> list[Decimal]:
    """`count` amounts summing to `total`: installment 1 is `down_payment` when that is set,
    the others equal; the centavos left by rounding go to the first installment after the
    down payment (installment 1 when there is none)."""
    if count == 1:
        return [total]
    if down_payment:
        return [down_payment, *split(total - down_payment, count - 1)]
    share = floor_centavo(total / count)
    return [total - share * (count - 1)] + [share] * (count - 1)


def monthly_schedule(first_due: date, count: int, calendar: BusinessCalendar) -> list[date]:
    """`first_due`, then the same day of each following month (the month's last day when it
    is shorter), each moved forward to a business day."""
    return [
        calendar.next_business_day_on_or_after(add_months(first_due, months))
        for months in range(count)
    ]


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = month_calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def floor_centavo(value: Decimal) -> Decimal:
    return value.quantize(CENTAVO, rounding=ROUND_DOWN)


def ceil_centavo(value: Decimal) -> Decimal:
    return value.quantize(CENTAVO, rounding=ROUND_UP)


def _money_fields(offer: Offer) -> dict[str, str]:
    return {
        "original_total": f"{offer.original_total}",
        "discount_interest": f"{offer.discount.interest}",
        "discount_late_fee": f"{offer.discount.late_fee}",
        "discount_principal": f"{offer.discount.principal}",
        "discount_total": f"{offer.discount.total}",
        "installment_interest": f"{offer.installment_interest}",
        "total": f"{offer.total}",
        "down_payment": f"{offer.down_payment}",
    }


def _item_json(item: DebtItem) -> dict[str, Any]:
    return {
        "invoice": item.ref,
        "principal": f"{item.principal}",
        "late_fee": f"{item.late_fee}",
        "interest": f"{item.interest}",
        "days_late": item.days_late,
    }


def _fingerprint(today: date, terms: tuple[object, ...]) -> str:
    text = json.dumps([today.isoformat(), repr(terms)], ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:FINGERPRINT_LENGTH]
