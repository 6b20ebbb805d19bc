"""The identity gate: the first digits of the CPF/CNPJ, however the debtor types them."""

import pytest

from policies.identity import (
    IdentityRules,
    check_identity_answer,
    identity_outcome,
    identity_question,
)

CPF = "529.982.247-25"
RULES = IdentityRules()


@pytest.mark.parametrize(
    "answer",
    [
        "529",
        "meu cpf começa com 529",
        "5 2 9",
        "529.982",
        "529.982.247-25",
        "52998224725",
        "é 529982247 25",
        "cpf: 529.",
    ],
)
def test_the_prefix_or_the_whole_document_is_accepted(answer: str) -> None:
    assert check_identity_answer(answer, CPF, RULES)


@pytest.mark.parametrize(
    "answer",
    [
        "528",
        "52",
        "não sei",
        "",
        "529.982.247-00",  # the whole document, wrong check digits
        "529 ou 123",  # several guesses in one message
        "5299822472512",  # longer than the document
        "982",
    ],
)
def test_wrong_short_ambiguous_or_partly_wrong_answers_are_refused(answer: str) -> None:
    assert not check_identity_answer(answer, CPF, RULES)


def test_the_number_of_digits_is_configurable() -> None:
    rules = IdentityRules(digits=5)

    assert not check_identity_answer("529", CPF, rules)
    assert check_identity_answer("529.98", CPF, rules)


def test_an_alphanumeric_cnpj_prefix_is_compared_without_case() -> None:
    cnpj = "12.ABC.345/01DE-35"

    assert check_identity_answer("12a", cnpj, RULES)
    assert check_identity_answer("o cnpj é 12.abc.345/01de-35", cnpj, RULES)
    assert not check_identity_answer("12b", cnpj, RULES)


def test_failed_attempts_lead_to_escalation_at_the_limit() -> None:
    assert identity_outcome(True, 2, RULES) == "verified"
    assert identity_outcome(False, 2, RULES) == "retry"
    assert identity_outcome(False, 3, RULES) == "escalate"


def test_the_question_names_the_document_and_the_digits() -> None:
    assert "3 primeiros dígitos do seu CNPJ" in identity_question("cnpj", RULES)
    assert "do seu CPF" in identity_question("cpf", IdentityRules(digits=4))
