"""Payment reports ("já paguei"): the method named, how long reminders wait for clearing."""

from datetime import date

import pytest

from policies.payment_reports import (
    PaymentReportFacts,
    PaymentReportRules,
    check_payment_report,
    pause_until,
    payment_method,
)

RULES = PaymentReportRules()
THURSDAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("text", "method"),
    [
        ("ja paguei no pix", "pix"),
        ("Paguei pelo PIX copia e cola", "pix"),
        ("paguei o boleto na lotérica", "boleto"),
        ("foi no cartão de crédito", "card"),
        ("fiz uma transferência", "transfer"),
        ("já paguei", "unknown"),
        (None, "unknown"),
    ],
)
def test_the_method_is_read_from_the_debtors_words(text: str | None, method: str) -> None:
    assert payment_method(text) == method


@pytest.mark.parametrize(
    ("method", "until"),
    [
        ("pix", THURSDAY),
        ("boleto", date(2026, 12, 8)),  # Fri, Mon, Tue
        ("unknown", date(2026, 12, 8)),
        ("card", date(2026, 12, 7)),
        ("something else", date(2026, 12, 8)),
    ],
)
def test_reminders_wait_the_methods_clearing_days_in_business_days(
    method: str, until: date
) -> None:
    assert pause_until(THURSDAY, method, RULES) == until


def test_clearing_skips_christmas() -> None:
    assert pause_until(date(2026, 12, 23), "boleto", RULES) == date(2026, 12, 29)


def test_a_first_report_pauses_reminders_and_asks_for_the_receipt() -> None:
    decision = check_payment_report("boleto", PaymentReportFacts(), RULES, THURSDAY)

    assert decision.ok
    assert decision.until == date(2026, 12, 8)
    assert "comprovante" in decision.reason


def test_a_pending_report_is_not_extended() -> None:
    facts = PaymentReportFacts(pending_until=date(2026, 12, 4))

    decision = check_payment_report("pix", facts, RULES, THURSDAY)

    assert (decision.ok, decision.code, decision.until) == (
        False,
        "report_pending",
        date(2026, 12, 4),
    )


def test_repeated_unconfirmed_reports_get_no_new_pause() -> None:
    facts = PaymentReportFacts(unconfirmed_reports=2)

    decision = check_payment_report("pix", facts, RULES, THURSDAY)

    assert (decision.ok, decision.code) == (False, "too_many_unconfirmed_reports")


def test_configured_clearing_days_keep_the_other_defaults() -> None:
    rules = PaymentReportRules.from_mapping({"clearing_business_days": {"boleto": 2}}, "x")

    assert rules.clearing_business_days["boleto"] == 2
    assert rules.clearing_business_days["pix"] == 0


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"clearing_business_days": {"cheque": 5}}, "payment_reports.clearing_business_days"),
        ({"clearing_business_days": {"pix": -1}}, "between 0 and 15"),
    ],
)
def test_bad_clearing_days_are_refused_naming_the_key(
    section: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        PaymentReportRules.from_mapping(section, "payment_reports")
