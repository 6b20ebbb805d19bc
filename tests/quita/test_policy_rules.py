"""The policy file's rule sections for the agent's tools: defaults, overrides, and errors that
name the key."""

from decimal import Decimal
from pathlib import Path

import pytest

from quita.policy import Policy, PolicyError, load_policy

FULL = """\
renegotiation:
  max_installments: 10
  min_installment_value: 30.00
  installment_discount_share_percent: 40
  allow_principal_discount: true
  max_principal_discount_percent: 5
  discount_bands:
    - {up_to_days: 60, interest_percent: 80, fee_percent: 20}
    - {interest_percent: 100, fee_percent: 100}
  segments:
    chronic: {max_installments: 2}
promises:
  max_days_ahead: 5
  business_days_only: true
payment_reports:
  clearing_business_days: {boleto: 2}
trust_unblock:
  days: 2
  period_days: 45
disputes:
  answer_days: 20
identity:
  digits: 4
  max_attempts: 2
"""


def _load(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


def test_without_a_file_every_rule_set_has_its_defaults() -> None:
    policy = load_policy(None)

    assert policy.renegotiation.max_installments == 6
    assert policy.renegotiation.min_installment_value == Decimal("50.00")
    assert policy.promises.max_days_ahead == 7
    assert policy.payment_reports.clearing_business_days["boleto"] == 3
    assert (policy.trust_unblock.days, policy.trust_unblock.period_days) == (3, 30)
    assert policy.disputes.answer_days == 30
    assert (policy.identity.digits, policy.identity.max_attempts) == (3, 3)


def test_every_section_is_read_from_the_file(tmp_path: Path) -> None:
    policy = _load(tmp_path, FULL)

    rules = policy.renegotiation
    assert rules.max_installments == 10
    assert rules.min_installment_value == Decimal("30.00")
    assert rules.installment_discount_share_percent == Decimal("40")
    assert rules.allow_principal_discount
    assert rules.max_principal_discount_percent == 5
    assert [band.up_to_days for band in rules.discount_bands] == [60, None]
    assert rules.max_installments_for("chronic") == 2
    assert rules.max_installments_for("loyal") == 10
    assert (policy.promises.max_days_ahead, policy.promises.business_days_only) == (5, True)
    assert policy.payment_reports.clearing_business_days["boleto"] == 2
    assert (policy.trust_unblock.days, policy.trust_unblock.period_days) == (2, 45)
    assert policy.disputes.answer_days == 20
    assert (policy.identity.digits, policy.identity.max_attempts) == (4, 2)


def test_an_empty_section_keeps_the_defaults(tmp_path: Path) -> None:
    policy = _load(tmp_path, "renegotiation:\nidentity: {}\n")

    assert policy.renegotiation.max_installments == 6
    assert policy.identity.digits == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("renegotiation:\n  max_instalments: 3\n", "renegotiation.max_instalments: unknown key"),
        ("renegotiation:\n  max_installments: many\n", "renegotiation.max_installments"),
        ("renegotiation:\n  min_installment_value: 10.555\n", "min_installment_value"),
        ("promises:\n  max_days_ahead: -1\n", "promises.max_days_ahead"),
        ("trust_unblock:\n  days: 0\n", "trust_unblock.days"),
        ("disputes:\n  answer_days: 45\n", "disputes.answer_days"),
        ("identity:\n  method: birthday\n", "identity.method"),
        ("identity:\n  digits: 1\n", "identity.digits"),
        ("identity: 3\n", "identity: expected a mapping"),
        ("renegotiation:\n  segments: {vip: {}}\n", "segments.vip: unknown segment"),
        ("renegociacao: {}\n", "renegociacao: unknown key"),
    ],
)
def test_a_bad_section_is_refused_naming_the_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(PolicyError, match=message) as raised:
        _load(tmp_path, text)

    assert "policy.yaml" in str(raised.value)


def test_rule_sets_hash_by_value_so_a_policy_can_be_a_cache_key(tmp_path: Path) -> None:
    first, second = _load(tmp_path, FULL), _load(tmp_path, FULL)
    sections = ("renegotiation", "promises", "payment_reports", "trust_unblock", "disputes")

    for name in (*sections, "identity"):
        assert hash(getattr(first, name)) == hash(getattr(second, name))
    assert hash(first.renegotiation) != hash(load_policy(None).renegotiation)
