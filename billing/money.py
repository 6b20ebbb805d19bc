"""Money in reais: amounts as staff type them, centavos, and the pt-BR and JSON written forms.

Money is a Decimal with two places or an int of centavos, never a float.
"""

from decimal import Decimal

from billing.errors import InvalidValue

_CURRENCY_SYMBOL = "R$"
_SEPARATORS = ".,"
_DIGITS = frozenset("0123456789")
_GROUP_SIZE = 3


def parse_reais(raw: str) -> Decimal:
    """A non-negative amount in reais, with exactly two decimal places.

    Accepts "1.234,56", "1,234.56", "R$ 1.234,56", "1234", "79,9" and the like: when both
    separators appear the last one is the decimal separator, a single "." or "," is a decimal
    separator, and a separator repeated on its own groups thousands ("1.234.567"). Raises
    InvalidValue for anything else (empty, negative, letters, NaN, exponents, misplaced groups,
    more than two decimal places) and TypeError if `raw` is not a str.
    """
    text = _strip_currency(raw)
    integer, fraction = _split_decimal(text, raw)
    if len(fraction) > 2:
        raise InvalidValue(
            f"amount {raw!r} has more than two decimal places"
            " (to write thousands, include the centavos, e.g. 1.234,00)"
        )
    return Decimal(f"{_ungroup(integer, raw)}.{fraction.ljust(2, '0')}")


def to_centavos(amount: Decimal) -> int:
    """The exact number of centavos in `amount`.

    Raises InvalidValue if `amount` is not finite or has a non-zero third decimal place (this
    never rounds), and TypeError if it is not a Decimal.
    """
    _require_decimal(amount)
    sign, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int):  # NaN, sNaN and infinities mark the exponent with a letter
        raise InvalidValue(f"amount {amount} is not a finite number")

    coefficient = int("".join(map(str, digits)))
    # Integer arithmetic on the coefficient: Decimal operations would round past 28 digits.
    shift = exponent + 2
    factor: int = 10 ** abs(shift)
    if shift >= 0:
        centavos = coefficient * factor
    else:
        centavos, rest = divmod(coefficient, factor)
        if rest:
            raise InvalidValue(f"amount {amount} has more than two decimal places")
    return -centavos if sign else centavos


def from_centavos(centavos: int) -> Decimal:
    """The amount in reais, with exactly two decimal places, of `centavos`."""
    if isinstance(centavos, bool) or not isinstance(centavos, int):
        raise TypeError(f"centavos must be an int, got {type(centavos).__name__}")
    # The string constructor is exact whatever the number of digits.
    return Decimal(f"{centavos}E-2")


def format_brl(amount: Decimal) -> str:
    """The pt-BR written form, "R$ 1.234,56" (plain space; negatives as "-R$ 1,00").

    Raises like `to_centavos`.
    """
    sign, reais, centavos = _split_centavos(amount)
    grouped = f"{reais:,}".replace(",", ".")
    return f"{sign}R$ {grouped},{centavos:02d}"


def format_json(amount: Decimal) -> str:
    """The API contract's form: a string with two decimal places, "1234.56".

    Raises like `to_centavos`.
    """
    sign, reais, centavos = _split_centavos(amount)
    return f"{sign}{reais}.{centavos:02d}"


def _strip_currency(raw: str) -> str:
    if isinstance(raw, float):
        raise TypeError("money is never a float: pass the amount as text")
    if not isinstance(raw, str):
        raise TypeError(f"amount must be a str, got {type(raw).__name__}")

    text = raw.strip()
    text = text.removeprefix(_CURRENCY_SYMBOL).strip()
    if not text:
        raise InvalidValue("amount is empty")
    if text.startswith("-") or raw.strip().startswith("-"):
        raise InvalidValue(f"amount {raw!r} is negative")
    for char in text:
        if char not in _DIGITS and char not in _SEPARATORS:
            raise InvalidValue(f"amount {raw!r} contains {char!r}; use only digits, '.' and ','")
    if text[0] in _SEPARATORS or text[-1] in _SEPARATORS:
        raise InvalidValue(f"amount {raw!r} must start and end with a digit")
    return text


def _split_decimal(text: str, raw: str) -> tuple[str, str]:
    """The integer part (maybe with grouping separators) and the decimal digits of `text`."""
    last = max(text.rfind("."), text.rfind(","))
    if last == -1:
        return text, ""

    separator = text[last]
    if text.count(separator) == 1:
        return text[:last], text[last + 1 :]

    other = "," if separator == "." else "."
    if other in text:
        raise InvalidValue(f"amount {raw!r} uses the decimal separator {separator!r} twice")
    return text, ""


def _ungroup(integer: str, raw: str) -> str:
    groups = integer.replace(",", ".").split(".")
    if len(groups) == 1:
        return integer

    first, rest = groups[0], groups[1:]
    if not 1 <= len(first) <= _GROUP_SIZE or any(len(group) != _GROUP_SIZE for group in rest):
        raise InvalidValue(f"amount {raw!r} has thousands groups that are not 3 digits")
    return "".join(groups)


def _require_decimal(amount: Decimal) -> None:
    if isinstance(amount, float):
        raise TypeError("money is never a float: use Decimal")
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a Decimal, got {type(amount).__name__}")


def _split_centavos(amount: Decimal) -> tuple[str, int, int]:
    centavos = to_centavos(amount)
    reais, rest = divmod(abs(centavos), 100)
    return ("-" if centavos < 0 else ""), reais, rest
