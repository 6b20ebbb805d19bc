"""When a second-copy boleto may fall due: from today up to a few days ahead, on a business day."""

from dataclasses import dataclass
from datetime import date, timedelta

from policies.calendar import BusinessCalendar


@dataclass(frozen=True)
class SecondCopyRules:
    """`max_days_ahead` counts calendar days from today; the default due date is the first
    business day on or after today plus `default_days_ahead`."""

    max_days_ahead: int = 10
    default_days_ahead: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.default_days_ahead <= self.max_days_ahead:
            raise ValueError("second_copy: default_days_ahead must be between 0 and max_days_ahead")


@dataclass(frozen=True)
class DueDateDecision:
    due_date: date | None
    code: str | None = None
    reason: str | None = None  # pt-BR, for the debtor


def second_copy_due_date(
    requested: date | None, today: date, rules: SecondCopyRules, calendar: BusinessCalendar
) -> DueDateDecision:
    """The due date for a new boleto, or a refusal when the requested day is out of the window."""
    if requested is None:
        wanted = today + timedelta(days=rules.default_days_ahead)
        return DueDateDecision(calendar.next_business_day_on_or_after(wanted))
    if requested < today:
        return DueDateDecision(None, "due_date_in_past", "Essa data já passou.")
    last = today + timedelta(days=rules.max_days_ahead)
    if requested > last:
        reason = (
            f"Consigo emitir o boleto com vencimento em até {rules.max_days_ahead} dias, "
            f"até {last.strftime('%d/%m/%Y')}."
        )
        return DueDateDecision(None, "due_date_beyond_window", reason)
    return DueDateDecision(calendar.next_business_day_on_or_after(requested))
