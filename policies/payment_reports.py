"""Payment reports ("já paguei"): how long reminders wait for a payment the debtor says they
made to clear, by how it was paid."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import Field, field_validator

from policies.base import Decision, RuleSet, allow, day_month, refuse
from policies.calendar import BusinessCalendar, national_calendar

UNKNOWN = "unknown"
# Pix settles in seconds; a boleto paid at a bank or app clears in up to three business days.
DEFAULT_CLEARING = {"pix": 0, "boleto": 3, "card": 2, "transfer": 1, UNKNOWN: 3}
_METHOD_WORDS = (
    ("pix", ("pix", "piks", "pics", "qr code", "qrcode", "copia e cola")),
    ("boleto", ("boleto", "codigo de barras", "loterica", "banco")),
    ("card", ("cartao", "credito", "debito")),
    ("transfer", ("transferencia", "ted", "doc", "deposito")),
)


class PaymentReportRules(RuleSet):
    """Section `payment_reports` of the policy file.

    `clearing_business_days` maps a method (pix, boleto, card, transfer, unknown) to the
    business days a payment takes to reach the ISP; reminders pause that long after the
    report. A debtor with `max_unconfirmed_reports` reports that never turned into a payment
    within `lookback_days` gets no new pause (staff look instead).
    """

    clearing_business_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_CLEARING))
    max_unconfirmed_reports: int = Field(default=2, ge=1)
    lookback_days: int = Field(default=60, ge=1)

    @field_validator("clearing_business_days")
    @classmethod
    def _known_methods(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - set(DEFAULT_CLEARING))
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown method (known: {sorted(DEFAULT_CLEARING)})")
        if any(days < 0 or days > 15 for days in value.values()):
            raise ValueError("clearing days must be between 0 and 15")
        return {**DEFAULT_CLEARING, **value}


@dataclass(frozen=True)
class PaymentReportFacts:
    """The debtor's recent reports: the pause a pending one holds, if any, and how many never
    became a payment within the rules' lookback."""

    pending_until: date | None = None
    unconfirmed_reports: int = 0


def payment_method(text: str | None) -> str:
    """The method a debtor's words name ("paguei no pix", "foi boleto na lotérica"), or
    "unknown"."""
    plain = _plain(text or "")
    for method, words in _METHOD_WORDS:
        if any(re.search(rf"\b{re.escape(_plain(word))}\b", plain) for word in words):
            return method
    return UNKNOWN


def pause_until(
    reported_on: date,
    method: str,
    rules: PaymentReportRules,
    calendar: BusinessCalendar | None = None,
) -> date:
    """The last day reminders wait for the payment to clear: `reported_on` plus the method's
    clearing days counted in business days (0 days: `reported_on` itself)."""
    calendar = calendar or national_calendar()
    days = rules.clearing_business_days.get(method, rules.clearing_business_days[UNKNOWN])
    day = reported_on
    for _ in range(days):
        day = calendar.next_business_day_on_or_after(day + timedelta(1))
    return day


def check_payment_report(
    method: str,
    facts: PaymentReportFacts,
    rules: PaymentReportRules,
    today: date,
    calendar: BusinessCalendar | None = None,
) -> Decision:
    """Whether to pause reminders for a payment reported `today` and not found on the ledger;
    `until` is the last paused day. A report still pending is refused with its own date."""
    if facts.pending_until is not None and facts.pending_until >= today:
        return refuse(
            "report_pending",
            "Já registramos o seu aviso de pagamento e estamos aguardando a compensação até "
            f"{day_month(facts.pending_until)}.",
            facts.pending_until,
        )
    if facts.unconfirmed_reports >= rules.max_unconfirmed_reports:
        return refuse(
            "too_many_unconfirmed_reports",
            "Para conferir esse pagamento, vou precisar do comprovante; nossa equipe vai "
            "analisar e te responder por aqui.",
        )
    until = pause_until(today, method, rules, calendar)
    return allow(
        "Obrigado por avisar! Ainda não localizei o pagamento; pode me mandar o comprovante? "
        f"Vou segurar os lembretes até {day_month(until)}, enquanto ele compensa.",
        until,
    )


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
