"""The updated amount of an overdue invoice: principal plus late fee (multa) plus late interest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Literal, get_args

from policies.calendar import BusinessCalendar, national_calendar

LateDaysFrom = Literal["effective_due_date", "original_due_date"]

CENTAVO = Decimal("0.01")
ZERO = Decimal("0.00")
# CDC art. 52 §1: the late fee on a consumer debt may not exceed 2% of the installment.
LATE_FEE_CAP_PERCENT = Decimal("2")
DAYS_PER_MONTH = 30
ROUNDING_MODES = frozenset({ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN})
ROUNDING_NAMES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}


# Validators come before the types because DEFAULT_RULES is built at import time.
def _require_decimal(name: str, value: object) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name}: expected Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name}: {value} is not a finite number")


def _require_not_negative(name: str, value: Decimal) -> None:
    if value < 0:
        raise ValueError(f"{name}: {value} is negative")


def _late_days_from(raw: object) -> LateDaysFrom:
    if raw == "effective_due_date":
        return "effective_due_date"
    if raw == "original_due_date":
        return "original_due_date"
    raise ValueError(f"late_days_from: {raw!r} is not one of {list(get_args(LateDaysFrom))}")


@dataclass(frozen=True)
class FixedMonthlyInterest:
    """A contractual rate, in percent per 30-day month, simple and pro rata die."""

    percent: Decimal = Decimal("1")

    def __post_init__(self) -> None:
        _require_decimal("interest.percent", self.percent)
        _require_not_negative("interest.percent", self.percent)

    def monthly_percent(self) -> Decimal:
        return self.percent


@dataclass(frozen=True)
class LegalRateInterest:
    """The legal rate where the contract is silent (CC art. 406, Lei 14.905/2024).

    Monthly percent = Selic minus IPCA, both monthly percents, floored at zero.
    IPCA may be negative (deflation); Selic may not.
    """

    selic_monthly_percent: Decimal
    ipca_monthly_percent: Decimal

    def __post_init__(self) -> None:
        _require_decimal("interest.selic_monthly_percent", self.selic_monthly_percent)
        _require_decimal("interest.ipca_monthly_percent", self.ipca_monthly_percent)
        _require_not_negative("interest.selic_monthly_percent", self.selic_monthly_percent)

    def monthly_percent(self) -> Decimal:
        return max(Decimal(0), self.selic_monthly_percent - self.ipca_monthly_percent)


InterestRule = FixedMonthlyInterest | LegalRateInterest

# Limitation: the legal rate uses one Selic and one IPCA for the whole delay, while the law
# applies each month's published rates; long delays across rate changes drift from the law.
# Limitation: no monetary correction (IPCA, CC art. 389) is added to the principal.


@dataclass(frozen=True)
class ChargeRules:
    """How an overdue invoice grows. Percents are plain numbers: Decimal("2") means 2%.

    Raises ValueError naming the field for a late fee above 2% (CDC art. 52 §1), a negative
    percent, an interest rate above `interest_cap_monthly_percent`, or an unknown rounding or
    `late_days_from`; TypeError for a percent that is not a Decimal.
    """

    late_fee_percent: Decimal = Decimal("2")
    interest: InterestRule = FixedMonthlyInterest()
    rounding: str = ROUND_HALF_UP
    late_days_from: LateDaysFrom = "effective_due_date"
    # 1% a month is the ceiling commonly upheld for late interest a company that is not a
    # financial institution writes into its own contract; configurable for other readings.
    interest_cap_monthly_percent: Decimal = Decimal("1")

    def __post_init__(self) -> None:
        _require_decimal("late_fee_percent", self.late_fee_percent)
        _require_not_negative("late_fee_percent", self.late_fee_percent)
        if self.late_fee_percent > LATE_FEE_CAP_PERCENT:
            raise ValueError(
                f"late_fee_percent: {self.late_fee_percent} is above the legal cap of "
                f"{LATE_FEE_CAP_PERCENT}% (CDC art. 52 §1)"
            )
        _require_decimal("interest_cap_monthly_percent", self.interest_cap_monthly_percent)
        _require_not_negative("interest_cap_monthly_percent", self.interest_cap_monthly_percent)
        if not isinstance(self.interest, FixedMonthlyInterest | LegalRateInterest):
            raise TypeError("interest: expected FixedMonthlyInterest or LegalRateInterest")
        # The cap covers the legal rate too: a monthly rate above it usually means an annual
        # Selic was typed as monthly. Raise the cap on purpose if the real rate is that high.
        if self.interest.monthly_percent() > self.interest_cap_monthly_percent:
            raise ValueError(
                f"interest: {self.interest.monthly_percent()}% a month is above "
                f"interest_cap_monthly_percent {self.interest_cap_monthly_percent}%"
            )
        if self.rounding not in ROUNDING_MODES:
            raise ValueError(f"rounding: {self.rounding!r} is not one of {sorted(ROUNDING_MODES)}")
        _late_days_from(self.late_days_from)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> ChargeRules:
        """Rules from a plain mapping, e.g. loaded from YAML; absent keys keep their defaults.

        Keys: late_fee_percent, interest ({kind: fixed, percent} or {kind: legal_rate,
        selic_monthly_percent, ipca_monthly_percent}), rounding (half_up, half_even, down),
        late_days_from, interest_cap_monthly_percent. Numbers may be str, int or float; a
        float is read through its shortest repr, which gives back the digits typed in YAML.
        Raises ValueError naming the offending key, unknown keys included.
        """
        _reject_unknown_keys("", data, _RULE_KEYS)
        defaults = DEFAULT_RULES
        rounding = data.get("rounding", "half_up")
        if rounding not in ROUNDING_NAMES:
            raise ValueError(f"rounding: {rounding!r} is not one of {sorted(ROUNDING_NAMES)}")
        return cls(
            late_fee_percent=_decimal_at(data, "late_fee_percent", defaults.late_fee_percent),
            interest=_interest_from(data.get("interest", {"kind": "fixed"})),
            rounding=ROUNDING_NAMES[str(rounding)],
            late_days_from=_late_days_from(data.get("late_days_from", defaults.late_days_from)),
            interest_cap_monthly_percent=_decimal_at(
                data, "interest_cap_monthly_percent", defaults.interest_cap_monthly_percent
            ),
        )


DEFAULT_RULES = ChargeRules()


@dataclass(frozen=True)
class Charges:
    """What a debtor owes on one day. Money in reais with two places; `total` is the sum."""

    principal: Decimal
    late_fee: Decimal
    interest: Decimal
    total: Decimal
    original_due_date: date
    effective_due_date: date
    days_late: int
    late_fee_percent: Decimal
    interest_monthly_percent: Decimal

    def explain(self) -> str:
        """One English line for staff showing how the total was reached."""
        if self.days_late == 0:
            return (
                f"principal {self.principal} due {self.effective_due_date.isoformat()}, "
                f"not late: total {self.total}"
            )
        return (
            f"principal {self.principal} + late fee {_percent(self.late_fee_percent)}% "
            f"{self.late_fee} + interest {_percent(self.interest_monthly_percent)}%/month x "
            f"{self.days_late}/{DAYS_PER_MONTH} days {self.interest} = total {self.total}"
        )


def updated_amount(
    principal: Decimal,
    due_date: date,
    today: date,
    rules: ChargeRules = DEFAULT_RULES,
    calendar: BusinessCalendar | None = None,
) -> Charges:
    """The invoice's amount on `today` (a São Paulo business date).

    A due date on a weekend or holiday moves to the next business day of `calendar` (national
    by default) and nothing is charged up to and including that day. After it, the late fee is
    a percent of the principal and interest is simple, pro rata die over a 30-day month, on the
    principal; each is rounded to the centavo with `rules.rounding`.
    Raises TypeError for a float or non-Decimal principal or a datetime; ValueError for a
    principal that is not positive or has more than two decimal places.
    """
    _require_principal(principal)
    _require_plain_date("due_date", due_date)
    _require_plain_date("today", today)
    principal = principal.quantize(CENTAVO)
    effective_due_date = (calendar or national_calendar()).next_business_day_on_or_after(due_date)

    days_late = 0
    if today > effective_due_date:
        start = effective_due_date if rules.late_days_from == "effective_due_date" else due_date
        days_late = (today - start).days

    late_fee = _late_fee(principal, rules) if days_late else ZERO
    interest = _interest(principal, days_late, rules)
    return Charges(
        principal=principal,
        late_fee=late_fee,
        interest=interest,
        total=principal + late_fee + interest,
        original_due_date=due_date,
        effective_due_date=effective_due_date,
        days_late=days_late,
        late_fee_percent=rules.late_fee_percent,
        interest_monthly_percent=rules.interest.monthly_percent(),
    )


_RULE_KEYS = frozenset(
    {"late_fee_percent", "interest", "rounding", "late_days_from", "interest_cap_monthly_percent"}
)
_INTEREST_KEYS = {
    "fixed": frozenset({"kind", "percent"}),
    "legal_rate": frozenset({"kind", "selic_monthly_percent", "ipca_monthly_percent"}),
}


def _late_fee(principal: Decimal, rules: ChargeRules) -> Decimal:
    return (principal * rules.late_fee_percent / 100).quantize(CENTAVO, rounding=rules.rounding)


def _interest(principal: Decimal, days_late: int, rules: ChargeRules) -> Decimal:
    # One division at the end keeps the product exact, so a true .005 is still a tie.
    numerator = principal * rules.interest.monthly_percent() * days_late
    return (numerator / (100 * DAYS_PER_MONTH)).quantize(CENTAVO, rounding=rules.rounding)


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _require_principal(principal: Decimal) -> None:
    _require_decimal("principal", principal)
    if principal <= 0:
        raise ValueError(f"principal: {principal} must be greater than zero")
    if principal != principal.quantize(CENTAVO):
        raise ValueError(f"principal: {principal} has more than two decimal places")


def _require_plain_date(name: str, value: object) -> None:
    # A datetime would pass as a date and make day counts depend on the hour.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name}: expected a date, got {type(value).__name__}")


def _interest_from(raw: object) -> InterestRule:
    if not isinstance(raw, Mapping):
        raise ValueError("interest: expected a mapping with a 'kind' key")
    kind = raw.get("kind", "fixed")
    if kind not in _INTEREST_KEYS:
        raise ValueError(f"interest.kind: {kind!r} is not one of {sorted(_INTEREST_KEYS)}")
    _reject_unknown_keys("interest.", raw, _INTEREST_KEYS[kind])
    if kind == "fixed":
        return FixedMonthlyInterest(_decimal_at(raw, "percent", Decimal("1"), "interest."))
    return LegalRateInterest(
        selic_monthly_percent=_decimal_at(raw, "selic_monthly_percent", None, "interest."),
        ipca_monthly_percent=_decimal_at(raw, "ipca_monthly_percent", None, "interest."),
    )


def _decimal_at(
    data: Mapping[str, object], key: str, default: Decimal | None, prefix: str = ""
) -> Decimal:
    if key not in data:
        if default is None:
            raise ValueError(f"{prefix}{key}: required")
        return default
    raw = data[key]
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ValueError(f"{prefix}{key}: expected a number, got {type(raw).__name__}")
    try:
        return Decimal(str(raw))
    except ArithmeticError as error:
        raise ValueError(f"{prefix}{key}: {raw!r} is not a number") from error


def _reject_unknown_keys(prefix: str, data: Mapping[str, object], known: frozenset[str]) -> None:
    unknown = sorted(str(key) for key in data if key not in known)
    if unknown:
        raise ValueError(f"{prefix}{unknown[0]}: unknown key (known: {sorted(known)})")
