"""The identity gate (LGPD): before any debt is disclosed, the debtor proves who they are by
the first characters of their CPF or CNPJ; a few failed attempts hand the thread to staff."""

import re
from typing import Literal

from pydantic import Field

from policies.base import RuleSet

IdentityMethod = Literal["document_prefix"]
IdentityOutcome = Literal["verified", "retry", "escalate"]

# Digits possibly split by the punctuation or single spaces people type: "123.456.789-09",
# "123 456". A letter-and-digit run covers the alphanumeric CNPJ ("12.ABC.345/01DE-35").
_DIGIT_RUN = re.compile(r"\d+(?:[ .\-/]\d+)*")
_ALNUM_RUN = re.compile(r"[0-9A-Za-z]+(?:[.\-/][0-9A-Za-z]+)*")
_SEPARATORS = re.compile(r"[ .\-/]")


class IdentityRules(RuleSet):
    """Section `identity` of the policy file: the method (only "document_prefix" for now),
    how many leading characters of the CPF/CNPJ to ask for, and how many failed attempts
    are allowed before the thread goes to staff."""

    method: IdentityMethod = "document_prefix"
    digits: int = Field(default=3, ge=2, le=8)
    max_attempts: int = Field(default=3, ge=1, le=10)


def check_identity_answer(answer_text: str, document: str, rules: IdentityRules) -> bool:
    """Whether `answer_text` proves the debtor holds `document` (a CPF/CNPJ, any punctuation).

    Accepts the first `rules.digits` characters, any longer start of the document, or the
    whole document, typed with or without punctuation and among other words ("meu cpf
    começa com 123"). A message holding several different candidate numbers is refused, so
    one attempt cannot carry several guesses.
    """
    expected = _characters(document)
    if len(expected) < rules.digits:
        return False
    candidates = {
        candidate
        for candidate in _candidates(answer_text)
        if rules.digits <= len(candidate) <= len(expected)
    }
    if len(candidates) != 1:
        return False
    return expected.startswith(candidates.pop())


def identity_outcome(verified: bool, failed_attempts: int, rules: IdentityRules) -> IdentityOutcome:
    """What follows an answer: "verified", "retry", or "escalate" once `failed_attempts`
    (including this answer, when it failed) reached `rules.max_attempts`."""
    if verified:
        return "verified"
    return "escalate" if failed_attempts >= rules.max_attempts else "retry"


def identity_question(document_kind: str, rules: IdentityRules) -> str:
    """The pt-BR question that asks for the prefix of a "cpf" or "cnpj"."""
    name = "CNPJ" if document_kind == "cnpj" else "CPF"
    return (
        f"Para a sua segurança, antes de falar sobre valores preciso confirmar a sua "
        f"identidade: quais são os {rules.digits} primeiros dígitos do seu {name}?"
    )


def _candidates(text: str) -> set[str]:
    # Letter-and-digit runs first, and out of the text, so the digits inside an alphanumeric
    # CNPJ are not read again as numbers of their own.
    found = set()
    for run in _ALNUM_RUN.findall(text):
        token = _SEPARATORS.sub("", run).upper()
        if any(char.isdigit() for char in token) and any(char.isalpha() for char in token):
            found.add(token)
            text = text.replace(run, " ")
    return found | {_SEPARATORS.sub("", run) for run in _DIGIT_RUN.findall(text)}


def _characters(document: str) -> str:
    return "".join(char for char in document if char.isalnum()).upper()
