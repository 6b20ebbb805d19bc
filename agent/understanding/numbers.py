"""Numbers as debtors write them: digits in pt-BR or en-US notation, or words.

"tres", "vinte e cinco", "cem reais", "R$ 50", "50 conto", "1.234,56", "1234.56", "3x",
"em 4", "duas vezes", "10%". Counts are int; money is Decimal with two places, never float.
The scanners work on canonical tokens (see normalize.py); `parse_*` take raw text.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from agent.understanding import lexicon
from agent.understanding.normalize import tokenize

CENT = Decimal("0.01")
MAX_INSTALLMENTS = 120
MAX_DIGITS = 15

_DIGITS = re.compile(r"\d+(?:[.,]\d+)*")
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)%")
_CURRENCY_AFTER = frozenset({"reais", "real", "conto"})
# A bare number right after these words is an amount of money ("posso dar 200").
_MONEY_BEFORE = frozenset(
    {"pagar", "paguei", "pago", "pagaria", "pagamos", "dar", "dou", "daria", "valor", "entrada",
     "parcela", "parcelas", "apenas", "somente", "so", "consigo", "tenho", "transferi",
     "depositei", "mandei", "total", "juntar", "junto", "arrumar", "arrumo"}
)  # fmt: skip
_MONEY_AFTER_DE = frozenset({"vezes", "parcelas", "parcela", "entrada", "valor", "prestacoes"})
_ARTICLES = frozenset({"um", "uma"})
_TWO_DECIMALS = re.compile(r".*\d[.,]\d{2}")
_INSTALLMENT_UNITS = frozenset({"vezes", "parcelas", "prestacoes", "mensalidades"})
_SPLIT_VERBS = frozenset(
    {"parcelar", "parcelado", "parcelamento", "dividir", "dividido", "divide", "divida", "fazer",
     "faz", "pagar", "pago", "faco", "parcela", "parcelo", "pagaria", "fazem", "acordo"}
)  # fmt: skip
_NOT_INSTALLMENT_AFTER = frozenset({"dias", "dia", "semanas", "semana", "horas", "reais"})
_NUMBER_WORDS = frozenset({*lexicon.UNITS, *lexicon.TENS, *lexicon.HUNDREDS, "mil"})
_EVENT_VERB_ENDINGS = ("ei", "ou", "eu", "iu", "aram", "eram", "iram", "ando", "endo", "indo")
_REMAINDER = frozenset({"resto", "restante", "saldo"})
_COUNTABLE = frozenset({"vez", "mil", "centavos", *_CURRENCY_AFTER, *_INSTALLMENT_UNITS})


@dataclass(frozen=True, slots=True)
class NumberSpan:
    """A number found at tokens[start:end]; `money` when written as an amount of money."""

    value: Decimal
    start: int
    end: int
    money: bool


def parse_number(text: str) -> int | Decimal | None:
    """The first number in `text`: int when whole and written without decimals, else Decimal."""
    tokens = tokenize(text)
    for i in range(len(tokens)):
        found = number_at(tokens, i)
        if found is not None:
            value, _ = found
            whole = value == value.to_integral_value() and not _has_decimals(tokens[i])
            return int(value) if whole else value
    return None


def parse_money(text: str) -> Decimal | None:
    """The first amount of money in `text` ("R$ 50", "cem reais", "1.234,56"), two places.

    A message that is nothing but a number is read as money too ("150").
    """
    tokens = tokenize(text)
    spans = scan_numbers(tokens)
    money = [span for span in spans if span.money]
    if money:
        return money[0].value
    if len(spans) == 1 and spans[0].start == 0 and spans[0].end == len(tokens):
        return spans[0].value.quantize(CENT)
    return None


def parse_installments(text: str) -> int | None:
    """The number of installments asked for in `text` ("3x", "em tres vezes", "parcelar em 4")."""
    return find_installments(tokenize(text))


def decimal_of(token: str) -> Decimal | None:
    """The value of a digits token in pt-BR ("1.234,56", "79,9") or en-US ("1234.56") notation.

    A lone "." or "," followed by three digits groups thousands ("1.234"); with one or two
    digits it is the decimal separator. Dates, times and documents ("15/12") give None.
    """
    if not _DIGITS.fullmatch(token):
        return None
    if "," in token and "." in token:
        decimal_mark = "," if token.rfind(",") > token.rfind(".") else "."
    elif token.count(",") == 1 or token.count(".") == 1:
        decimal_mark = "," if "," in token else "."
        if len(token) - token.rfind(decimal_mark) - 1 == 3:
            decimal_mark = ""
    else:
        decimal_mark = ""
    integer, _, fraction = token.partition(decimal_mark) if decimal_mark else (token, "", "")
    integer = integer.replace(".", "").replace(",", "")
    if not integer.isdigit() or (fraction and not fraction.isdigit()):
        return None
    if len(integer.lstrip("0")) > MAX_DIGITS or len(fraction) > MAX_DIGITS:
        return None  # no amount or count is that long: a code, not a number to reason with
    try:
        return Decimal(f"{integer}.{fraction}" if fraction else integer)
    except InvalidOperation:
        return None


def word_number(tokens: Sequence[str], start: int) -> tuple[int, int] | None:
    """A number written in words at tokens[start:], as (value, index after it)."""
    total = current = 0
    i = end = start
    while i < len(tokens):
        token = tokens[i]
        if token == "e" and end == i > start and _word_value(_at(tokens, i + 1)) is not None:
            i += 1
            continue
        if token == "mil":
            total += max(current, 1) * 1000
            current = 0
        elif (value := _word_value(token)) is not None and _fits(current, value):
            current += value
        else:
            break
        i += 1
        end = i
    if end == start:
        return None
    return total + current, end


def number_at(tokens: Sequence[str], i: int) -> tuple[Decimal, int] | None:
    """The number starting at tokens[i] (digits or words, "2 mil" included), with its end."""
    if not tokens[i][:1].isdigit() and tokens[i] not in _NUMBER_WORDS:
        return None
    value = decimal_of(tokens[i])
    if value is not None:
        end = i + 1
        if end < len(tokens) and tokens[end] == "mil":
            return value * 1000, end + 1
        return value, end
    worded = word_number(tokens, i)
    if worded is None:
        return None
    return Decimal(worded[0]), worded[1]


def scan_numbers(tokens: Sequence[str], skip: frozenset[int] = frozenset()) -> list[NumberSpan]:
    """Every number in `tokens` outside the `skip` positions (e.g. a date), left to right."""
    spans: list[NumberSpan] = []
    i = 0
    while i < len(tokens):
        span = None if i in skip else _span_at(tokens, i)
        if span is None:
            i += 1
            continue
        spans.append(span)
        i = span.end
    return spans


def find_installments(tokens: Sequence[str], spans: list[NumberSpan] | None = None) -> int | None:
    """The installment count: "3 vezes", "4 parcelas", "parcelar em 5", "dividir em dez"."""
    for span in spans if spans is not None else scan_numbers(tokens):
        count = int(span.value)
        if span.money or span.value != count or not 1 <= count <= MAX_INSTALLMENTS:
            continue
        after = tokens[span.end] if span.end < len(tokens) else ""
        before = tokens[max(0, span.start - 3) : span.start]
        if after in _INSTALLMENT_UNITS and _counts_installments(after, before):
            return count
        if after == "meses" and before and before[-1] == "em":
            return count  # "em 18 meses": a plan; "daqui a 2 meses" is a date instead
        split = _SPLIT_VERBS.intersection(tokens[max(0, span.start - 4) : span.start])
        if before and before[-1] == "em" and after not in _NOT_INSTALLMENT_AFTER and split:
            return count
    return None


def find_down_payment(tokens: Sequence[str], spans: list[NumberSpan]) -> Decimal | None:
    """A down payment: "entrada de 100", "100 de entrada", "dou 50 agora e o resto ..."."""
    for span in spans:
        before = tokens[max(0, span.start - 3) : span.start]
        after = tokens[span.end : span.end + 4]
        if "entrada" in before or tuple(after[:2]) in {("de", "entrada"), ("na", "entrada")}:
            return span.value.quantize(CENT)
        if _REMAINDER.intersection(after) and not _INSTALLMENT_UNITS.intersection(after[:1]):
            return span.value.quantize(CENT)
    return None


def find_percent(tokens: Sequence[str]) -> Decimal | None:
    """A percentage: "90%", "90 por cento", "noventa por cento"."""
    if "cento" not in tokens and not any(token.endswith("%") for token in tokens):
        return None
    for i, token in enumerate(tokens):
        match = _PERCENT.fullmatch(token)
        if match:
            return decimal_of(match.group(1))
        found = number_at(tokens, i)
        if found is not None and tuple(tokens[found[1] : found[1] + 2]) == ("por", "cento"):
            return found[0]
    return None


def _span_at(tokens: Sequence[str], i: int) -> NumberSpan | None:
    if tokens[i] == "r$":
        found = number_at(tokens, i + 1) if i + 1 < len(tokens) else None
        if found is None:
            return None
        value, end = _with_cents(tokens, found[0], found[1])
        return NumberSpan(value.quantize(CENT), i, end, money=True)
    found = number_at(tokens, i)
    if found is None:
        return None
    value, end = found
    after = tokens[end] if end < len(tokens) else ""
    if after in _CURRENCY_AFTER:
        value, end = _with_cents(tokens, value, end + 1)
        return NumberSpan(value.quantize(CENT), i, end, money=True)
    if after == "centavos":
        return NumberSpan((value / 100).quantize(CENT), i, end + 1, money=True)
    if tokens[i] in _ARTICLES and end == i + 1 and after not in _COUNTABLE:
        return None  # "um boleto": an article, not a number
    money = _reads_as_money(tokens, i, after, bool(_TWO_DECIMALS.fullmatch(tokens[i])))
    return NumberSpan(value.quantize(CENT) if money else value, i, end, money=money)


def _reads_as_money(tokens: Sequence[str], i: int, after: str, two_decimals: bool) -> bool:
    if two_decimals:
        return True
    if after in _INSTALLMENT_UNITS or after in _NOT_INSTALLMENT_AFTER or after == "por":
        return False
    previous = _at(tokens, i - 1)
    if previous in _MONEY_BEFORE:
        return True
    return previous == "de" and _at(tokens, i - 2) in _MONEY_AFTER_DE


def _at(tokens: Sequence[str], i: int) -> str:
    return tokens[i] if 0 <= i < len(tokens) else ""


def _with_cents(tokens: Sequence[str], value: Decimal, end: int) -> tuple[Decimal, int]:
    """Adds "e 20 centavos" after an amount in reais."""
    if end + 2 < len(tokens) and tokens[end] == "e" and tokens[end + 2] == "centavos":
        cents = number_at(tokens, end + 1)
        if cents is not None and cents[1] == end + 2:
            return value + cents[0] / 100, end + 3
    return value, end


def _counts_installments(unit: str, before: Sequence[str]) -> bool:
    if unit != "vezes":
        return True
    # "liguei 3 vezes", "cobrando duas vezes" count events, not installments: a verb in the
    # past or in progress right before the number.
    previous = before[-1] if before else ""
    return previous in _SPLIT_VERBS or not previous.endswith(_EVENT_VERB_ENDINGS)


def _word_value(token: str) -> int | None:
    for table in (lexicon.UNITS, lexicon.TENS, lexicon.HUNDREDS):
        if token in table:
            return table[token]
    return None


def _fits(current: int, value: int) -> bool:
    """Whether `value` can extend `current` ("vinte" + "cinco", not "cinco" + "vinte")."""
    if current == 0:
        return True
    if current % 100 == 0:
        return value < 100
    return current % 10 == 0 and current >= 20 and value < 10


def _has_decimals(token: str) -> bool:
    value = decimal_of(token)
    return value is not None and value != value.to_integral_value()
