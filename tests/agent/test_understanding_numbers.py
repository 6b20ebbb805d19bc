"""Numbers as debtors write them: digits in both notations, words, money and installments."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.understanding.normalize import tokenize
from agent.understanding.numbers import (
    decimal_of,
    find_down_payment,
    find_percent,
    parse_installments,
    parse_money,
    parse_number,
    scan_numbers,
)
from billing.money import format_brl


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("tres", 3),
        ("três", 3),
        ("dez", 10),
        ("quinze", 15),
        ("vinte e cinco", 25),
        ("vinte cinco", 25),
        ("cem", 100),
        ("cento e vinte e tres", 123),
        ("duzentos e cinquenta", 250),
        ("mil", 1000),
        ("mil e quinhentos", 1500),
        ("dois mil e vinte e seis", 2026),
        ("2 mil", 2000),
        ("em 4", 4),
        ("50", 50),
        ("1.234", 1234),
        ("1.234,56", Decimal("1234.56")),
        ("1234.56", Decimal("1234.56")),
        ("1,234.56", Decimal("1234.56")),
        ("79,9", Decimal("79.9")),
        ("1,5", Decimal("1.5")),
        ("sem numero", None),
    ],
)
def test_numbers_in_digits_and_words_are_read(text: str, value: int | Decimal | None) -> None:
    parsed = parse_number(text)

    assert parsed == value
    assert type(parsed) is type(value)


def test_words_that_cannot_follow_each_other_are_two_numbers() -> None:
    spans = scan_numbers(tokenize("cinco vinte"))

    assert [span.value for span in spans] == [5, 20]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("R$ 50", "50.00"),
        ("r$50,00", "50.00"),
        ("R$ 1.234,56", "1234.56"),
        ("50 reais", "50.00"),
        ("50 real", "50.00"),
        ("50 conto", "50.00"),
        ("50 pila", "50.00"),
        ("cem reais", "100.00"),
        ("cinquenta reais e vinte centavos", "50.20"),
        ("2 mil reais", "2000.00"),
        ("dois mil reais", "2000.00"),
        ("80 centavos", "0.80"),
        ("1234.56", "1234.56"),
        ("paguei 89,90 ontem", "89.90"),
        ("posso dar 200 agora", "200.00"),
        ("150", "150.00"),
    ],
)
def test_money_is_read_as_decimal_with_two_places(text: str, amount: str) -> None:
    parsed = parse_money(text)

    assert parsed == Decimal(amount)
    assert isinstance(parsed, Decimal)
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    "text",
    ["dia 15", "em 3 vezes", "quero pagar", "15/12", "90%", "um boleto", "daqui 3 dias"],
)
def test_counts_dates_and_articles_are_not_money(text: str) -> None:
    assert parse_money(text) is None


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("3x", 3),
        ("em 3x", 3),
        ("3 x", 3),
        ("em 4 vezes", 4),
        ("duas vezes", 2),
        ("em tres vezes", 3),
        ("12 parcelas", 12),
        ("parcelar em 5", 5),
        ("dividir em dez", 10),
        ("da pra fazer em 6?", 6),
        ("10x de 50", 10),
        ("em 18 meses", 18),
        ("liguei 3 vezes", None),
        ("vcs estao cobrando duas vezes", None),
        ("pago em 3 dias", None),
        ("parcelar", None),
        ("em 500 vezes", None),
    ],
)
def test_installment_counts_are_found(text: str, count: int | None) -> None:
    assert parse_installments(text) == count


@pytest.mark.parametrize(
    ("text", "down"),
    [
        ("entrada de 100", "100.00"),
        ("com entrada de R$ 50", "50.00"),
        ("dou 150 de entrada", "150.00"),
        ("consigo dar 200 agora e o resto em 3x", "200.00"),
        ("quero parcelar em 3x", None),
    ],
)
def test_down_payments_are_found(text: str, down: str | None) -> None:
    tokens = tokenize(text)

    found = find_down_payment(tokens, scan_numbers(tokens))

    assert found == (Decimal(down) if down else None)


@pytest.mark.parametrize(
    ("text", "percent"),
    [("90%", "90"), ("desconto de 12,5%", "12.5"), ("noventa por cento", "90"), ("dez", None)],
)
def test_percentages_are_found(text: str, percent: str | None) -> None:
    assert find_percent(tokenize(text)) == (Decimal(percent) if percent else None)


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("0", "0"),
        ("007", "7"),
        ("1.234.567", "1234567"),
        ("1.234.567,89", "1234567.89"),
        ("12,345", "12345"),
        ("15/12", None),
        ("123.456.789-09", None),
        ("abc", None),
    ],
)
def test_decimal_of_reads_both_notations(token: str, value: str | None) -> None:
    assert decimal_of(token) == (Decimal(value) if value else None)


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2))
def test_money_written_by_billing_reads_back(amount: Decimal) -> None:
    assert parse_money(format_brl(amount)) == amount


@given(st.text())
def test_money_is_never_a_float_and_parsing_never_raises(text: str) -> None:
    parsed = parse_money(text)

    assert parsed is None or (isinstance(parsed, Decimal) and parsed.as_tuple().exponent == -2)
    parse_number(text)
    parse_installments(text)
