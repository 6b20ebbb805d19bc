"""CPF and CNPJ (numeric and the alphanumeric CNPJ of IN RFB 2.229/2024): parsing and masking."""

import string
from dataclasses import dataclass
from typing import Literal

from billing.errors import InvalidValue

DocumentKind = Literal["cpf", "cnpj"]

CPF_LENGTH = 11
CNPJ_LENGTH = 14

_CPF_WEIGHTS = (11, 10, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_WEIGHTS = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_DIGITS = frozenset(string.digits)
_CNPJ_BASE_CHARS = frozenset(string.digits + string.ascii_uppercase)
_ACCEPTED_CHARS = frozenset(string.digits + string.ascii_letters)
# Kept visible by `masked`. The first digits stay hidden because the identity check asks the
# debtor for them: a log line must not hand out the answer.
_MASK_KEEP_LAST = 2


@dataclass(frozen=True, slots=True, repr=False)
class Document:
    """A CPF or CNPJ whose check digits are valid.

    `value` is normalised: no punctuation, letters upper-case. Building one directly validates
    it like `parse_document` does and raises InvalidValue. `repr` shows only the masked form,
    so logging the object never leaks the full document.
    """

    kind: DocumentKind
    value: str

    def __post_init__(self) -> None:
        if self.kind == "cpf":
            _check_cpf(self.value)
        elif self.kind == "cnpj":
            _check_cnpj(self.value)
        else:
            raise InvalidValue(f"document kind must be 'cpf' or 'cnpj', got {self.kind!r}")

    def __repr__(self) -> str:
        return f"Document(kind={self.kind!r}, masked={self.masked!r})"

    @property
    def formatted(self) -> str:
        """The usual written form: "123.456.789-09" or "11.222.333/0001-81"."""
        return _punctuate(self.kind, self.value)

    @property
    def masked(self) -> str:
        """A form safe for logs (LGPD): only the last two characters, e.g. "***.***.***-09"."""
        hidden = "*" * (len(self.value) - _MASK_KEEP_LAST)
        return _punctuate(self.kind, hidden + self.value[-_MASK_KEEP_LAST:])

    def prefix(self, n: int = 3) -> str:
        """The first `n` characters of `value`; raises ValueError unless 1 <= n <= its length."""
        if not 1 <= n <= len(self.value):
            raise ValueError(f"prefix length must be between 1 and {len(self.value)}, got {n}")
        return self.value[:n]


def parse_document(raw: str) -> Document:
    """Parse a CPF (11 digits) or CNPJ (14 characters), ignoring punctuation and spaces.

    Raises InvalidValue naming the problem (length, character, check digits) and TypeError
    if `raw` is not a str.
    """
    value = _normalise(raw)
    return Document(_kind_of(raw, value), value)


def is_valid_document(raw: str) -> bool:
    """Whether `parse_document(raw)` would succeed."""
    try:
        parse_document(raw)
    except InvalidValue:
        return False
    return True


def cpf_check_digits(base9: str) -> str:
    """The two check digits of a CPF whose first nine digits are `base9`."""
    if len(base9) != 9 or not _DIGITS.issuperset(base9):
        raise InvalidValue(f"CPF base must be 9 digits, got {len(base9)} characters")
    return _check_digits(base9, _CPF_WEIGHTS)


def cnpj_check_digits(base12: str) -> str:
    """The two check digits of a CNPJ whose first twelve characters (0-9, A-Z) are `base12`.

    Lower-case letters are accepted and treated as upper-case.
    """
    base12 = base12.upper()
    if len(base12) != 12 or not _CNPJ_BASE_CHARS.issuperset(base12):
        raise InvalidValue("CNPJ base must be 12 characters, each 0-9 or A-Z")
    return _check_digits(base12, _CNPJ_WEIGHTS)


def _normalise(raw: str) -> str:
    if not isinstance(raw, str):
        raise TypeError(f"document must be a str, got {type(raw).__name__}")
    kept = [char for char in raw if char.isalnum()]
    if not kept:
        raise InvalidValue("document is empty")
    for char in kept:
        # Checked before upper-casing: "ß".upper() is "SS" and would slip through.
        if char not in _ACCEPTED_CHARS:
            raise InvalidValue(f"document contains an invalid character {char!r}")
    return "".join(kept).upper()


def _kind_of(raw: str, value: str) -> DocumentKind:
    # A slash or a letter can only belong to a CNPJ, which makes the length message precise.
    looks_like_cnpj = "/" in raw or not value.isdigit()
    if len(value) == CNPJ_LENGTH or looks_like_cnpj:
        return "cnpj"
    if len(value) == CPF_LENGTH:
        return "cpf"
    if len(value) < CPF_LENGTH:
        raise InvalidValue(
            f"CPF must have 11 digits, got {len(value)}"
            " (spreadsheets drop leading zeros: keep the column as text)"
        )
    if len(value) > CNPJ_LENGTH:
        raise InvalidValue(f"CNPJ must have 14 characters, got {len(value)}")
    raise InvalidValue(
        f"document must have 11 digits (CPF) or 14 characters (CNPJ), got {len(value)}"
    )


def _check_cpf(value: str) -> None:
    if len(value) != CPF_LENGTH:
        raise InvalidValue(f"CPF must have 11 digits, got {len(value)}")
    if not _DIGITS.issuperset(value):
        raise InvalidValue("CPF must contain only digits")
    if len(set(value)) == 1:
        raise InvalidValue("CPF has all digits equal, which is a placeholder, not a CPF")
    if cpf_check_digits(value[:9]) != value[9:]:
        raise InvalidValue("CPF check digits do not match")


def _check_cnpj(value: str) -> None:
    if len(value) != CNPJ_LENGTH:
        raise InvalidValue(f"CNPJ must have 14 characters, got {len(value)}")
    if not _CNPJ_BASE_CHARS.issuperset(value[:12]):
        raise InvalidValue("CNPJ first 12 characters must be digits or upper-case letters A-Z")
    if not _DIGITS.issuperset(value[12:]):
        raise InvalidValue("CNPJ check digits (last 2 characters) must be digits")
    if len(set(value)) == 1:
        raise InvalidValue("CNPJ has all digits equal, which is a placeholder, not a CNPJ")
    if cnpj_check_digits(value[:12]) != value[12:]:
        raise InvalidValue("CNPJ check digits do not match")


def _check_digits(base: str, weights: tuple[int, ...]) -> str:
    """Mod-11 check digits; the first uses weights[1:], the second all of `weights`."""
    first = _mod11(base, weights[1:])
    second = _mod11(base + first, weights)
    return first + second


def _mod11(chars: str, weights: tuple[int, ...]) -> str:
    # ord(char) - 48 gives 0-9 for digits and 17-42 for A-Z, as IN RFB 2.229/2024 specifies.
    total = sum((ord(char) - 48) * weight for char, weight in zip(chars, weights, strict=True))
    remainder = total % 11
    return "0" if remainder < 2 else str(11 - remainder)


def _punctuate(kind: DocumentKind, chars: str) -> str:
    if kind == "cpf":
        return f"{chars[:3]}.{chars[3:6]}.{chars[6:9]}-{chars[9:]}"
    return f"{chars[:2]}.{chars[2:5]}.{chars[5:8]}/{chars[8:12]}-{chars[12:]}"
