"""The ISP's renegotiation limits (section `renegotiation` of the policy file): discount bands
by days late and segment, installments, down payment and the first due date window."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policies.base import RuleSet
from policies.offers import ZERO

# The debtor profiles of billing.models.Segment, repeated because policies import no billing.
SEGMENTS = frozenset({"loyal", "disorganized", "cash_flow_trouble", "chronic", "new_customer"})


# Validators come before the types because the default rules are built at import time.
def _check_bands(bands: tuple[DiscountBand, ...]) -> None:
    if not bands:
        raise ValueError("discount_bands: at least one band is required")
    limits = [band.up_to_days for band in bands]
    if limits[-1] is not None:
        raise ValueError("discount_bands: the last band must have no up_to_days (any delay)")
    bounded = [limit for limit in limits[:-1] if limit is not None]
    if len(bounded) != len(limits) - 1 or bounded != sorted(set(bounded)):
        raise ValueError("discount_bands: up_to_days must increase, and only the last is empty")


class DiscountBand(BaseModel):
    """The most that may come off interest and late fee for invoices up to `up_to_days` late
    (inclusive; None: any delay). Percents are plain numbers: 50 means 50%."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    up_to_days: int | None = Field(default=None, ge=0)
    interest_percent: Decimal = Field(ge=0, le=100)
    fee_percent: Decimal = Field(ge=0, le=100)


class SegmentTerms(BaseModel):
    """What one segment gets instead of the general terms; None keeps the general value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    discount_bands: tuple[DiscountBand, ...] | None = None
    max_installments: int | None = Field(default=None, ge=1, le=60)

    @model_validator(mode="after")
    def _bands_cover_every_delay(self) -> Self:
        if self.discount_bands is not None:
            _check_bands(self.discount_bands)
        return self


def _band(up_to: int | None, interest: int, fee: int) -> DiscountBand:
    return DiscountBand(
        up_to_days=up_to, interest_percent=Decimal(interest), fee_percent=Decimal(fee)
    )


# Up to 30 days late a debtor usually just forgot: half the interest, the fee stands. From 31
# to 90 days the ISP is buying back a debtor about to be suspended for good; past 90 days the
# debt is near rescission and credit-bureau listing, where recovering the principal matters most.
DEFAULT_BANDS = (_band(30, 50, 0), _band(90, 100, 50), _band(None, 100, 100))
DEFAULT_SEGMENTS = {
    # Chronic payers get less, so a late payment is never cheaper than a punctual one.
    "chronic": SegmentTerms(
        discount_bands=(_band(30, 0, 0), _band(90, 50, 0), _band(None, 100, 50)),
        max_installments=3,
    ),
    "loyal": SegmentTerms(
        discount_bands=(_band(30, 100, 50), _band(None, 100, 100)),
    ),
}


class RenegotiationRules(RuleSet):
    """The ISP's renegotiation limits (section `renegotiation` of the policy file).

    Discounts apply only to late fee and interest; the principal is discounted only when
    `allow_principal_discount` is true, by up to `max_principal_discount_percent`. Paying at
    once gets the whole band discount; a plan of 2 or more payments gets
    `installment_discount_share_percent` of it. Plans of `down_payment_from_installments` or
    more payments require installment 1 to be at least `min_down_payment_percent` of the
    total. The first due date falls `first_due_min_days` to `first_due_max_days` calendar
    days from today, moved to a business day; the others follow monthly.
    `installment_interest_monthly_percent` adds simple interest per month of the plan to the
    discounted total (none by default). A debtor with an active agreement, or with
    `max_broken_agreements` or more broken ones in the lookback, is not offered a new one.
    """

    discount_bands: tuple[DiscountBand, ...] = DEFAULT_BANDS
    segments: dict[str, SegmentTerms] = Field(default_factory=lambda: dict(DEFAULT_SEGMENTS))
    installment_discount_share_percent: Decimal = Field(default=Decimal(50), ge=0, le=100)
    allow_principal_discount: bool = False
    max_principal_discount_percent: Decimal = Field(default=ZERO, ge=0, lt=100)
    max_installments: int = Field(default=6, ge=1, le=60)
    min_installment_value: Decimal = Field(default=Decimal("50.00"), ge=0, decimal_places=2)
    min_down_payment_percent: Decimal = Field(default=Decimal(20), ge=0, le=100)
    down_payment_from_installments: int = Field(default=3, ge=2)
    first_due_min_days: int = Field(default=1, ge=0)
    first_due_max_days: int = Field(default=10, ge=0)
    installment_interest_monthly_percent: Decimal = Field(default=ZERO, ge=0, le=10)
    max_broken_agreements: int = Field(default=2, ge=1)
    broken_agreement_lookback_days: int = Field(default=365, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_bands(self.discount_bands)
        unknown = sorted(set(self.segments) - SEGMENTS)
        if unknown:
            raise ValueError(f"segments.{unknown[0]}: unknown segment (known: {sorted(SEGMENTS)})")
        if self.first_due_min_days > self.first_due_max_days:
            raise ValueError(
                f"first_due_min_days: {self.first_due_min_days} is after first_due_max_days "
                f"{self.first_due_max_days}"
            )
        return self

    def bands_for(self, segment: str | None) -> tuple[DiscountBand, ...]:
        terms = self.segments.get(segment or "")
        if terms is not None and terms.discount_bands is not None:
            return terms.discount_bands
        return self.discount_bands

    def max_installments_for(self, segment: str | None) -> int:
        terms = self.segments.get(segment or "")
        if terms is not None and terms.max_installments is not None:
            return terms.max_installments
        return self.max_installments


def band_for(bands: tuple[DiscountBand, ...], days_late: int) -> DiscountBand:
    """The first band covering `days_late` (the last band covers any delay)."""
    for band in bands:
        if band.up_to_days is None or days_late <= band.up_to_days:
            return band
    return bands[-1]
