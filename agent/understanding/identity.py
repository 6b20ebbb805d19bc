"""Identity answers: the digits of a CPF or CNPJ (or their start) in a message.

The identity check asks for the first digits of the document (LGPD), so a short run of
digits counts when the dialogue is expecting it. Otherwise a message counts when it is mostly
digits (at least three) or names the document ("meu cpf e 123..."). Dates, money and long
codes (a boleto's 47 digits) never count. Digits spoken in an audio transcription ("um dois
tres") count while expecting identity or when the document is named. The alphanumeric
CNPJ keeps its letters (upper-cased), so `document_digits` may hold letters then.
"""

import re
from collections.abc import Sequence

from agent.understanding import lexicon

MIN_DIGITS = 3
MAX_DIGITS = 14  # a CNPJ; a longer run is a barcode or a phone, not a document

_DOCUMENT_QUESTIONS = frozenset({"identity", "document"})
_DOCUMENT_WORDS = frozenset({"cpf", "cnpj", "documento", "digitos", "numeros"})
# Words that may surround the digits without making the message something else.
_FILLER_WORDS = lexicon.words(
    """meu minha cpf cnpj e o a os as numero numeros documento do da de segue ai aqui esta isso
    sim ok no titular sao primeiros digitos inicio comeca com ta eh ne pronto la vai"""
)
_DIGIT_WORDS = {word: value for word, value in lexicon.UNITS.items() if value < 10}
_DIGIT_WORDS["meia"] = 6  # "meia" is six when Brazilians read out numbers
_MONEY = re.compile(r"\d{1,3}(?:\.\d{3})*,\d{2}|\d+[.,]\d{2}")
_DATE = re.compile(r"\d{1,2}/\d{1,2}(?:/\d{2,4})?")
_WORD = re.compile(r"[a-z]+")
_PUNCTUATION = re.compile(r"[\s.,;:!?\-/]+")
_CNPJ_WITH_LETTERS = re.compile(r"[0-9a-z]{12}[0-9]{2}")
_RUN = re.compile(r"[0-9](?:[0-9 .\-/]*[0-9])?")


def document_digits(folded: str, tokens: Sequence[str], expecting: str | None) -> str | None:
    """The document digits in a message (`folded` is its lower-case accent-free text)."""
    expected = expecting in _DOCUMENT_QUESTIONS
    named = bool(_DOCUMENT_WORDS.intersection(tokens))
    cnpj = _alphanumeric_cnpj(folded)
    if cnpj is not None and (expected or named):
        return cnpj
    if not expected and (_looks_like_other_number(tokens) or "r$" in tokens):
        return None
    digits = _longest_run(folded)
    if not digits and (expected or named):
        digits = _spoken_digits(tokens)
    if not digits or len(digits) > MAX_DIGITS:
        return None
    if expected:
        return digits
    # Another open question ("which day?", "how many installments?") owns short numbers.
    unprompted = expecting is None or len(digits) >= 11
    if len(digits) >= MIN_DIGITS and (named or (unprompted and _mostly_digits(folded))):
        return digits
    return None


def _alphanumeric_cnpj(folded: str) -> str | None:
    """The new CNPJ with letters (IN RFB 2.229/2024), upper-cased, when the message is one."""
    kept = [word for word in _PUNCTUATION.sub(" ", folded).split() if word not in _FILLER_WORDS]
    compact = "".join(kept)
    found = _CNPJ_WITH_LETTERS.fullmatch(compact)
    return found.group().upper() if found and not compact.isdigit() else None


def score(digits: str) -> float:
    """How sure a run of digits is a document when nobody asked for one."""
    return 0.95 if len(digits) >= 11 else 0.9


def _longest_run(folded: str) -> str:
    """The digits of the longest run of digits and punctuation ("123.456.789-09"); the last
    one wins a tie, so "os 3 primeiros sao 987" gives "987"."""
    runs = ["".join(re.findall(r"[0-9]", run)) for run in _RUN.findall(folded)]
    return max(reversed(runs), key=len, default="")


def _looks_like_other_number(tokens: Sequence[str]) -> bool:
    return any(_MONEY.fullmatch(token) or _DATE.fullmatch(token) for token in tokens)


def _mostly_digits(folded: str) -> bool:
    return all(word in _FILLER_WORDS for word in _WORD.findall(folded))


def _spoken_digits(tokens: Sequence[str]) -> str:
    run = [str(_DIGIT_WORDS[token]) for token in tokens if token in _DIGIT_WORDS]
    return "".join(run) if len(run) >= MIN_DIGITS else ""
